"""Literal anchors: a fast pre-filter in front of the rule regexes.

Python's regex engine is quick when a pattern starts with a literal and
slow when it starts with ``\\d``, a lookbehind or a case-insensitive group
(it then tries every position). Almost every rule pattern, though, contains
some literal that any match must include (``倍股`` in ``\\d+倍股``). This module
finds such a *necessary literal set* for each pattern by walking the parsed
regex, together with how far a match can reach before and after that
literal. One Aho-Corasick scan for all anchors then tells which patterns can
match at all and where, and the full regexes run only where those reaches
allow around each anchor: at the few places a match can start (with
:func:`pattern_first_chars`), or in small windows (see
:mod:`finflag.rules.matching`).

Patterns without a usable anchor (or with a reach too long to bound) are
scanned in full, so the pre-filter never changes results, only speed.

The parse tree comes from CPython's private ``re._parser``. Should that
change (a failed import, an error while parsing or walking, an opcode the
walkers do not know), the affected patterns are scanned in full and one
RuntimeWarning says so: slower, never different.

Why a window finds exactly what a full scan finds: every match contains an
anchor occurrence at a known place, so it lies inside that anchor's window;
overlapping windows are merged, so no match of a full scan crosses a window
edge; Python's ``finditer(text, pos, endpos)`` still sees the text before
``pos`` (lookbehinds, ``\\b``), and each window extends past the longest match
by the pattern's longest lookahead, so nothing is cut short at ``endpos``.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

from .analysis_cache import remembered

try:  # CPython's private regex parser: stable in 3.11+, but not a public API
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    _REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
    #: Assertions that mean the same at ``endpos`` as at the end of a slice.
    _END_ASSERTIONS = frozenset({C.AT_END, C.AT_END_LINE, C.AT_END_STRING})
    #: Every opcode the walkers below understand; a pattern holding any other is scanned in full.
    _KNOWN_OPS = frozenset({C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN, C.AT, C.SUBPATTERN, C.BRANCH, *_REPEATS,
                            C.ATOMIC_GROUP, C.ASSERT, C.ASSERT_NOT, C.GROUPREF, C.GROUPREF_EXISTS})
    #: Classes whose Unicode form holds their ASCII form too (the negated ones do not).
    _POSITIVE_CATEGORIES = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_SPACE: r"\s", C.CATEGORY_WORD: r"\w"}
    _PARSER_MISSING = ""
except (ImportError, AttributeError) as exc:  # another Python: every pattern is scanned in full
    _parser = None
    _REPEATS, _END_ASSERTIONS, _KNOWN_OPS = (), frozenset(), frozenset()
    _POSITIVE_CATEGORIES = {}
    _PARSER_MISSING = f"re._parser cannot be used ({type(exc).__name__}: {exc})"

_MAX_BRANCH_LITERALS = 64
#: Regexes that may reach further than this from their anchor are scanned in full.
MAX_WINDOW = 400
#: Whether the pre-filter has been turned off for some pattern (warned once per process).
_fallen_back = False
_ASCII_LOWER = str.maketrans({chr(c): chr(c + 32) for c in range(65, 91)})


class _Unsupported(Exception):
    """A parse tree the walkers cannot vouch for."""


def ascii_lower(text: str) -> str:
    """Lower-case A-Z only, so offsets stay the same."""
    return text.translate(_ASCII_LOWER)


@dataclass(frozen=True)
class _Anchor:
    """Literals one of which every match contains, and how far the match reaches around it.

    ``before``: the most characters a match can have before the literal starts;
    ``after``: the most it can have after the literal ends.
    """

    literals: frozenset[str]
    before: int
    after: int


def _useless(literal: str) -> bool:
    """A lone ASCII letter or digit occurs everywhere: no anchor at all."""
    return len(literal) == 1 and literal.isascii() and literal.isalnum()


def _best(candidates: list[_Anchor]) -> _Anchor | None:
    """The rarest-looking anchor: longest shortest literal, then no everyday lone character, then fewest literals.

    An anchor holding a lone ASCII letter or digit never wins over a usable
    one: ``(?:USDT|U)`` parses as ``U`` then ``(?:SDT|)``, whose lone ``U``
    must not shadow the ``起``/``送`` after it in ``(?:USDT|U)`` + digits + ``(?:起|送)``.
    """
    if not candidates:
        return None
    return max(candidates, key=lambda a: (not any(_useless(x) for x in a.literals),
                                          min(len(x) for x in a.literals),
                                          not any(x in _COMMON_CHARS for x in a.literals), -len(a.literals)))


#: Among sets whose shortest literal is one character, one holding a character that is in almost every
#: sentence (有 in 群里有8000人) loses to one that is not (群): the scan reports every occurrence of an anchor.
_COMMON_CHARS = frozenset("的一是不了人我在有他这中大来上个到说们为你地出也时年得就那要下以会着去之过可里后么"
                          "多天能好都没日起还成只当看无开用又前所本见经从动两")


def _char_set(av, ignore_case: bool) -> _Anchor | None:
    """A class of plain characters (``[赚亏]``, or ``(?:赚|亏)`` as the parser rewrites it) is a set of anchors."""
    if not av or len(av) > _MAX_BRANCH_LITERALS or any(op is not C.LITERAL for op, _ in av):
        return None
    chars = [chr(code) for _, code in av]
    if ignore_case and any(ch.lower() != ch.upper() for ch in chars):
        return None
    return _Anchor(frozenset(chars), 0, 0)


def _union(options: list[_Anchor | None], limit: int = _MAX_BRANCH_LITERALS) -> _Anchor | None:
    """Anchor of an alternation: every branch must have one, and together not too many."""
    if not all(options):
        return None
    anchors = [o for o in options if o is not None]
    if sum(len(a.literals) for a in anchors) > limit:
        return None
    return _Anchor(frozenset().union(*(a.literals for a in anchors)),
                   max(a.before for a in anchors), max(a.after for a in anchors))


def _max_width(state, items) -> int:
    return _parser.SubPattern(state, list(items)).getwidth()[1] if items else 0


def _sequence(items, ignore_case: bool, state, expand: bool = True) -> _Anchor | None:
    """Necessary literals of a concatenation: the best of its parts, with its reach."""
    return _best(_sequence_candidates(items, ignore_case, state, expand))


def _sequence_candidates(items, ignore_case: bool, state, expand: bool = True) -> list[_Anchor]:
    """One necessary literal set per part of a concatenation that has one, each with its reach.

    With ``expand``, runs of parts that match few strings also count (see :func:`_spelled_out`).
    """
    items = list(items)
    candidates: list[_Anchor] = []
    run: list[str] = []
    run_start = 0

    widths: dict[tuple[int, int], int] = {}  # the spelled-out runs ask for the same slices again

    def width(first: int, last: int) -> int:
        if (first, last) not in widths:
            widths[first, last] = _max_width(state, items[first:last])
        return widths[first, last]

    def add(found: _Anchor, first: int, last: int) -> None:
        """``found`` sits in items[first:last]; widen its reach by the items around them."""
        before = found.before + width(0, first)
        after = found.after + width(last, len(items))
        candidates.append(_Anchor(found.literals, before, after))

    def flush(end: int) -> None:
        if run:
            add(_Anchor(frozenset({"".join(run)}), 0, 0), run_start, end)
            run.clear()

    for i, (op, av) in enumerate(items):
        if op is C.LITERAL:
            ch = chr(av)
            if ignore_case and ch.lower() != ch.upper() and not ch.isascii():
                flush(i)
                continue
            if not run:
                run_start = i
            run.append(ch)
            continue
        flush(i)
        found: _Anchor | None = None
        if op is C.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            found = _sequence(sub.data, ignore_case or bool(add_flags & C.SRE_FLAG_IGNORECASE), state, expand)
        elif op is C.BRANCH:
            found = _union([_sequence(branch.data, ignore_case, state, expand) for branch in av[1]],
                           _MAX_SPELLED_UNION if expand else _MAX_BRANCH_LITERALS)
            if found is None and expand:  # spelled-out sets can make the union too large: as before, then
                found = _union([_sequence(branch.data, ignore_case, state, False) for branch in av[1]])
        elif op is C.IN:
            found = _char_set(av, ignore_case)
        elif op in _REPEATS:
            low, high, sub = av
            if low >= 1:
                first = _sequence(sub.data, ignore_case, state, expand)
                if first is not None:  # the literal of the first repetition; the others come after it
                    rest = (high - 1) * _max_width(state, sub.data)
                    found = _Anchor(first.literals, first.before, first.after + rest)
        if found:
            add(found, i, i + 1)
    flush(len(items))
    if expand:
        for first, last, strings in _spelled_out(items, ignore_case):
            add(_Anchor(strings, 0, 0), first, last)
    return candidates


def _spelled_out(items, ignore_case: bool) -> list[tuple[int, int, frozenset[str]]]:
    """Runs ``items[first:last]`` of parts that together match only a few strings, with those strings.

    ``(?:就|便)(?:已经)?翻倍`` matches one of 就翻倍, 便翻倍, 就已经翻倍, 便已经翻倍:
    every match contains one of them, and four three-character literals
    are far rarer in a text than the lone 就 or 便 the parts give alone.
    Rarer anchors mean fewer places where the rule layer runs a regex
    for nothing. A run also takes in how the part before it must end and
    how the part after it must begin (``\\d+倍`` ends with 倍 whatever the
    digits), so the strings sit somewhere in ``items[first - 1:last + 1]``;
    the reach of ``items[first:last]`` holds them all the same, since an
    anchor's reach is measured from where its string starts and ends.
    One run per first part, as long as it stays within ``_MAX_SPELLED``
    strings; runs that may match the empty string are no anchor.
    """
    out = []
    parts = [_strings(item, ignore_case) for item in items]
    for first in range(len(items)):
        strings: set[str] = {""}
        last = first
        while last < len(items):
            part = parts[last]
            if part is None:
                break
            grown = _product(strings, part)
            if grown is None:
                break
            strings, last = grown, last + 1
        if last == first:
            continue
        ends = _ends(items[first - 1], ignore_case, True) if first else {""}
        starts = _ends(items[last], ignore_case, False) if last < len(items) else {""}
        for before, after in ((ends, starts), ({""}, starts), (ends, {""}), ({""}, {""})):
            found = _product(before, strings, after)
            if found is not None and "" not in found and (last - first > 1 or found != strings):
                out.append((first, last, frozenset(found)))
                break
    return out


def _without_extensions(strings: frozenset[str]) -> tuple[frozenset[str], int]:
    """``strings`` without those that go on from another one (便到了 from 便到), and how much longer
    a dropped one was than the one kept for it.

    Every occurrence of the longer string starts with the shorter one, so
    the shorter is anchor enough, as long as the reach after it grows by
    the difference; the scan then reports one occurrence where it reported two.
    """
    kept: set[str] = set()
    longer_by = 0
    for string in sorted(strings, key=len):
        for size in range(1, len(string)):  # shortest prefix first: the most the reach must grow
            if string[:size] in kept:
                longer_by = max(longer_by, len(string) - size)
                break
        else:
            kept.add(string)
    return frozenset(kept), longer_by


#: The most strings a spelled-out run may stand for (see :func:`_spelled_out`).
_MAX_SPELLED = 256
#: The most literals an alternation's anchor may have once its branches are spelled out.
_MAX_SPELLED_UNION = 2048


def _product(*parts: set[str], limit: int = _MAX_SPELLED) -> set[str] | None:
    """Every concatenation of one string of each part, or None when there would be more than ``limit``."""
    out = {""}
    for part in parts:
        out = {a + b for a in out for b in part}
        if len(out) > limit:
            return None
    return out


def _ends(item, ignore_case: bool, suffix: bool) -> set[str]:
    """Strings one of which every match of a parsed part ends with (``suffix``) or starts with.

    ``{""}`` when nothing useful is known: the empty string starts and ends everything.
    """
    whole = _strings(item, ignore_case)
    if whole is not None:
        return whole
    op, av = item
    if op is C.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return _ends_of(sub.data, ignore_case or bool(add_flags & C.SRE_FLAG_IGNORECASE), suffix)
    if op is C.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            union |= _ends_of(branch.data, ignore_case, suffix)
            if len(union) > _MAX_SPELLED:
                return {""}
        return union
    if op in _REPEATS and av[0] >= 1:
        return _ends_of(av[2].data, ignore_case, suffix)  # the first (last) repetition's
    return {""}


def _ends_of(items, ignore_case: bool, suffix: bool) -> set[str]:
    """:func:`_ends` of a concatenation: its whole leading (trailing) parts that match few strings,
    then how the next part starts (ends)."""
    items = list(items)
    if suffix:
        items.reverse()
    known: set[str] = {""}
    for item in items:
        part = _strings(item, ignore_case)
        last = part is None
        if last:
            part = _ends(item, ignore_case, suffix)
        grown = _product(part, known) if suffix else _product(known, part)
        if grown is None:
            return known
        known = grown
        if last:
            break
    return known


def _strings(item, ignore_case: bool) -> set[str] | None:
    """Every string one parsed part can match, or None when there are too many (or it cannot tell).

    Assertions match the empty string here: they restrict where a match
    may be, never what it holds, so the set still holds every match.
    """
    op, av = item
    if op is C.LITERAL:
        ch = chr(av)
        return None if ignore_case and ch.lower() != ch.upper() and not ch.isascii() else {ch}
    if op is C.IN:
        found = _char_set(av, ignore_case)
        return set(found.literals) if found is not None else None
    if op is C.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return _strings_of(sub.data, ignore_case or bool(add_flags & C.SRE_FLAG_IGNORECASE))
    if op is C.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _strings_of(branch.data, ignore_case)
            if found is None or len(union | found) > _MAX_BRANCH_LITERALS:
                return None
            union |= found
        return union
    if op in _REPEATS:
        low, high, sub = av
        part = _strings_of(sub.data, ignore_case) if high <= 4 else None
        if part is None:
            return None
        result: set[str] = set()
        power = {""}
        for count in range(high + 1):
            if count >= low:
                result |= power
            if count < high:
                power = {a + b for a in power for b in part}
            if len(result | power) > _MAX_BRANCH_LITERALS:
                return None
        return result
    if op is C.AT or op is C.ASSERT or op is C.ASSERT_NOT:
        return {""}
    return None


def _strings_of(items, ignore_case: bool) -> set[str] | None:
    """Every string a concatenation of parsed parts can match, if few (see :func:`_strings`)."""
    strings: set[str] | None = {""}
    for item in items:
        part = _strings(item, ignore_case)
        if part is None:
            return None
        strings = _product(strings, part, limit=_MAX_BRANCH_LITERALS)
        if strings is None:
            return None
    return strings


def _nodes(items):
    """Every ``(op, av)`` of a parsed pattern, those nested in groups, branches, repeats and assertions too.

    Raises on an opcode it does not know: what it holds would go unseen.
    Both analyses below walk every node through here.
    """
    for op, av in items:
        if op not in _KNOWN_OPS:
            raise _Unsupported(f"unexpected opcode {op}")
        yield op, av
        if op in (C.ASSERT, C.ASSERT_NOT):
            yield from _nodes(av[1].data)
        elif op is C.SUBPATTERN:
            yield from _nodes(av[3].data)
        elif op is C.ATOMIC_GROUP:
            yield from _nodes(av.data)
        elif op is C.BRANCH:
            for branch in av[1]:
                yield from _nodes(branch.data)
        elif op in _REPEATS:
            yield from _nodes(av[2].data)
        elif op is C.GROUPREF_EXISTS:
            for branch in av[1:]:
                if branch is not None:
                    yield from _nodes(branch.data)


def _lookahead_reach(items) -> int:
    """How far past a match the regex may look: its longest lookahead, plus room for ``$``/``\\b``."""
    return max([2] + [av[1].getwidth()[1] + 2 for op, av in _nodes(items)
                      if op in (C.ASSERT, C.ASSERT_NOT) and av[0] == 1])


def _parse(regex: re.Pattern[str]) -> Any:
    """CPython's parse tree of ``regex``."""
    if _parser is None:
        raise _Unsupported(_PARSER_MISSING)
    return _parser.parse(regex.pattern, regex.flags & ~re.UNICODE)


