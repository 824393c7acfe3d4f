"""Loading rule packs: validation messages a pack author can act on."""

from __future__ import annotations

import pytest

from finflag.document import Document
from finflag.rules.findings import find
from finflag.rules.pack import RulePackError, load_pack

RULE = """
rules:
  - id: t.rule
    category: hype
    severity: warning
    message: m
    explanation: e
    patterns: [{keywords: [必买]}]
    examples: {match: [必买]}
"""


def _pack(tmp_path, text):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "edit,message",
    [
        (lambda t: t.replace("hype", "puffery"), "category 'puffery'"),
        (lambda t: t.replace("warning", "fatal"), "severity must be"),
        (lambda t: t.replace("[{keywords: [必买]}]", "[{regex: '(unclosed'}]"), "bad regex"),
        (lambda t: t.replace("examples: {match: [必买]}", "examples: {}"), "examples.match"),
        (lambda t: t + "    colour: red\n", "unknown key"),
        (lambda t: t + RULE.split("rules:")[1], "defined twice"),
        (lambda t: t + "    requires: [{near: nobody}]\n", "unknown marker set"),
    ],
)
def test_pack_errors_name_the_rule_and_the_problem(tmp_path, edit, message):
    with pytest.raises(RulePackError, match=message):
        load_pack(_pack(tmp_path, edit(RULE)))


def test_not_yaml(tmp_path):
    with pytest.raises(RulePackError, match="not valid YAML"):
        load_pack(_pack(tmp_path, "rules: [\n"))


def test_negation_and_requires_conditions(tmp_path):
    text = RULE.replace("examples:", "requires: [{near: [我们], within: 5}]\n    examples:")
    text = "markers: {negation: [不]}\n" + text
    pack = load_pack(_pack(tmp_path, text))
    hits = lambda s: [f.quote for f in find(Document("<t>", s), pack)]  # noqa: E731
    assert hits("我们说必买") == ["必买"]
    assert hits("我们说不必买") == []           # negated
    assert hits("隔壁老王说这只必买") == []      # no first-person marker nearby


def test_keywords_match_case_sensitively_as_written(tmp_path):
    """The anchor pre-filter matches lower-cased text; a keyword with letters must still keep its case."""
    pack = load_pack(_pack(tmp_path, RULE.replace("[{keywords: [必买]}]", "[{keywords: [vip专享, 必买]}]")))
    hits = lambda s: [f.quote for f in find(Document("<t>", s), pack)]  # noqa: E731
    assert hits("本周vip专享，必买") == ["vip专享", "必买"]
    assert hits("本周VIP专享") == []
    assert [p.literal for p in pack.rules[0].patterns] == [False]  # so it goes through its regex


def test_negation_only_counts_within_the_hit_s_clause(tmp_path):
    pack = load_pack(_pack(tmp_path, "markers: {negation: [不]}\n" + RULE))
    hits = lambda s: [f.quote for f in find(Document("<t>", s), pack)]  # noqa: E731
    assert hits("不，必买") == ["必买"]  # the comma ends the negated clause
    assert hits("不必买") == []


def test_a_repeated_key_is_an_error_with_file_and_line(tmp_path):
    """YAML keeps the last of two equal keys; a pack author means one of them, so say which line repeats."""
    text = "glossary:\n  上车: get on board\n  入场: enter\n  上车: jump in\n" + RULE
    path = _pack(tmp_path, text)
    with pytest.raises(RulePackError, match=r"p\.yaml: line 4: duplicate key '上车' \(first at line 2\)"):
        load_pack(path)


def test_a_repeated_rule_key_is_an_error_too(tmp_path):
    text = RULE.replace("    severity: warning\n", "    severity: warning\n    severity: error\n")
    with pytest.raises(RulePackError, match=r"p\.yaml: line 6: duplicate key 'severity' \(first at line 5\)"):
        load_pack(_pack(tmp_path, text))


def test_the_same_key_in_different_mappings_is_fine(tmp_path):
    text = "glossary: {月: month}\nmarkers: {月: [月]}\n" + RULE
    assert load_pack(_pack(tmp_path, text)).glossary == {"月": "month"}


def test_the_default_pack_has_no_repeated_keys():
    from finflag.rules.pack import default_pack_path

    assert load_pack(default_pack_path()).glossary["上车"] == "get on board"
