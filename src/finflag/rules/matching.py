"""Where one pattern matches in a document: its hits before any context condition.

Each pattern gets a *finder* once per pack (:func:`finder`): a closure with
everything it needs bound in advance, so the rule layer's loop makes one call
per pattern whose anchors occur in a document and nothing else. The loop
visits some thirty patterns per post and three in four find nothing, so the
cost of a visit that finds nothing is what sets the layer's speed.

Every finder returns exactly the non-empty matches ``regex.finditer(text)``
would give, as ``(start, end, gloss)``; the anchors (see
:mod:`finflag.rules.anchors`) only decide where to look:

- a keyword table without cased letters: its anchors *are* its matches;
- an anchored pattern whose matches start with their anchor: ``match`` at
  each anchor; one with a known set of first characters (almost all the
  others): ``match`` at the starts within its reach ahead of an anchor that
  hold one of those characters;
- any other anchored pattern: ``search`` in windows around its anchors;
- a pattern without anchors: a scan of the whole text.

Why trying starts finds what finditer finds: a match contains an anchor
and begins at most ``before`` characters ahead of it (the reach), so every
place a match can begin is tried, left to right, each after the end of the
match before it, just as finditer moves on. ``match`` sees the whole text,
so nothing is cut short at a window's end.
"""

from __future__ import annotations

import re
from typing import Callable, Protocol

from .anchors import holds_co_anchor, pattern_first_chars, windows


class Pattern(Protocol):
    """What a finder needs of a pack's pattern (:class:`finflag.rules.pack.Pattern`, which imports this module)."""

    regex: re.Pattern[str]
    gloss: str
    keywords: dict[str, str]
    anchors: frozenset[str] | None
    reach: tuple[int, int] | None
    literal: bool
    co_anchors: frozenset[str] | None


#: A hit before context conditions: ``(start, end, gloss)`` in normalised offsets.
Candidate = tuple[int, int, str]
#: ``(normalised text, anchor positions by key)`` -> the pattern's hits, in text order.
Finder = Callable[[str, dict[int, list[tuple[int, int]]]], list[Candidate]]


def co_key(key: int) -> int:
    """The anchor index's key for pattern ``key``'s co-anchors: negative, apart from the pattern keys."""
    return -1 - key


def _gloss_of(key: int, pattern: Pattern,
              template_gloss: Callable[[int, re.Match[str]], str]) -> Callable[[re.Match[str]], str] | None:
    """How a match becomes its English gloss, or None when every match has the same one."""
    if pattern.keywords:
        keywords = pattern.keywords
        return lambda match: keywords.get(match.group(0), "")
    if "{" in pattern.gloss:
        return lambda match: template_gloss(key, match)
    return None


def windowed(pattern: Pattern) -> bool:
    """Whether ``pattern``'s finder is a window finder that looks up its co-anchors' positions
    (:func:`_window_finder`); every other finder only asks whether a co-anchor occurs."""
    if pattern.anchors is None or pattern.literal or pattern.reach is None:
        return False
    return pattern.reach[0] != 0 and pattern_first_chars(pattern.regex) is None


def finder(key: int, pattern: Pattern, template_gloss: Callable[[int, re.Match[str]], str]) -> Finder:
    """The finder of pattern ``key`` (see the module docstring for which kind).

    ``template_gloss`` fills a gloss template from a match (the pack's, which caches them).
    """
    gloss_of = _gloss_of(key, pattern, template_gloss)
    if pattern.anchors is None:
        return _full_finder(pattern.regex, gloss_of, pattern.gloss)
    if pattern.literal:
        return _literal_finder(key, pattern.keywords)
    co = co_key(key) if pattern.co_anchors is not None else None
    if pattern.reach is not None:
        before = pattern.reach[0]
        if before == 0:
            return _anchor_start_finder(key, pattern.regex.match, co, gloss_of, pattern.gloss)
        first = pattern_first_chars(pattern.regex)
        if first is not None:
            return _start_finder(key, pattern.regex.match, before, co, gloss_of, pattern.gloss, first.search)
    return _window_finder(key, pattern.regex, pattern.reach, co, gloss_of, pattern.gloss)


def _literal_finder(key: int, keywords: dict[str, str]) -> Finder:
    """A keyword table's hits straight from its anchors: the leftmost-longest, non-overlapping
    hits its regex would give."""

    def find(text: str, anchored: dict[int, list[tuple[int, int]]]) -> list[Candidate]:
        anchors = anchored[key]
        if len(anchors) == 1:
            ((at, end),) = anchors
            return [(at, end, keywords[text[at:end]])]
        spans, last_end = [], -1
        for at, end in sorted(anchors, key=_leftmost_longest):
            if at >= last_end:
                spans.append((at, end, keywords[text[at:end]]))
                last_end = end
        return spans

    return find


def _leftmost_longest(anchor: tuple[int, int]) -> tuple[int, int]:
    return anchor[0], -anchor[1]