def _fall_back(regex: re.Pattern[str], error: Exception) -> None:
    """Say once per process that the pre-filter is off for patterns like ``regex``, and why."""
    global _fallen_back
    if not _fallen_back:
        _fallen_back = True
        why = str(error) if isinstance(error, _Unsupported) else f"{type(error).__name__}: {error}"
        pattern = regex.pattern if len(regex.pattern) <= 40 else regex.pattern[:40] + "..."
        warnings.warn(
            f"finflag: the regex pre-filter is off for rule patterns it cannot analyse, such as {pattern!r} "
            f"({why}); they are scanned in full: same findings, slower", RuntimeWarning, stacklevel=3)


def pattern_anchors(regex: re.Pattern[str]) -> tuple[frozenset[str], tuple[int, int] | None] | None:
    """See :func:`_analysed_anchors`; kept between runs (:mod:`.analysis_cache`)."""
    def dump(found):  # type: ignore[no-untyped-def]
        return None if found is None else [sorted(found[0]), list(found[1]) if found[1] else None]

    def load(data):  # type: ignore[no-untyped-def]
        return None if data is None else (frozenset(data[0]), tuple(data[1]) if data[1] else None)

    return remembered("anchors", regex.pattern, regex.flags, lambda: _analysed_anchors(regex), dump, load)


