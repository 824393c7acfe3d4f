"""The flag command as users drive it: files, folders, stdin, formats, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from finflag import REPORT_SCHEMA
from finflag.cli.main import main

from .conftest import SAMPLES

TIP = "跟着我们操作，稳赚不赔！名额有限，马上上车。加我微信:stock8888\n"
NEWS = "周一道指涨0.67%，纳指跌1.09%。高盛将目标价从20美元上调至42美元。\n"


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_stdin_text_output_shows_location_quote_and_gloss():
    result = run("flag", "-", "--no-color", input=TIP)
    assert result.exit_code == 0
    assert "<stdin>" in result.output
    assert "1:8  error   guaranteed_return" in result.output
    assert "«稳赚不赔»" in result.output
    assert "= sure profit, never a loss" in result.output


def test_text_output_highlights_the_finding_s_own_occurrence_of_a_repeated_quote():
    result = run("flag", "-", "--no-color", input="这只基金保本，另一只也保本，还稳赚。\n")
    lines = result.output.splitlines()
    assert "这只基金«保本»，另一只也保本，还稳赚。" in lines[2]
    assert "1:12" in lines[4] and "这只基金保本，另一只也«保本»，还稳赚。" in lines[5]


def test_json_schema_for_one_input(tmp_path):
    post = tmp_path / "tip.txt"
    post.write_text(TIP, encoding="utf-8")
    data = json.loads(run("flag", str(post), "--format", "json").output)
    assert data["schema"] == REPORT_SCHEMA and data["path"] == str(post) and data["language"] == "zh"
    assert [f["category"] for f in data["findings"]] == ["guaranteed_return", "urgency", "urgency", "contact_funnel"]
    for f in data["findings"]:
        assert set(f) >= {"rule_id", "category", "severity", "start", "end", "quote", "context",
                          "message", "explanation", "gloss"}
        assert TIP[f["start"] : f["end"]] == f["quote"]
        assert TIP[f["context_start"] : f["context_start"] + len(f["context"])] == f["context"]
    assert data["verdict"]["risk"] == "high"  # an error-level claim in three categories
    assert data["verdict"]["by_category"] == {"guaranteed_return": 1, "contact_funnel": 1, "urgency": 2}


def test_batch_reports_bad_files_continues_and_exits_2(tmp_path):
    (tmp_path / "a_tip.txt").write_text(TIP, encoding="utf-8")
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_binary.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    (tmp_path / "d_news.txt").write_text(NEWS, encoding="gb18030")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(main, ["flag", str(tmp_path), "--format", "jsonl"])
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [l["path"].rsplit("/", 1)[-1] for l in lines] == before
    assert lines[0]["verdict"]["findings"] == 4
    assert lines[1]["error"] == "empty file"
    assert "binary" in lines[2]["error"]
    assert lines[3]["encoding"] == "gb18030" and lines[3]["findings"] == []
    assert "b_empty.txt: empty file" in result.stderr
    assert "2 input(s) could not be read" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written beside the inputs


def test_fail_on_and_min_severity():
    assert run("flag", "-", "--fail-on", "error", input=TIP).exit_code == 1
    assert run("flag", "-", "--fail-on", "error", input=NEWS).exit_code == 0
    out = json.loads(run("flag", "-", "--format", "json", "--min-severity", "error", input=TIP).output)
    assert {f["severity"] for f in out["findings"]} == {"error"}


def test_markdown_table():
    result = run("flag", "-", "--format", "markdown", input=TIP)
    assert "| 1:8 | error | guaranteed_return | 稳赚不赔 | sure profit, never a loss |" in result.output


def test_allow_list_suppresses_phrases_and_rules(tmp_path):
    allow = tmp_path / "allow.yaml"
    allow.write_text("- phrases: [稳赚不赔]\n- paths: ['*']\n  rules: [urgency]\n", encoding="utf-8")
    data = json.loads(run("flag", "-", "--format", "json", "--allow", str(allow), input=TIP).output)
    assert [f["category"] for f in data["findings"]] == ["contact_funnel"]
    assert data["suppressed"] == 3


def test_user_rule_pack_adds_rules(tmp_path):
    pack = tmp_path / "mine.yaml"
    pack.write_text(
        "name: mine\nversion: '2'\nrules:\n"
        "  - id: mine.mars\n    category: hype\n    severity: info\n    message: Mars talk\n"
        "    explanation: Says the stock flies to Mars.\n"
        "    patterns: [{keywords: {飞向火星: off to Mars}}]\n"
        "    examples: {match: [这只股要飞向火星], no_match: [火星探测器发射成功]}\n",
        encoding="utf-8",
    )
    data = json.loads(run("flag", "-", "--format", "json", "--rules", str(pack), input="这只股要飞向火星！").output)
    assert data["rules"] == "finflag-default+mine@1.17.0+2"
    # A phrase the default pack does not know (it now reads 冲上月球 as hype itself): the user's rule alone.
    assert [(f["rule_id"], f["gloss"]) for f in data["findings"]] == [("mine.mars", "off to Mars")]


def test_broken_rule_pack_is_a_usage_error_naming_the_rule(tmp_path):
    pack = tmp_path / "bad.yaml"
    pack.write_text("rules:\n  - id: bad.one\n    category: nonsense\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["flag", "-", "--rules", str(pack)], input="x")
    assert result.exit_code == 2
    assert "bad.one" in result.output and "missing" in result.output


def test_rules_list_and_show():
    listing = run("rules", "list").output
    assert "guaranteed_return.no-risk" in listing and "insider_claim.big-money-tracking" in listing
    shown = run("rules", "show", "guaranteed_return.no-risk").output
    assert "稳赚不赔" in shown and "SEC" in shown
    assert CliRunner().invoke(main, ["rules", "show", "nope"]).exit_code == 2


def test_help_shows_examples():
    assert "cat post.txt | finflag flag -" in run("--help").output
    assert "Examples:" in run("flag", "--help").output


def _run_in_fresh_python(args: list[str], report: str) -> str:
    """Run ``finflag ARGS`` in a new interpreter and print ``report`` (an expression over ``r``, the
    CliRunner result, and ``sys.modules``): what a command imports shows only in a fresh process."""
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom finflag.cli.main import main\n"
        f"r = CliRunner().invoke(main, {args!r})\nprint({report})\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_flag_does_not_import_model_or_segmenter_libraries(tmp_path):
    post = tmp_path / "p.txt"
    post.write_text(TIP, encoding="utf-8")
    heavy = ("[m for m in ('torch', 'transformers', 'jieba', 'langdetect', 'xllamacpp', 'ray') "
             "if m in sys.modules]")
    assert _run_in_fresh_python(["flag", str(post)], heavy) == "[]"


def test_a_local_batch_run_does_not_import_ray(tmp_path):
    """The Ray engine is imported only when chosen: the default engine stays today's local run."""
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "p.txt").write_text(TIP, encoding="utf-8")
    args = ["analyze", str(tmp_path / "posts"), "--out", str(tmp_path / "out"), "--no-summary", "--jobs", "1"]
    ray = "r.exit_code, sorted(m for m in sys.modules if m.split('.')[0] == 'ray' or m == 'finflag.engines.ray')"
    assert _run_in_fresh_python(args, ray) == "0 []"


