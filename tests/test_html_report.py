"""The HTML report's pages as a reviewer uses them (structure; tests/test_html_browser.py renders them)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from markupsafe import escape

from finflag import __version__
from finflag.cli import main

POSTS = {
    "a-clean.txt": "今天沪指收涨0.5%，成交额8000亿元。\n",
    "b-low.txt": "这只股票必买！\n",
    "c-high.txt": "稳赚不赔！必买！必买！名额有限，马上上车，加微信abc12345。\n",
    "d-empty.txt": "",
}


def report(tmp_path: Path) -> Path:
    posts = tmp_path / "posts"
    posts.mkdir()
    for name, text in POSTS.items():
        (posts / name).write_text(text, encoding="utf-8")
    out = tmp_path / "report"
    CliRunner().invoke(main, ["analyze", str(posts), "--out", str(out), "--no-summary"])
    return out


def render(out: Path) -> dict[str, str]:
    done = CliRunner().invoke(main, ["report", str(out), "--format", "html"])
    assert done.exit_code == 0, done.output
    pages = {"index": (out / "html" / "index.html").read_text(encoding="utf-8")}
    for page in (out / "html" / "posts").glob("*.html"):
        pages[page.name.split(".")[0]] = page.read_text(encoding="utf-8")
    return pages


def test_index_puts_the_riskiest_first_and_unread_inputs_last_in_their_own_colour(tmp_path):
    index = render(report(tmp_path))["index"]
    order = re.findall(r"<td(?: class=\"\w+\")?>(?:<a [^>]*>)?[^<]*?/(\w-\w+)\.txt", index)
    assert order == ["c-high", "b-low", "a-clean", "d-empty"]
    assert '<td class="unread">not read</td>' in index and 'class="fail">not read' not in index
    assert f"finflag {__version__}" in index and "rules finflag-default@" in index and "report generated" in index
    assert "<th>Failed summary checks</th><th>Reviewed</th>" in index
    assert re.search(r"<td>0/\d+</td></tr>", index)


def test_post_page_explains_each_rule_once_links_rows_to_highlights_and_pages(tmp_path):
    pages = render(report(tmp_path))
    high = pages["c-high"]
    stored = [json.loads(p.read_text()) for p in (tmp_path / "report" / "results").glob("c-high*.json")][0]
    must_buy = [f for f in stored["findings"] if f["rule_id"] == "hype.must-buy"]
    assert len(must_buy) == 2
    assert high.count(str(escape(must_buy[0]["explanation"]))) == 1  # two findings, one explanation
    for f in stored["findings"]:
        assert f'href="#f-{f["id"]}"' in high and f'id="f-{f["id"]}"' in high
    assert 'id="next"' in high and 'id="previous"' not in high  # the riskiest post comes first
    assert 'id="previous"' in pages["b-low"]
    assert 'id="no-findings"' in pages["a-clean"] and "<table id=\"findings\">" not in pages["a-clean"]


def test_a_name_that_failed_its_check_is_marked_in_the_summary(tmp_path):
    out = report(tmp_path)
    file = next((out / "results").glob("b-low*.json"))
    result = json.loads(file.read_text(encoding="utf-8"))
    text = "Vanguard says the stock is a must-buy."
    result["summary"] = {"text": text, "key_points": [], "tickers": [], "model": "m", "backend": "llama-cpp",
                         "prompt_version": "v1", "timings": {}, "checks": [
                             {"check": "unsupported_name", "status": "fail", "passed": False,
                              "message": "not in the source: Vanguard",
                              "items": [{"text": "Vanguard", "start": 0, "end": 8}], "repaired": []}]}
    file.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    page = render(out)["b-low"]
    assert re.search(r'<mark class="failed" title="failed check: unsupported_name" id="summary-(\d+)">Vanguard</mark> '
                     r'says the stock', page)
    target = re.search(r'id="summary-(\d+)">Vanguard', page).group(1)
    assert f'<a class="item" href="#summary-{target}">Vanguard</a></li>' in page  # the check links to it


def test_summary_sentences_carry_their_source_spans_and_the_source_is_cut_at_them(tmp_path):
    out = report(tmp_path)
    file = next((out / "results").glob("a-clean*.json"))
    result = json.loads(file.read_text(encoding="utf-8"))
    text = POSTS["a-clean.txt"].strip()
    end = text.index("，")
    result["summary"] = {"text": "The Shanghai index closed up 0.5%.", "key_points": [], "tickers": [], "model": "m",
                         "backend": "llama-cpp", "prompt_version": "v2", "timings": {}, "checks": [],
                         "sentences": [{"text": "The Shanghai index closed up 0.5%.", "sources": [[0, end]],
                                        "at": [[1, 1]], "checks": {"unsupported_number": "pass"}}],
                         "claims": [{"text": "The post claims: turnover was 800 billion yuan.",
                                     "sources": [[end + 1, len(text)]], "at": [[1, end + 2]],
                                     "category": "performance_claim", "checks": {}}]}
    file.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    page = render(out)["a-clean"]
    assert f'data-sources="0-{end}"' in page and "source: line 1:1" in page
    assert f'<span data-start="0" data-end="{end}">{text[:end]}</span>' in page
    assert 'id="claims"' in page and "The post claims: turnover" in page
    assert "src-hl" in page  # summary.js, inline: no external script
    assert "<script src" not in page