def _analysed_anchors(regex: re.Pattern[str]) -> tuple[frozenset[str], tuple[int, int] | None] | None:
    """(necessary literals, lower-cased; (reach before, reach after) or None if unbounded).

    A window from ``before`` characters ahead of an anchor's start to
    ``after`` characters past its end holds every match through it, with
    room for the pattern's lookaheads. None when the pattern has no anchor
    worth using (a lone ASCII letter or digit occurs everywhere) or cannot
    be analysed: such a pattern is always scanned in full.
    """
    try:
        return _pattern_anchors(regex)
    except Exception as error:  # the private parser changed under us: lose speed, never findings
        _fall_back(regex, error)
        return None


def _pattern_anchors(regex: re.Pattern[str]) -> tuple[frozenset[str], tuple[int, int] | None] | None:
    tree, candidates = _top_candidates(regex)
    found = _best(candidates)
    if not found or any(_useless(x) for x in found.literals):
        return None
    # 会员们 goes on from 会员: one occurrence to report instead of two (see _without_extensions).
    literals, longer_by = _without_extensions(frozenset(ascii_lower(x) for x in found.literals))
    after = found.after + longer_by + _lookahead_reach(tree.data)
    if found.before > MAX_WINDOW or after > MAX_WINDOW:
        return literals, None
    return literals, (found.before, after)


