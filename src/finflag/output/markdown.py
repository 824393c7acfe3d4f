"""Markdown: a section per result, and a run report with an index table."""

from __future__ import annotations

from typing import Any

from ..reportdir import Report
from ..summary.types import Summary
from .view import View


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell: pipes escaped, line breaks folded."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _counts(verdict: dict[str, Any]) -> str:
    return ", ".join(f"{c} {n}" for c, n in verdict["by_category"].items())


def findings_markdown(data: dict[str, Any], review: dict[str, str] | None = None) -> str:
    """The findings table of one result; ``review`` adds a column of decisions by finding id."""
    verdict = data["verdict"]
    out = [f"**Risk: {verdict['risk']}** — {verdict['findings']} findings ({_counts(verdict) or 'nothing flagged'}). "
           f"Language `{data['language']}`, encoding `{data['encoding']}`.", ""]
    if data["findings"]:
        head = "| Line | Severity | Category | Quote | English | Why it matters |"
        out += [head + (" Review |" if review is not None else ""), "|---" * (7 if review is not None else 6) + "|"]
        for f in data["findings"]:
            quoted = " (quoted)" if f.get("voice") == "quoted" else ""
            row = (f"| {f['line']}:{f['column']} | {f['severity']}{quoted} | {f['category']} | {cell(f['quote'])} | "
                   f"{cell(f['gloss'])} | {cell(f['message'])} (`{f['rule_id']}`) |")
            if review is not None:
                row += f" {review.get(f['id'], 'unreviewed')} |"
            out.append(row)
        out.append("")
    return "\n".join(out)


def summary_markdown(summary: Summary) -> str:
    out = [f"### Summary (machine-generated: {summary.model}, {summary.backend})", ""]
    if summary.sentences or summary.claims:  # each sentence with the line:column of its source
        out += [f"{s['text']} *(source {summary.where(s)})*" for s in summary.sentences] + [""]
        if summary.claims:
            out += ["**Claims of the author (not facts):**", ""]
            out += [f"- {c['text']} *({cell(c.get('category', ''))}, source {summary.where(c)})*"
                    for c in summary.claims] + [""]
        out += ["**Key points:**", ""] if summary.key_points else []
    else:
        out += [summary.text, ""]
    out += [f"- {p}" for p in summary.key_points]
    if summary.tickers:
        out += ["", "**Tickers:** " + ", ".join(summary.tickers)]
    out += ["", "| Check | Result |", "|---|---|"]
    out += [f"| {cell(c.check)} | {c.status}: {cell(c.message)} |" for c in summary.checks]
    return "\n".join(out) + "\n"


def render_result(data: dict[str, Any], view: View, review: dict[str, str] | None = None) -> str:
    out = [f"## {data['path']}", ""]
    if view.findings:
        out.append(findings_markdown(data, review))
    if "summary" in data:
        out.append(summary_markdown(Summary.from_dict(data["summary"])))
    return "\n".join(out)


def render_error(data: dict[str, Any]) -> str:
    return f"## {data['path']}\n\n**Not analysed:** {data['error']}\n"


def render_report(report: Report) -> str:
    results = report.results
    ok = [r for r in results if "error" not in r]
    out = ["# finflag report", "", f"{len(results)} inputs, {len(results) - len(ok)} not readable, "
           f"{sum(len(r['findings']) for r in ok)} findings.", "",
           "| File | Risk | Findings | Categories |", "|---|---|---|---|"]
    for r in results:
        if "error" in r:
            out.append(f"| {cell(r['path'])} | not read | | {cell(r['error'])} |")
        else:
            out.append(f"| {cell(r['path'])} | {r['verdict']['risk']} | {r['verdict']['findings']} | "
                       f"{_counts(r['verdict'])} |")
    review = {f["id"]: report.decisions.state(f["id"]) for r in ok for f in r["findings"]}
    for r in ok:
        out += ["", render_result(r, View(), review)]
    return "\n".join(out) + "\n"
