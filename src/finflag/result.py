"""What a run produces for one input, as typed values, and the exit codes.

The JSON object of :meth:`FlagResult.to_dict` is the contract (``"schema":
1``, documented in README); every output format is a view of it, so this
module knows nothing about presentation (no click, no terminal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import REPORT_SCHEMA, __version__
from .document import Document
from .input.ingest import InputError
from .rules.findings import Finding
from .summary.types import Summary

#: Exit codes shared by every command: 0 done, 1 a finding at or above --fail-on,
#: 2 usage error or an input / setting that could not be used, 130 interrupted (Ctrl-C).
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

TOOL = f"finflag {__version__}"


@dataclass
class FlagResult:
    """The rule layer's answer for one document; with ``summary`` it is an analyze result."""

    doc: Document
    findings: list[Finding]
    verdict: dict[str, Any]
    rules: str
    suppressed: int = 0
    summary: Summary | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": REPORT_SCHEMA,
            "tool": TOOL,
            "path": self.doc.path,
            "encoding": self.doc.encoding,
            "source_format": self.doc.source_format,
            "language": self.doc.language,
            "chars": len(self.doc.text),
            "rules": self.rules,
            "findings": [f.to_dict() for f in self.findings],
            "verdict": self.verdict,
            "suppressed": self.suppressed,
            "warnings": list(self.doc.warnings),
        }
        if self.summary is not None:
            data["summary"] = self.summary.to_dict()
        return data


def error_dict(error: InputError) -> dict[str, Any]:
    """The result object of an input that could not be read (it has ``error`` instead of findings)."""
    return {"schema": REPORT_SCHEMA, "tool": TOOL, "path": error.path, "error": error.reason}
