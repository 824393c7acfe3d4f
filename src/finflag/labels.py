"""Labelled posts for ``finflag eval``: our samples, and the real-post development set.

Two forms share one format (README, "Evaluating rules"):

- a label file next to its posts (``samples/labels.yaml``): each document is a
  file path relative to the label file;
- a label set over a corpus kept elsewhere (``tests/real/labels.yaml``): a
  ``root`` folder (relative to the file), ``include``d label files, documents
  that are one line of a file (``line:``), a ``sha`` of every text so that a
  changed corpus is noticed, a ``kind`` per post, and ``covers:`` ranges whose
  unlisted lines are clean posts. Third-party text stays in the corpus; the
  labels hold only short quotes.

A document's ``source`` (for per-source figures) is the first folder of its
path, or the leading letters of its file name (``sms80w-001.txt`` -> ``sms80w``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .document import Document
from .input.ingest import InputError, Source, load_document
from .input.lang import detect_language
from .rules.yamlfile import describe

KINDS = ("promo", "clean", "news", "warning", "labelled")
_SOURCE_NAME = re.compile(r"[A-Za-z]+[A-Za-z0-9]*?(?=[-_.\d]|$)")


class LabelError(ValueError):
    """A label file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Label:
    category: str
    start: int
    end: int
    quote: str


@dataclass
class LabelledDoc:
    doc: Document
    source: str
    kind: str
    where: str
    expected: list[Label] = field(default_factory=list)
    quoted: list[Label] = field(default_factory=list)  # scam language a warning quotes: not the author's claim
    clean: list[tuple[int, int]] = field(default_factory=list)

    @property
    def promotional(self) -> bool:
        return bool(self.expected)


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def source_of(path: str) -> str:
    parts = Path(path).parts
    if len(parts) > 1:
        return parts[0]
    match = _SOURCE_NAME.match(Path(path).name)
    return match.group(0) if match else Path(path).stem


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise LabelError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise LabelError(f"{path}: not valid YAML: {describe(exc)}") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents", data.get("include")), list):
        raise LabelError(f"{path}: expected a mapping with a 'documents:' (or 'include:') list")
    return data


def _locate(text: str, quote: str, occurrence: int, where: str) -> tuple[int, int]:
    at = -1
    for _ in range(occurrence):
        at = text.find(quote, at + 1)
        if at < 0:
            raise LabelError(f"{where}: quote {quote!r} (occurrence {occurrence}) is not in the text")
    return at, at + len(quote)


def _labels(raw: Any, text: str, where: str) -> list[Label]:
    out = []
    for item in raw or ():
        if not isinstance(item, dict) or "category" not in item or "quote" not in item:
            raise LabelError(f"{where}: each label needs 'category' and 'quote'")
        start, end = _locate(text, str(item["quote"]), int(item.get("occurrence", 1)), where)
        out.append(Label(str(item["category"]), start, end, str(item["quote"])))
    return out


class _Lines:
    """The lines of corpus files, read once each."""

    def __init__(self) -> None:
        self._files: dict[Path, list[str]] = {}

    def get(self, path: Path) -> list[str]:
        if path not in self._files:
            self._files[path] = path.read_text(encoding="utf-8").split("\n")
        return self._files[path]


def _document(entry: dict[str, Any], root: Path, lines: _Lines, where: str) -> Document:
    path = str(entry["path"])
    if "line" in entry:
        number = int(entry["line"])
        try:
            text = lines.get(root / path)[number - 1]
        except (OSError, IndexError) as exc:
            raise InputError(f"{path}:{number}", f"cannot read line {number}: {exc}") from None
        return Document(f"{path}:{number}", text, language=detect_language(text))
    doc = load_document(Source(str(root / path)), entry.get("encoding"))
    doc.path = path
    return doc


Entry = tuple[dict[str, Any], Path, str, str | None]


def _entries(path: Path, lines: _Lines) -> Iterator[Entry]:
    """(entry, corpus root, where, source) for every document of a label file and its includes, covers expanded.

    Labels next to their posts (no ``root``) are one source, named after their folder
    (``samples``); in a corpus each document's source comes from its path.
    """
    data = _read(path)
    root = (path.parent / str(data.get("root", "."))).resolve()
    source = None if "root" in data else path.resolve().parent.name
    for include in data.get("include") or ():
        inner = path.parent / str(include)
        inner_data = _read(inner)
        if "root" not in inner_data:  # included files name paths under the including file's root
            yield from _with_root(inner, inner_data, root, lines, source)
        else:
            yield from _entries(inner, lines)
    if "documents" in data:
        yield from _with_root(path, data, root, lines, source)


def _with_root(path: Path, data: dict[str, Any], root: Path, lines: _Lines, source: str | None) -> Iterator[Entry]:
    listed = []
    for entry in data.get("documents") or ():
        if not isinstance(entry, dict) or "path" not in entry:
            raise LabelError(f"{path}: every document needs a 'path'")
        listed.append(entry)
        yield entry, root, f"{path.name}: {entry['path']}" + (f":{entry['line']}" if "line" in entry else ""), source
    covers = data.get("covers")
    if covers:
        taken = {int(e["line"]) for e in listed if e.get("path") == covers["path"] and "line" in e}
        try:
            texts = lines.get(root / str(covers["path"]))
        except OSError as exc:
            raise LabelError(f"{path}: covers {covers['path']}: {exc.strerror or exc}") from None
        for number in range(int(covers["first"]), int(covers["last"]) + 1):
            if number not in taken and texts[number - 1].strip():
                yield ({"path": covers["path"], "line": number, "kind": "clean"}, root,
                       f"{path.name}: {covers['path']}:{number}", source)


def load_label_set(path: Path) -> tuple[list[LabelledDoc], list[str]]:
    """Every labelled document, and the problems with documents that could not be used."""
    path = Path(path)
    lines = _Lines()
    docs: list[LabelledDoc] = []
    errors: list[str] = []
    for entry, root, where, source in _entries(path, lines):
        if not root.is_dir():
            raise LabelError(f"{path}: the corpus folder {root} does not exist (the real corpus lives in "
                             "../shared/corpus/real beside the repository)")
        try:
            doc = _document(entry, root, lines, where)
        except InputError as exc:
            errors.append(f"{where}: {exc.reason}")
            continue
        if "sha" in entry and text_sha(doc.text.strip() if "line" not in entry else doc.text) != str(entry["sha"]):
            errors.append(f"{where}: the text changed since it was labelled (sha {entry['sha']} no longer matches)")
            continue
        kind = str(entry.get("kind", "promo" if entry.get("expected") else "labelled"))
        if kind not in KINDS:
            raise LabelError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
        docs.append(LabelledDoc(
            doc, str(entry.get("source") or source or source_of(str(entry["path"]))), kind, where,
            _labels(entry.get("expected"), doc.text, where), _labels(entry.get("quoted"), doc.text, where),
            [_locate(doc.text, str(c), 1, where) for c in entry.get("clean") or ()],
        ))
    return docs, errors