@lru_cache(maxsize=1024)
def _top_candidates(regex: re.Pattern[str]) -> tuple[Any, list[_Anchor]]:
    """The parse tree and the necessary literal sets of each top-level part, walked once for both analyses."""
    tree = _parse(regex)
    return tree, _sequence_candidates(tree.data, bool(regex.flags & re.IGNORECASE), tree.state)


def presence_literals(regex: re.Pattern[str]) -> frozenset[str] | None:
    """Literals (lower-cased) one of which every match of ``regex`` contains, or None.

    For a whole-text presence test: a text holding none of them holds no
    match, wherever ``regex`` is searched in it (in place, or in a slice).
    None when the pattern has no such set or one with a one-character
    literal: those occur in most posts, and the scan would only report them.
    """
    found = pattern_anchors(regex)
    if found is None or min(len(literal) for literal in found[0]) < 2:
        return None
    return _without_supersets(found[0])


def pattern_co_anchors(regex: re.Pattern[str], primary: frozenset[str]) -> frozenset[str] | None:
    """See :func:`_analysed_co_anchors`; kept between runs (:mod:`.analysis_cache`)."""
    return remembered("co-anchors", regex.pattern + "\x00" + "\x00".join(sorted(primary)), regex.flags,
                      lambda: _analysed_co_anchors(regex, primary),
                      lambda found: None if found is None else sorted(found),
                      lambda data: None if data is None else frozenset(data))


