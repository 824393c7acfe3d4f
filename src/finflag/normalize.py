"""Offset-preserving text normalisation.

Rules are written once, against a canonical form of the text: full-width
ASCII folded to half-width, every odd space (NBSP, ideographic space, thin
spaces) made a plain space, zero-width characters and the ``\\r`` of CRLF
removed. A reviewer, however, must see the *original* characters, so the
normalised view keeps enough information to map any span back.

Almost all of the folding is one character to one character (done with
``str.translate`` at C speed); only deletions shift offsets, and those are
kept as a sorted list so mapping back is a binary search.

Traditional characters (Taiwan and Hong Kong posts, Big5 files) are
converted to simplified with OpenCC so one rule pack serves both scripts;
the conversion is kept length-preserving line by line (falling back to
character by character) so offsets still map back.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache

# One character in, one character out.
_FOLD: dict[int, str] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({cp: " " for cp in (0x00A0, 0x1680, 0x202F, 0x205F, 0x3000, 0x0009)})
_FOLD.update({cp: " " for cp in range(0x2000, 0x200B)})
_FOLD.update({0x000D: "\n", 0x2028: "\n", 0x2029: "\n", 0x000B: "\n", 0x000C: "\n"})
# As a list indexed by code point: str.translate looks a list up about twice as
# fast as a dict. Code points past its end raise IndexError, which translate
# takes as "leave unchanged".
_FOLD_TABLE: list[int] = list(range(0x10000))
for _cp, _to in _FOLD.items():
    _FOLD_TABLE[_cp] = ord(_to)

# Characters that carry nothing a rule could want: dropped, offsets shift.
_DELETE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]|\r(?=\n)")
#: The same characters as one set, which the regex engine scans for much faster: most texts have none.
_MAYBE_DELETE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff\r]")


@dataclass(frozen=True)
class NormalizedText:
    """The normalised view of an original string plus the way back.

    ``deleted_before[k]`` is the normalised index at which the k-th deleted
    original character used to sit; together with ``bisect`` this turns a
    normalised index into an original one without a per-character table.
    """

    original: str
    text: str
    deleted_before: list[int] = field(default_factory=list)

    def to_original(self, index: int) -> int:
        """Original index of the character at normalised ``index``."""
        if not self.deleted_before:
            return index
        return index + bisect_right(self.deleted_before, index)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open normalised span ``[start, end)`` back.

        The end maps through its last character so that deleted characters
        just after a span are not pulled into the quote.
        """
        if end <= start:
            orig = self.to_original(start)
            return orig, orig
        return self.to_original(start), self.to_original(end - 1) + 1


@cache
def _t2s():
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a declared dependency
        return None
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese, same length as ``text``."""
    converter = _t2s()
    if converter is None:
        return text
    converted = converter.convert(text)
    if converted == text:
        return text
    lines = []
    for line in text.split("\n"):
        out = converter.convert(line)
        if len(out) != len(line):
            out = "".join(c if len(c := converter.convert(ch)) == 1 else ch for ch in line)
        lines.append(out)
    return "\n".join(lines)


def normalize(original: str) -> NormalizedText:
    """Fold ``original`` into the canonical form the rule layer matches on."""
    deleted_before: list[int] = []
    if _MAYBE_DELETE.search(original) and _DELETE.search(original):
        pieces: list[str] = []
        last = 0
        for k, match in enumerate(_DELETE.finditer(original)):
            pieces.append(original[last : match.start()])
            deleted_before.append(match.start() - k)
            last = match.end()
        pieces.append(original[last:])
        kept = "".join(pieces)
    else:
        kept = original
    return NormalizedText(original, to_simplified(kept.translate(_FOLD_TABLE)), deleted_before)
