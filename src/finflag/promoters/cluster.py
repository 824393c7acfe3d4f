"""Posts that share a contact point, linked into clusters: one cluster, one presumed operation.

A bipartite graph (networkx) has a node per post and a node per linking
contact point (:attr:`Contact.links`), and an edge where a post gives that
contact. Its connected components are the clusters: two posts are in one
cluster when a chain of shared handles, numbers, addresses or names joins
them. Within a cluster, contacts are ranked by how many posts give them,
then by betweenness centrality (a contact that bridges otherwise separate
groups of posts ranks above one that only repeats inside a group; exact up
to 400 nodes, estimated from 64 sampled sources above).

Risk score of a cluster, 0-100::

    100 * (0.35 * severity + 0.20 * breadth + 0.20 * reach + 0.10 * channels + 0.15 * push)

    severity  mean of its posts' risk (high 1, medium 0.6, low 0.3, none 0)
    breadth   distinct finding categories across its posts / 6, at most 1
    reach     log(1 + posts) / log(11), at most 1 (ten posts or more: 1)
    channels  distinct linking contact points / 5, at most 1
    push      1 if any post pushes a ticker or company near a trade call, hype or urgency, else 0

Severity leads because it is the rule layer's own judgement of each post;
the rest measure what no single post shows: how many posts, how many
tactics and channels, and whether the operation pushes securities.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ..reportdir import page_name
from .extract import Contact, Ticker, contacts_in, post_date, tickers_in

RISK_WEIGHT = {"high": 1.0, "medium": 0.6, "low": 0.3, "none": 0.0}
WEIGHTS = {"severity": 0.35, "breadth": 0.20, "reach": 0.20, "channels": 0.10, "push": 0.15}
#: Exact betweenness up to this many nodes in a component; above it, estimated from this many
#: sampled source nodes (fixed seed), which keeps a 2,000-post component to seconds.
EXACT_CENTRALITY_NODES = 400
SAMPLED_SOURCES = 64


@dataclass
class Post:
    """One post's part in the map: what it gives and pushes, and its page in the HTML report."""

    path: str
    risk: str
    categories: dict[str, int]
    contacts: list[Contact]
    tickers: list[Ticker]
    date: str | None = None

    @property
    def page(self) -> str:
        return page_name(self.path)


@dataclass
class ContactPoint:
    """A contact point across a cluster: the posts that give it and every spelling seen."""

    kind: str
    value: str
    links: bool
    posts: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    centrality: float = 0.0

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.value

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "links": self.links, "posts": self.posts,
                "seen": self.seen, "centrality": round(self.centrality, 4)}


@dataclass
class Cluster:
    id: str
    posts: list[Post]
    contacts: list[ContactPoint]
    tickers: list[tuple[Ticker, int]]
    categories: dict[str, int]
    risk: int
    risk_parts: dict[str, float]
    graph: nx.Graph
    date_from: str | None = None
    date_to: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id, "risk": self.risk, "risk_parts": {k: round(v, 3) for k, v in self.risk_parts.items()},
            "posts": [{"path": p.path, "page": p.page, "risk": p.risk, "date": p.date} for p in self.posts],
            "contacts": [c.to_dict() for c in self.contacts],
            "tickers": [{"code": t.code, "name": t.name, "posts": n} for t, n in self.tickers],
            "categories": self.categories,
        }
        if self.date_from:
            data["dates"] = {"from": self.date_from, "to": self.date_to}
        return data


@dataclass
class PromoterMap:
    """Every cluster of a report folder, riskiest first, and how many posts were read."""

    clusters: list[Cluster]
    posts_read: int
    posts_with_contacts: int

    def to_dict(self) -> dict[str, Any]:
        return {"schema": 1, "posts_read": self.posts_read, "posts_with_contacts": self.posts_with_contacts,
                "clusters": [c.to_dict() for c in self.clusters]}


