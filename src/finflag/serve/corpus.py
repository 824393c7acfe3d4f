"""The report folder as the review app reads it: every request sees the folder as it is now.

An ``analyze`` run may be writing the folder while the app serves it. Each
result file is replaced atomically (a new inode), so a result is cached
under its file's identity (inode, size, mtime) and read again only when
that changes: a request costs one ``stat`` per post, not one JSON parse,
and never sees half a file. Posts are named by their result file's stem
(``<input name>.<hash>``); a URL names a post only by looking it up here,
never by joining it to a path, so no URL can reach another file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..output.html import order_key
from ..reportdir import INPUTS, read_result, result_files
from ..reviewstore import Decisions
from ..rules.pack import SEVERITIES

#: Sort keys of the index (a leading "-" reverses one).
SORTS = ("risk", "path", "findings", "review", "checks")
#: The review filter: posts with a finding in this state, or posts whose findings are all decided.
REVIEW_STATES = ("unreviewed", "confirmed", "dismissed", "done")
VOICES = ("author", "quoted")


@dataclass
class Post:
    """One stored result and what the index needs of it, computed once per version of its file."""

    name: str
    result: dict[str, Any]
    ids: list[str] = field(default_factory=list)
    #: (id, category, severity, voice) of each finding: the index filters look for one finding matching them all.
    facets: list[tuple[str, str, str, str]] = field(default_factory=list)
    categories: set[str] = field(default_factory=set)
    failed_checks: list[str] = field(default_factory=list)
    counts: str = ""
    haystack: str = ""
    risk_key: tuple = ()  # the HTML report's index order: riskiest first
    #: The post's index row as rendered HTML (without its review progress), made once per version of the file.
    cells: str | None = None

    @classmethod
    def of(cls, name: str, result: dict[str, Any]) -> "Post":
        post = cls(name, result, risk_key=order_key(result))
        if "error" in result:
            post.haystack = str(result["path"]).casefold()
            return post
        findings = result.get("findings", [])
        post.ids = [f["id"] for f in findings]
        post.facets = [(f["id"], f["category"], f["severity"], f.get("voice", "author")) for f in findings]
        post.categories = {f["category"] for f in findings}
        post.counts = ", ".join(f"{c} {n}" for c, n in result["verdict"]["by_category"].items())
        post.failed_checks = [c["check"] for c in result.get("summary", {}).get("checks", [])
                              if c.get("status") == "fail"]
        post.haystack = "\n".join([result["path"], result.get("text", ""), result.get("summary", {}).get("text", "")]
                                  + [f"{f['quote']} {f['gloss']} {f['message']}" for f in findings]).casefold()
        return post

    @property
    def path(self) -> str:
        return str(self.result.get("path", self.name))

    @property
    def error(self) -> str | None:
        return self.result.get("error")


class BadQuery(ValueError):
    """A query or form value the app does not accept (answered with a 400 page)."""


@dataclass(frozen=True)
class Filters:
    """What the index shows: full-text search, category, severity, review state, voice, and its order."""

    q: str = ""
    category: str = ""
    severity: str = ""
    review: str = ""
    voice: str = ""
    sort: str = "risk"

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> "Filters":
        values = {k: params.get(k, "").strip() for k in ("q", "category", "severity", "review", "voice", "sort")}
        values["sort"] = values["sort"] or "risk"
        allowed = {"severity": SEVERITIES, "review": REVIEW_STATES, "voice": VOICES,
                   "sort": SORTS + tuple("-" + s for s in SORTS)}
        for key, choices in allowed.items():
            if values[key] and values[key] not in choices:
                raise BadQuery(f"{key} must be one of {', '.join(choices)}, not {values[key][:40]!r}")
        if len(values["q"]) > 200 or len(values["category"]) > 80:
            raise BadQuery("search text or category too long")
        return cls(**values)

    @property
    def active(self) -> bool:
        return any((self.q, self.category, self.severity, self.review, self.voice))

    def keeps(self, post: Post, decisions: Decisions, decided: int) -> bool:
        """Does the post match? Search on the whole post; the other filters on one finding that has them all
        (an unreviewed error-level contact funnel, not an error somewhere and a contact funnel elsewhere)."""
        if self.q and self.q.casefold() not in post.haystack:
            return False
        if self.review == "done" and (not post.ids or decided < len(post.ids)):
            return False
        state = self.review if self.review != "done" else ""
        if not (self.category or self.severity or self.voice or state):
            return True
        return any((not self.category or self.category == category) and (not self.severity or self.severity == severity)
                   and (not self.voice or self.voice == voice) and (not state or decisions.state(fid) == state)
                   for fid, category, severity, voice in post.facets)


@dataclass
class Row:
    """An index row: a post and its review progress as the store holds it now."""

    post: Post
    decided: int


class Corpus:
    """The posts of one report folder, re-read file by file as they change."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._cache: dict[str, tuple[tuple[int, int, int], Post]] = {}
        self._files: dict[str, str] = {}  # post name -> result file, as of the last full read
        self._inputs: tuple[tuple[int, int, int] | None, list[str]] = (None, [])
        self._lock = threading.Lock()  # pages are rendered in a thread pool

    def posts(self) -> list[Post]:
        """Every stored post in input order, as the folder holds it at this moment."""
        with self._lock:
            return self._read()

    def _result_files(self) -> list[str]:
        """The result files in input order, listed again only when a batch replaces inputs.json."""
        try:
            st = os.stat(self.folder / INPUTS)
            key: tuple[int, int, int] | None = (st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            key = None  # no input list: whatever results/ holds, listed each time
        if key is None or key != self._inputs[0]:
            self._inputs = (key, [str(f) for f in result_files(self.folder)])
        return self._inputs[1]

    def _read(self) -> list[Post]:
        posts, seen = [], set()
        for file in self._result_files():
            post = self._load(file)
            if post is not None:
                posts.append(post)
                seen.add(file)
        for gone in set(self._cache) - seen:
            del self._cache[gone]
        self._files = {self._cache[f][1].name: f for f in seen}
        return posts

    def _load(self, file: str) -> Post | None:
        """The post stored in ``file`` now: from the cache unless the file was replaced; None if absent or bad."""
        try:
            st = os.stat(file)
        except OSError:  # not written yet by a running batch
            return None
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        cached = self._cache.get(file)
        if cached is None or cached[0] != key:
            result = read_result(Path(file))
            if result is None or "path" not in result:
                self._cache.pop(file, None)
                return None
            cached = (key, Post.of(os.path.basename(file).removesuffix(".json"), result))
            self._cache[file] = cached
        return cached[1]

    def find(self, name: str) -> Post:
        """One post by name, reading only its file when it is known (a decision must not scan 10,000 files)."""
        with self._lock:
            file = self._files.get(name)
            post = self._load(file) if file is not None else None
            if post is None:
                post = next((p for p in self._read() if p.name == name), None)
        if post is None or post.error:
            raise KeyError(name)
        return post

    def post(self, name: str) -> tuple[Post, list[Post]]:
        """The post with this name and the posts in index order (for previous / next); KeyError if none."""
        posts = sorted((p for p in self.posts() if not p.error), key=lambda p: p.risk_key)
        for post in posts:
            if post.name == name:
                return post, posts
        raise KeyError(name)

    def rows(self, filters: Filters, decisions: Decisions) -> tuple[list[Row], int]:
        """The index rows the filters keep, in their order; and how many posts there are in all."""
        posts = self.posts()
        data = decisions.data
        rows = []
        for post in posts:
            if post.error:
                if not filters.active:
                    rows.append(Row(post, 0))
                continue
            decided = sum(1 for i in post.ids if "decision" in data.get(i, ())) if data else 0
            if filters.keeps(post, decisions, decided):
                rows.append(Row(post, decided))
        sort = filters.sort.lstrip("-")
        keys = {
            "risk": lambda r: r.post.risk_key,
            "path": lambda r: r.post.path,
            "findings": lambda r: (-len(r.post.ids), r.post.risk_key),
            "review": lambda r: (r.decided / len(r.post.ids) if r.post.ids else 2.0, r.post.risk_key),
            "checks": lambda r: (-len(r.post.failed_checks), r.post.risk_key),
        }
        rows.sort(key=keys[sort], reverse=filters.sort.startswith("-"))
        return rows, len(posts)
