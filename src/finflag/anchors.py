"""Literal anchors: a fast pre-filter in front of the rule regexes.

Python's regex engine is quick when a pattern starts with a literal and
slow when it starts with ``\\d``, a lookbehind or a case-insensitive group
(it then tries every position). Almost every rule pattern, though, contains
some literal that any match must include (``倍股`` in ``\\d+倍股``). This module
finds such a *necessary literal set* for each pattern by walking the parsed
regex, so one scan for all anchors tells which patterns can match at all
and where; the full regexes then run only in small windows around anchors.

Patterns without a usable anchor (or with unbounded width) are scanned in
full, so the pre-filter never changes results, only speed.
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]  # stdlib, stable in 3.11+
from re import _parser  # type: ignore[attr-defined]

_MAX_BRANCH_LITERALS = 64
#: Regexes whose matches may be longer than this are scanned in full.
MAX_WINDOW = 400
_ASCII_LOWER = str.maketrans({chr(c): chr(c + 32) for c in range(65, 91)})


def ascii_lower(text: str) -> str:
    """Lower-case A-Z only, so offsets stay the same."""
    return text.translate(_ASCII_LOWER)


def _best(candidates: list[set[str]]) -> set[str] | None:
    if not candidates:
        return None
    return max(candidates, key=lambda s: (min(len(x) for x in s), -len(s)))


def _sequence(items, ignore_case: bool) -> set[str] | None:
    """Necessary literal set of a concatenation: the best of its parts."""
    candidates: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append({"".join(run)})
            run.clear()

    for op, av in items:
        if op is C.LITERAL:
            ch = chr(av)
            if ignore_case and ch.lower() != ch.upper() and not ch.isascii():
                flush()
                continue
            run.append(ch)
            continue
        flush()
        found: set[str] | None = None
        if op is C.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            found = _sequence(sub.data, ignore_case or bool(add_flags & C.SRE_FLAG_IGNORECASE))
        elif op is C.BRANCH:
            sets = [_sequence(branch.data, ignore_case) for branch in av[1]]
            if all(sets) and sum(len(s) for s in sets) <= _MAX_BRANCH_LITERALS:
                found = set().union(*sets)  # type: ignore[arg-type]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            low, _high, sub = av
            if low >= 1:
                found = _sequence(sub.data, ignore_case)
        if found:
            candidates.append(found)
    flush()
    return _best(candidates)


def pattern_anchors(regex: re.Pattern[str]) -> tuple[frozenset[str], int | None] | None:
    """(necessary literals, lower-cased; max match width or None if unbounded).

    None when the pattern has no anchor worth using (a lone ASCII letter or
    digit occurs everywhere): such a pattern is always scanned in full.
    """
    try:
        tree = _parser.parse(regex.pattern, regex.flags & ~re.UNICODE)
    except re.error:  # pragma: no cover - the pattern compiled already
        return None
    literals = _sequence(tree.data, bool(regex.flags & re.IGNORECASE))
    if not literals or any(len(x) == 1 and x.isascii() and x.isalnum() for x in literals):
        return None
    _low, high = tree.getwidth()
    return frozenset(ascii_lower(x) for x in literals), (high if high <= MAX_WINDOW else None)


class AnchorIndex:
    """One scan of a document for every pattern's anchors."""

    def __init__(self, anchors: dict[int, frozenset[str]]) -> None:
        self._owners: dict[str, list[int]] = {}
        for key, literals in anchors.items():
            for literal in literals:
                self._owners.setdefault(literal, []).append(key)
        words = sorted(self._owners, key=len, reverse=True)
        self._regex = re.compile("|".join(re.escape(w) for w in words)) if words else None
        # finditer does not report anchors that start inside another anchor's
        # match (会员 inside VIP会员, 群号 overlapping 加群): list, for every
        # anchor, the anchors that could start at each of its inner offsets.
        by_first: dict[str, list[str]] = {}
        for w in words:
            by_first.setdefault(w[0], []).append(w)
        self._inner: dict[str, list[tuple[int, list[str]]]] = {}
        for w in words:
            inner = [(0, [o for o in by_first[w[0]] if o != w and w.startswith(o)])]
            inner += [(i, by_first.get(w[i], [])) for i in range(1, len(w))]
            self._inner[w] = [(i, lits) for i, lits in inner if lits]

    def positions(self, text: str) -> dict[int, list[tuple[int, str]]]:
        """For each pattern key, (start offset, anchor) of every anchor in ``text``."""
        found: dict[int, list[tuple[int, str]]] = {}
        if self._regex is None:
            return found
        lowered = text.lower()  # fast; fall back where lower-casing changes length
        if len(lowered) != len(text):
            lowered = ascii_lower(text)
        owners = self._owners
        for match in self._regex.finditer(lowered):
            word, start = match.group(0), match.start()
            for key in owners[word]:
                found.setdefault(key, []).append((start, word))
            for offset, literals in self._inner[word]:
                for literal in literals:
                    if lowered.startswith(literal, start + offset):
                        for key in owners[literal]:
                            found.setdefault(key, []).append((start + offset, literal))
        return found


def windows(anchors: list[tuple[int, str]], width: int, length: int) -> list[tuple[int, int]]:
    """Merged ``[pos, endpos)`` windows that hold any match through these anchors."""
    margin = width + 8  # room for lookarounds at the edges
    spans: list[tuple[int, int]] = []
    for start, _ in sorted(anchors):
        lo, hi = max(0, start - margin), min(length, start + margin)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    return spans