def _analysed_co_anchors(regex: re.Pattern[str], primary: frozenset[str]) -> frozenset[str] | None:
    """A second necessary literal set of ``regex``, from another part of it than ``primary``, or None.

    A concatenation such as ``(?:明天|现在)...(?:买入|抄底)`` needs a literal of
    each part in every match. The anchor index scans for both sets; a window
    around a ``primary`` anchor holding none of these co-anchors cannot hold
    a match and is skipped without running the regex, and a text with none
    of them skips the pattern. An alternation of such concatenations
    (``A...B|C...D``) needs the second part of one of its branches: the
    union of the branches' second sets (see :func:`_branch_co_anchors`).
    Sets with a one-character literal are not used: they occur everywhere
    and would only slow the scan.
    """
    try:
        tree, candidates = _top_candidates(regex)
        found = _second_set(candidates, primary)
        if found is None:
            found = _branch_co_anchors(tree.data, bool(regex.flags & re.IGNORECASE), tree.state)
    except Exception:  # the analysis of pattern_anchors already warned; without co-anchors only speed is lost
        return None
    return found


def _second_set(candidates: list[_Anchor], primary: frozenset[str]) -> frozenset[str] | None:
    """The best of ``candidates`` (lower-cased) other than ``primary``, or None."""
    sets = [_without_supersets(frozenset(ascii_lower(x) for x in c.literals))
            for c in candidates if min(len(x) for x in c.literals) >= 2]
    # Not the primary set, nor one whose every literal lies inside a primary literal (买入 in 买入吧).
    inside = {p[i:j] for p in primary for i in range(len(p)) for j in range(i + 1, len(p) + 1)}
    sets = [s for s in sets if s != primary and not all(x in inside for x in s)]
    if not sets:
        return None
    return max(sets, key=lambda s: (min(len(x) for x in s), -len(s)))


