"""The promoter map as a text table, JSON, CSV, or an HTML page with a graph of each cluster.

Every renderer takes a :class:`~finflag.promoters.PromoterMap`. The HTML
page is one Jinja2 template (``templates/promoters.html.j2``) that the
static report writes as ``html/promoters.html`` and that a web app can
render with its own post URLs (``href``). Each cluster's graph is an inline
SVG whose layout networkx computes here, with a fixed seed so the page is
the same on every run: no script, nothing fetched.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

import networkx as nx

from ..promoters import Cluster, Post, PromoterMap
from .templating import environment

#: Node colours: posts by risk, contact points by kind.
RISK_COLOURS = {"high": "#b00020", "medium": "#e07b00", "low": "#8a8a8a", "none": "#2e7d32"}
KIND_COLOURS = {"wechat": "#07c160", "qq": "#12b7f5", "qq_group": "#12b7f5", "line": "#06c755",
                "telegram": "#229ed9", "whatsapp": "#25d366", "phone": "#6a1b9a", "email": "#455a64",
                "url": "#795548", "domain": "#795548", "teacher": "#c2185b", "team": "#ad1457"}
#: Largest graph drawn per cluster; bigger clusters are drawn with their best-ranked contacts and posts.
MAX_DRAWN = 120
SVG_WIDTH, SVG_HEIGHT, MARGIN = 560, 320, 24
#: Room right of the graph for the labels of the rightmost contact points.
LABEL_ROOM = 130
LABEL_CHARS = 24


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _name(path: str) -> str:
    return PurePath(path).name or path


def render_text(pmap: PromoterMap) -> str:
    """A terminal table per cluster: contacts (best-ranked first), tickers, categories, posts."""
    lines = [f"{len(pmap.clusters)} promoter cluster(s); {pmap.posts_with_contacts} of {pmap.posts_read} posts "
             f"give contact points"]
    for c in pmap.clusters:
        dates = f"  {c.date_from} .. {c.date_to}" if c.date_from else ""
        lines += ["", f"{c.id}  risk {c.risk}  {len(c.posts)} post(s){dates}"]
        width = max([_width(p.value) for p in c.contacts] + [7])
        lines.append("  " + _pad("contact", width) + "  kind      posts  seen as")
        for p in c.contacts:
            seen = ", ".join(s for s in p.seen if s != p.value)
            marker = "" if p.links else "  (not linking)"
            lines.append(f"  {_pad(p.value, width)}  {p.kind:<8}  {len(p.posts):>5}  {seen}{marker}".rstrip())
        if c.tickers:
            lines.append("  tickers: " + ", ".join(f"{t.label} ({n})" for t, n in c.tickers))
        if c.categories:
            lines.append("  categories: " + ", ".join(f"{k} {n}" for k, n in c.categories.items()))
        lines.append("  posts: " + ", ".join(f"{_name(p.path)} [{p.risk}]" for p in c.posts))
    return "\n".join(lines) + "\n"


def render_json(pmap: PromoterMap) -> str:
    return json.dumps(pmap.to_dict(), ensure_ascii=False, indent=1) + "\n"


CSV_COLUMNS = ["cluster", "cluster_risk", "cluster_posts", "kind", "value", "links", "posts", "centrality",
               "seen_as", "post_paths", "cluster_tickers"]


def render_csv(pmap: PromoterMap) -> str:
    """One row per contact point per cluster, with its cluster's risk, size and tickers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for c in pmap.clusters:
        tickers = "; ".join(t.label for t, _ in c.tickers)
        for p in c.contacts:
            writer.writerow([c.id, c.risk, len(c.posts), p.kind, p.value, "yes" if p.links else "no", len(p.posts),
                             f"{p.centrality:.4f}", "; ".join(p.seen), "; ".join(p.posts), tickers])
    return buffer.getvalue()


def _drawn(cluster: Cluster) -> nx.Graph:
    """The cluster's graph, cut to its best-ranked contacts and their posts when it is large."""
    graph = cluster.graph
    if graph.number_of_nodes() <= MAX_DRAWN:
        return graph
    keep: set[Any] = set()
    for point in cluster.contacts:
        node = ("c", point.kind, point.value)
        if node not in graph or len(keep) >= MAX_DRAWN:
            continue
        keep.add(node)
        for post in sorted(graph.neighbors(node)):
            if len(keep) >= MAX_DRAWN:
                break
            keep.add(post)
    return graph.subgraph(keep)


def graph_svg(cluster: Cluster, href: Callable[[Post], str]) -> dict[str, Any] | None:
    """Coordinates of the cluster's nodes and edges for the template (spring layout, seed 7).

    None for a one-post cluster: a star of its own contacts, which the table says as well.
    """
    if len(cluster.posts) < 2:
        return None
    graph = _drawn(cluster)
    positions = nx.spring_layout(graph, seed=7, method="force") if graph.number_of_nodes() > 1 else \
        {n: (0.0, 0.0) for n in graph.nodes}
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0

    def at(node: Any) -> tuple[float, float]:
        x, y = positions[node]
        return (round(MARGIN + (x - min(xs)) / span_x * (SVG_WIDTH - 2 * MARGIN - LABEL_ROOM), 1),
                round(MARGIN + (y - min(ys)) / span_y * (SVG_HEIGHT - 2 * MARGIN), 1))

    posts = {p.path: p for p in cluster.posts}
    nodes = []
    for node in sorted(graph.nodes, key=str):
        x, y = at(node)
        if node[0] == "p":
            post = posts[node[1]]
            nodes.append({"post": True, "x": x, "y": y, "href": href(post),
                          "colour": RISK_COLOURS.get(post.risk, "#888"),
                          "title": f"{post.path} ({post.risk})", "label": _name(post.path)})
        else:
            nodes.append({"post": False, "x": x, "y": y, "colour": KIND_COLOURS.get(node[1], "#555"),
                          "title": f"{node[1]}: {node[2]}",
                          "label": node[2] if len(node[2]) <= LABEL_CHARS else node[2][:LABEL_CHARS - 1] + "…"})
    edges = [(*at(a), *at(b)) for a, b in sorted(graph.edges, key=str)]
    return {"width": SVG_WIDTH, "height": SVG_HEIGHT, "nodes": nodes, "edges": edges,
            "shown": graph.number_of_nodes(), "total": cluster.graph.number_of_nodes()}


def render_html(pmap: PromoterMap, up: str = "", href: Callable[[Post], str] | None = None,
                title: str = "Promoter map", home: str | None = None) -> str:
    """The promoter page. ``up`` leads to the report's index (``home``, when given, replaces that link:
    the review app's index is ``/``); ``href`` gives a post's URL (default: its page in the static
    report, relative to the html folder)."""
    link = href or (lambda post: up + post.page)
    extra = {"home": home} if home is not None else {}
    return environment().get_template("promoters.html.j2").render(
        **extra, title=title, up=up, pmap=pmap, clusters=[(c, graph_svg(c, link)) for c in pmap.clusters], href=link,
        kind_colours=KIND_COLOURS, risk_colours=RISK_COLOURS, name=_name)


#: --format of ``finflag promoters`` -> renderer.
PROMOTER_FORMATS: dict[str, Callable[[PromoterMap], str]] = {
    "text": render_text, "json": render_json, "csv": render_csv, "html": render_html,
}
