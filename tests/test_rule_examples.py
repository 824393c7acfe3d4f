"""Every rule's own examples: a rule cannot ship without tests.

The examples live in the rule pack (YAML); :mod:`finflag.rules.testing`
runs them (as ``finflag rules test`` does), one test case per rule, so a
failure names the rule and each failing snippet with its reason.
"""

from __future__ import annotations

import pytest

from finflag.rules.pack import load_packs
from finflag.rules.testing import PackReport, check_rule, format_report

_PACK = load_packs()


@pytest.mark.parametrize("rule", _PACK.rules, ids=lambda rule: rule.id)
def test_rule_passes_its_own_examples(rule):
    report = check_rule(_PACK, rule)
    assert report.passed, format_report(PackReport(_PACK.fingerprint, [report]))
    assert report.examples == len(rule.examples_match) + len(rule.examples_no_match) + len(rule.todo_match)


def test_every_rule_has_counter_examples():
    missing = [r.id for r in _PACK.rules if not r.examples_no_match]
    assert not missing, f"rules without no_match examples: {missing}"


def test_every_category_has_a_rule_but_those_declared_ahead_of_their_rules():
    without_rules = set(_PACK.categories) - {r.category for r in _PACK.rules}
    assert without_rules <= {"impersonation", "profit_sharing", "free_bait", "platform_funnel"}