def _anchor_start_finder(key: int, match: Callable[..., re.Match[str] | None], co: int | None,
                         gloss_of: Callable[[re.Match[str]], str] | None, gloss: str) -> Finder:
    """``match`` at each anchor, for a pattern whose matches start with their anchor.

    The one place a match through an anchor can start is the anchor
    itself: :func:`_start_finder` with nothing to search for, in fewer
    steps (half the patterns of the default pack are of this kind).
    """

    def find(text: str, anchored: dict[int, list[tuple[int, int]]]) -> list[Candidate]:
        if co is not None and co not in anchored:
            return []
        anchors = anchored[key]
        found: list[Candidate] = []
        next_start = 0  # the end of the last match: anchors before it lie inside it
        for anchor, _ in sorted(anchors) if len(anchors) > 1 else anchors:
            if anchor >= next_start:
                hit = match(text, anchor)
                if hit is None:
                    next_start = anchor + 1  # another anchor starting here has been tried too
                else:
                    next_start = hit.end()
                    found.append((anchor, next_start, gloss if gloss_of is None else gloss_of(hit)))
        return found

    return find


def _start_finder(key: int, match: Callable[..., re.Match[str] | None], before: int, co: int | None,
                  gloss_of: Callable[[re.Match[str]], str] | None, gloss: str,
                  next_first: Callable[..., re.Match[str] | None]) -> Finder:
    """``match`` tried only where a match can start.

    Every match contains an anchor and starts at most ``before`` characters
    ahead of it, with a character of the pattern's first-character class
    (:func:`finflag.rules.anchors.pattern_first_chars`). ``next_first``
    searches for that class between the next untried start and the anchor:
    one scan at C speed skips the starts that cannot match, so an anchor
    costs a ``match`` or two. A window ``search`` would also try every
    position after the anchor up to the window's end, and three windows in
    four hold no match. A text without any co-anchor (a literal every
    match needs) is skipped at once. Patterns whose matches start with
    their anchor have :func:`_anchor_start_finder`.
    """

    def find(text: str, anchored: dict[int, list[tuple[int, int]]]) -> list[Candidate]:
        if co is not None and co not in anchored:
            return []
        anchors = anchored[key]
        found: list[Candidate] = []
        next_start = 0  # every start before this was tried, or lies inside a match found
        for anchor, _ in sorted(anchors) if len(anchors) > 1 else anchors:
            if anchor < next_start:
                continue
            start = anchor - before if anchor - before > next_start else next_start
            next_start = anchor + 1  # unless a match is found below
            while start <= anchor:
                at = next_first(text, start, anchor + 1)
                if at is None:
                    break
                start = at.start()
                hit = match(text, start)
                if hit is not None:
                    next_start = hit.end()
                    found.append((start, next_start, gloss if gloss_of is None else gloss_of(hit)))
                    break
                start += 1
        return found

    return find


def _window_finder(key: int, regex: re.Pattern[str], reach: tuple[int, int] | None, co: int | None,
                   gloss_of: Callable[[re.Match[str]], str] | None, gloss: str) -> Finder:
    """``search`` in the windows around the anchors (see :func:`finflag.rules.anchors.windows`).

    A loop of ``search`` calls: a window holds one match or none, and one
    ``search`` costs a third of setting up a ``finditer`` scanner; the loop
    stops once no anchor is left for another match. A window holding none
    of the pattern's co-anchors cannot hold a match and is skipped. A
    pattern whose reach is unbounded is scanned in full wherever its anchors
    occur.
    """
    full = _full_finder(regex, gloss_of, gloss)
    if reach is None:
        if co is None:
            return full
        return lambda text, anchored: full(text, anchored) if co in anchored else []
    search = regex.search
    before, after = reach

    def find(text: str, anchored: dict[int, list[tuple[int, int]]]) -> list[Candidate]:
        anchors = anchored[key]
        if len(anchors) == 1:
            ((start, end),) = anchors
            spans = [(start - before if start > before else 0, end + after, start)]
        else:
            spans = windows(anchors, reach, len(text))
        if co is not None:
            co_spans = anchored.get(co)
            if co_spans is None:  # a literal every match needs is nowhere in the text
                return []
            if co_spans:  # empty where the index keeps only their presence (see RulePack.anchor_index)
                co_spans.sort()
                spans = [span for span in spans if holds_co_anchor(co_spans, span[0], span[1])]
        found: list[Candidate] = []
        for pos, endpos, last_anchor in spans:
            hit = search(text, pos, endpos)
            while hit is not None:
                start, end = hit.span()
                found.append((start, end, gloss if gloss_of is None else gloss_of(hit)))
                # The next match would need an anchor of its own, after this one.
                hit = search(text, end, endpos) if last_anchor >= end else None
        return found

    return find


def _full_finder(regex: re.Pattern[str], gloss_of: Callable[[re.Match[str]], str] | None, gloss: str) -> Finder:
    """The whole text scanned: for patterns the anchor pre-filter cannot screen."""
    finditer = regex.finditer

    def find(text: str, anchored: dict[int, list[tuple[int, int]]]) -> list[Candidate]:
        return [(hit.start(), hit.end(), gloss if gloss_of is None else gloss_of(hit))
                for hit in finditer(text) if hit.end() > hit.start()]

    return find
