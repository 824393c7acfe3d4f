"""The summary as a typed value: what the summarizer returns and every view reads.

It lives in the summary package (not in :mod:`finflag.result`) because the
summarizer produces it and must not import anything above itself. Stored
results hold its :meth:`Summary.to_dict` form; :meth:`Summary.from_dict`
reads that form back, including results written by older versions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: Check outcomes: a repair changed the text and says so; it is not a failure.
CHECK_STATUSES = ("pass", "repaired", "fail")


@dataclass
class Check:
    """One check of the English against the source, as shown to the reviewer."""

    check: str
    status: str
    message: str
    passed: bool = True
    items: list[dict[str, Any]] = field(default_factory=list)
    repaired: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Check":
        known = {f.name for f in fields(cls)}
        check = cls(**{k: v for k, v in data.items() if k in known})
        if "status" not in data:  # written before statuses existed
            check.status = "fail" if not check.passed else "repaired" if check.repaired else "pass"
        return check


@dataclass
class Summary:
    """A machine-generated English summary with its provenance and checks."""

    text: str
    key_points: list[str]
    tickers: list[str]
    checks: list[Check]
    model: str
    backend: str
    prompt_version: str
    timings: dict[str, Any] = field(default_factory=dict)
    names: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    chunks: int = 1
    retried: bool = False
    machine_generated: bool = True
    #: Each shown sentence: {"text", "sources": [[start, end], ...] into the original text, "at": [[line, column],
    #: ...] of each source, "checks": {name: status}}.
    sentences: list[dict[str, Any]] = field(default_factory=list)
    #: The author's promotional claims, never stated as fact: {"text", "category", "sources", "checks"}.
    claims: list[dict[str, Any]] = field(default_factory=list)
    #: The key points with their sources: {"text", "sources"} (``key_points`` is the plain-text view).
    points: list[dict[str, Any]] = field(default_factory=list)

    def where(self, item: dict[str, Any]) -> str:
        """'line:column' of a sentence's or claim's sources, for the text views."""
        return ", ".join(f"{line}:{col}" for line, col in item.get("at", [])) or "?"

    @property
    def failed_checks(self) -> list[str]:
        return [c.check for c in self.checks if c.status == "fail"]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        # Key order of schema 1, as results have always been written.
        order = ("text", "key_points", "tickers", "machine_generated", "checks", "model", "backend",
                 "prompt_version", "names", "numbers", "dropped", "chunks", "retried", "timings",
                 "sentences", "claims", "points")
        return {key: data[key] for key in order}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Summary":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["checks"] = [Check.from_dict(c) for c in data.get("checks", [])]
        for key in ("text", "model", "backend", "prompt_version"):
            values.setdefault(key, "")
        for key in ("key_points", "tickers"):
            values.setdefault(key, [])
        return cls(**values)
