"""The HTML report: the main review surface, self-contained and offline.

``index.html`` lists every input with its risk and counts per category, a
bar chart of categories across the run, filters (category, severity,
review state), a search box and a link to ``promoters.html`` (the promoter
map, :mod:`finflag.output.promoters`); ``posts/<name>.html`` shows one post: the
findings table, and the original text with every finding highlighted in
place (hover shows the gloss) beside the English summary and its checks.
Pages come from Jinja2 templates (``templates/``, autoescaping on), so other
views (a review app) can reuse them. No external scripts, fonts or
stylesheets: the report opens from a file on an offline machine.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from functools import cache
from typing import Any

from .. import __version__
from ..reportdir import Decisions, Report, page_name
from ..summary.types import Summary
from .templating import environment

#: Index order: the riskiest first; unreadable inputs last.
RISK_ORDER = {"high": 0, "medium": 1, "low": 2, "none": 3}

#: Colour of a category the default pack does not declare (results of a user pack).
OTHER_COLOUR = "#dddddd"


@cache
def category_colours() -> dict[str, str]:
    """Category id -> colour, in pack order. Stored results carry no rule pack: the default pack's."""
    from ..rules.pack import load_packs

    return {c.id: c.colour for c in load_packs().categories.values()}


def colour(category: str) -> str:
    return category_colours().get(category, OTHER_COLOUR)


