"""Every rule's own examples: a rule cannot ship without tests.

The examples live in the rule pack (YAML); this file turns each into a
test case so a failure names the rule and the snippet.
"""

from __future__ import annotations

import dataclasses

import pytest

from finflag.rules.findings import find
from finflag.rules.pack import load_packs

from .conftest import make_doc

_PACK = load_packs()


def _only(rule):
    return dataclasses.replace(_PACK, rules=[rule])


def _cases(kind):
    for rule in _PACK.rules:
        examples = rule.examples_match if kind == "match" else rule.examples_no_match
        for n, example in enumerate(examples):
            yield pytest.param(rule, example, id=f"{rule.id}-{kind}-{n}")


@pytest.mark.parametrize("rule,example", list(_cases("match")))
def test_rule_matches_its_examples(rule, example):
    text = example["text"] if isinstance(example, dict) else example
    findings = find(make_doc(text), _only(rule))
    assert findings, f"{rule.id} did not fire on: {text}"
    for f in findings:
        assert text[f.start : f.end] == f.quote
        assert f.rule_id == rule.id and f.category == rule.category
    if isinstance(example, dict):
        quotes = {f.quote: f for f in findings}
        if "quote" in example:
            assert example["quote"] in quotes, f"{rule.id}: expected quote {example['quote']!r}, got {list(quotes)}"
            if "gloss" in example:
                assert quotes[example["quote"]].gloss == example["gloss"]


@pytest.mark.parametrize("rule,example", list(_cases("no_match")))
def test_rule_ignores_its_counter_examples(rule, example):
    findings = find(make_doc(example), _only(rule))
    assert not findings, f"{rule.id} fired on counter-example {example!r}: {[f.quote for f in findings]}"


def test_every_rule_has_counter_examples():
    missing = [r.id for r in _PACK.rules if not r.examples_no_match]
    assert not missing, f"rules without no_match examples: {missing}"


def test_every_category_has_a_rule_but_those_declared_ahead_of_their_rules():
    without_rules = set(_PACK.categories) - {r.category for r in _PACK.rules}
    assert without_rules <= {"impersonation", "profit_sharing", "free_bait", "platform_funnel"}
