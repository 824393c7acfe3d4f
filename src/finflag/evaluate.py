"""Scoring the rule layer against labelled posts (``finflag eval``).

Labels (read by :mod:`finflag.labels`) give, for each post, the claims a
reviewer expects (category + quoted evidence) and spans that must never be
flagged. A finding counts as correct when it overlaps an expected quote of
the same category. Figures are reported per category and per source, the
way the team reports its held-out sets: claims found, and posts with a
finding among promotional and other posts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .document import Document
from .labels import LabelError, LabelledDoc, load_label_set
from .pipeline import FlagOptions, flag_document
from .rules.findings import Finding
from .rules.pack import RulePack


@dataclass
class Miss:
    path: str
    category: str
    quote: str
    line: int
    rule_id: str = ""


@dataclass
class CategoryScore:
    labels: int = 0  # expected claims of this category
    findings: int = 0
    tp_labels: int = 0
    tp_findings: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp_findings / self.findings if self.findings else None

    @property
    def recall(self) -> float | None:
        return self.tp_labels / self.labels if self.labels else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)

    def add(self, other: "CategoryScore") -> None:
        self.labels += other.labels
        self.findings += other.findings
        self.tp_labels += other.tp_labels
        self.tp_findings += other.tp_findings


@dataclass
class SourceScore:
    """One source's figures, as the team reports its held-out sets.

    ``claims`` counts a label found when a finding of its category overlaps it;
    ``any_category`` when any finding overlaps it. A post is promotional when it
    has expected claims; every other post (clean, news, warning) should have none.
    """

    claims: CategoryScore = field(default_factory=CategoryScore)
    any_category: int = 0
    promo_posts: int = 0
    promo_posts_flagged: int = 0
    other_posts: int = 0
    other_posts_flagged: int = 0
    warnings: int = 0
    warnings_flagged: int = 0  # warnings with an author finding, i.e. a verdict other than none
    quoted: int = 0  # findings reported as quoted (voice), not scored


@dataclass
class Evaluation:
    #: Per category: the pack's categories that have rules, in pack order, then any other labelled one.
    scores: dict[str, CategoryScore] = field(default_factory=dict)
    sources: dict[str, SourceScore] = field(default_factory=dict)
    false_positives: list[Miss] = field(default_factory=list)
    false_negatives: list[Miss] = field(default_factory=list)
    clean_violations: list[Miss] = field(default_factory=list)
    documents: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> CategoryScore:
        total = CategoryScore()
        for s in self.scores.values():
            total.add(s)
        return total


def _overlaps(f: Finding, start: int, end: int) -> bool:
    return f.start < end and start < f.end


def _score(labelled: LabelledDoc, all_findings: list[Finding], result: Evaluation) -> None:
    """Only the author's claims are scored; slogans a warning quotes are counted apart."""
    doc, source = labelled.doc, result.sources.setdefault(labelled.source, SourceScore())
    findings = [f for f in all_findings if f.voice == "author"]
    source.quoted += len(all_findings) - len(findings)
    for label in labelled.expected:
        score = result.scores.setdefault(label.category, CategoryScore())
        score.labels += 1
        source.claims.labels += 1
        overlapping = [f for f in findings if _overlaps(f, label.start, label.end)]
        source.any_category += bool(overlapping)
        if any(f.category == label.category for f in overlapping):
            score.tp_labels += 1
            source.claims.tp_labels += 1
        else:
            result.false_negatives.append(Miss(doc.path, label.category, label.quote, doc.line_col(label.start)[0]))
    for f in findings:
        result.scores.setdefault(f.category, CategoryScore()).findings += 1
        source.claims.findings += 1
        if any(label.category == f.category and _overlaps(f, label.start, label.end) for label in labelled.expected):
            result.scores[f.category].tp_findings += 1
            source.claims.tp_findings += 1
        else:
            result.false_positives.append(Miss(doc.path, f.category, f.quote, f.line, f.rule_id))
    for start, end in labelled.clean:
        result.clean_violations += [Miss(doc.path, f.category, f.quote, f.line, f.rule_id)
                                    for f in findings if _overlaps(f, start, end)]
    if labelled.promotional:
        source.promo_posts += 1
        source.promo_posts_flagged += bool(findings)
    else:
        source.other_posts += 1
        source.other_posts_flagged += bool(findings)
    if labelled.kind == "warning":
        source.warnings += 1
        source.warnings_flagged += bool(findings)


def evaluate(labels_path: Path, pack: RulePack, options: FlagOptions | None = None) -> Evaluation:
    """Run the rules over every labelled document and score them."""
    docs, errors = load_label_set(labels_path)
    return evaluate_documents(docs, pack, lambda doc: flag_document(doc, pack, options).findings, errors)


