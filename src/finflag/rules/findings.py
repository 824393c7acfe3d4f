"""Running a rule pack over a document: findings with evidence, and a verdict.

Matching happens on the normalised text; every hit is mapped back to the
original before it becomes a :class:`Finding`, so ``doc.text[start:end]``
is always exactly the quote a reviewer sees.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from operator import attrgetter

from ..document import Document
from .pack import NEGATION_WINDOW, SEVERITY_RANK, ConditionPlan, Rule, RulePack, at_least

@dataclass(slots=True)
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
    #: "author": the post's own claim; "quoted": scam language a warning repeats (see rules/voice.py).
    voice: str = "author"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


#: A hit's merge group: its category and its rule's scope ("" for none). Hits merge only within
#: one group, so a scoped rule's hits (``scope: promoter_page``) merge only with each other: the
#: scope step (voice.apply_scope) keeps or drops them whole, and never widens an unscoped finding.
_Group = tuple[str, str]
#: A rule hit before merging, in original offsets: ``(group, start, end, key, rule, gloss)``.
#: A plain tuple, so hits sort by group, start, end and then ``key`` (the pattern's
#: place in the pack: ties sort as the pack lists its rules) at C speed. No two hits of
#: one pattern share a start and an end, so the rule objects are never compared.
_Hit = tuple[_Group, int, int, int, Rule, str]


BY_POSITION = attrgetter("start", "end", "category")


#: Anchor positions by key (:meth:`finflag.rules.anchors.AnchorIndex.positions`).
Anchored = dict[int, list[tuple[int, int]]]


def _all_near(conditions: tuple[ConditionPlan, ...], anchored: Anchored, text: str, start: int, end: int) -> bool:
    """Whether every condition's regex occurs near ``[start, end)``.

    A condition whose literals occur nowhere in the text (its presence key,
    see ``RulePack.condition_anchors``, is not in ``anchored``) fails without
    a search. Loops rather than all()/any() over a generator, and no helper
    call: this runs for most hits.
    """
    for search, before, after, in_place, key in conditions:
        if key is not None and key not in anchored:
            return False
        lo = start - before if start > before else 0
        if (search(text, lo, end + after) if in_place else search(text[lo : end + after])) is None:
            return False
    return True


def _any_near(conditions: tuple[ConditionPlan, ...], anchored: Anchored, text: str, start: int, end: int) -> bool:
    """Whether any condition's regex occurs near ``[start, end)``, on the hit's own line.

    Conditions whose literals occur nowhere in the text are passed over
    without a search (most vetoes, in most posts); the line is found only
    once one is left to search.
    """
    line_start = -1
    for search, before, after, in_place, key in conditions:
        if key is not None and key not in anchored:
            continue
        if line_start < 0:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", end)
            if line_end < 0:
                line_end = len(text)
        lo = start - before if start - before > line_start else line_start
        hi = end + after if end + after < line_end else line_end
        if (search(text, lo, hi) if in_place else search(text[lo:hi])) is not None:
            return True
    return False


def _all_hits(doc: Document, pack: RulePack) -> list[_Hit]:
    """Every place a rule fires in ``doc``, after its context conditions."""
    norm = doc.normalized
    text = norm.text
    anchored = pack.anchor_index.positions(text)
    plans, finders = pack.plans, pack.finders
    negation = pack.negation_in_clause
    search_negation = negation.search if negation is not None else None
    negation_in_place = pack.negation_in_place
    window = NEGATION_WINDOW
    to_original = norm.span_to_original if norm.deleted_before else None
    found: list[_Hit] = []
    # Any order: the key goes into each hit, and hits are sorted before they are used.
    for key in (*anchored, *pack.unanchored_keys):
        if key < 0:  # co-anchors (see matching.co_key), looked up by their pattern's finder
            continue
        candidates = finders[key](text, anchored)
        if not candidates:
            continue
        plan = plans[key]
        rule, negatable, requires, unless = plan.rule, plan.negatable, plan.requires, plan.unless
        group = (rule.category, rule.scope)
        for s, e, gloss in candidates:
            # A negation just before the hit, within its own clause (不保本, 并非稳赚).
            if negatable:
                lo = s - window if s > window else 0
                if (search_negation(text, lo, s) if negation_in_place else search_negation(text[lo:s])) is not None:
                    continue
            if requires and not _all_near(requires, anchored, text, s, e):
                continue
            if unless and _any_near(unless, anchored, text, s, e):
                continue
            if to_original is not None:
                s, e = to_original(s, e)
            found.append((group, s, e, key, rule, gloss))
    return found


def finding_id(doc: Document, rule_id: str, start: int, end: int) -> str:
    """Stable across re-runs: same text, same rule, same place, same id."""
    return hashlib.sha256(f"{doc.digest}:{rule_id}:{start}:{end}".encode()).hexdigest()[:16]


def _finding(doc: Document, rule: Rule, start: int, end: int, gloss: str, rule_ids: list[str]) -> Finding:
    line, column, context_start, context_end = doc.locate(start, end)
    text = doc.text
    # Positional, in field order: this runs once per finding and keywords cost a third of it.
    return Finding(
        rule.id, rule.category, rule.severity, start, end, text[start:end], text[context_start:context_end],
        rule.message, rule.explanation, gloss, line, column, context_start, rule_ids,
        finding_id(doc, rule.id, start, end),
    )


def _merge(doc: Document, group: list[_Hit]) -> Finding:
    """One finding for overlapping hits of one category (sorted by start).

    The most severe rule leads (among equals, the earliest hit). A hit
    inside a longer hit says less about the same words, so only the glosses
    of hits no longer hit contains are kept. Plain loops: groups are small
    and generator set-up would cost more than the work.
    """
    lead, lead_rank, end = group[0][4], -1, group[0][2]
    glosses: list[str] = []
    rule_ids: list[str] = []
    for _, start, stop, _, rule, gloss in group:
        rank = SEVERITY_RANK[rule.severity]
        if rank > lead_rank:
            lead, lead_rank = rule, rank
        if stop > end:
            end = stop
        if rule.id not in rule_ids:
            rule_ids.append(rule.id)
        if gloss and gloss not in glosses:
            for other in group:
                if other[1] <= start and stop <= other[2] and other[2] - other[1] > stop - start:
                    break
            else:
                glosses.append(gloss)
    return _finding(doc, lead, group[0][1], end, "; ".join(glosses), rule_ids)


def find(doc: Document, pack: RulePack) -> list[Finding]:
    """All findings in ``doc``: overlapping hits of one category merged, sorted by offset."""
    hits = _all_hits(doc, pack)
    hits.sort()  # by merge group, start, end, then pack order (a pattern has one hit per span)
    findings = []
    count, i = len(hits), 0
    while i < count:
        group, start, end, _, rule, gloss = hits[i]
        j = i + 1
        # Overlapping or touching hits of one group are one claim (扫码 + 加群).
        while j < count and hits[j][1] <= end and hits[j][0] == group:
            if hits[j][2] > end:
                end = hits[j][2]
            j += 1
        if j == i + 1:
            findings.append(_finding(doc, rule, start, end, gloss, [rule.id]))
        else:
            findings.append(_merge(doc, hits[i:j]))
        i = j
    findings.sort(key=BY_POSITION)
    return findings


#: Risk points (see :func:`verdict`): an error-level claim weighs this many warnings.
RISK_POINTS_ERROR = 3
RISK_POINTS_MEDIUM = 3
RISK_POINTS_HIGH = 8


def verdict(findings: list[Finding], categories: Iterable[str]) -> dict[str, object]:
    """Counts per category and severity, and a risk level a reviewer can sort on.

    ``categories`` is the order to count categories in: the pack's
    (``pack.categories``); any other category found comes after them.
    Only the author's claims count towards the risk and the per-category
    counts; slogans a warning quotes (``voice: quoted``) are counted apart.

    Risk grows with the number and the diversity of claims. Each error-level
    claim weighs 3 points and each warning 1 (info: 0). ``high``: 8 points or
    more, three error-level claims, or an error in a post flagged in three or
    more categories; ``medium``: 3 points or more, any error, or warnings in two
    categories; ``low``: anything else flagged; ``none``: nothing flagged.
    """
    own = [f for f in findings if f.voice == "author"]
    by_category = Counter(f.category for f in own)
    rank = {category: n for n, category in enumerate(categories)}
    by_severity = Counter(f.severity for f in own)
    errors = by_severity.get("error", 0)
    warn_categories = {f.category for f in own if f.severity == "warning"}
    points = RISK_POINTS_ERROR * errors + by_severity.get("warning", 0)
    if (errors and len(by_category) >= 3) or errors >= 3 or points >= RISK_POINTS_HIGH:
        risk = "high"
    elif errors or len(warn_categories) >= 2 or points >= RISK_POINTS_MEDIUM:
        risk = "medium"
    elif own:
        risk = "low"
    else:
        risk = "none"
    return {
        "risk": risk,
        "findings": len(findings),
        "by_category": dict(sorted(by_category.items(), key=lambda item: rank.get(item[0], len(rank)))),
        "by_severity": {s: by_severity[s] for s in ("error", "warning", "info") if by_severity.get(s)},
        "quoted": len(findings) - len(own),
    }


def at_or_above(findings: list[Finding], severity: str) -> list[Finding]:
    return [f for f in findings if at_least(f.severity, severity)]

