"""The normalised document every later stage works on.

``Document.text`` is the original decoded text (for HTML input: the visible
text extracted from the page) and is never modified; every offset that
leaves finflag is a Python ``str`` index into it. ``Document.normalized``
is the folded view the rules match on, with its way back.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Generic, TypeVar

from .normalize import NormalizedText, normalize


_T = TypeVar("_T")


class _cached(Generic[_T]):
    """``functools.cached_property`` without its lock.

    On Python 3.11 cached_property takes a lock on every first access (3.12
    dropped it), and the rule layer computes four of these per post. Two
    threads racing on one document would at worst compute a value twice:
    every value is a pure function of the text.
    """

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.__doc__ = func.__doc__
        self.name = func.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> _T:
        if obj is None:
            return self  # type: ignore[return-value]
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass(frozen=True)
class Span:
    """A half-open ``[start, end)`` range of ``Document.text``."""

    start: int
    end: int

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


# A sentence ends at Chinese or Western terminal punctuation (a Western full
# stop only when followed by space, so 0.5% stays whole), possibly followed
# by closing quotes/brackets; a line break always ends one.
_SENTENCE = re.compile(
    r"[^\n。！？；!?;]+?(?:[。！？；!?;]+|\.(?=\s)|(?=\n)|$)[”’\"'」』)）]*",
)
_PARAGRAPH = re.compile(r"[^\n]+")
_ENDER = re.compile("[\n。！？；!?;]")
_NEWLINE = re.compile("\n")
_CLOSERS = "”’\"'」』)）"


def _strip_span(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def _spans(pattern: re.Pattern[str], text: str) -> list[Span]:
    spans = (_strip_span(text, m.start(), m.end()) for m in pattern.finditer(text))
    return [s for s in spans if s is not None]


@dataclass
class Document:
    """One input, decoded, with segmentation and offset helpers."""

    path: str
    text: str
    encoding: str = "utf-8"
    source_format: str = "text"
    language: str = "unknown"
    warnings: list[str] = field(default_factory=list)

    def __getstate__(self) -> dict[str, Any]:
        """Only the fields cross a process boundary (batch workers): the cached views are
        larger than the text and cheap to recompute where they are needed."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @_cached
    def digest(self) -> str:
        """Content hash of the text: identifies the document across runs and renames."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @_cached
    def normalized(self) -> NormalizedText:
        return normalize(self.text)

    @_cached
    def paragraphs(self) -> list[Span]:
        """Non-blank lines: saved posts put one paragraph on each line."""
        return _spans(_PARAGRAPH, self.text)

    @_cached
    def sentences(self) -> list[Span]:
        return _spans(_SENTENCE, self.text)

    @_cached
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in _NEWLINE.finditer(self.text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an original offset, as editors count."""
        line = bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    @_cached
    def _sentence_ends(self) -> list[int]:
        return [m.start() for m in _ENDER.finditer(self.text)]

    def sentence_around(self, start: int, end: int) -> Span:
        """The sentence(s) that contain ``[start, end)``, for context."""
        return Span(*self.locate(start, end)[2:])

    def locate(self, start: int, end: int) -> tuple[int, int, int, int]:
        """Line, column and context sentence bounds of a span, in one call for the rule layer's hot path.

        Uses the positions of sentence-ending characters (one regex pass per
        document) rather than a full segmentation: findings are few.
        """
        line_starts = self._line_starts
        line = bisect_right(line_starts, start)
        column = start - line_starts[line - 1] + 1
        text, ends = self.text, self._sentence_ends
        before = bisect_left(ends, start)
        left = ends[before - 1] + 1 if before else 0
        after = bisect_left(ends, max(end - 1, start))
        right = ends[after] + 1 if after < len(ends) else len(text)
        while right < len(text) and text[right] in _CLOSERS:
            right += 1
        while left < right and text[left].isspace():
            left += 1
        while right > left and text[right - 1].isspace():
            right -= 1
        if left <= start and right >= end and right > left:
            return line, column, left, right
        return line, column, start, end
