"""Market-move lines are translated by a table of words, exactly, and without a model call."""

from __future__ import annotations

import pytest

from finflag.summary.formulaic import formulaic_english
from finflag.summary.glossary import Glossary
from finflag.summary.model import resolve
from finflag.summary.prepare import prepare
from finflag.summary.select import split_sentences
from finflag.summary.summarize import Summarizer, SummaryOptions, check_line

from .conftest import make_doc


def _sentences(text: str):
    doc = make_doc(text)
    return split_sentences(doc, prepare(doc, []), Glossary.load())


@pytest.mark.parametrize(("source", "english"), [
    ("标普500跌幅为0.31%。", "The S&P 500 fell 0.31%."),
    ("美股收盘：道指涨0.67%，纳指跌1.09%", "US stocks at the close: the Dow rose 0.67%, the Nasdaq fell 1.09%."),
    ("截至收盘，道指涨幅为0.67%，纳指跌幅为1.09%，标普500跌幅为0.31%。",
     "At the close, the Dow rose 0.67%, the Nasdaq fell 1.09%, the S&P 500 fell 0.31%."),
    ("苹果收涨0.3%，市值3.19万亿美元。", "Apple closed up 0.3%, with a market value of US$3.19 trillion."),
    ("苹果涨近3%，微软跌逾1%。", "Apple rose nearly 3%, Microsoft fell more than 1%."),
    ("台積電收漲2.5%。", "TSMC closed up 2.5%."),  # Traditional Chinese reads as its simplified form
    ("A股港股收盘：沪指涨0.42%，深证成指跌0.45%",
     "A-shares and Hong Kong stocks at the close: the Shanghai Composite rose 0.42%, the Shenzhen Component Index "
     "fell 0.45%."),
    ("港股方面，恒生指数涨1.13%，收报17650点；", "In Hong Kong stocks, the Hang Seng Index rose 1.13% to 17650 points."),
    ("恒生科技指数则跌1.18%，美团跌4.2%。", "The Hang Seng Tech Index fell 1.18%, Meituan fell 4.2%."),
])
def test_a_line_of_market_moves_is_translated_by_the_table_and_passes_every_check(source, english):
    [s] = _sentences(source)
    assert formulaic_english(s.text, s.entities) == english
    failed = [c.check for c in check_line(english, s) if not c.passed]
    assert not failed, failed


@pytest.mark.parametrize("source", [
    "道指预计涨1%。",                          # a forecast, not a move
    "英伟达收跌6.7%，创两个月最大跌幅。",        # a second clause the table cannot say
    "微软跌0.5%，市值3.33万亿美元，仍为美股最大。",
    "道指涨0.67%，涨0.2%。",                    # a move of no one named
    "道指期货涨0.5%。",                         # a word between the name and the move
    "市值涨3%。",                               # a term, not a name
    "某公司收涨5%。",                           # no glossary name at all
    "上证指数报3012.56点。",                     # a level with no move
    "银行板块走强，工商银行涨1.6%。",             # a sector's move in words
])
def test_anything_else_is_left_to_the_model(source):
    [s] = _sentences(source)
    assert formulaic_english(s.text, s.entities) is None


class _NoModel(Summarizer):
    """Fails the test if the model is asked anything."""

    def backend(self):
        raise AssertionError("the model was called for a line the table translates")


def test_a_post_of_market_moves_needs_no_model_call():
    doc = make_doc("美股收盘：道指涨0.67%，纳指跌1.09%。\n苹果收涨0.3%，市值3.19万亿美元。\n")
    summarizer = _NoModel(resolve(None, "llama-cpp"), SummaryOptions(max_words=60))
    out = summarizer.summarize(doc, []).to_dict()
    assert [s["text"] for s in out["sentences"]] == [
        "US stocks at the close: the Dow rose 0.67%, the Nasdaq fell 1.09%.",
        "Apple closed up 0.3%, with a market value of US$3.19 trillion."]
    assert all(s["translated_by"] == "template" for s in out["sentences"])
    assert out["timings"]["calls"] == 0
