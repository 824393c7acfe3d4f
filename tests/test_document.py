"""Segmentation, line/column and language identification."""

from __future__ import annotations

from finflag.document import Document
from finflag.input.lang import detect_language


def test_sentences_split_on_chinese_punctuation_and_keep_decimals():
    doc = Document("<t>", "道指涨0.67%；纳指跌1.09%。英伟达收跌6.7%！\n市场消息:")
    sentences = [doc.text[s.start : s.end] for s in doc.sentences]
    assert sentences == ["道指涨0.67%；", "纳指跌1.09%。", "英伟达收跌6.7%！", "市场消息:"]


def test_paragraphs_are_non_blank_lines():
    doc = Document("<t>", "第一段。\n\n\u00a0\n第二段，还有内容。\n")
    assert [doc.text[p.start : p.end] for p in doc.paragraphs] == ["第一段。", "第二段，还有内容。"]


def test_line_col_is_one_based():
    doc = Document("<t>", "标题\n正文第一句。稳赚不赔")
    assert doc.line_col(doc.text.index("稳赚")) == (2, 7)
    assert doc.line_col(0) == (1, 1)


def test_sentence_around_covers_a_span_across_sentences():
    doc = Document("<t>", "名额有限。马上上车！错过再等一年。")
    span = doc.sentence_around(2, 7)
    assert doc.text[span.start : span.end] == "名额有限。马上上车！"


def test_language_chinese_with_tickers_is_zh():
    assert detect_language("Affirm Holdings(AFRM)股价上涨13%。苹果宣布将终止先买后付服务，并将在今年晚些时候开始融入苹果支付。") == "zh"


def test_language_english_and_mixed():
    assert detect_language("Nvidia shares fell 6.7% on Monday as investors took profits after a long rally.") == "en"
    mixed = "Nvidia shares fell 6.7% on Monday after a long rally, analysts said. 英伟达周一收跌6.7%，分析师称。"
    assert detect_language(mixed) == "mixed"


def test_language_without_letters_is_unknown():
    assert detect_language("12345 %%% 0.5") == "unknown"


def test_short_latin_text_is_unknown_not_a_guess():
    assert detect_language("VX: gu888") == "unknown"  # langdetect says 'lv'
    assert detect_language("TG @stockking88") == "unknown"
    assert detect_language("Buy NVDA now, the target is 200 dollars per share.") == "en"