def _branch_co_anchors(items, ignore_case: bool, state) -> frozenset[str] | None:
    """For a pattern that is one alternation: the union of each branch's second literal set.

    Every match is a match of one branch, so it holds that branch's second
    set; the union is thus necessary for the whole pattern. A branch that
    has no second set (or a union too large to scan for) gives None.
    """
    items = list(items)
    if len(items) == 1 and items[0][0] is C.SUBPATTERN and not items[0][1][1] and not items[0][1][2]:
        items = list(items[0][1][3].data)  # (?:...) around the whole pattern, no flags
    if len(items) != 1 or items[0][0] is not C.BRANCH:
        return None
    union: set[str] = set()
    for branch in items[0][1][1]:
        candidates = _sequence_candidates(branch.data, ignore_case, state)
        first = _best(candidates)
        if first is None:
            return None
        second = _second_set(candidates, frozenset(ascii_lower(x) for x in first.literals))
        if second is None:
            return None
        union |= second
    union = set(_without_supersets(frozenset(union)))
    return frozenset(union) if len(union) <= _MAX_BRANCH_LITERALS else None


def _without_supersets(literals: frozenset[str]) -> frozenset[str]:
    """``literals`` without those that contain another one (利润已经 holds 利润).

    For a presence test, in a text or in a window, the shorter literal
    tells as much: wherever the longer occurs, so does the shorter. Fewer
    words, and fewer overlapping occurrences for the anchor scan to report.
    """
    kept: set[str] = set()
    sizes: set[int] = set()  # the lengths kept so far: only substrings of those lengths can be kept
    for literal in sorted(literals, key=len):
        if not any(literal[i:i + size] in kept for size in sizes for i in range(len(literal) - size + 1)):
            kept.add(literal)
            sizes.add(len(literal))
    return frozenset(kept)


def pattern_first_chars(regex: re.Pattern[str]) -> re.Pattern[str] | None:
    """See :func:`_analysed_first_chars`; kept between runs (:mod:`.analysis_cache`)."""
    return remembered("first-chars", regex.pattern, regex.flags, lambda: _analysed_first_chars(regex),
                      lambda found: None if found is None else [found.pattern, found.flags],
                      lambda data: None if data is None else re.compile(data[0], data[1]))