def read_post(result: dict[str, Any]) -> Post | None:
    """A stored result as a :class:`Post`; None for an unreadable input (an error result)."""
    if "error" in result or "findings" not in result:
        return None
    text, findings = result.get("text") or "", result["findings"]
    verdict = result.get("verdict", {})
    risk = verdict.get("risk", "none")
    if risk == "none":  # the rules judge it harmless (quoted warnings, news): it links nobody
        return Post(result["path"], risk, {}, [], [], post_date(text))
    return Post(result["path"], risk, dict(verdict.get("by_category", {})),
                contacts_in(text, findings), tickers_in(text, findings), post_date(text))


def risk_parts(posts: list[Post], categories: Counter[str], linking: int, pushes: bool) -> dict[str, float]:
    return {
        "severity": sum(RISK_WEIGHT.get(p.risk, 0.0) for p in posts) / len(posts),
        "breadth": min(1.0, len(categories) / 6),
        "reach": min(1.0, math.log(1 + len(posts)) / math.log(11)),
        "channels": min(1.0, linking / 5),
        "push": 1.0 if pushes else 0.0,
    }


def risk_score(parts: dict[str, float]) -> int:
    return round(100 * sum(WEIGHTS[k] * v for k, v in parts.items()))


def _centrality(graph: nx.Graph) -> dict[Any, float]:
    if graph.number_of_nodes() <= 2:
        return dict.fromkeys(graph.nodes, 0.0)
    k = None if graph.number_of_nodes() <= EXACT_CENTRALITY_NODES else SAMPLED_SOURCES
    return nx.betweenness_centrality(graph, k=k, seed=0)


def _cluster(posts: list[Post], graph: nx.Graph) -> Cluster:
    points: dict[tuple[str, str], ContactPoint] = {}
    for post in posts:
        for c in post.contacts:
            point = points.setdefault((c.kind, c.value), ContactPoint(c.kind, c.value, c.links))
            if post.path not in point.posts:
                point.posts.append(post.path)
            if c.raw not in point.seen:
                point.seen.append(c.raw)
    centrality = _centrality(graph)
    for point in points.values():
        point.centrality = centrality.get(("c", *point.key), 0.0)
    ranked = sorted(points.values(), key=lambda p: (not p.links, -len(p.posts), -p.centrality, p.kind, p.value))
    tickers: Counter[str] = Counter()
    names: dict[str, Ticker] = {}
    categories: Counter[str] = Counter()
    for post in posts:
        categories.update(post.categories)
        for t in post.tickers:
            tickers[t.key] += 1
            names.setdefault(t.key, t)
    parts = risk_parts(posts, categories, sum(p.links for p in ranked), bool(tickers))
    dates = sorted(p.date for p in posts if p.date)
    return Cluster("", posts, ranked, [(names[k], n) for k, n in tickers.most_common()],
                   dict(categories.most_common()), risk_score(parts), parts, graph,
                   dates[0] if dates else None, dates[-1] if dates else None)


def build_map(results: list[dict[str, Any]]) -> PromoterMap:
    """Clusters of the posts in ``results`` (a report folder's stored results) that give contact points."""
    read = [p for p in map(read_post, results) if p is not None]
    posts = {p.path: p for p in read if p.contacts}
    graph = nx.Graph()
    for post in posts.values():
        graph.add_node(("p", post.path))
        for c in post.contacts:
            if c.links:
                graph.add_edge(("p", post.path), ("c", c.kind, c.value))
    clusters = []
    for component in nx.connected_components(graph):
        members = sorted(n[1] for n in component if n[0] == "p")
        clusters.append(_cluster([posts[m] for m in members], graph.subgraph(component).copy()))
    clusters.sort(key=lambda c: (-c.risk, -len(c.posts), c.posts[0].path))
    for n, cluster in enumerate(clusters, 1):
        cluster.id = f"C{n}"
    return PromoterMap(clusters, len(read), len(posts))
