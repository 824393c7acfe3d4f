"""Leave one source out (``finflag eval --loso``): does what was tuned on a source hold elsewhere?

For each labelled source S (guba, sms, samples ...) the figure is recall on S
measured twice:

- *in-source*: with everything, including what was written or trained on S;
- *left out*: for the rule pack, only the rules whose recorded ``origin``
  (``rules/default/origins.yaml``, :mod:`finflag.rule_origins`) does not
  include S; a rule with no recorded origin is left out of every such run,
  so an unrecorded rule can only widen the gap. For the learned scorer the
  experiment is literal: retrained without S's posts
  (:mod:`finflag.scorer_training`, numpy), measured on S.

The gap (in-source minus left out) is what a source's own tuning buys; a
rule that only helps the source it was written from shows up there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .document import Document
from .evaluate import evaluate_documents
from .labels import LabelledDoc
from .pipeline import FlagOptions, flag_document
from .rules.findings import Finding
from .rules.pack import RulePack
from .rules.voice import assign_voice

#: A source with fewer expected claims is reported, but the scorer is not retrained for it (seconds each).
SCORER_MIN_CLAIMS = 20


@dataclass
class LosoRow:
    source: str
    claims: int
    in_source: int  # claims found with everything
    left_out: int  # claims found without what was tuned on the source
    rules_kept: int
    scorer_in_source: int | None = None
    scorer_left_out: int | None = None

    @staticmethod
    def _recall(found: int | None, claims: int) -> float | None:
        return None if found is None or not claims else found / claims

    @property
    def gap(self) -> float | None:
        a, b = self._recall(self.in_source, self.claims), self._recall(self.left_out, self.claims)
        return None if a is None or b is None else a - b

    @property
    def scorer_gap(self) -> float | None:
        a, b = self._recall(self.scorer_in_source, self.claims), self._recall(self.scorer_left_out, self.claims)
        return None if a is None or b is None else a - b


def pack_without(pack: RulePack, source: str) -> RulePack:
    """``pack`` with only the rules whose recorded origin leaves ``source`` out (unrecorded rules go too)."""
    rules = [rule for rule in pack.rules if rule.origin and source not in rule.origin]
    return replace(pack, rules=rules, _gloss_cache={})


def _found(docs: Sequence[LabelledDoc], pack: RulePack, findings_of: Callable[[Document], list[Finding]]) -> int:
    return evaluate_documents(docs, pack, findings_of).total.tp_labels


def _pack_found(docs: Sequence[LabelledDoc], pack: RulePack) -> int:
    """Claims the pack alone finds, as ``finflag eval`` scores them (the author's voice only)."""
    only_pack = FlagOptions(sources=("pack",))
    return _found(docs, pack, lambda doc: flag_document(doc, pack, only_pack).findings)


def loso(docs: Sequence[LabelledDoc], pack: RulePack, scorer: bool = False,
         progress: Callable[[str], None] = lambda message: None) -> list[LosoRow]:
    """A row per source with expected claims, in name order; scorer columns when ``scorer`` (needs numpy)."""
    rows = []
    by_source: dict[str, list[LabelledDoc]] = {}
    for d in docs:
        by_source.setdefault(d.source, []).append(d)
    for source in sorted(by_source):
        held = by_source[source]
        claims = sum(len(d.expected) for d in held)
        if not claims:
            continue
        without = pack_without(pack, source)
        progress(f"leave out {source}: {len(without.rules)} of {len(pack.rules)} rules")
        row = LosoRow(source, claims, _pack_found(held, pack), _pack_found(held, without), len(without.rules))
        if scorer and claims >= SCORER_MIN_CLAIMS:
            row.scorer_in_source, row.scorer_left_out = _scorer_figures(docs, held, source, pack, progress)
        rows.append(row)
    return rows


def _scorer_figures(docs: Sequence[LabelledDoc], held: Sequence[LabelledDoc], source: str, pack: RulePack,
                    progress: Callable[[str], None]) -> tuple[int, int]:
    """Claims of ``source`` the shipped scorer finds, and those a scorer trained without it finds."""
    from .rules.scorer import Scorer, default_scorer
    from .scorer_training import Settings, train

    shipped = default_scorer()
    progress(f"leave out {source}: training the scorer on the other sources")
    retrained = Scorer(train([d for d in docs if d.source != source], Settings()))
    return (_found(held, pack, lambda doc: assign_voice(doc, shipped.find(doc, pack), pack)),
            _found(held, pack, lambda doc: assign_voice(doc, retrained.find(doc, pack), pack)))


def _cell(found: int | None, claims: int) -> str:
    return "     -     " if found is None else f"{found / claims:4.2f} ({found})".ljust(11)


def _gap(value: float | None) -> str:
    return "   -" if value is None else f"{value:+5.2f}"


def format_loso(rows: Sequence[LosoRow], pack: RulePack) -> str:
    """The table ``finflag eval --loso`` prints."""
    unrecorded = sum(1 for rule in pack.rules if not rule.origin)
    scorer = any(r.scorer_in_source is not None for r in rows)
    head = f"  {'source':<10} {'claims':>6}  {'in-source':<11} {'left out':<11} {'gap':>5}  rules kept"
    if scorer:
        head += f"   scorer: {'in-source':<11} {'left out':<11} {'gap':>5}"
    lines = ["\nLeave one source out (recall on a source: with everything / without what was tuned on it; "
             "gap = in-source - left out):", head]
    for r in rows:
        line = (f"  {r.source:<10} {r.claims:>6}  {_cell(r.in_source, r.claims)} {_cell(r.left_out, r.claims)} "
                f"{_gap(r.gap)}  {r.rules_kept}/{len(pack.rules)}")
        if scorer:
            line += (f"           {_cell(r.scorer_in_source, r.claims)} {_cell(r.scorer_left_out, r.claims)} "
                     f"{_gap(r.scorer_gap)}")
        lines.append(line)
    if unrecorded:
        lines.append(f"  {unrecorded} rule(s) have no recorded origin and are left out of every run "
                     "(python -m finflag.rule_origins --write records them)")
    return "\n".join(lines)


def loso_dict(rows: Sequence[LosoRow]) -> list[dict[str, Any]]:
    return [{"source": r.source, "claims": r.claims, "in_source": r.in_source, "left_out": r.left_out,
             "gap": r.gap, "rules_kept": r.rules_kept, "scorer_in_source": r.scorer_in_source,
             "scorer_left_out": r.scorer_left_out, "scorer_gap": r.scorer_gap} for r in rows]
