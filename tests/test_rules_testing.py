"""``finflag rules test``: a pack's examples run as tests, known misses as ``todo_match``."""

from __future__ import annotations

from click.testing import CliRunner

from finflag.cli.main import main
from finflag.rules.pack import load_packs
from finflag.rules.testing import Failure, check_rules, format_report, load_for_testing, run_tests

#: Two rules of a user pack in the default pack's ``hype`` category: one sound, one whose
#: examples disagree with it in every way an example can.
PACK = """
name: mine
version: "1"
rules:
  - id: hype.moon
    category: hype
    severity: warning
    message: Says the stock goes to the moon
    explanation: A rocket-launch metaphor promises an unlimited rise.
    patterns: [{keywords: {冲上月球: to the moon, 飞向月球: flying to the moon}}]
    unless: [{near: [探测器, 嫦娥, 航天], within: 10}]
    examples:
      match:
        - 这只股要冲上月球！
        - {text: 下一站：飞向月球, quote: 飞向月球, gloss: flying to the moon}
        - {text: 冲上月球只是开始, gloss: to the moon}
      no_match: [嫦娥探测器飞向月球，发射成功。]
    todo_match: [这票明天就要上天了]
  - id: hype.double
    category: hype
    severity: warning
    message: Promises the price doubles
    explanation: A promised doubling is a guaranteed-return claim in disguise.
    patterns:
      - regex: '(?P<n>\\d{1,2})个月翻倍'
        gloss: "doubles in {n} months"
    examples:
      match:
        - 这只票年底前必将翻一番。
        - {text: 目标三个月翻倍，3个月翻倍不是梦, quote: 三个月翻倍}
        - {text: 看好6个月翻倍, quote: 6个月翻倍, gloss: doubles in six months}
        - 2个月翻倍的机会来了
      no_match: [公司营收12个月翻倍，主要来自新产品。]
    todo_match: [3个月翻倍的牛股就在这里, 这只股三个月内翻番]
"""
#: A rule with the id of a default rule; with its own category and negation it loads alone too.
ALONE_HEADER = """
categories:
  - {id: hype, label: Hype, colour: "#f7c68b", description: Must-buy calls by the author.}
markers:
  negation: [勿, 不]
"""
MUST_BUY = """
rules:
  - id: hype.must-buy
    category: hype
    severity: warning
    message: Must-buy call
    explanation: The author tells readers to buy.
    patterns: [{keywords: [闭眼买入]}]
    examples: {match: [这只股票可以闭眼买入。], no_match: [分析师提醒，切勿闭眼买入。]}
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_way_an_example_can_fail_is_reported_with_its_reason(tmp_path):
    pack, rules = load_for_testing([_write(tmp_path, "hype.yaml", PACK)])
    report = check_rules(pack, rules)
    assert [r.rule_id for r in report.rules] == ["hype.moon", "hype.double"]  # not the default pack's rules
    moon, double = report.rules
    assert moon.passed and moon.examples == 5 and moon.todo == ["这票明天就要上天了"]
    assert not double.passed and not report.passed and report.failed == [double]
    assert double.failures == [
        Failure("match", "这只票年底前必将翻一番。", "did not fire"),
        Failure("match", "目标三个月翻倍，3个月翻倍不是梦", "expected quote «三个月翻倍», got «3个月翻倍»"),
        Failure("match", "看好6个月翻倍", "expected gloss 'doubles in six months', "
                                          "got 'doubles in 6 months' for «6个月翻倍»"),
        Failure("no_match", "公司营收12个月翻倍，主要来自新产品。", "fired on «12个月翻倍»"),
        Failure("todo_match", "3个月翻倍的牛股就在这里", "fires now on «3个月翻倍»: fixed, move it to match"),
    ]
    assert double.todo == ["这只股三个月内翻番"] and double.examples == 7


def test_the_text_report_lists_failures_todos_and_counts(tmp_path):
    pack, rules = load_for_testing([_write(tmp_path, "hype.yaml", PACK)])
    text = format_report(check_rules(pack, rules))
    assert "FAIL hype.double  (hype.yaml)\n  match: 这只票年底前必将翻一番。\n    -> did not fire\n" in text
    assert "  todo_match: 3个月翻倍的牛股就在这里\n    -> fires now on «3个月翻倍»: fixed, move it to match" in text
    assert "todo hype.moon: 这票明天就要上天了" in text and "hype.moon  (" not in text
    assert text.endswith("finflag-default+mine@1.17.0+1: 2 rules, 12 examples: 1 passed, 1 failed, 2 todo")


def test_a_given_rule_replacing_a_default_rule_is_tested_alone(tmp_path):
    pack, rules = load_for_testing([_write(tmp_path, "hype.yaml", MUST_BUY)])
    assert [r.id for r in rules] == ["hype.must-buy"] and len(pack.rules) == len(load_packs().rules)
    assert rules[0].patterns[0].keywords == {"闭眼买入": ""}
    assert check_rules(pack, rules).passed  # the default pack's negation markers apply


def test_the_default_pack_passes_with_its_known_miss_as_todo():
    report = check_rules(load_packs())
    assert report.passed and len(report.rules) == len(load_packs().rules)
    todo = {r.rule_id: r.todo for r in report.rules if r.todo}
    assert todo == {r.id: list(r.todo_match) for r in load_packs().rules if r.todo_match}
    assert todo["insider_claim.secret-information"] == ["【独家】下周必涨的三只AI算力股，名单只给会员"]


def test_cli_exit_codes(tmp_path):
    runner = CliRunner()
    default = runner.invoke(main, ["rules", "test"])
    assert default.exit_code == 0, default.output
    rules = len(load_packs().rules)
    assert default.output.strip().splitlines()[-1].startswith(f"finflag-default@1.17.0: {rules} rules, ")
    assert "todo insider_claim.secret-information: 【独家】" in default.output

    failing = runner.invoke(main, ["rules", "test", str(_write(tmp_path, "hype.yaml", PACK))])
    assert failing.exit_code == 1 and "FAIL hype.double" in failing.output

    (tmp_path / "alone").mkdir()
    alone = _write(tmp_path / "alone", "hype.yaml", ALONE_HEADER + MUST_BUY)
    passing = runner.invoke(main, ["rules", "test", "--no-default-rules", str(alone)])
    assert passing.exit_code == 0, passing.output
    assert passing.output == "hype@0: 1 rules, 2 examples: 1 passed, 0 failed, 0 todo\n"


def test_cli_bad_pack_is_one_line_and_exit_2(tmp_path):
    bad = _write(tmp_path, "hype.yaml", PACK.replace("id: hype.moon", "id: moon.shot"))
    result = CliRunner().invoke(main, ["rules", "test", str(bad)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("error: hype.yaml: rule moon.shot: the id must be 'hype.<name>' "
                             "(the name of its file, a dot, a name)\n")
    none = CliRunner().invoke(main, ["rules", "test", "--no-default-rules"])
    assert none.exit_code == 2 and none.stderr == "error: no rule packs: give a PACK_PATH or keep the default pack\n"
    assert run_tests([tmp_path / "missing.yaml"])[0] == 2


def test_rules_show_lists_the_known_misses():
    shown = CliRunner().invoke(main, ["rules", "show", "insider_claim.secret-information"]).output
    assert shown.endswith("Should match, does not yet (todo):\n  ? 【独家】下周必涨的三只AI算力股，名单只给会员\n")
