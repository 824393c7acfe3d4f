"""JSON and JSON Lines: the result objects themselves (schema 1)."""

from __future__ import annotations

import json
from typing import Any

from ..reportdir import RESULTS_JSONL, Report
from .view import View, result_view


def render_object(data: dict[str, Any], view: View) -> dict[str, Any]:
    """The object printed for a result (``--format json`` collects them)."""
    return result_view(data, view)


def render_result(data: dict[str, Any], view: View) -> str:
    """One line of JSON Lines."""
    return json.dumps(render_object(data, view), ensure_ascii=False)


def render_error(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def render_collected(objects: list[dict[str, Any]]) -> str:
    """``--format json``: one object, or an array for several inputs."""
    return json.dumps(objects[0] if len(objects) == 1 else objects, ensure_ascii=False, indent=2)


def render_report(report: Report) -> str:
    return (report.folder / RESULTS_JSONL).read_text(encoding="utf-8")