def highlight(text: str, findings: list[dict[str, Any]], cuts: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    """The text cut at every finding boundary (and at ``cuts``: the summary's source spans, so that a
    summary sentence can light up its source); pieces inside findings are marks with their offsets."""
    bounds = sorted({0, len(text), *[f["start"] for f in findings], *[f["end"] for f in findings],
                     *[c for c in cuts if 0 < c < len(text)]})
    pieces = []
    for a, b in zip(bounds, bounds[1:]):
        covering = [f for f in findings if f["start"] <= a and b <= f["end"]]
        piece: dict[str, Any] = {"text": text[a:b], "mark": bool(covering), "start": a, "end": b}
        if covering:
            # The first piece of a finding is the target of its row's link in the findings table.
            anchor = next((f["id"] for f in covering if f["start"] == a), "")
            piece.update(colour=colour(covering[0]["category"]), ids=" ".join(f["id"] for f in covering), anchor=anchor,
                         tip=" | ".join(f"{f['category']}: {f['gloss'] or f['message']}" for f in covering))
        pieces.append(piece)
    return pieces


def summary_pieces(summary: Summary) -> list[dict[str, Any]]:
    """The summary text cut around what failed checks name (a number or a name not in the source);
    each marked piece keeps its offset, the target of the check's link to it."""
    text = summary.text
    spans = sorted({(int(i["start"]), int(i["end"]), c.check) for c in summary.checks if c.status == "fail"
                    for i in c.items if "start" in i and 0 <= int(i["start"]) < int(i["end"]) <= len(text)})
    pieces, at = [], 0
    for start, end, check in spans:
        if start < at:
            continue
        pieces += [{"text": text[at:start]}, {"text": text[start:end], "failed": check, "start": start}]
        at = end
    return pieces + [{"text": text[at:]}]


def source_cuts(summary: Summary | None) -> tuple[int, ...]:
    """Offsets where a summary sentence's or claim's source starts or ends."""
    if summary is None:
        return ()
    return tuple(x for item in summary.sentences + summary.claims for span in item.get("sources", []) for x in span)


def post_context(result: dict[str, Any], decisions: Decisions, previous: str | None = None,
                 following: str | None = None) -> dict[str, Any]:
    """What post.html.j2 needs; previous / following are links as given (the review app's are URLs)."""
    summary = Summary.from_dict(result["summary"]) if result.get("summary") else None
    rules: dict[str, dict[str, Any]] = {}
    for f in result["findings"]:
        rules.setdefault(f["rule_id"], f)  # "why it matters" once per rule, not on every row
    return dict(
        title=result["path"], up="../", result=result, verdict=result["verdict"], findings=result["findings"],
        pieces=highlight(result.get("text", ""), result["findings"], source_cuts(summary)), summary=summary,
        summary_pieces=summary_pieces(summary) if summary else [], rules=list(rules.values()), colour=colour,
        state=lambda f: decisions.state(f["id"]), note=lambda f: decisions.get(f["id"]).get("note", ""),
        previous=previous, following=following)


def post_page(result: dict[str, Any], decisions: Decisions, previous: str | None = None,
              following: str | None = None) -> str:
    return environment().get_template("post.html.j2").render(
        **post_context(result, decisions, previous and "../" + previous, following and "../" + following))


def _row(r: dict[str, Any], decisions: Decisions) -> dict[str, Any]:
    if "error" in r:
        return {"path": r["path"], "error": r["error"]}
    findings, verdict = r["findings"], r["verdict"]
    decided = sum(decisions.state(f["id"]) != "unreviewed" for f in findings)
    return {
        "path": r["path"], "link": page_name(r["path"]), "risk": verdict["risk"], "findings": verdict["findings"],
        "cats": " ".join(verdict["by_category"]),
        "sevs": " ".join(sorted({f["severity"] for f in findings})),
        "states": " ".join(sorted({decisions.state(f["id"]) for f in findings})),
        "text": " ".join([r["path"]] + [f["quote"] + " " + f["gloss"] for f in findings]
                         + [r.get("summary", {}).get("text", "")]),
        "counts": ", ".join(f"{c} {n}" for c, n in verdict["by_category"].items()),
        "failed_checks": ", ".join(c["check"] for c in r.get("summary", {}).get("checks", [])
                                   if c.get("status") == "fail"),
        "review": f"{decided}/{len(findings)}" if findings else "",
    }


def order_key(r: dict[str, Any]) -> tuple:
    """Riskiest first, then most findings, then path; unreadable inputs last (the index order, here and in the app)."""
    return (1, 0, 0, r["path"]) if "error" in r else \
        (0, RISK_ORDER.get(r["verdict"]["risk"], 4), -r["verdict"]["findings"], r["path"])


def ordered(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(results, key=order_key)


def _run_info(results: list[dict[str, Any]]) -> dict[str, str]:
    ok = [r for r in results if "error" not in r]
    return {
        "finflag": __version__,
        "rules": ", ".join(sorted({r.get("rules", "") for r in ok if r.get("rules")})) or "-",
        "model": ", ".join(sorted({r["summary"]["model"] for r in ok if r.get("summary")})) or "no summaries",
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def index_page(results: list[dict[str, Any]], decisions: Decisions) -> str:
    totals: Counter[str] = Counter()
    for r in results:
        if "error" not in r:
            totals.update(r["verdict"]["by_category"])
    categories = list(category_colours()) + sorted(set(totals) - set(category_colours()))
    return environment().get_template("index.html.j2").render(
        title="finflag report", up="", results=results, rows=[_row(r, decisions) for r in ordered(results)],
        run=_run_info(results),
        failed=sum(1 for r in results if "error" in r), total=sum(totals.values()),
        bars=[(c, totals[c]) for c in categories if totals.get(c)], peak=max(totals.values(), default=1),
        categories=categories, colour=colour)


def render_report(report: Report) -> dict[str, str]:
    """File name (relative to the report's html folder) -> page."""
    from ..promoters import build_map
    from .promoters import render_html

    site = {"index.html": index_page(report.results, report.decisions),
            "promoters.html": render_html(build_map(report.results))}
    posts = [r for r in ordered(report.results) if "error" not in r]  # previous / next follow the index
    names = [page_name(r["path"]) for r in posts]
    for n, r in enumerate(posts):
        site[names[n]] = post_page(r, report.decisions, names[n - 1] if n else None,
                                   names[n + 1] if n + 1 < len(names) else None)
    return site
