"""Running a rule pack over a document: findings with evidence, and a verdict.

Matching happens on the normalised text; every hit is mapped back to the
original before it becomes a :class:`Finding`, so ``doc.text[start:end]``
is always exactly the quote a reviewer sees.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import chain
from typing import NamedTuple

from .document import Document
from .anchors import windows
from .rulepack import CATEGORIES, NEGATION_WINDOW, SEVERITY_RANK, Rule, RulePack

@dataclass
class Finding:
    rule_id: str
    category: str
    severity: str
    start: int
    end: int
    quote: str
    context: str
    message: str
    explanation: str
    gloss: str
    line: int = 0
    column: int = 0
    context_start: int = -1  # offset of ``context`` in the text; -1 in results written before it existed
    rule_ids: list[str] = field(default_factory=list)
    id: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class _Hit(NamedTuple):
    """A rule hit before merging, in original offsets.

    A tuple so hits sort by (start, end, order) at C speed; ``order`` is the
    hit's place in pattern order, so ties sort as the pack lists its rules.
    """

    start: int
    end: int
    order: int
    rule: Rule
    gloss: str


def _leftmost_longest(anchor: tuple[int, int]) -> tuple[int, int]:
    return anchor[0], -anchor[1]


def _spans(pack: RulePack, key: int, text: str, anchors: list[tuple[int, int]] | None) -> list[tuple[int, int, str]]:
    """(start, end, gloss) of every match of pattern ``key`` in normalised ``text``."""
    pattern = pack.patterns[key][1]
    keywords = pattern.keywords
    if pattern.literal and anchors is not None:
        # The same leftmost-longest, non-overlapping hits the regex would give.
        spans, last_end = [], -1
        for at, end in sorted(anchors, key=_leftmost_longest):
            if at >= last_end:
                spans.append((at, end, keywords[text[at:end]]))
                last_end = end
        return spans
    regex = pattern.regex
    if pattern.reach is None or anchors is None:
        matches: Iterable[re.Match[str]] = regex.finditer(text)
    elif len(anchors) == 1:
        (start, end), (before, after) = anchors[0], pattern.reach
        matches = regex.finditer(text, start - before if start > before else 0, end + after)
    else:
        matches = chain.from_iterable(
            regex.finditer(text, pos, endpos) for pos, endpos in windows(anchors, pattern.reach, len(text))
        )
    if keywords:
        return [(m.start(), m.end(), keywords.get(m.group(0), "")) for m in matches if m.end() > m.start()]
    if "{" in pattern.gloss:
        return [(m.start(), m.end(), pack.template_gloss(key, m)) for m in matches if m.end() > m.start()]
    gloss = pattern.gloss
    return [(m.start(), m.end(), gloss) for m in matches if m.end() > m.start()]


def _all_hits(doc: Document, pack: RulePack) -> list[_Hit]:
    """Every place a rule fires in ``doc``, after its context conditions."""
    norm = doc.normalized
    text = norm.text
    anchored = pack.anchor_index.positions(text)
    keys = sorted([*anchored, *pack.unanchored_keys])
    patterns = pack.patterns
    negation, window = pack.negation_in_clause, NEGATION_WINDOW
    to_original = norm.span_to_original if norm.deleted_before else None
    found: list[_Hit] = []
    for key in keys:
        rule = patterns[key][0]
        for s, e, gloss in _spans(pack, key, text, anchored.get(key)):
            # A negation just before the hit, within its own clause (不保本, 并非稳赚).
            if rule.negatable and negation is not None and negation.search(text[max(0, s - window) : s]):
                continue
            if rule.requires and not all(c.holds(text, s, e) for c in rule.requires):
                continue
            if rule.unless and any(c.holds(text, s, e) for c in rule.unless):
                continue
            if to_original is not None:
                s, e = to_original(s, e)
            found.append(_Hit(s, e, len(found), rule, gloss))
    return found


def _finding_id(doc: Document, rule_id: str, start: int, end: int) -> str:
    """Stable across re-runs: same text, same rule, same place, same id."""
    return hashlib.sha256(f"{doc.digest}:{rule_id}:{start}:{end}".encode()).hexdigest()[:16]


def _merge(doc: Document, group: list[_Hit]) -> Finding:
    if len(group) == 1:
        start, end, _, lead, gloss = group[0]
        rule_ids = [lead.id]
    else:
        # The most severe rule leads; among equals, the earliest hit.
        lead = max(group, key=lambda h: (SEVERITY_RANK[h.rule.severity], -h.start)).rule
        start, end = group[0].start, max(h.end for h in group)  # the group is sorted by start
        # A hit inside a longer hit says less about the same words: keep the longer one's gloss.
        outer = [h for h in group if not any(o is not h and o.start <= h.start and h.end <= o.end
                                             and (o.end - o.start) > (h.end - h.start) for o in group)]
        gloss = "; ".join(dict.fromkeys(h.gloss for h in outer if h.gloss))
        rule_ids = list(dict.fromkeys(h.rule.id for h in group))
    line, column, context_start, context_end = doc.locate(start, end)
    text = doc.text
    # Positional, in field order: this runs once per finding and keywords cost a third of it.
    return Finding(
        lead.id, lead.category, lead.severity, start, end, text[start:end], text[context_start:context_end],
        lead.message, lead.explanation, gloss, line, column, context_start, rule_ids,
        _finding_id(doc, lead.id, start, end),
    )


def find(doc: Document, pack: RulePack) -> list[Finding]:
    """All findings in ``doc``: overlapping hits of one category merged, sorted by offset."""
    by_category: dict[str, list[_Hit]] = {}
    for hit in _all_hits(doc, pack):
        category = hit.rule.category
        if category in by_category:
            by_category[category].append(hit)
        else:
            by_category[category] = [hit]
    findings = []
    for hits in by_category.values():
        hits.sort()  # by start, end, then pack order (the order numbers are unique)
        group = [hits[0]]
        group_end = hits[0].end
        for hit in hits[1:]:
            if hit.start <= group_end:  # overlapping or touching: one claim (扫码 + 加群)
                group.append(hit)
                group_end = max(group_end, hit.end)
            else:
                findings.append(_merge(doc, group))
                group, group_end = [hit], hit.end
        findings.append(_merge(doc, group))
    findings.sort(key=lambda f: (f.start, f.end, f.category))
    return findings


def verdict(findings: list[Finding]) -> dict[str, object]:
    """Counts per category and severity, and a risk level a reviewer can sort on.

    ``high``: an error-level claim in a post flagged in three or more
    categories, or three error-level claims; ``medium``: any error, or warnings in two
    categories; ``low``: anything else flagged; ``none``: nothing flagged.
    """
    by_category = Counter(f.category for f in findings)
    by_severity = Counter(f.severity for f in findings)
    errors = by_severity.get("error", 0)
    warn_categories = {f.category for f in findings if f.severity == "warning"}
    if (errors and len(by_category) >= 3) or errors >= 3:
        risk = "high"
    elif errors or len(warn_categories) >= 2:
        risk = "medium"
    elif findings:
        risk = "low"
    else:
        risk = "none"
    return {
        "risk": risk,
        "findings": len(findings),
        "by_category": {c: by_category[c] for c in CATEGORIES if by_category.get(c)},
        "by_severity": {s: by_severity[s] for s in ("error", "warning", "info") if by_severity.get(s)},
    }


def at_or_above(findings: list[Finding], severity: str) -> list[Finding]:
    floor = SEVERITY_RANK[severity]
    return [f for f in findings if SEVERITY_RANK[f.severity] >= floor]

