"""Run-level reports from a report directory: jsonl, csv, sarif, markdown.

All of them are rendered from the stored results and the review file, so
``finflag report DIR --format X`` never re-runs anything. (HTML lives in
:mod:`finflag.html_report`.)
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from .. import __version__
from ..batch import RESULTS_JSONL, load_results
from ..cli.review import Decisions

FORMATS = ("jsonl", "csv", "sarif", "markdown", "html")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
CSV_COLUMNS = ["path", "line", "column", "start", "end", "category", "severity", "rule_id", "quote", "gloss",
               "message", "review", "review_note", "finding_id"]


def _findings(results: list[dict[str, Any]]):
    for r in results:
        for f in r.get("findings", []):
            yield r, f


def to_jsonl(out_dir: Path) -> str:
    return (out_dir / RESULTS_JSONL).read_text(encoding="utf-8")


def to_csv(results: list[dict[str, Any]], decisions: Decisions) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for r, f in _findings(results):
        d = decisions.get(f["id"])
        writer.writerow([r["path"], f["line"], f["column"], f["start"], f["end"], f["category"], f["severity"],
                         f["rule_id"], f["quote"], f["gloss"], f["message"], d.get("decision", "unreviewed"),
                         d.get("note", ""), f["id"]])
    return buffer.getvalue()


def to_sarif(results: list[dict[str, Any]], decisions: Decisions) -> dict[str, Any]:
    """SARIF 2.1.0: one run, rules from the findings, dismissed findings as suppressions."""
    rules: dict[str, dict[str, Any]] = {}
    sarif_results = []
    for r, f in _findings(results):
        if f["rule_id"] not in rules:
            rules[f["rule_id"]] = {
                "id": f["rule_id"],
                "name": f["category"],
                "shortDescription": {"text": f["message"]},
                "fullDescription": {"text": f["explanation"]},
                "defaultConfiguration": {"level": _SARIF_LEVEL[f["severity"]]},
                "properties": {"category": f["category"]},
            }
        quote_lines = f["quote"].split("\n")
        end_line = f["line"] + len(quote_lines) - 1
        end_column = (f["column"] + len(f["quote"])) if len(quote_lines) == 1 else len(quote_lines[-1]) + 1
        item: dict[str, Any] = {
            "ruleId": f["rule_id"],
            "level": _SARIF_LEVEL[f["severity"]],
            "message": {"text": f"{f['message']}: {f['quote']} ({f['gloss']})" if f["gloss"] else
                        f"{f['message']}: {f['quote']}"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": Path(r["path"]).as_posix()},
                "region": {"startLine": f["line"], "startColumn": f["column"], "endLine": end_line,
                           "endColumn": end_column, "charOffset": f["start"], "charLength": f["end"] - f["start"],
                           "snippet": {"text": f["quote"]}},
            }}],
            "partialFingerprints": {"finflagFindingId/v1": f["id"]},
            "properties": {"category": f["category"], "gloss": f["gloss"]},
        }
        if f.get("context_start", -1) >= 0:  # results stored before the field existed have no context offset
            item["locations"][0]["physicalLocation"]["contextRegion"] = {
                "charOffset": f["context_start"], "charLength": len(f["context"]), "snippet": {"text": f["context"]}}
        decision = decisions.get(f["id"])
        if decision.get("decision") == "dismissed":
            item["suppressions"] = [{"kind": "external", "status": "accepted",
                                     "justification": decision.get("note") or "dismissed in finflag review"}]
        elif decision.get("decision") == "confirmed":
            item["properties"]["review"] = "confirmed"
        sarif_results.append(item)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "finflag", "version": __version__,
                                "informationUri": "https://pypi.org/project/finflag/",
                                "rules": list(rules.values())}},
            "results": sarif_results,
            "columnKind": "unicodeCodePoints",
        }],
    }


def to_markdown(results: list[dict[str, Any]], decisions: Decisions) -> str:
    ok = [r for r in results if "error" not in r]
    out = ["# finflag report", "", f"{len(results)} inputs, {len(results) - len(ok)} not readable, "
           f"{sum(len(r['findings']) for r in ok)} findings.", "",
           "| File | Risk | Findings | Categories |", "|---|---|---|---|"]
    for r in results:
        if "error" in r:
            out.append(f"| {r['path']} | not read | | {r['error']} |")
        else:
            cats = ", ".join(f"{c} {n}" for c, n in r["verdict"]["by_category"].items())
            out.append(f"| {r['path']} | {r['verdict']['risk']} | {r['verdict']['findings']} | {cats} |")
    for r in ok:
        out += ["", f"## {r['path']}", ""]
        summary = r.get("summary")
        if summary:
            out += [f"**Summary (machine-generated, {summary['model']}):** {summary['text']}", ""]
            failed = [c["check"] for c in summary["checks"] if c["status"] == "fail"]
            out += [f"Checks failed: {', '.join(failed)}" if failed else "All summary checks passed.", ""]
        if r["findings"]:
            out += ["| Line | Severity | Category | Quote | English | Review |", "|---|---|---|---|---|---|"]
            for f in r["findings"]:
                cell = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
                out.append(f"| {f['line']}:{f['column']} | {f['severity']} | {f['category']} | {cell(f['quote'])} | "
                           f"{cell(f['gloss'])} | {decisions.get(f['id']).get('decision', 'unreviewed')} |")
    return "\n".join(out) + "\n"


def render(out_dir: Path, fmt: str) -> str | dict[str, str]:
    """The report text (or, for html, a mapping of file name -> page)."""
    results = load_results(out_dir)
    decisions = Decisions.load(out_dir)
    if fmt == "jsonl":
        return to_jsonl(out_dir)
    if fmt == "csv":
        return to_csv(results, decisions)
    if fmt == "sarif":
        return json.dumps(to_sarif(results, decisions), ensure_ascii=False, indent=1)
    if fmt == "markdown":
        return to_markdown(results, decisions)
    if fmt == "html":
        from .html import render_site

        return render_site(results, decisions)
    raise ValueError(f"unknown report format {fmt!r}")
