"""Every output format in one table: format name -> the module that renders it.

A format renders single results as they arrive (``flag``/``summarize``/
``analyze --format``), a whole report folder (``finflag report --format``),
or both. Every renderer reads the result's JSON form (the schema-1 object of
:meth:`finflag.result.FlagResult.to_dict`, as stored in a report folder), so
a view can never show something the JSON does not carry. Modules are imported
only when their format is used, which keeps ``finflag flag`` quick to start.

A new format is one module with ``render_result(data, view)`` and/or
``render_report(report)``, and one row here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from .view import View, result_view

__all__ = ["FORMATS", "REPORT_FORMATS", "RESULT_FORMATS", "OutputFormat", "View", "result_view"]


@dataclass(frozen=True)
class OutputFormat:
    name: str
    module: str
    help: str
    per_result: bool = False
    per_report: bool = False

    def load(self) -> ModuleType:
        return importlib.import_module(f"{__name__}.{self.module}")


FORMATS: dict[str, OutputFormat] = {f.name: f for f in (
    OutputFormat("text", "text", "a terminal view: each finding in its sentence, with its English gloss",
                 per_result=True),
    OutputFormat("json", "jsonout", "one JSON object (an array for several inputs)", per_result=True),
    OutputFormat("jsonl", "jsonout", "one JSON object per input per line", per_result=True, per_report=True),
    OutputFormat("markdown", "markdown", "a table per input", per_result=True, per_report=True),
    OutputFormat("csv", "csvout", "one row per finding, with its review decision", per_report=True),
    OutputFormat("sarif", "sarif", "SARIF 2.1.0 for code-scanning tools", per_report=True),
    OutputFormat("html", "html", "a self-contained HTML report folder", per_report=True),
)}
RESULT_FORMATS = tuple(name for name, f in FORMATS.items() if f.per_result)
REPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.per_report)
