"""Behaviour fixed by the restructuring (issue 9): each test failed on the old layout.

- the terminal review highlights the finding's own occurrence when its words occur twice;
- the HTML report shows a 'repaired' summary check as repaired, not as a failure, and the
  summary once;
- analyze takes --no-default-rules like flag;
- a bad rule pack, allow-list or prompt file is one line on stderr and exit 2, in every command.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from finflag.cli import main

TWICE = "这只基金保本，另一只也保本。\n"
USER_PACK = """
name: user-pack
version: "1"
categories:
  - {id: hype, label: Hype, colour: "#f7c68b", description: Superlative calls by the author.}
rules:
  - id: user-pack.lottery
    category: hype
    severity: warning
    message: Compares the stock to a lottery win
    explanation: A test rule of a user pack.
    patterns:
      - keywords: [中彩票]
    examples:
      match: [买它就像中彩票]
"""


def batch(tmp_path: Path, text: str, *extra: str) -> Path:
    posts = tmp_path / "posts"
    posts.mkdir(exist_ok=True)
    (posts / "post.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["analyze", str(posts), "--out", str(out), "--no-summary", *extra])
    assert result.exit_code == 0, result.output
    return out


def stored(out: Path) -> tuple[Path, dict]:
    file = next((out / "results").glob("*.json"))
    return file, json.loads(file.read_text(encoding="utf-8"))


def test_review_highlights_the_second_occurrence_of_repeated_words(tmp_path):
    out = batch(tmp_path, TWICE)
    _, result = stored(out)
    second = [f for f in result["findings"] if f["category"] == "guaranteed_return"]
    assert [f["start"] for f in second] == [4, 11]
    shown = CliRunner().invoke(main, ["review", str(out)], input="ss", color=True)
    assert shown.exit_code == 0, shown.output
    cards = shown.output.split("[2/")
    # The second card underlines the second 保本 (after 另一只也), not the first.
    assert "另一只也\x1b[33m\x1b[1m\x1b[4m保本" in cards[1]
    assert "这只基金\x1b[33m\x1b[1m\x1b[4m保本" in cards[0]


def test_html_shows_a_repaired_check_as_repaired_and_the_summary_once(tmp_path):
    out = batch(tmp_path, "英伟达市值3万亿美元。")
    file, result = stored(out)
    result["summary"] = {
        "text": "Nvidia is worth US$3 trillion.", "key_points": [], "tickers": ["NVDA"], "machine_generated": True,
        "checks": [
            {"check": "cjk_leak", "status": "repaired", "passed": True, "message": "replaced from the glossary",
             "items": [], "repaired": [{"chinese": "英伟达", "english": "Nvidia"}]},
            {"check": "unsupported_number", "status": "fail", "passed": False, "message": "7 is not in the source",
             "items": [], "repaired": []},
        ],
        "model": "m", "backend": "llama-cpp", "prompt_version": "v1", "timings": {},
    }
    file.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    done = CliRunner().invoke(main, ["report", str(out), "--format", "html"])
    assert done.exit_code == 0, done.output
    page = next((out / "html" / "posts").glob("*.html")).read_text(encoding="utf-8")
    assert '<li class="repaired" data-status="repaired">repaired: cjk_leak' in page
    assert '<li class="fail" data-status="fail">failed: unsupported_number' in page
    assert page.count("Nvidia is worth US$3 trillion.") == 1
    # Markdown and text views use the same statuses.
    md = CliRunner().invoke(main, ["report", str(out), "--format", "markdown"]).stdout
    assert "| cjk_leak | repaired: replaced from the glossary |" in md


def test_html_escapes_the_post_text(tmp_path):
    out = batch(tmp_path, "<script>alert(1)</script>稳赚不赔\n", "--glob", "*.txt")
    CliRunner().invoke(main, ["report", str(out), "--format", "html"])
    page = next((out / "html" / "posts").glob("*.html")).read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_analyze_takes_no_default_rules(tmp_path):
    pack = tmp_path / "user-pack.yaml"
    pack.write_text(USER_PACK, encoding="utf-8")
    (tmp_path / "only").mkdir()
    (tmp_path / "both").mkdir()
    _, result = stored(batch(tmp_path / "only", "稳赚不赔，买它就像中彩票。", "--no-default-rules", "--rules", str(pack)))
    assert [f["rule_id"] for f in result["findings"]] == ["user-pack.lottery"]
    _, both = stored(batch(tmp_path / "both", "稳赚不赔，买它就像中彩票。", "--rules", str(pack)))
    assert "user-pack.lottery" in {f["rule_id"] for f in both["findings"]} and len(both["findings"]) > 1


BAD_PACK = "rules:\n  - id: broken\n    category: hype\n"


@pytest.mark.parametrize("command", [["flag", "-"], ["analyze", "-", "--no-summary", "--out", "OUT"],
                                     ["rules", "list"], ["eval", "LABELS"]])
def test_a_bad_rule_pack_is_one_line_and_exit_2(tmp_path, command):
    pack = tmp_path / "bad.yaml"
    pack.write_text(BAD_PACK, encoding="utf-8")
    labels = tmp_path / "labels.yaml"
    labels.write_text("documents: []\n", encoding="utf-8")
    args = [str(tmp_path / "out") if a == "OUT" else str(labels) if a == "LABELS" else a for a in command]
    result = CliRunner().invoke(main, [*args, "--rules", str(pack)], input="稳赚不赔")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("finflag: error: rule pack: ") and "broken" in lines[0]
    assert "Traceback" not in result.output


def test_a_bad_allow_list_is_one_line_and_exit_2(tmp_path):
    allow = tmp_path / "allow.yaml"
    allow.write_text("- [unclosed\n", encoding="utf-8")
    for command in (["flag", "-"], ["analyze", "-", "--no-summary", "--out", str(tmp_path / "o")]):
        result = CliRunner().invoke(main, [*command, "--allow", str(allow)], input="稳赚不赔")
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.output
        assert result.stderr.startswith("finflag: error: ")


def test_a_bad_prompt_file_stops_summarize_before_any_model_loads(tmp_path, monkeypatch):
    prompts = tmp_path / "prompts" / "v3"
    prompts.mkdir(parents=True)
    (prompts / "translate.txt").write_text("Translate {lines} into {language}.", encoding="utf-8")
    monkeypatch.setenv("FINFLAG_PROMPTS", str(tmp_path / "prompts"))
    missing_model = tmp_path / "never-loaded.gguf"
    missing_model.write_bytes(b"GGUF")  # not a real model: loading it would fail differently
    for command in ("summarize", "analyze"):
        result = CliRunner().invoke(main, [command, "-", "--model", str(missing_model)], input="英伟达市值3万亿美元。")
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert lines == ["finflag: error: prompt v3/translate.txt has unknown placeholder(s) {language}; "
                         "it may use {count}, {lines}, {names}"]


def test_report_files_are_readable_by_others_under_the_default_umask(tmp_path):
    old = os.umask(0o022)
    try:
        out = batch(tmp_path, "稳赚不赔。")
        CliRunner().invoke(main, ["report", str(out), "--format", "html"])
    finally:
        os.umask(old)
    files = [out / "index.json", out / "results.jsonl", out / "inputs.json", next((out / "results").glob("*.json")),
             out / "html" / "index.html"]
    assert {oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {"0o644"}


def test_an_allow_list_naming_a_renamed_rule_is_warned_about(tmp_path):
    allow = tmp_path / "allow.yaml"
    allow.write_text("- rules: [call.stop-target, hype, nonsense.rule]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["flag", "-", "--allow", str(allow)], input="止损10元，目标价20元。")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "finflag: warning: allow-list: call.stop-target is not a rule id or category of the rules in use "
        "(did you mean trade_call.stop-target?)",
        "finflag: warning: allow-list: nonsense.rule is not a rule id or category of the rules in use "
        "(see 'finflag rules list')",
    ]


def test_counts_are_in_the_singular_when_there_is_one():
    result = CliRunner().invoke(main, ["flag", "-"], input="这只股票必买！\n")
    assert "(1 finding)" in result.stdout and "(1 findings)" not in result.stdout
    from finflag.summary.checks import check_numbers
    from finflag.numbers import source_values

    assert check_numbers("Shares rose 5%.", source_values("股价上涨5%")).message == "the one number traced to the source"


def test_help_names_every_default_glob_and_describes_every_option():
    for command in ("flag", "analyze", "summarize"):
        shown = CliRunner().invoke(main, [command, "--help"]).stdout
        assert "*.txt *.md *.html *.htm *.text" in " ".join(shown.split())
        lines = shown.split("Options:")[1].splitlines()
        undescribed = []
        for n, line in enumerate(lines):
            if not line.startswith("  -"):
                continue
            described_here = len(line.strip().split("  ")) > 1  # help text after the option's own column
            continued = n + 1 < len(lines) and lines[n + 1].startswith(" " * 10) and lines[n + 1].strip()
            if not (described_here or continued):
                undescribed.append(line.strip())
        assert undescribed == [], undescribed


def test_an_allow_list_may_name_the_scorers_rule_ids(tmp_path):
    allow = tmp_path / "allow.yaml"
    allow.write_text("- rules: [scorer.hype, scorer.nonsense]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["flag", "-", "--allow", str(allow)], input="今天沪指收涨0.5%。")
    assert result.stderr.splitlines() == [
        "finflag: warning: allow-list: scorer.nonsense is not a rule id or category of the rules in use "
        "(see 'finflag rules list')"]
