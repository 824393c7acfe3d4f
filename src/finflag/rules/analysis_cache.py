"""The regex analysis of a rule pack, kept between runs.

The anchors, co-anchors and first characters of each pattern (see
:mod:`.anchors`) come from parsing the regex with Python's private parser:
about a tenth of a second for the default pack, paid by every
``finflag flag`` before it reads a byte. They depend only on the pattern
and on the analysis code, so they are kept in the user's cache folder
(``FINFLAG_CACHE``), keyed by both; a pattern the file does not hold is
analysed as before and added. A missing, stale, unreadable or unwritable
file only costs that time again, never a finding.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
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


def remembered(kind: str, pattern: str, flags: int, compute: Callable[[], T],
               dump: Callable[[T], Any], load: Callable[[Any], T]) -> T:
    """``compute()``, or what an earlier run stored for this kind of analysis of this pattern."""
    if os.environ.get("FINFLAG_NO_RULE_CACHE"):
        return compute()
    entries = _STORE.load()
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


__all__ = ["remembered"]
