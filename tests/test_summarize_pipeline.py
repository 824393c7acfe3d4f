"""The summarizing pipeline end to end on a real tiny model (SmolLM2-135M).

The tiny model's English is poor, which is the point: the checks around
it must run and report, whatever it writes. Quality is tested with the
real default model in test_default_model.py (slow).
"""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from finflag.cli.main import main
from finflag.summary.model import resolve
from finflag.pipeline import flag_document
from finflag.summary.summarize import Summarizer, SummaryOptions

from .conftest import SAMPLES, make_doc

POST = (
    "美股收盘：道指涨0.67%，纳指跌1.09%。\n"
    "英伟达收跌6.7%，市值不足3万亿美元。诺和诺德将斥资41亿美元在美国新建工厂。\n"
    "扫码加群，每月只需199元。\n"
)
CHECKS = {"unsupported_number", "cjk_leak", "unsupported_name", "degenerate_output"}


def test_summary_record_is_complete_and_traceable(pack, smollm2_gguf, model_cache):
    doc = make_doc(POST)
    messages = []
    summarizer = Summarizer(resolve(smollm2_gguf, "llama-cpp"), SummaryOptions(max_words=60), progress=messages.append)
    try:
        out = summarizer.summarize(doc, flag_document(doc, pack).findings).to_dict()
    finally:
        summarizer.close()
    assert out["machine_generated"] is True and out["prompt_version"] == "v1" and out["backend"] == "llama-cpp"
    assert {c["check"] for c in out["checks"]} == CHECKS
    assert all(c["status"] in ("pass", "fail") and c["message"] for c in out["checks"])
    assert out["tickers"] == ["NVDA", "NVO"]
    assert {n["english"] for n in out["numbers"]} == {"US$3 trillion", "US$4.1 billion"}
    for n in out["numbers"]:
        assert doc.text[n["start"] : n["end"]] == n["source"]
    assert [d["reason"] for d in out["dropped"]] == ["contact / upsell block (contact_funnel, paid_upsell)"]
    t = out["timings"]
    assert t["prompt_tokens"] > 100 and t["gen_tokens"] > 0 and t["gen_tok_s"] > 0 and t["load_s"] > 0
    assert any("summarising" in m for m in messages)


def test_long_post_is_summarised_in_parts(pack, smollm2_gguf, model_cache):
    paragraphs = [f"第{i}段：英伟达收跌{i}.5%，市值不足3万亿美元，分析师认为估值仍然合理，交易员预计美联储9月降息。" for i in range(1, 24)]
    doc = make_doc("\n".join(paragraphs))
    summarizer = Summarizer(resolve(smollm2_gguf, "llama-cpp"), SummaryOptions(max_words=20, n_ctx=1024))
    try:
        out = summarizer.summarize(doc, []).to_dict()
    finally:
        summarizer.close()
    assert out["chunks"] >= 3
    assert out["timings"]["calls"] >= out["chunks"] + 1  # one call per part, then the combining call
    assert {c["check"] for c in out["checks"]} == CHECKS


def test_analyze_cli_json_is_flag_schema_plus_summary(smollm2_gguf, model_cache):
    post = SAMPLES / "mixed-news-with-footer.txt"
    result = CliRunner().invoke(main, ["analyze", str(post), "--format", "json", "--model", smollm2_gguf,
                                       "--max-words", "40", "--quiet"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == 1 and data["verdict"]["risk"] == "high" and len(data["findings"]) == 8
    summary = data["summary"]
    assert set(summary) >= {"text", "key_points", "tickers", "checks", "model", "backend", "prompt_version", "timings"}
    assert set(summary["timings"]) >= {"load_s", "prompt_tokens", "gen_tokens", "prompt_tok_s", "gen_tok_s"}


def test_summarize_reports_bad_inputs_and_goes_on(tmp_path, smollm2_gguf, model_cache):
    (tmp_path / "a.txt").write_text(POST, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["summarize", str(tmp_path), "--format", "jsonl", "--model", smollm2_gguf,
                                       "--max-words", "30", "--quiet"])
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert "summary" in lines[0] and "findings" not in lines[0]
    assert lines[1]["error"] == "empty file"


def test_analyze_text_and_markdown_views_carry_findings_summary_and_checks(smollm2_gguf, model_cache):
    post = SAMPLES / "mixed-news-with-footer.txt"
    args = [str(post), "--model", smollm2_gguf, "--max-words", "30", "--quiet"]
    text = CliRunner().invoke(main, ["analyze", *args, "--fail-on", "error"])
    assert text.exit_code == 1, text.output  # the post has an error-level claim
    assert "risk: high  (8 findings)" in text.stdout and "«暴涨在即»" in text.stdout
    assert "Machine-generated English summary" in text.stdout
    for check in CHECKS:
        assert re.search(rf"^  (ok      |REPAIRED|FAIL    ) {check}: ", text.stdout, re.M), check
    markdown = CliRunner().invoke(main, ["summarize", *args, "--format", "markdown"])
    assert markdown.exit_code == 0, markdown.output
    assert markdown.stdout.startswith(f"## {post}\n") and "### Summary (machine-generated" in markdown.stdout
    assert "| Line | Severity |" not in markdown.stdout  # summarize leaves the findings out
