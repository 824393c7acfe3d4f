"""Offset-preserving text normalisation.

Rules are written once, against a canonical form of the text: full-width
ASCII folded to half-width, every odd space (NBSP, ideographic space, thin
spaces) made a plain space, zero-width characters and the ``\\r`` of CRLF
removed. A reviewer, however, must see the *original* characters, so the
normalised view keeps enough information to map any span back.

Almost all of the folding is one character to one character (done with
``str.replace`` at C speed); only deletions shift offsets, and those are
kept as a sorted list so mapping back is a binary search.

Traditional characters (Taiwan and Hong Kong posts, Big5 files) are
converted to simplified with OpenCC so one rule pack serves both scripts;
the conversion is kept length-preserving line by line (falling back to
character by character) so offsets still map back. Most posts are in
simplified script already, and a one-pass search for the characters that
can start a change (``data/t2s-triggers.txt``) tells which ones OpenCC
would return unchanged, for a quarter of the cost of asking it.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

# One character in, one character out. No target is itself folded, so the order of folding does not matter.
FOLD: dict[str, str] = {chr(cp): chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
FOLD.update({chr(cp): " " for cp in (0x00A0, 0x1680, 0x202F, 0x205F, 0x3000, 0x0009)})
FOLD.update({chr(cp): " " for cp in range(0x2000, 0x200B)})
FOLD.update({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\v": "\n", "\f": "\n"})
_FOLDABLE = re.compile("[" + "".join(re.escape(c) for c in sorted(FOLD)) + "]")


def fold(text: str) -> str:
    """``text`` with every character of :data:`FOLD` replaced.

    A post holds only a handful of distinct foldable characters (，！？：（）),
    so one ``str.replace`` per distinct character found, each a C-speed
    pass, is three times faster than ``str.translate``, which looks every
    character up in a table.
    """
    match = _FOLDABLE.search(text)
    while match is not None:
        char = match.group()
        text = text.replace(char, FOLD[char])
        match = _FOLDABLE.search(text, match.start() + 1)
    return text


# Characters that carry nothing a rule could want: dropped, offsets shift. Markdown bold markers
# touching Chinese text (**邀请码**：E1NC, 加**微信**) go too: posts saved from blogs and note apps keep
# them, and they split a cue from its value. Asterisks between digits (138****5678, a masked phone) stay.
_DELETE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]|\r(?=\n)|\\*\\*(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff:\uff1a])\\*\\*")
#: The same characters as one set, which the regex engine scans for much faster: most texts have none.
_MAYBE_DELETE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff\r*]")


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


TRIGGERS_FILE = "t2s-triggers.txt"
_DIGEST_LINE = "# dictionaries-sha256: "


def _named_files(config: Any) -> list[str]:
    if isinstance(config, dict):
        own = [config["file"]] if isinstance(config.get("file"), str) else []
        return own + [f for value in config.values() for f in _named_files(value)]
    if isinstance(config, list):
        return [f for item in config for f in _named_files(item)]
    return []


def conversion_files(config_path: Path) -> list[Path]:
    """An OpenCC configuration and every dictionary it names: together they define the conversion."""
    config = json.loads(config_path.read_text(encoding="utf-8"))
    return [config_path] + [config_path.parent / name for name in sorted(set(_named_files(config)))]


def conversion_digest(config_path: Path) -> str:
    digest = hashlib.sha256()
    for path in conversion_files(config_path):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_triggers() -> tuple[str, str]:
    """(dictionaries digest, trigger characters) recorded in the package's data file."""
    text = (resources.files("finflag") / "data" / TRIGGERS_FILE).read_text(encoding="utf-8")
    lines = text.splitlines()
    digest = next((line[len(_DIGEST_LINE):].strip() for line in lines if line.startswith(_DIGEST_LINE)), "")
    return digest, "".join(line.strip() for line in lines if not line.startswith("#"))


def _trigger_regex(chars: str) -> re.Pattern[str]:
    """One character class: the regex engine tests BMP characters against a bitmap.

    Runs of consecutive code points become ranges, which halves the class
    and its compile time (start-up). Astral characters in a class would be
    compared one by one, so any astral character counts as a trigger.
    """
    runs: list[list[int]] = []
    for code in sorted({ord(c) for c in chars if ord(c) <= 0xFFFF}):
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    escape = lambda code: re.escape(chr(code)) if code < 128 else chr(code)  # noqa: E731 - CJK needs none
    body = "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in runs)
    return re.compile(f"[{body}\U00010000-\U0010FFFF]")


@cache
def _t2s() -> tuple[Any, re.Pattern[str] | None]:
    """The converter, and the trigger search if it was made from the installed dictionaries.

    Other dictionaries (an OpenCC upgrade) get no short-cut: every text is
    converted, which is slower but never wrong.
    """
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a declared dependency
        return None, None
    converter = opencc.OpenCC("t2s")
    try:
        digest, chars = read_triggers()
        installed = conversion_digest(Path(converter.config))
    except (OSError, ValueError, KeyError):
        return converter, None
    return converter, (_trigger_regex(chars) if chars and digest == installed else None)


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese, same length as ``text``."""
    converter, triggers = _t2s()
    if converter is None or (triggers is not None and triggers.search(text) is None):
        return text  # nothing OpenCC would change
    return convert_same_length(converter, text)


def convert_same_length(converter: Any, text: str) -> str:
    """``converter``'s output for ``text``, by line, or by character where a line would change length.

    OpenCC converts phrase by phrase and no phrase holds a line break, so
    converting the whole text gives each line as converting it alone does:
    when no line changed length, the one call already made is the answer
    (a Big5 post used to cost one call more per line).
    """
    converted = converter.convert(text)
    if converted == text:
        return text
    if len(converted) == len(text) and _same_line_lengths(converted, text):
        return converted
    return convert_by_line(converter, text)


def convert_by_line(converter: Any, text: str) -> str:
    """``converter``'s output for each line of ``text`` on its own, or by character where a line
    would change length: the slow path of :func:`convert_same_length`, which its short cut must equal."""
    lines = []
    for line in text.split("\n"):
        out = converter.convert(line)
        if len(out) != len(line):
            out = "".join(c if len(c := converter.convert(ch)) == 1 else ch for ch in line)
        lines.append(out)
    return "\n".join(lines)


def _same_line_lengths(converted: str, text: str) -> bool:
    """Whether every line of ``converted`` is as long as the same line of ``text``."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            return "\n" not in converted[start:]
        if converted[end] != "\n":
            return False
        start = end + 1


def normalize(original: str) -> NormalizedText:
    """Fold ``original`` into the canonical form the rule layer matches on."""
    deleted_before: list[int] = []
    if _MAYBE_DELETE.search(original) and _DELETE.search(original):
        pieces: list[str] = []
        last = 0
        for match in _DELETE.finditer(original):
            pieces.append(original[last : match.start()])
            # Every deleted character sits, in the normalised text, where the match started.
            at = match.start() - len(deleted_before)
            deleted_before.extend([at] * (match.end() - match.start()))
            last = match.end()
        pieces.append(original[last:])
        kept = "".join(pieces)
    else:
        kept = original
    return NormalizedText(original, to_simplified(fold(kept)), deleted_before)