def test_eval_on_bundled_samples_recalls_every_category_with_no_false_positives_on_the_first_samples():
    """The first samples are the rules' unit tests; the issue-10 samples (Taiwan/HK, USDT signals, a tip
    record, a bio, scams that mention fraud) record real phrasing the pack still misses, so only these
    floors hold for them (misses listed by ``finflag eval samples/labels.yaml``)."""
    result = CliRunner().invoke(main, ["eval", str(SAMPLES / "labels.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    newer = ("scam-", "warning-", "taiwan-line-dividend", "hk-ipo", "crypto-usdt", "yaogu-", "promoter-bio",
             "mixed-weekly-wrap")
    assert [m for m in data["false_positives"] if not m["path"].startswith(newer)] == []
    assert data["clean_violations"] == []
    for category, score in data["categories"].items():
        assert score["tp"] >= 1, f"{category} not recalled on samples"
    assert data["total"]["recall"] >= 0.80 and data["total"]["precision"] >= 0.90
    first = [m for m in data["false_negatives"] if not m["path"].startswith(newer)]
    assert len(first) <= 1, first


def test_clean_samples_have_zero_findings():
    for name in ["news-market-wrap.txt", "news-earnings.txt", "news-tech-specs.txt", "news-regulation.txt",
                 "research-note.txt"]:
        data = json.loads(run("flag", str(SAMPLES / name), "--format", "json").output)
        assert data["findings"] == [], (name, [f["quote"] for f in data["findings"]])
