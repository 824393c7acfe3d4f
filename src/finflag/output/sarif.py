"""SARIF 2.1.0: findings as code-scanning results, dismissed ones as suppressions.

Validated in the tests against the official OASIS schema. Regions carry
character offsets (``columnKind: unicodeCodePoints``) so a viewer lands on
the exact quote; the finding id is the partial fingerprint that keeps
review decisions attached across runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import __version__
from ..reportdir import Decisions, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f["rule_id"],
        "name": f["category"],
        "shortDescription": {"text": f["message"]},
        "fullDescription": {"text": f["explanation"]},
        "defaultConfiguration": {"level": LEVEL[f["severity"]]},
        "properties": {"category": f["category"]},
    }


def _location(path: str, f: dict[str, Any]) -> dict[str, Any]:
    quote_lines = f["quote"].split("\n")
    end_line = f["line"] + len(quote_lines) - 1
    end_column = (f["column"] + len(f["quote"])) if len(quote_lines) == 1 else len(quote_lines[-1]) + 1
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": Path(path).as_posix()},
        "region": {"startLine": f["line"], "startColumn": f["column"], "endLine": end_line,
                   "endColumn": end_column, "charOffset": f["start"], "charLength": f["end"] - f["start"],
                   "snippet": {"text": f["quote"]}},
    }
    if f.get("context_start", -1) >= 0:  # results stored before the field existed have no context offset
        physical["contextRegion"] = {"charOffset": f["context_start"], "charLength": len(f["context"]),
                                     "snippet": {"text": f["context"]}}
    return {"physicalLocation": physical}


def _result(path: str, f: dict[str, Any], decisions: Decisions) -> dict[str, Any]:
    message = f"{f['message']}: {f['quote']}" + (f" ({f['gloss']})" if f["gloss"] else "")
    item: dict[str, Any] = {
        "ruleId": f["rule_id"],
        "level": LEVEL[f["severity"]],
        "message": {"text": message},
        "locations": [_location(path, f)],
        "partialFingerprints": {"finflagFindingId/v1": f["id"]},
        "properties": {"category": f["category"], "gloss": f["gloss"], "voice": f.get("voice", "author")},
    }
    decision = decisions.get(f["id"])
    if decision.get("decision") == "dismissed":
        item["suppressions"] = [{"kind": "external", "status": "accepted",
                                 "justification": decision.get("note") or "dismissed in finflag review"}]
    elif decision.get("decision") == "confirmed":
        item["properties"]["review"] = "confirmed"
    return item


def to_sarif(report: Report) -> dict[str, Any]:
    """One run; the rules are those that fired, described from their findings."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for r in report.results:
        for f in r.get("findings", []):
            rules.setdefault(f["rule_id"], _rule(f))
            results.append(_result(r["path"], f, report.decisions))
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "finflag", "version": __version__,
                                "informationUri": "https://pypi.org/project/finflag/",
                                "rules": list(rules.values())}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }


def render_report(report: Report) -> str:
    return json.dumps(to_sarif(report), ensure_ascii=False, indent=1)
