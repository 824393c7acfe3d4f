"""A pack's own examples run as tests (``finflag rules test``), like ``semgrep --test``.

Every rule carries its tests: each ``examples.match`` entry must give a
finding of that rule (with the entry's ``quote`` and ``gloss`` when it is a
mapping), each ``examples.no_match`` entry must give none, and each
``todo_match`` entry, a known miss, must give none either: one that starts
matching is reported as fixed, to be moved to ``match``. Each rule runs
alone, with its pack's markers, negation and glossary, so a failure is the
rule's own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..document import Document
from .findings import Finding, find
from .pack import Rule, RulePack, RulePackError, load_pack, load_packs

#: Exit codes of ``finflag rules test``.
ALL_PASSED, SOME_FAILED, BAD_PACK = 0, 1, 2


@dataclass(frozen=True)
class Failure:
    """One example that did not do what its rule says."""

    kind: str  # "match", "no_match" or "todo_match": the list the example is in
    text: str
    reason: str


@dataclass
class RuleReport:
    rule_id: str
    source: str
    examples: int = 0
    failures: list[Failure] = field(default_factory=list)
    #: ``todo_match`` entries still missed, as they should be.
    todo: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class PackReport:
    pack: str
    rules: list[RuleReport]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rules)

    @property
    def failed(self) -> list[RuleReport]:
        return [r for r in self.rules if not r.passed]


def _quotes(findings: list[Finding]) -> str:
    return ", ".join(f"«{f.quote}»" for f in findings)


def _match_failure(example: Any, findings: list[Finding]) -> str | None:
    """Why a ``match`` example failed, or None."""
    if not findings:
        return "did not fire"
    if not isinstance(example, dict):
        return None
    quoted = [f for f in findings if f.quote == example["quote"]] if "quote" in example else findings
    if not quoted:
        return f"expected quote «{example['quote']}», got {_quotes(findings)}"
    if "gloss" in example and all(f.gloss != example["gloss"] for f in quoted):
        got = ", ".join(f"{f.gloss!r} for «{f.quote}»" for f in quoted)
        return f"expected gloss {example['gloss']!r}, got {got}"
    return None


def check_rule(pack: RulePack, rule: Rule) -> RuleReport:
    """Run one rule's examples, the rule alone in ``pack``."""
    alone = dataclasses.replace(pack, rules=[rule], _gloss_cache={})
    report = RuleReport(rule.id, rule.source)

    def findings(text: str) -> list[Finding]:
        report.examples += 1
        return find(Document(f"<{rule.id} example>", text), alone)

    for example in rule.examples_match:
        text = example["text"] if isinstance(example, dict) else example
        reason = _match_failure(example, findings(text))
        if reason:
            report.failures.append(Failure("match", text, reason))
    for text in rule.examples_no_match:
        text = text["text"] if isinstance(text, dict) else text
        found = findings(text)
        if found:
            report.failures.append(Failure("no_match", text, f"fired on {_quotes(found)}"))
    for text in rule.todo_match:
        found = findings(text)
        if found:
            report.failures.append(Failure("todo_match", text, f"fires now on {_quotes(found)}: fixed, move it to match"))
        else:
            report.todo.append(text)
    return report


def check_rules(pack: RulePack, rules: Iterable[Rule] | None = None) -> PackReport:
    """Run the examples of ``rules`` (default: every rule of the pack)."""
    return PackReport(pack.fingerprint, [check_rule(pack, rule) for rule in (pack.rules if rules is None else rules)])


def load_for_testing(paths: Sequence[Path | str] = (), include_default: bool = True) -> tuple[RulePack, list[Rule]]:
    """The merged pack and the rules to test: those of ``paths``, or the default pack's when none.

    The given packs load on top of the default pack (unless
    ``include_default`` is false), so they may use its categories and
    markers; only their own rules are tested. Raises ``RulePackError``.
    """
    if not paths and not include_default:
        raise RulePackError("no rule packs: give a PACK_PATH or keep the default pack")
    if not paths:
        pack = load_packs()
        return pack, list(pack.rules)
    base = load_packs() if include_default else None
    pack = base
    for path in paths:
        pack = load_pack(Path(path), pack)
    assert pack is not None
    inherited = {id(rule) for rule in base.rules} if base else set()
    return pack, [rule for rule in pack.rules if id(rule) not in inherited]


def format_report(report: PackReport) -> str:
    """Text for a terminal: each failing example with its reason, the known misses, a count."""
    lines = []
    for rule in report.rules:
        if rule.failures:
            lines.append(f"FAIL {rule.rule_id}  ({rule.source})")
            lines += [f"  {f.kind}: {f.text}\n    -> {f.reason}" for f in rule.failures]
        lines += [f"todo {rule.rule_id}: {text}" for text in rule.todo]
    examples = sum(r.examples for r in report.rules)
    todo = sum(len(r.todo) for r in report.rules)
    failed = len(report.failed)
    lines.append(f"{report.pack}: {len(report.rules)} rules, {examples} examples: "
                 f"{len(report.rules) - failed} passed, {failed} failed, {todo} todo")
    return "\n".join(lines)


def run_tests(paths: Sequence[Path | str] = (), include_default: bool = True) -> tuple[int, str]:
    """``finflag rules test``: its exit code and its text (one line for a pack that cannot be loaded)."""
    try:
        pack, rules = load_for_testing(paths, include_default)
    except RulePackError as exc:
        return BAD_PACK, f"error: {exc}"
    report = check_rules(pack, rules)
    return (ALL_PASSED if report.passed else SOME_FAILED), format_report(report)
