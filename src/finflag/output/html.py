"""The HTML report: the main review surface, self-contained and offline.

``index.html`` lists every input with its risk and counts per category, a
bar chart of categories across the run, filters (category, severity,
review state) and a search box; ``posts/<name>.html`` shows one post: the
findings table, and the original text with every finding highlighted in
place (hover shows the gloss) beside the English summary and its checks.
Pages come from Jinja2 templates (``templates/``, autoescaping on), so other
views (a review app) can reuse them. No external scripts, fonts or
stylesheets: the report opens from a file on an offline machine.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader

from ..reportdir import Decisions, Report, page_name
from ..summary.types import Summary

#: Colour of a category the default pack does not declare (results of a user pack).
OTHER_COLOUR = "#dddddd"


@cache
def environment() -> Environment:
    return Environment(loader=PackageLoader("finflag.output", "templates"), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@cache
def category_colours() -> dict[str, str]:
    """Category id -> colour, in pack order. Stored results carry no rule pack: the default pack's."""
    from ..rules.pack import load_packs

    return {c.id: c.colour for c in load_packs().categories.values()}


def colour(category: str) -> str:
    return category_colours().get(category, OTHER_COLOUR)


def highlight(text: str, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut at every finding boundary; pieces inside findings are marks with their offsets."""
    bounds = sorted({0, len(text), *[f["start"] for f in findings], *[f["end"] for f in findings]})
    pieces = []
    for a, b in zip(bounds, bounds[1:]):
        covering = [f for f in findings if f["start"] <= a and b <= f["end"]]
        piece: dict[str, Any] = {"text": text[a:b], "mark": bool(covering), "start": a, "end": b}
        if covering:
            piece.update(colour=colour(covering[0]["category"]), ids=" ".join(f["id"] for f in covering),
                         tip=" | ".join(f"{f['category']}: {f['gloss'] or f['message']}" for f in covering))
        pieces.append(piece)
    return pieces


def post_page(result: dict[str, Any], decisions: Decisions) -> str:
    summary = Summary.from_dict(result["summary"]) if result.get("summary") else None
    return environment().get_template("post.html.j2").render(
        title=result["path"], up="../", result=result, verdict=result["verdict"], findings=result["findings"],
        pieces=highlight(result.get("text", ""), result["findings"]), summary=summary, colour=colour,
        state=lambda f: decisions.state(f["id"]), note=lambda f: decisions.get(f["id"]).get("note", ""))


def _row(r: dict[str, Any], decisions: Decisions) -> dict[str, Any]:
    if "error" in r:
        return {"path": r["path"], "error": r["error"]}
    findings, verdict = r["findings"], r["verdict"]
    return {
        "path": r["path"], "link": page_name(r["path"]), "risk": verdict["risk"], "findings": verdict["findings"],
        "cats": " ".join(verdict["by_category"]),
        "sevs": " ".join(sorted({f["severity"] for f in findings})),
        "states": " ".join(sorted({decisions.state(f["id"]) for f in findings})),
        "text": " ".join([r["path"]] + [f["quote"] + " " + f["gloss"] for f in findings]
                         + [r.get("summary", {}).get("text", "")]),
        "counts": ", ".join(f"{c} {n}" for c, n in verdict["by_category"].items()),
    }


def index_page(results: list[dict[str, Any]], decisions: Decisions) -> str:
    totals: Counter[str] = Counter()
    for r in results:
        if "error" not in r:
            totals.update(r["verdict"]["by_category"])
    categories = list(category_colours()) + sorted(set(totals) - set(category_colours()))
    return environment().get_template("index.html.j2").render(
        title="finflag report", up="", results=results, rows=[_row(r, decisions) for r in results],
        failed=sum(1 for r in results if "error" in r), total=sum(totals.values()),
        bars=[(c, totals[c]) for c in categories if totals.get(c)], peak=max(totals.values(), default=1),
        categories=categories, colour=colour)


def render_report(report: Report) -> dict[str, str]:
    """File name (relative to the report's html folder) -> page."""
    site = {"index.html": index_page(report.results, report.decisions)}
    for r in report.results:
        if "error" not in r:
            site[page_name(r["path"])] = post_page(r, report.decisions)
    return site
