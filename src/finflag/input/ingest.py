"""Reading inputs: which files, which bytes, which encoding, which text.

Everything a user throws at finflag comes through here, so every way an
input can be bad ends in one :class:`InputError` whose message names the
file and the reason. Callers report it and go on with the next file.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..document import Document
from .htmltext import declared_charset, html_to_text, looks_like_html
from .lang import detect_language

MAX_BYTES = 20 * 1024 * 1024
STDIN = "-"
DEFAULT_GLOBS = ("*.txt", "*.md", "*.html", "*.htm", "*.text")
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".mhtml"}

#: Encodings a Chinese finance post realistically arrives in. Restricting
#: the detector to these stops it from calling Big5 text Shift-JIS.
CANDIDATE_ENCODINGS = ["utf_8", "gb18030", "big5"]

_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or .docx/.xlsx)",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
}


class InputError(Exception):
    """An input finflag cannot read; ``str()`` is the user-facing reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)  # both in args, so the error pickles (batch workers send it back)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Source:
    """One input to read: a file path, or ``-`` for standard input."""

    path: str

    @property
    def is_stdin(self) -> bool:
        return self.path == STDIN


def _excluded(path: Path, root: Path, excludes: Iterable[str]) -> bool:
    """Like .gitignore: a pattern matches the path's tail at any depth, or any folder in it."""
    parts = path.relative_to(root).parts
    tails = ["/".join(parts[i:]) for i in range(len(parts))]
    return any(fnmatch.fnmatch(t, pat) for pat in excludes for t in tails + list(parts[:-1]))


def expand_sources(
    paths: Iterable[str], globs: Iterable[str] = (), excludes: Iterable[str] = ()
) -> Iterator[Source | InputError]:
    """Files named, and files under folders named (recursively, sorted).

    Missing paths come back as :class:`InputError` in their place so that a
    batch reports them in order and goes on.
    """
    patterns = tuple(globs) or DEFAULT_GLOBS
    excludes = tuple(excludes)
    for raw in paths:
        if raw == STDIN:
            yield Source(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if (p.is_file() or p.is_symlink())
                and any(fnmatch.fnmatchcase(p.name.lower(), pat.lower()) for pat in patterns)  # POST.TXT too
                and not _excluded(p, path, excludes)
            )
            if not found:
                yield InputError(raw, f"no input files matched in this folder (--glob {' '.join(patterns)})")
            yield from (Source(str(p)) for p in found)
        elif path.is_symlink() and not path.exists():
            yield InputError(raw, "broken symbolic link")
        elif not path.exists():
            yield InputError(raw, "no such file or folder")
        else:
            yield Source(raw)


def _read_limited(stream: BinaryIO, path: str, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(path, f"larger than the {max_bytes / 2**20:.0f} MB limit (--max-size)")
    return data


def read_bytes(source: Source, max_bytes: int = MAX_BYTES) -> bytes:
    if source.is_stdin:
        return _read_limited(sys.stdin.buffer, "<stdin>", max_bytes)
    path = source.path
    try:
        if os.path.islink(path) and not os.path.exists(path):
            raise InputError(path, "broken symbolic link")
        if os.path.isdir(path):
            raise InputError(path, "is a folder, not a file")
        size = os.path.getsize(path)
        if size > max_bytes:
            raise InputError(
                path, f"{size / 2**20:.1f} MB is larger than the {max_bytes / 2**20:.0f} MB limit (--max-size)"
            )
        with open(path, "rb") as stream:
            return _read_limited(stream, path, max_bytes)
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text has a NUL in every other byte for ASCII; CJK text rarely does."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    if odd > 0.2 * half and even < 0.02 * half:
        return "utf-16-le"
    if even > 0.2 * half and odd < 0.02 * half:
        return "utf-16-be"
    return None


def decode(data: bytes, path: str, forced: str | None = None) -> tuple[str, str, list[str]]:
    """Decode ``data`` and say how: (text, encoding, warnings)."""
    if forced:
        try:
            return data.decode(forced), forced, []
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(path, f"cannot decode as {forced}: {exc}") from None
    for bom, name in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name, []
            except UnicodeDecodeError:
                raise InputError(path, f"starts with a {name} byte-order mark but is not valid {name}") from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), utf16, []
        except UnicodeDecodeError:
            pass
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(path, f"binary file ({what}); finflag reads plain text and HTML")
    if b"\x00" in data:
        raise InputError(path, "binary file (contains NUL bytes); finflag reads plain text and HTML")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data)
    if declared:
        try:
            return data.decode(declared), declared, []
        except (UnicodeDecodeError, LookupError):
            pass
    return _detect(data, path)


def _detect(data: bytes, path: str) -> tuple[str, str, list[str]]:
    from charset_normalizer import from_bytes

    matches = from_bytes(data, cp_isolation=CANDIDATE_ENCODINGS)
    best = matches.best()
    if best is None or best.chaos > 0.25:
        raise InputError(
            path, "cannot tell the text encoding (not UTF-8, GB18030/GBK or Big5); "
            "pass --encoding NAME if you know it"
        )
    text = str(best)
    warnings = []
    rivals = [m.encoding for m in matches if m.encoding != best.encoding and str(m) != text]
    if rivals:
        warnings.append(
            f"encoding guessed as {best.encoding} (could also be {', '.join(rivals)}); "
            "pass --encoding to be sure"
        )
    if _control_share(text) > 0.05:
        raise InputError(path, "binary file (mostly control characters); finflag reads plain text and HTML")
    return text, best.encoding, warnings


def _control_share(text: str) -> float:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return controls / max(len(sample), 1)


def load_document(source: Source, encoding: str | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """Read, decode, extract and identify one input; raise :class:`InputError`."""
    display = "<stdin>" if source.is_stdin else source.path
    data = read_bytes(source, max_bytes)
    if not data.strip():
        raise InputError(display, "empty file" if data == b"" else "file has only white space")
    text, used, warnings = decode(data, display, encoding)
    if _control_share(text) > 0.05:
        raise InputError(display, "binary file (mostly control characters); finflag reads plain text and HTML")
    source_format = "text"
    if Path(source.path).suffix.lower() in HTML_SUFFIXES or looks_like_html(data):
        text = html_to_text(text)
        source_format = "html"
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(display, "no visible text" if source_format == "html" else "file has only white space")
    return Document(
        path=display,
        text=text,
        encoding=used,
        source_format=source_format,
        language=detect_language(text),
        warnings=warnings,
    )
