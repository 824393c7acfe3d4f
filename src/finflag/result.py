"""Turning results into what people and programs read: text, JSON, Markdown.

The JSON object is the contract (``"schema": 1``, documented in README);
every other format is a view of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import click

from . import REPORT_SCHEMA, __version__
from .document import Document
from .rules.findings import Finding, at_or_above
from .input.ingest import InputError

_SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "cyan"}
_RISK_COLOUR = {"high": "red", "medium": "yellow", "low": "cyan", "none": "green"}
_CONTEXT_CHARS = 60


@dataclass
class FlagResult:
    """The rule layer's answer for one document."""

    doc: Document
    findings: list[Finding]
    verdict: dict[str, Any]
    rules: str
    suppressed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": REPORT_SCHEMA,
            "tool": f"finflag {__version__}",
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
        data.update(self.extra)
        return data


def error_dict(error: InputError) -> dict[str, Any]:
    return {"schema": REPORT_SCHEMA, "tool": f"finflag {__version__}", "path": error.path, "error": error.reason}


def _trimmed_context(finding: Finding, limit: int = _CONTEXT_CHARS) -> tuple[str, str, str]:
    """Context split around the quote, trimmed so the quote stays visible."""
    context = finding.context
    # The offset, not a search: the quote may occur more than once in its sentence.
    at = finding.start - finding.context_start if finding.context_start >= 0 else context.find(finding.quote)
    if not 0 <= at <= len(context) - len(finding.quote):
        return "", finding.quote, ""
    before, after = context[:at], context[at + len(finding.quote) :]
    if len(before) > limit:
        before = "…" + before[-limit:]
    if len(after) > limit:
        after = after[:limit] + "…"
    return before.replace("\n", " "), finding.quote, after.replace("\n", " ")


def format_text(result: FlagResult, colour: bool = False) -> str:
    """Terminal view: a header per file, then each finding where it is."""
    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if colour else text

    verdict = result.verdict
    doc = result.doc
    risk = style(f"risk: {verdict['risk']}", fg=_RISK_COLOUR[verdict["risk"]], bold=True)
    header = f"{style(doc.path, bold=True)}  [{doc.language}, {doc.encoding}]  {risk}  ({verdict['findings']} findings"
    header += f", {result.suppressed} suppressed)" if result.suppressed else ")"
    lines = [header]
    lines += [f"  warning: {w}" for w in doc.warnings]
    for f in result.findings:
        sev = style(f"{f.severity:<7}", fg=_SEVERITY_COLOUR[f.severity])
        before, quote, after = _trimmed_context(f)
        shown = style(quote, fg=_SEVERITY_COLOUR[f.severity], bold=True, underline=True) if colour else f"«{quote}»"
        lines.append(f"  {f.line}:{f.column}  {sev} {f.category}  {f.message}  [{f.rule_id}]")
        lines.append(f"      {before}{shown}{after}")
        if f.gloss:
            lines.append(f"      = {f.gloss}")
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_markdown(result: FlagResult) -> str:
    doc, verdict = result.doc, result.verdict
    counts = ", ".join(f"{c} {n}" for c, n in verdict["by_category"].items()) or "nothing flagged"
    out = [
        f"## {doc.path}",
        "",
        f"**Risk: {verdict['risk']}** — {verdict['findings']} findings ({counts}). "
        f"Language `{doc.language}`, encoding `{doc.encoding}`.",
        "",
    ]
    if result.findings:
        out += ["| Line | Severity | Category | Quote | English | Why it matters |", "|---|---|---|---|---|---|"]
        for f in result.findings:
            out.append(
                f"| {f.line}:{f.column} | {f.severity} | {f.category} | {_md_cell(f.quote)} | "
                f"{_md_cell(f.gloss)} | {_md_cell(f.message)} (`{f.rule_id}`) |"
            )
        out.append("")
    return "\n".join(out)


def format_error_markdown(error: InputError) -> str:
    return f"## {error.path}\n\n**Not analysed:** {error.reason}\n"


#: Exit codes shared by every command that reads posts.
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class ResultWriter:
    """Prints results in one ``--format`` as they arrive and keeps score for the exit code.

    ``flag``, ``summarize`` and ``analyze`` all write through it, so they treat
    formats, unreadable inputs, input warnings and exit codes the same way.
    The model commands subclass it to add the summary to each view.
    """

    def __init__(self, fmt: str, colour: bool = False, fail_on: str | None = None) -> None:
        self.fmt, self.colour, self.fail_on = fmt, colour, fail_on
        self.failed = 0  # inputs that could not be read
        self.failing = 0  # results with a finding at or above fail_on
        self._collected: list[dict[str, Any]] = []  # json: printed together at the end
        self._first = True

    def data(self, result: FlagResult) -> dict[str, Any]:
        return result.to_dict()

    def text(self, result: FlagResult) -> str:
        return format_text(result, self.colour)

    def markdown(self, result: FlagResult) -> str:
        return format_markdown(result)

    def add(self, item: FlagResult | InputError) -> None:
        if isinstance(item, InputError):
            self.failed += 1
            click.echo(f"finflag: error: {item}", err=True)
        else:
            if self.fail_on and at_or_above(item.findings, self.fail_on):
                self.failing += 1
            for warning in item.doc.warnings:
                click.echo(f"finflag: warning: {item.doc.path}: {warning}", err=True)
        if self.fmt in ("json", "jsonl"):
            data = error_dict(item) if isinstance(item, InputError) else self.data(item)
            if self.fmt == "jsonl":
                click.echo(json.dumps(data, ensure_ascii=False))
            else:
                self._collected.append(data)
        elif isinstance(item, InputError):
            if self.fmt == "markdown":
                click.echo(format_error_markdown(item))
        else:
            if not self._first and self.fmt == "text":
                click.echo()
            click.echo(self.markdown(item) if self.fmt == "markdown" else self.text(item))
            self._first = False

    def finish(self) -> int:
        """Print what waits for the end (one JSON document, the failure count); return the exit code."""
        if self.fmt == "json":
            objects = self._collected
            click.echo(json.dumps(objects[0] if len(objects) == 1 else objects, ensure_ascii=False, indent=2))
        if self.failed:
            click.echo(f"finflag: {self.failed} input(s) could not be read", err=True)
            return EXIT_ERROR
        return EXIT_FINDINGS if self.failing else 0