def evaluate_documents(docs: Iterable[LabelledDoc], pack: RulePack, findings_of: Callable[[Document], list[Finding]],
                       errors: Iterable[str] = ()) -> Evaluation:
    """Score ``findings_of`` each labelled document (the scorer's trainer scores held-out models this way)."""
    with_rules = {rule.category for rule in pack.rules}
    result = Evaluation({c: CategoryScore() for c in pack.categories if c in with_rules}, errors=list(errors))
    for labelled in docs:
        for label in labelled.expected + labelled.quoted:
            if label.category not in pack.categories:
                raise LabelError(f"{labelled.where}: unknown category {label.category!r}")
        result.documents += 1
        _score(labelled, findings_of(labelled.doc), result)
    return result


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole}" + (f" = {part / whole:.2f}" if whole else "")


def format_evaluation(ev: Evaluation, misses: int | None = None) -> str:
    """The report ``finflag eval`` prints; ``misses`` caps each list of misses (None: all)."""
    rows = [f"{'category':<18} {'labels':>6} {'found':>6} {'TP':>4} {'FP':>4} {'FN':>4}   P     R     F1"]
    for category, s in list(ev.scores.items()) + [("ALL (micro)", ev.total)]:
        if category == "ALL (micro)":
            rows.append("-" * len(rows[0]))
        rows.append(
            f"{category:<18} {s.labels:>6} {s.findings:>6} {s.tp_labels:>4} {s.findings - s.tp_findings:>4} "
            f"{s.labels - s.tp_labels:>4}  {_pct(s.precision)}  {_pct(s.recall)}  {_pct(s.f1)}"
        )
    rows.append(f"\n{ev.documents} documents scored.")
    if len(ev.sources) > 1 or any(s.other_posts for s in ev.sources.values()):
        rows.append("\nBy source (claims found: category must match / any category; posts with a finding):")
        for name, s in sorted(ev.sources.items()):
            c = s.claims
            line = (f"  {name:<10} claims {_ratio(c.tp_labels, c.labels)} (any category {_ratio(s.any_category, c.labels)}),"
                    f" precision {_pct(c.precision).strip()}; promotional posts flagged "
                    f"{_ratio(s.promo_posts_flagged, s.promo_posts)}, other posts flagged "
                    f"{_ratio(s.other_posts_flagged, s.other_posts)}")
            if s.warnings:
                line += f"; warnings with verdict none: {_ratio(s.warnings - s.warnings_flagged, s.warnings)}"
            if s.quoted:
                line += f"; {s.quoted} quoted findings (not scored)"
            rows.append(line)
    for title, found in (
        ("False positives", ev.false_positives),
        ("Missed (false negatives)", ev.false_negatives),
        ("Clean spans flagged", ev.clean_violations),
    ):
        rows.append(f"{title}: {len(found)}")
        shown = found if misses is None else found[:misses]
        rows += [f"  {m.path}:{m.line}  {m.category}  «{m.quote}»  {m.rule_id}".rstrip() for m in shown]
        if len(shown) < len(found):
            rows.append(f"  ... {len(found) - len(shown)} more (--misses N, or --format json for all)")
    rows += [f"error: {e}" for e in ev.errors]
    return "\n".join(rows)


def evaluation_dict(ev: Evaluation) -> dict[str, Any]:
    def score(s: CategoryScore) -> dict[str, Any]:
        return {"labels": s.labels, "findings": s.findings, "tp": s.tp_labels, "fp": s.findings - s.tp_findings,
                "fn": s.labels - s.tp_labels, "precision": s.precision, "recall": s.recall, "f1": s.f1}

    return {
        "documents": ev.documents,
        "categories": {c: score(s) for c, s in ev.scores.items()},
        "total": score(ev.total),
        "sources": {name: {"claims": score(s.claims), "found_any_category": s.any_category,
                           "promo_posts": s.promo_posts, "promo_posts_flagged": s.promo_posts_flagged,
                           "other_posts": s.other_posts, "other_posts_flagged": s.other_posts_flagged,
                           "warnings": s.warnings, "warnings_flagged": s.warnings_flagged,
                           "warnings_verdict_none": s.warnings - s.warnings_flagged,
                           "quoted_findings": s.quoted}
                    for name, s in sorted(ev.sources.items())},
        "false_positives": [m.__dict__ for m in ev.false_positives],
        "false_negatives": [m.__dict__ for m in ev.false_negatives],
        "clean_violations": [m.__dict__ for m in ev.clean_violations],
        "errors": ev.errors,
    }