def _analysed_first_chars(regex: re.Pattern[str]) -> re.Pattern[str] | None:
    """A character class holding every character a match of ``regex`` can start with, or None.

    ``(?:昨天|今天|最近)...`` starts with 昨, 今 or 最; ``\\d{1,3}元`` with a digit.
    The rule layer searches for this class to jump to the next place a
    match could begin, instead of trying every position (see
    :mod:`finflag.rules.matching`). None when some match could start with
    any character (``.``, ``[^...]``, a back-reference ...) or could be empty.
    The class may hold more than needed (a case-insensitive part makes the
    whole class case-insensitive), never less.
    """
    try:
        parts: list[str] = []
        caseless = [bool(regex.flags & re.IGNORECASE)]
        if regex.flags & re.LOCALE or _first_chars(_top_candidates(regex)[0].data, parts, caseless, caseless[0]):
            return None
    except _AnyFirst:
        return None
    except Exception as error:  # the private parser changed under us: no short-cut, same findings
        _fall_back(regex, error)
        return None
    return re.compile("[" + "".join(parts) + "]", re.IGNORECASE if caseless[0] else 0) if parts else None


class _AnyFirst(Exception):
    """A match could start with any character: no class to search for."""


def _first_chars(items, parts: list[str], caseless: list[bool], ignore_case: bool) -> bool:
    """Add to ``parts`` the class items a match of ``items`` can start with; whether it can be empty.

    ``caseless[0]`` is set when any of them lies under ignore-case.
    """
    for op, av in items:
        if op not in _KNOWN_OPS:
            raise _Unsupported(f"unexpected opcode {op}")
        if op is C.LITERAL or op is C.IN:
            parts.extend([_class_char(av)] if op is C.LITERAL else [_class_item(o, a) for o, a in av])
            caseless[0] = caseless[0] or ignore_case
            return False
        if op is C.SUBPATTERN or op is C.ATOMIC_GROUP:
            sub, flags = (av[3], av[1]) if op is C.SUBPATTERN else (av, 0)
            if flags & re.LOCALE:
                raise _AnyFirst
            if not _first_chars(sub.data, parts, caseless, ignore_case or bool(flags & re.IGNORECASE)):
                return False
        elif op is C.BRANCH:
            empty = [_first_chars(branch.data, parts, caseless, ignore_case) for branch in av[1]]
            if not any(empty):
                return False
        elif op in _REPEATS:
            if not _first_chars(av[2].data, parts, caseless, ignore_case) and av[0] >= 1:
                return False
        elif op not in (C.AT, C.ASSERT, C.ASSERT_NOT):  # those take no character: look past them
            raise _AnyFirst
    return True


def _class_char(code: int) -> str:
    return re.escape(chr(code))


def _class_item(op, av) -> str:
    """One item of a parsed ``[...]`` written back as class syntax."""
    if op is C.LITERAL:
        return _class_char(av)
    if op is C.RANGE:
        return f"{_class_char(av[0])}-{_class_char(av[1])}"
    if op is C.CATEGORY and av in _POSITIVE_CATEGORIES:
        return _POSITIVE_CATEGORIES[av]
    raise _AnyFirst  # a negated class or category: almost any character


def holds_co_anchor(co: list[tuple[int, int]], pos: int, endpos: int) -> bool:
    """Whether one of the sorted ``(start, end)`` spans lies wholly inside ``[pos, endpos)``."""
    i = bisect_left(co, (pos, -1))
    while i < len(co):
        start, end = co[i]
        if start >= endpos:
            return False
        if end <= endpos:
            return True
        i += 1
    return False


def _looks_before(items) -> bool:
    return any((op is C.AT and av not in _END_ASSERTIONS) or (op in (C.ASSERT, C.ASSERT_NOT) and av[0] < 0)
               for op, av in _nodes(items))


@lru_cache(maxsize=256)  # packs reuse a few marker sets in many conditions; parsing is start-up time
def searches_in_place(regex: re.Pattern[str]) -> bool:
    """Whether ``regex.search(text, pos, endpos)`` can stand in for ``regex.search(text[pos:endpos])``.

    They differ only for what looks at the character before ``pos``
    (``^``, ``\\A``, ``\\b``, ``\\B``, lookbehinds), which a slice hides; the
    in-place search saves copying the slice.
    """
    try:
        return not _looks_before(_parse(regex).data)
    except Exception as error:  # a slice search is always right, only slower
        _fall_back(regex, error)
        return False


