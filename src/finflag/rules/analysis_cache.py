"""The regex analysis of a rule pack, kept between runs.

The anchors, co-anchors and first characters of each pattern (see
:mod:`.anchors`) come from parsing the regex with Python's private parser:
about a tenth of a second for the default pack, paid by every
``finflag flag`` before it reads a byte. They depend only on the pattern
and on the analysis code, so they are kept in the user's cache folder
(``FINFLAG_CACHE``), keyed by both; a pattern the file does not hold is
analysed as before and added. A missing, stale, unreadable or unwritable
file only costs that time again, never a finding.

The compiled form of each regex is kept the same way (:func:`compiled`):
compiling the pack's 550 regexes took 0.16 s of every cold start, most of
it Python's ``re`` building the tables of character classes that hold CJK
characters ([^,.!?;。\n], 涨停|大涨); rebuilding them from the stored
program takes 15 ms.

The rule files' parsed YAML is kept the same way (:func:`parsed`), keyed by
a hash of each file's text: building the mappings of pack 1.15.0's 2,000
examples in Python was about 50 ms of every cold start.
"""

from __future__ import annotations

import _sre
import atexit
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
_ANALYSIS_CODE = ("anchors.py", "matching.py", "analysis_cache.py")


class _Store:
    def __init__(self) -> None:
        self.entries: dict[str, Any] | None = None
        self.dirty = False
        self.path: Path | None = None

    def load(self) -> dict[str, Any]:
        if self.entries is None:
            self.entries = {}
            try:
                self.path = _path()
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(data, dict):
                    self.entries = data
            except (OSError, ValueError, ImportError):
                pass
            atexit.register(self.save)
        return self.entries

    def save(self) -> None:
        if not self.dirty or self.path is None or self.entries is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.path.parent, delete=False,
                                             suffix=".tmp") as out:
                json.dump(self.entries, out, ensure_ascii=False)
            os.replace(out.name, self.path)  # atomic: parallel workers never read half a file
            self.dirty = False
        except OSError:
            pass


_STORE = _Store()


def _path() -> Path:
    """The cache file for this version of the analysis code."""
    from ..cachedir import cache_dir

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(b"".join((here / name).read_bytes() for name in _ANALYSIS_CODE)).hexdigest()[:16]
    return cache_dir() / "rules" / f"regex-analysis-{digest}.json"


def _entries() -> dict[str, Any] | None:
    """The stored entries, or None when ``FINFLAG_NO_RULE_CACHE`` turns the store off."""
    return None if os.environ.get("FINFLAG_NO_RULE_CACHE") else _STORE.load()


def remembered(kind: str, pattern: str, flags: int, compute: Callable[[], T],
               dump: Callable[[T], Any], load: Callable[[Any], T]) -> T:
    """``compute()``, or what an earlier run stored for this kind of analysis of this pattern."""
    entries = _entries()
    if entries is None:
        return compute()
    key = f"{kind}\x00{flags}\x00{pattern}"
    if key in entries:
        try:
            return load(entries[key])
        except (TypeError, ValueError, KeyError):
            pass
    value = compute()
    entries[key] = dump(value)
    _STORE.dirty = True
    return value


def parsed(kind: str, text: str, parse: Callable[[str], T], slot: str = "") -> T:
    """``parse(text)``, or the data an earlier run parsed from the same text.

    For rule-pack YAML: building the default pack's mappings in Python took a
    third of a cold start; reading the same data back as JSON takes a few
    milliseconds. Keyed by ``kind`` (the parser and its version) and a hash of
    the text, so an edited file is parsed afresh. ``slot`` (the file's path)
    keeps one entry per file: storing a new text drops the slot's older ones,
    so a pack edited a hundred times does not leave a hundred copies to load
    on every start. Only JSON's own types are kept (a YAML date or a
    non-string key is parsed every time); a text that does not parse raises as
    ``parse`` does, and nothing is stored.
    """
    entries = _entries()
    if entries is None:
        return parse(text)
    prefix = f"{kind}\x00{slot}\x00"
    entry = prefix + hashlib.sha256(text.encode("utf-8")).hexdigest()
    if entry in entries:
        return entries[entry]
    value = parse(text)
    try:
        # JSON keeps it as it is: no tuple, date or non-string key lost.
        if json.loads(json.dumps(value, ensure_ascii=False)) == value:
            for stale in [k for k in entries if k.startswith(prefix)]:
                del entries[stale]
            entries[entry] = value
            _STORE.dirty = True
    except (TypeError, ValueError):
        pass
    return value


def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, from the program an earlier run stored when there is one.

    The stored program is what ``re``'s own compiler made (``re._compiler._code``), handed to
    ``_sre.compile`` exactly as ``re.compile`` would; it is keyed by the regex engine's version
    (``_sre.MAGIC``) and Python's, so a new interpreter compiles afresh. A bad regex raises
    ``re.error`` as ``re.compile`` does; anything unexpected falls back to ``re.compile``.
    """
    try:
        from re import _compiler, _parser  # the private compiler, as Python's own re.compile uses it

        def compute() -> list[Any]:
            tree = _parser.parse(pattern, flags)
            return [flags | tree.state.flags, list(_compiler._code(tree, flags)), tree.state.groups - 1,
                    dict(tree.state.groupdict)]

        stored = remembered(f"sre{_sre.MAGIC}-{sys.hexversion}", pattern, flags, compute, list, list)
        full_flags, code, groups, groupindex = stored
        indexgroup: list[str | None] = [None] * (groups + 1)
        for name, index in groupindex.items():
            indexgroup[index] = name
        return _sre.compile(pattern, full_flags, code, groups, groupindex, tuple(indexgroup))
    except re.error:
        raise
    except Exception:  # the private compiler changed under us: lose the time, never the regex
        return re.compile(pattern, flags)


__all__ = ["compiled", "remembered"]
