"""CSV: one row per finding with its review decision, for spreadsheets and pandas."""

from __future__ import annotations

import csv
import io

from ..reportdir import Report

COLUMNS = ["path", "line", "column", "start", "end", "category", "severity", "rule_id", "quote", "gloss",
           "message", "review", "review_note", "finding_id", "voice"]


def render_report(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for r in report.results:
        for f in r.get("findings", []):
            d = report.decisions.get(f["id"])
            writer.writerow([r["path"], f["line"], f["column"], f["start"], f["end"], f["category"], f["severity"],
                             f["rule_id"], f["quote"], f["gloss"], f["message"], d.get("decision", "unreviewed"),
                             d.get("note", ""), f["id"], f.get("voice", "author")])
    return buffer.getvalue()