class AnchorIndex:
    """One Aho-Corasick scan of a document for every pattern's anchors.

    The automaton (ahocorasick-rs, Rust) reports overlapping matches, so an
    anchor that starts inside another (会员 inside VIP会员) is found too, in
    one pass over the text at native speed.

    ``presence`` keys (the literals of rule conditions, see
    ``RulePack.condition_anchors``) only ever need to know whether one of
    their words occurs, never where: an occurrence of such a word is noted
    once in a set, and its keys are filed after the scan. Their words (会员,
    我们, 公司 ...) are the commonest, and filing a span for each occurrence
    under each of their keys had grown to a third of the rule layer's time on
    the samples.
    """

    def __init__(self, anchors: dict[int, frozenset[str]], presence: dict[int, frozenset[str]] | None = None) -> None:
        positional = _owners_by_word(anchors)
        present = _owners_by_word(presence or {})
        self._words = list(dict.fromkeys([*positional, *present]))
        self._owners = [positional.get(w, ()) for w in self._words]
        self._presence_owners = [present.get(w, ()) for w in self._words]
        # A word with one pattern key and no condition takes the short path of the scan.
        self._sole_owner = [keys[0] if len(keys) == 1 and not self._presence_owners[i] else None
                            for i, keys in enumerate(self._owners)]
        # A contiguous NFA: builds in a third of a DFA's time (start-up: the spelled-out anchors
        # make some twelve thousand words) and searches a tenth slower, a few ms per MB of text.
        self._automaton = (AhoCorasick(self._words, matchkind=MatchKind.Standard,
                                       implementation=Implementation.ContiguousNFA)
                           if self._words else None)

    def positions(self, text: str) -> dict[int, list[tuple[int, int]]]:
        """For each pattern key, the ``(start, end)`` of every anchor in ``text``; each presence
        key whose words occur maps to an empty tuple (only its being there counts)."""
        found: dict[int, list[tuple[int, int]]] = {}
        if self._automaton is None:
            return found
        lowered = text.lower()  # fast; fall back where lower-casing changes length
        if len(lowered) != len(text):
            lowered = ascii_lower(text)
        # Most anchor words belong to one pattern: their key is looked up directly, and only a
        # word shared by several patterns loops over its owners. Each key gets a list of its own
        # (callers sort and extend them in place), in no particular order.
        sole, owners, presence = self._sole_owner, self._owners, self._presence_owners
        seen: set[int] = set()
        for index, start, end in self._automaton.find_matches_as_indexes(lowered, overlapping=True):
            key = sole[index]
            if key is not None:
                spans = found.get(key)
                if spans is None:
                    found[key] = [(start, end)]
                else:
                    spans.append((start, end))
                continue
            if presence[index]:
                seen.add(index)
            span = (start, end)
            for key in owners[index]:
                spans = found.get(key)
                if spans is None:
                    found[key] = [span]
                else:
                    spans.append(span)
        for index in seen:
            for key in presence[index]:
                found[key] = ()  # type: ignore[assignment]
        return found


def _owners_by_word(keyed: dict[int, frozenset[str]]) -> dict[str, tuple[int, ...]]:
    """Each literal with the keys that own it, in a stable order."""
    owners: dict[str, list[int]] = {}
    for key, literals in keyed.items():
        for literal in literals:
            owners.setdefault(literal, []).append(key)
    return {word: tuple(keys) for word, keys in owners.items()}


def windows(anchors: list[tuple[int, int]], reach: tuple[int, int], length: int) -> list[tuple[int, int, int]]:
    """Merged ``[pos, endpos)`` windows that hold every match through these anchors.

    Each window comes with the start of the last anchor in it: every match
    contains a whole anchor, so once a match ends past that start the
    window holds no further (non-overlapping) match.
    """
    before, after = reach
    spans: list[tuple[int, int, int]] = []
    for start, end in sorted(anchors):
        lo, hi = start - before, end + after
        if spans and lo <= spans[-1][1]:
            last = spans[-1]
            spans[-1] = (last[0], hi if hi > last[1] else last[1], start)
        else:
            spans.append((lo if lo > 0 else 0, hi, start))
    if spans and spans[-1][1] > length:
        spans[-1] = (spans[-1][0], length, spans[-1][2])
    return spans
