"""Scoring the rule layer against a labelled corpus (``finflag eval``).

Labels live in YAML next to the posts (format in README): for each
document, the findings a reviewer expects (category + quoted evidence) and
"clean" spans that must never be flagged. A finding counts as correct when
it overlaps an expected quote of the same category.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .rules.findings import Finding
from .input.ingest import InputError, Source, load_document
from .pipeline import FlagOptions, flag_document
from .rules.pack import RulePack


class LabelError(ValueError):
    pass


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


@dataclass
class Evaluation:
    #: Per category: the pack's categories that have rules, in pack order, then any other labelled one.
    scores: dict[str, CategoryScore] = field(default_factory=dict)
    false_positives: list[Miss] = field(default_factory=list)
    false_negatives: list[Miss] = field(default_factory=list)
    clean_violations: list[Miss] = field(default_factory=list)
    documents: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> CategoryScore:
        total = CategoryScore()
        for s in self.scores.values():
            total.labels += s.labels
            total.findings += s.findings
            total.tp_labels += s.tp_labels
            total.tp_findings += s.tp_findings
        return total


def _locate(text: str, quote: str, occurrence: int, where: str) -> tuple[int, int]:
    at = -1
    for _ in range(occurrence):
        at = text.find(quote, at + 1)
        if at < 0:
            raise LabelError(f"{where}: quote {quote!r} (occurrence {occurrence}) is not in the text")
    return at, at + len(quote)


def load_labels(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LabelError(f"{path}: {exc}") from None
    docs = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(docs, list):
        raise LabelError(f"{path}: expected a mapping with a 'documents:' list")
    return docs


def _overlaps(f: Finding, span: tuple[int, int]) -> bool:
    return f.start < span[1] and span[0] < f.end


def evaluate(labels_path: Path, pack: RulePack, options: FlagOptions | None = None) -> Evaluation:
    """Run the rules over every labelled document and score them."""
    with_rules = {rule.category for rule in pack.rules}
    result = Evaluation({c: CategoryScore() for c in pack.categories if c in with_rules})
    base = Path(labels_path).parent
    for entry in load_labels(labels_path):
        where = f"{labels_path}: {entry.get('path')}"
        try:
            doc = load_document(Source(str(base / entry["path"])), entry.get("encoding"))
        except (InputError, KeyError) as exc:
            result.errors.append(f"{where}: {exc}")
            continue
        findings = flag_document(doc, pack, options).findings
        result.documents += 1
        expected = []
        for label in entry.get("expected") or ():
            if label.get("category") not in pack.categories:
                raise LabelError(f"{where}: unknown category {label.get('category')!r}")
            span = _locate(doc.text, str(label["quote"]), int(label.get("occurrence", 1)), where)
            expected.append((label["category"], span, str(label["quote"])))
        for category, span, quote in expected:
            score = result.scores.setdefault(category, CategoryScore())
            score.labels += 1
            if any(f.category == category and _overlaps(f, span) for f in findings):
                score.tp_labels += 1
            else:
                result.false_negatives.append(Miss(doc.path, category, quote, doc.line_col(span[0])[0]))
        for f in findings:
            score = result.scores[f.category]
            score.findings += 1
            if any(c == f.category and _overlaps(f, span) for c, span, _ in expected):
                score.tp_findings += 1
            else:
                result.false_positives.append(Miss(doc.path, f.category, f.quote, f.line, f.rule_id))
        for clean in entry.get("clean") or ():
            span = _locate(doc.text, str(clean), 1, where)
            for f in findings:
                if _overlaps(f, span):
                    result.clean_violations.append(Miss(doc.path, f.category, f.quote, f.line, f.rule_id))
    return result


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def format_evaluation(ev: Evaluation) -> str:
    rows = [f"{'category':<18} {'labels':>6} {'found':>6} {'TP':>4} {'FP':>4} {'FN':>4}   P     R     F1"]
    for category, s in list(ev.scores.items()) + [("ALL (micro)", ev.total)]:
        if category == "ALL (micro)":
            rows.append("-" * len(rows[0]))
        rows.append(
            f"{category:<18} {s.labels:>6} {s.findings:>6} {s.tp_labels:>4} {s.findings - s.tp_findings:>4} "
            f"{s.labels - s.tp_labels:>4}  {_pct(s.precision)}  {_pct(s.recall)}  {_pct(s.f1)}"
        )
    rows.append(f"\n{ev.documents} documents scored.")
    for title, misses in (
        ("False positives", ev.false_positives),
        ("Missed (false negatives)", ev.false_negatives),
        ("Clean spans flagged", ev.clean_violations),
    ):
        rows.append(f"{title}: {len(misses)}")
        rows += [f"  {m.path}:{m.line}  {m.category}  «{m.quote}»  {m.rule_id}".rstrip() for m in misses]
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
        "false_positives": [m.__dict__ for m in ev.false_positives],
        "false_negatives": [m.__dict__ for m in ev.false_negatives],
        "clean_violations": [m.__dict__ for m in ev.clean_violations],
        "errors": ev.errors,
    }
