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
CHECKS = {"unsupported_number", "wrong_entity_number", "unsupported_name", "fraction_word", "wrong_currency", "cjk_leak",
          "degenerate_output"}


def test_summary_record_is_complete_and_traceable(pack, smollm2_gguf, model_cache):
    doc = make_doc(POST)
    messages = []
    summarizer = Summarizer(resolve(smollm2_gguf, "llama-cpp"), SummaryOptions(max_words=60), progress=messages.append)
    try:
        out = summarizer.summarize(doc, flag_document(doc, pack).findings).to_dict()
    finally:
        summarizer.close()
    assert out["machine_generated"] is True and out["prompt_version"] == "v3" and out["backend"] == "llama-cpp"
    assert {c["check"] for c in out["checks"]} == CHECKS
    assert all(c["status"] in ("pass", "repaired", "fail") and c["message"] for c in out["checks"])
    # Every shown sentence links to its source and passed its own checks; failures are listed, never shown.
    for item in out["sentences"] + out["claims"]:
        [[start, end]] = item["sources"]
        assert 0 <= start < end <= len(doc.text) and set(item["checks"].values()) == {"pass"}
    assert out["text"] == " ".join(s["text"] for s in out["sentences"])
    failed = [d for d in out["dropped"] if d["reason"].startswith("translation failed")]
    assert len(out["sentences"]) + len(out["claims"]) + len(failed) >= 1
    assert out["tickers"] == ["NVDA", "NVO"]
    assert {n["english"] for n in out["numbers"]} == {"US$3 trillion", "US$4.1 billion"}
    for n in out["numbers"]:
        assert doc.text[n["start"] : n["end"]] == n["source"]
    assert [d["reason"] for d in out["dropped"]][0] == "contact / upsell block (contact_funnel, paid_upsell)"
    t = out["timings"]
    assert t["prompt_tokens"] > 100 and t["gen_tokens"] > 0 and t["gen_tok_s"] > 0 and t["load_s"] > 0
    assert 0 <= t["prompt_cached_tokens"] < t["prompt_tokens"]
    assert any("summarising" in m for m in messages)


def _every_call_fits(summarizer, calls):
    original = summarizer._ask

    def ask(call, usage):
        answer = original(call, usage)
        calls.append((call.prompt_tokens, answer.prompt_tokens, call.max_tokens))
        assert answer.prompt_tokens + call.max_tokens <= summarizer.backend().n_ctx
        assert answer.prompt_tokens <= call.prompt_tokens  # our count (template margin included) is an upper bound
        return answer

    summarizer._ask = ask


def test_a_30000_character_post_never_exceeds_the_context(smollm2_gguf, model_cache):
    paragraphs = [f"第{i}段：英伟达收跌{i}.5%，市值不足3万亿美元，分析师认为估值仍然合理，交易员预计美联储9月降息，"
                  + "黄仁勋表示人工智能需求强劲而且供应链持续改善" * 8 for i in range(1, 140)]
    doc = make_doc("\n".join(paragraphs)[:30_000])
    assert len(doc.text) == 30_000
    summarizer = Summarizer(resolve(smollm2_gguf, "llama-cpp"), SummaryOptions(max_words=300, n_ctx=1024))
    calls: list = []
    _every_call_fits(summarizer, calls)
    try:
        out = summarizer.summarize(doc, []).to_dict()
    finally:
        summarizer.close()
    assert len(calls) >= 2 and out["chunks"] >= 2  # 300 words of lines do not fit 1,024 tokens in one call
    assert out["timings"]["calls"] >= out["chunks"]
    assert {c["check"] for c in out["checks"]} == CHECKS


def test_a_2mb_post_is_cut_at_max_chars_and_summarised(smollm2_gguf, model_cache):
    text = ("英伟达收跌6.7%，市值不足3万亿美元。诺和诺德将斥资41亿美元在美国新建工厂。\n" * 60_000)[:2_000_000]
    doc = make_doc(text)
    summarizer = Summarizer(resolve(smollm2_gguf, "llama-cpp"), SummaryOptions(max_words=40, max_chars=50_000))
    calls: list = []
    _every_call_fits(summarizer, calls)
    try:
        out = summarizer.summarize(doc, []).to_dict()
    finally:
        summarizer.close()
    assert any(d["reason"].startswith("past --max-chars") and d["end"] == len(text) for d in out["dropped"])
    assert calls and all(item["sources"][0][1] <= 50_000 for item in out["sentences"])


def test_analyze_cli_json_is_flag_schema_plus_summary(smollm2_gguf, model_cache):
    post = SAMPLES / "mixed-news-with-footer.txt"
    result = CliRunner().invoke(main, ["analyze", str(post), "--format", "json", "--model", smollm2_gguf,
                                       "--max-words", "40", "--quiet"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == 1 and data["verdict"]["risk"] == "high" and len(data["findings"]) == 8
    summary = data["summary"]
    assert set(summary) >= {"text", "key_points", "tickers", "checks", "model", "backend", "prompt_version", "timings",
                            "sentences", "claims", "points"}
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


def test_lines_that_fail_are_retried_one_per_call(smollm2_gguf, model_cache):
    """In a batch the default model sometimes copies a Chinese line back instead of translating
    it (a real forum post's two lines both came back in Chinese, and again on a batched retry;
    alone, the same line was translated). So the strict retry sends each failed line alone, as
    "Chinese: ... English:" (numbered, short lines still came back in Chinese)."""
    summarizer = Summarizer(resolve(smollm2_gguf, "llama-cpp"), SummaryOptions(max_words=80))
    calls: list = []
    original = summarizer._ask

    def ask(call, usage):
        calls.append(call)
        return original(call, usage)

    summarizer._ask = ask
    try:
        out = summarizer.summarize(make_doc(POST), []).to_dict()
    finally:
        summarizer.close()
    strict = [c for c in calls if c.messages[-1]["content"].rstrip().endswith("English:")]
    first, *by_clause = [c for c in calls if c not in strict]
    assert len(first.sentences) >= 2  # the first pass batches the lines
    assert len(by_clause) <= 1  # sentences that failed or left figures out go again in one call, clause by clause
    assert out["retried"] and strict  # the tiny model fails some line, whatever it writes
    assert all(len(c.sentences) == 1 for c in strict)


def test_the_constant_system_message_is_read_once_and_reused_from_the_cache(pack, smollm2_gguf, model_cache):
    """llama.cpp keeps the system message's KV cache between calls (cache_prompt): the second post's
    calls reuse it, and the summary says how many of its prompt tokens were not read again."""
    summarizer = Summarizer(resolve(smollm2_gguf, "llama-cpp"), SummaryOptions(max_words=60))
    try:
        first = summarizer.summarize(make_doc(POST), []).to_dict()["timings"]
        second = summarizer.summarize(make_doc(POST), []).to_dict()["timings"]
    finally:
        summarizer.close()
    assert second["prompt_cached_tokens"] > 0
    assert second["prompt_cached_tokens"] >= first["prompt_cached_tokens"]
    assert second["prompt_cached_tokens"] < second["prompt_tokens"]
