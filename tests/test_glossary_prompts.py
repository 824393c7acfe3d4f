"""Glossary look-ups, tickers and prompt filling."""

from __future__ import annotations

import pytest

from finflag.summary.glossary import Glossary, GlossaryError, tickers_in
from finflag.summary.prompts import PromptError, fill


def test_glossary_prefers_the_longest_entity():
    glossary = Glossary.load()
    found = {e.zh: e.en for e in glossary.find("中国银行和麦格理都上调了英伟达的目标价。")}
    assert found["中国银行"] == "Bank of China" and "中国" not in found
    assert found["麦格理"] == "Macquarie" and found["英伟达"] == "Nvidia"


def test_user_glossary_extends_and_overrides(tmp_path):
    extra = tmp_path / "mine.tsv"
    extra.write_text("老张财经\tLao Zhang Finance\torg\n英伟达\tNVIDIA Corp\tcompany\tNVDA\n", encoding="utf-8")
    glossary = Glossary.load([extra])
    found = {e.zh: e.en for e in glossary.find("老张财经说英伟达")}
    assert found == {"老张财经": "Lao Zhang Finance", "英伟达": "NVIDIA Corp"}
    bad = tmp_path / "bad.tsv"
    bad.write_text("只有一列\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="bad.tsv:1"):
        Glossary.load([bad])


def test_tickers():
    text = "Chipotle Mexican Grill ( CMG ) 拆股；物流巨头RXO涨23%；ETF收涨，英伟达下跌。"
    entities = Glossary.load().find(text)
    assert tickers_in(text, entities) == ["CMG", "RXO", "NVDA"]


def test_fill_inserts_article_text_verbatim_even_with_braces():
    prompt = fill("summarize", "v1", article="价格{names}在{max_words}区间", names="- 英伟达 = Nvidia", max_words=80)
    assert "价格{names}在{max_words}区间" in prompt and "at most 80 words" in prompt
    with pytest.raises(PromptError, match="no value for"):
        fill("summarize", "v1", article="x")


def test_numbered_answers_map_back_to_their_lines():
    from finflag.summary.translate import numbered, parse_numbered

    assert numbered(["微软跌0.5%。", "苹果\n收涨0.3%。"]) == "1. 微软跌0.5%。\n2. 苹果 收涨0.3%。"
    answer = "1. Microsoft fell 0.5%.\nNote: translated literally.\n**2.** Apple rose 0.3%.\n3. Extra line."
    assert parse_numbered(answer, 2) == {1: "Microsoft fell 0.5%.", 2: "Apple rose 0.3%."}
    assert parse_numbered("Microsoft fell 0.5%.", 1) == {1: "Microsoft fell 0.5%."}
