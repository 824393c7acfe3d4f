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
from itertools import chain
from dataclasses import asdict, dataclass, field

from .document import Document
from .anchors import windows
from .rulepack import CATEGORIES, NEGATION_WINDOW, SEVERITY_RANK, Pattern, Rule, RulePack

_CLAUSE_BREAKS = set(",，。!！?？;；:：\n")


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


@dataclass(frozen=True)
class _Hit:
    rule: Rule
    start: int  # original offsets
    end: int
    gloss: str


def _negated(rule_text: str, start: int, negation) -> bool:
    """A negation word just before the hit, within its own clause (不保本, 并非稳赚)."""
    window = rule_text[max(0, start - NEGATION_WINDOW) : start]
    for i in range(len(window) - 1, -1, -1):
        if window[i] in _CLAUSE_BREAKS:
            window = window[i + 1 :]
            break
    return bool(window) and negation.search(window) is not None


def _spans(pattern: Pattern, text: str, anchors: list[tuple[int, str]] | None, glossary: dict[str, str]):
    """(start, end, gloss) of every match of ``pattern`` in normalised ``text``."""
    if pattern.literal and anchors is not None:
        # The same leftmost-longest, non-overlapping hits the regex would give.
        spans, last_end = [], -1
        for at, word in sorted(anchors, key=lambda a: (a[0], -len(a[1]))):
            if at >= last_end:
                spans.append((at, at + len(word), pattern.keywords[word]))
                last_end = at + len(word)
        return spans
    if pattern.width is None or anchors is None:
        matches: Iterable[re.Match[str]] = pattern.regex.finditer(text)
    else:
        matches = chain.from_iterable(
            pattern.regex.finditer(text, pos, endpos) for pos, endpos in windows(anchors, pattern.width, len(text))
        )
    return [(m.start(), m.end(), pattern.gloss_for(m, glossary)) for m in matches if m.end() > m.start()]


def _all_hits(doc: Document, pack: RulePack) -> list[_Hit]:
    """Every place a rule fires in ``doc``, after its context conditions."""
    norm = doc.normalized
    text = norm.text
    anchored = pack.anchor_index.positions(text)
    negation = pack.negation
    found = []
    for key, (rule, pattern) in enumerate(pack.patterns):
        if pattern.anchors is not None and key not in anchored:
            continue
        for s, e, gloss in _spans(pattern, text, anchored.get(key), pack.glossary):
            if rule.negatable and negation is not None and _negated(text, s, negation):
                continue
            if rule.requires and not all(c.holds(text, s, e) for c in rule.requires):
                continue
            if rule.unless and any(c.holds(text, s, e) for c in rule.unless):
                continue
            start, end = norm.span_to_original(s, e)
            found.append(_Hit(rule, start, end, gloss))
    return found


def _finding_id(doc: Document, rule_id: str, start: int, end: int) -> str:
    """Stable across re-runs: same text, same rule, same place, same id."""
    return hashlib.sha256(f"{doc.digest}:{rule_id}:{start}:{end}".encode()).hexdigest()[:16]


def _merge(doc: Document, group: list[_Hit]) -> Finding:
    if len(group) == 1:
        lead = group[0]
        start, end, glosses = lead.start, lead.end, [lead.gloss] if lead.gloss else []
    else:
        lead = max(group, key=lambda h: (SEVERITY_RANK[h.rule.severity], -(h.start)))
        start, end = min(h.start for h in group), max(h.end for h in group)
        # A hit inside a longer hit says less about the same words: keep the longer one's gloss.
        outer = [h for h in group if not any(o is not h and o.start <= h.start and h.end <= o.end
                                             and (o.end - o.start) > (h.end - h.start) for o in group)]
        glosses = list(dict.fromkeys(h.gloss for h in sorted(outer, key=lambda h: h.start) if h.gloss))
    context = doc.sentence_around(start, end)
    line, column = doc.line_col(start)
    return Finding(
        rule_id=lead.rule.id,
        category=lead.rule.category,
        severity=lead.rule.severity,
        start=start,
        end=end,
        quote=doc.text[start:end],
        context=doc.text[context.start : context.end],
        message=lead.rule.message,
        explanation=lead.rule.explanation,
        gloss="; ".join(glosses),
        line=line,
        column=column,
        context_start=context.start,
        rule_ids=list(dict.fromkeys(h.rule.id for h in group)),
        id=_finding_id(doc, lead.rule.id, start, end),
    )


def find(doc: Document, pack: RulePack) -> list[Finding]:
    """All findings in ``doc``: overlapping hits of one category merged, sorted by offset."""
    by_category: dict[str, list[_Hit]] = {}
    for hit in _all_hits(doc, pack):
        by_category.setdefault(hit.rule.category, []).append(hit)
    findings = []
    for hits in by_category.values():
        hits.sort(key=lambda h: (h.start, h.end))
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

