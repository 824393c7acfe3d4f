"""Loading rule packs: validation messages a pack author can act on."""

from __future__ import annotations

import dataclasses

import pytest

from finflag.document import Document
from finflag.rules.findings import find
from finflag.rules.pack import RulePackError, fill_template, load_pack, load_packs

HEADER = """
categories:
  - {id: hype, label: Hype, colour: "#f7c68b", description: Must-buy calls by the author.}
"""
RULE = HEADER + """
rules:
  - id: p.rule
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
        (lambda t: t.replace("category: hype", "category: puffery"), "category 'puffery'"),
        (lambda t: t.replace("warning", "fatal"), "severity must be"),
        (lambda t: t.replace("[{keywords: [必买]}]", "[{regex: '(unclosed'}]"), "bad regex"),
        (lambda t: t.replace("examples: {match: [必买]}", "examples: {}"), "examples.match"),
        (lambda t: t + "    colour: red\n", "unknown key"),
        (lambda t: t + RULE.split("rules:")[1], "defined twice"),
        (lambda t: t + "    requires: [{near: nobody}]\n", "unknown marker set"),
        (lambda t: t + "    todo_match: 这只必买\n", "'todo_match' must be a list of strings"),
        (lambda t: t.replace("{match: [必买]}", "{match: [{text: 必买, qoute: 必买}]}"), "optionally 'quote', 'gloss'"),
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


def test_an_except_list_leaves_words_out_of_a_named_set_and_must_name_its_words(tmp_path):
    """`except:` keeps one shared marker list (the set) where a rule needs it but for a word or two."""
    text = "markers: {warn: [提醒, 骗局]}\n" + RULE.replace(
        "examples:", "unless: [{near: warn, except: [提醒], within: 6}]\n    examples:")
    pack = load_pack(_pack(tmp_path, text))
    hits = lambda s: [f.quote for f in find(Document("<t>", s), pack)]  # noqa: E731
    assert hits("温馨提醒：必买") == ["必买"]   # the word left out vetoes nothing
    assert hits("这是骗局：必买") == []          # the rest of the set still does
    for bad in ("[{near: warn, except: [警惕]}]", "[{near: [提醒, 骗局], except: [提醒]}]"):
        with pytest.raises(RulePackError, match="'except' takes words of the marker set"):
            load_pack(_pack(tmp_path, text.replace("[{near: warn, except: [提醒], within: 6}]", bad)))


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
    first = text.splitlines().index("    severity: warning") + 1
    message = rf"p\.yaml: line {first + 1}: duplicate key 'severity' \(first at line {first}\)"
    with pytest.raises(RulePackError, match=message):
        load_pack(_pack(tmp_path, text))


def test_the_same_key_in_different_mappings_is_fine(tmp_path):
    text = "glossary: {月: month}\nmarkers: {月: [月]}\n" + RULE
    assert load_pack(_pack(tmp_path, text)).glossary == {"月": "month"}


def test_the_default_pack_has_no_repeated_keys():
    from finflag.rules.pack import default_pack_path

    assert load_pack(default_pack_path()).glossary["上车"] == "get on board"


# Categories are pack data: declared in pack.yaml, merged across packs, checked for every rule.

DEFAULT_CATEGORIES = [
    "guaranteed_return", "hype", "paid_upsell", "contact_funnel", "unverified_pnl", "screenshot_proof",
    "trade_call", "authority_appeal", "urgency", "social_proof", "insider_claim",
    "impersonation", "profit_sharing", "free_bait", "platform_funnel",
]
#: A user pack with a rule in a category the default pack declares but has no rule for yet.
IMPERSONATION = """
rules:
  - id: impersonation.regulator-staff
    category: impersonation
    severity: error
    message: Poses as regulator or broker staff
    explanation: Scammers pose as CSRC or broker staff to be trusted.
    patterns: [{keywords: {证监会工作人员: claims to be CSRC staff, 券商客户经理: claims to be a broker's account manager}}]
    requires: [{near: [我是, 本人是], before: 4, after: 0}]
    examples:
      match: [您好，我是证监会工作人员，您的账户涉嫌违规。]
      no_match: [证监会工作人员表示，将严厉打击非法荐股。]
"""
IMPERSONATION_POST = "您好，我是证监会工作人员，您的账户涉嫌违规，请下载指定APP配合调查。"


def _user_pack(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_pack_declares_its_categories_in_order():
    from finflag.rules.pack import Category, default_pack_path

    pack = load_pack(default_pack_path())
    assert list(pack.categories) == DEFAULT_CATEGORIES
    hype = pack.categories["hype"]
    assert isinstance(hype, Category) and (hype.label, hype.colour) == ("Hype", "#f7c68b")
    assert "十倍股" in hype.description
    with pytest.raises(dataclasses.FrozenInstanceError):
        hype.colour = "#000"  # type: ignore[misc]
    assert "先盈利后分成" in pack.categories["profit_sharing"].description


def test_a_category_needs_no_rule(tmp_path):
    text = RULE.replace("\n\nrules:", '\n  - {id: free_bait, label: Free bait, colour: "#ffe0b2", '
                                       'description: Free stock picks as a hook.}\n\nrules:')
    pack = load_pack(_pack(tmp_path, text))
    assert list(pack.categories) == ["hype", "free_bait"] and [r.category for r in pack.rules] == ["hype"]


def test_a_rule_in_an_undeclared_category_names_the_file_the_rule_and_the_known_ids(tmp_path):
    with pytest.raises(RulePackError) as error:
        load_pack(_pack(tmp_path, RULE.replace("category: hype", "category: pump_group")))
    assert str(error.value) == ("p.yaml: rule p.rule: category 'pump_group' is not declared under "
                                "'categories:' (known: hype)")


def test_a_user_pack_adds_categories_after_the_base_and_replaces_same_ids_in_place(tmp_path):
    from finflag.rules.pack import load_packs

    user = _user_pack(tmp_path, "pump_group.yaml", """
categories:
  - id: pump_group
    label: Pump group
    colour: "#abc"
    description: Invites readers into a coordinated pump (拉升群, 统一买入).
  - id: hype
    label: Puffery
    colour: "#ff8800"
    description: Superlatives.
rules:
  - id: pump_group.coordinated-buy
    category: pump_group
    severity: error
    message: Coordinates buying
    explanation: A group told to buy together at one time is a pump.
    patterns: [{keywords: {统一买入: buy together}}]
    examples: {match: [明天9点半群内统一买入。], no_match: [机构统一买入的说法缺乏依据。]}
""")
    pack = load_packs([user])
    assert list(pack.categories) == DEFAULT_CATEGORIES + ["pump_group"]
    assert pack.categories["hype"].label == "Puffery" and pack.categories["hype"].colour == "#ff8800"
    found = find(Document("<t>", "明天9点半群内统一买入，目标十倍股！"), pack)
    assert {(f.category, f.quote) for f in found} >= {("pump_group", "统一买入"), ("hype", "十倍股")}


@pytest.mark.parametrize(
    "entry,message",
    [
        ('{id: pump, label: Pump, colour: "#abc"}', r"p\.yaml: category pump: missing 'description'"),
        ('{id: pump, label: Pump, colour: red, description: d}', r"category pump: colour 'red' must be #rgb or"),
        ('{id: pump, label: Pump, colour: "#12345", description: d}', "must be #rgb or #rrggbb"),
        ("{id: pump, label: Pump, description: d, colour: }", r"colour None must be #rgb or #rrggbb \(in quotes"),
        ('{id: Pump Group, label: P, colour: "#abc", description: d}', "id must be lower-case"),
        ('{id: pump, label: P, colour: "#abc", description: d, icon: x}', "unknown key"),
        ("pump", r"category #2 must be a mapping"),
    ],
)
def test_category_entries_are_checked(tmp_path, entry, message):
    text = RULE.replace("\n\nrules:", f"\n  - {entry}\n\nrules:", 1)  # the second category
    with pytest.raises(RulePackError, match=message):
        load_pack(_pack(tmp_path, text))


def test_an_unquoted_colour_is_read_as_a_comment_and_reported(tmp_path):
    text = RULE.replace("\n\nrules:", "\n  - id: pump\n    label: Pump\n    colour: #abc\n    description: d\n\nrules:")
    with pytest.raises(RulePackError, match=r"category pump: colour None must be #rgb or #rrggbb \(in quotes"):
        load_pack(_pack(tmp_path, text))


def test_a_category_declared_twice_in_one_pack_is_an_error(tmp_path):
    text = RULE.replace("categories:\n", 'categories:\n  - {id: hype, label: H, colour: "#fff", description: d}\n', 1)
    with pytest.raises(RulePackError, match="category hype is declared twice"):
        load_pack(_pack(tmp_path, text))


def test_verdict_counts_categories_in_the_pack_s_order():
    from finflag.rules.findings import verdict
    from finflag.rules.pack import load_packs

    pack = load_packs()
    from finflag.rules.voice import apply_scope

    doc = Document("<t>", "名额有限，马上上车！跟着我们操作稳赚不赔，加微信abc12345。")
    found = apply_scope(doc, find(doc, pack), pack)  # the scoped rules' overlapping findings go (voice.py)
    assert [f.category for f in found] == ["urgency", "urgency", "guaranteed_return", "contact_funnel"]
    assert list(verdict(found, pack.categories)["by_category"]) == ["guaranteed_return", "contact_funnel", "urgency"]
    assert list(verdict(found, reversed(pack.categories))["by_category"]) == ["urgency", "contact_funnel",
                                                                               "guaranteed_return"]
    # A category outside the given order is still counted, after the others.
    assert verdict(found, ["urgency"])["by_category"] == {"urgency": 2, "guaranteed_return": 1, "contact_funnel": 1}


def test_eval_accepts_labels_of_a_declared_category_without_rules(tmp_path):
    from finflag.evaluate import evaluate
    from finflag.labels import LabelError
    from finflag.rules.pack import load_packs

    (tmp_path / "post.txt").write_text(IMPERSONATION_POST, encoding="utf-8")
    labels = _user_pack(tmp_path, "labels.yaml", "version: 1\ndocuments:\n  - path: post.txt\n    expected:\n"
                        "      - {category: impersonation, quote: 我是证监会工作人员}\n")
    without_rules = load_packs()  # the default pack, its impersonation rules left out: a declared, empty category
    without_rules.rules = [r for r in without_rules.rules if r.category != "impersonation"]
    result = evaluate(labels, without_rules)
    assert (result.scores["impersonation"].labels, result.scores["impersonation"].tp_labels) == (1, 0)
    assert [(m.category, m.quote) for m in result.false_negatives] == [("impersonation", "我是证监会工作人员")]
    assert list(result.scores)[-1] == "impersonation"  # categories with rules first, in pack order
    with_rule = evaluate(labels, load_packs([_user_pack(tmp_path, "impersonation.yaml", IMPERSONATION)]))
    assert with_rule.scores["impersonation"].tp_labels == 1 and not with_rule.false_negatives
    labels.write_text(labels.read_text(encoding="utf-8").replace("impersonation", "pump_group"), encoding="utf-8")
    with pytest.raises(LabelError, match="unknown category 'pump_group'"):
        evaluate(labels, load_packs())


def test_html_report_colours_categories_from_the_default_pack(tmp_path):
    from finflag.output.html import render_report
    from finflag.pipeline import flag_document
    from finflag.reportdir import Decisions, Report
    from finflag.rules.pack import load_packs

    pack = load_packs([_user_pack(tmp_path, "impersonation.yaml", IMPERSONATION)])
    doc = Document("call.txt", "名额有限，马上上车！今天的行情就讲到这里，祝大家周末愉快。\n" + IMPERSONATION_POST)
    result = dict(flag_document(doc, pack).to_dict(), text=doc.text)
    assert list(result["verdict"]["by_category"].items()) == [("urgency", 2), ("impersonation", 1)]
    site = render_report(Report(tmp_path, [result], Decisions(tmp_path, {})))
    post = next(page for name, page in site.items() if name.startswith("posts/"))
    assert 'style="background:#c5cae9" data-finding=' in post  # impersonation, declared in pack.yaml
    assert 'style="background:#ffb3a1" data-finding=' in post  # urgency
    index = site["index.html"]
    assert '<span class="l">impersonation</span>' in index and "background:#c5cae9" in index
    assert '<option value="free_bait">free_bait</option>' in index


def test_rules_list_takes_any_category_of_the_loaded_packs(tmp_path):
    from click.testing import CliRunner

    from finflag.cli.main import main

    runner = CliRunner()
    listed = runner.invoke(main, ["rules", "list", "--category", "insider_claim"])
    assert listed.exit_code == 0 and "insider_claim" in listed.output and "hype" not in listed.output
    declared = _user_pack(tmp_path, "pump.yaml", "categories:\n  - id: pump_group\n    label: Pump group\n"
                          "    colour: '#abc'\n    description: Coordinated pumps.\n")
    empty = runner.invoke(main, ["rules", "list", "--category", "pump_group", "--rules", str(declared)])
    assert empty.exit_code == 0 and empty.output.count("\n") == 1  # the header: declared, no rules yet
    user = _user_pack(tmp_path, "impersonation.yaml", IMPERSONATION)
    mine = runner.invoke(main, ["rules", "list", "--category", "impersonation", "--rules", str(user)])
    assert mine.exit_code == 0 and "impersonation.regulator-staff" in mine.output
    bad = runner.invoke(main, ["rules", "list", "--category", "pump_group"])
    assert bad.exit_code == 2
    assert "unknown category 'pump_group' (known: guaranteed_return, hype," in bad.output


def test_a_rule_id_starts_with_the_name_of_its_file(tmp_path):
    message = r"^p\.yaml: rule hype\.must-buy: the id must be 'p\.<name>' \(the name of its file, a dot, a name\)$"
    with pytest.raises(RulePackError, match=message):
        load_pack(_pack(tmp_path, RULE.replace("id: p.rule", "id: hype.must-buy")))
    with pytest.raises(RulePackError, match=r"rule p\.: the id must be 'p\.<name>'"):
        load_pack(_pack(tmp_path, RULE.replace("id: p.rule", "id: p.")))


def test_in_a_folder_pack_each_file_names_its_rules(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "pack.yaml").write_text("name: mine\nversion: '1'\n" + HEADER, encoding="utf-8")
    hype = RULE.split("rules:")[1]
    (folder / "hype.yaml").write_text("rules:" + hype.replace("id: p.rule", "id: hype.moon"), encoding="utf-8")
    assert [r.id for r in load_pack(folder).rules] == ["hype.moon"]
    (folder / "urgency.yaml").write_text("rules:" + hype.replace("id: p.rule", "id: hype.now"), encoding="utf-8")
    message = r"^urgency\.yaml: rule hype\.now: the id must be 'urgency\.<name>' \(the name of its file"
    with pytest.raises(RulePackError, match=message):
        load_pack(folder)


def test_every_default_rule_id_starts_with_its_file_s_name():
    from finflag.rules.pack import default_pack_path

    pack = load_pack(default_pack_path())
    assert all(rule.id.startswith(rule.source.removesuffix(".yaml") + ".") for rule in pack.rules)
    assert {"paid_upsell.membership", "contact_funnel.phone", "guaranteed_return.no-risk", "trade_call.entry",
            "unverified_pnl.self-reported-return", "screenshot_proof.trade-screenshot", "social_proof.everyone-wins",
            "insider_claim.secret-information", "authority_appeal.credentials", "hype.multibagger",
            "urgency.act-now"} <= {rule.id for rule in pack.rules}


def test_a_condition_word_yaml_reads_as_a_number_is_a_word(tmp_path):
    """`near: [110, 报警]`: YAML reads 110 as an int; it must work as the word '110', not crash."""
    pack = _user_pack(tmp_path, "t.yaml", """
name: t
version: "1"
categories:
  - {id: hype, label: Hype, colour: "#f7c68b", description: d}
rules:
  - id: t.sure-rise
    category: hype
    severity: warning
    message: m
    explanation: e
    patterns:
      - keywords: [必涨]
    unless:
      - near: [110, 报警]
    examples:
      match: [明天必涨]
""")
    loaded = load_pack(pack)
    assert [f.quote for f in find(Document("<t>", "明天必涨"), loaded)] == ["必涨"]
    assert find(Document("<t>", "说必涨的骗子，请打110"), loaded) == []


def test_an_identifier_in_a_gloss_is_copied_and_an_amount_is_put_in_english():
    """A QQ number in a contact gloss is an identifier (it had read "124.533718 million"); a price is an amount."""
    pack = load_packs()
    doc = Document("<t>", "有问题加QQ：124533718咨询。会员每天只需9.9元，每月只需3.2万元。")
    glosses = {f.quote: f.gloss for f in find(doc, pack)}
    assert "124533718" in glosses["QQ：124533718"] and "million" not in glosses["QQ：124533718"]
    assert fill_template("only {amount} yuan, call {num}", {"amount": "3.2万", "num": "13812345678"}, {}) == (
        "only 32,000 yuan, call 13812345678")
