"""Amounts in English, and tracing summary numbers back to the source."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finflag.numbers import (english_amount, english_numbers, format_english, is_supported, parse_amount,
                             rewrite_amounts, source_values)


@pytest.mark.parametrize(
    "chinese,english",
    [
        ("市值3.33万亿美元仍为美股最大", "市值 US$3.33 trillion 仍为美股最大"),
        ("将斥资41亿美元新建工厂", "将斥资 US$4.1 billion 新建工厂"),
        ("套现9460万美元。", "套现 US$94.6 million。"),
        ("一周减持72万股", "一周减持 720,000 shares"),
        ("金价达到3000美元/盎司", "金价达到 US$3,000 per ounce"),
        ("营收797.7亿元", "营收 RMB 79.77 billion"),
        ("港股募资50亿港元", "港股募资 HK$5 billion"),
        ("每股派息0.5元", "每股派息 RMB 0.5"),
        ("道指涨0.67%，6月24日", "道指涨0.67%，6月24日"),
        ("共3.2万人", "共 32,000 人"),
        # A currency before the number decides what the trailing 元 is (Taiwan's 元 is the NT dollar).
        ("营收新台币96.8亿元，年增12%", "营收 NT$9.68 billion，年增12%"),
        ("發行人民幣500億元債券", "發行 RMB 50 billion 債券"),
        ("市值1.2萬億港幣", "市值 HK$1.2 trillion"),
        ("募资人民币500亿元", "募资 RMB 50 billion"),
        ("台股成交金额达新台币4,128亿元", "台股成交金额达 NT$412.8 billion"),
        # Taiwan's 兆 is 10^12 beside money, and left alone elsewhere (兆瓦 is a megawatt).
        ("外资持股市值27兆元", "外资持股市值 RMB 27 trillion"),
        ("台积电市值新台币27兆", "台积电市值 NT$27 trillion"),
        ("装机容量100兆瓦", "装机容量100兆瓦"),
        # Land in mu (亩): the model wrote 3000亩 as "3000 acres" on a real forum post.
        ("占地3000亩，投资600亿元", "占地 3,000 mu，投资 RMB 60 billion"),
        ("流转土地1.2万亩", "流转土地 12,000 mu"),
        # Tenths of the whole as percentages: the model reads 两成 as "two-thirds" or "two percent".
        ("白酒股持仓市值环比增长约两成，", "白酒股持仓市值环比增长约20%，"),
        ("有两成跑赢了沪深300，募资100亿元", "有20%跑赢了沪深300，募资 RMB 10 billion"),
        ("醫藥持倉占比降至一成左右", "醫藥持倉占比降至10%左右"),
        # ... but not where 成 is a verb or part of a word: 八成是 is "most likely", 一成不变 "unchanging".
        ("八成是主力在洗盘", "八成是主力在洗盘"),
        ("走势一成不变", "走势一成不变"),
        # An option's shorthand (ticker, expiry month/day, strike, C or P): the model read 130C as "13:00".
        ("美股方面，我们今天做 NVDA 7/19 130C，博弈财报。", "美股方面，我们今天做 NVDA July 19 US$130 call option，博弈财报。"),
        ("买入TSLA 8/16 250P两张", "买入 TSLA August 16 US$250 put option 两张"),
        ("现价7/19开盘，TSLA涨3%", "现价7/19开盘，TSLA涨3%"),
    ],
)
def test_rewrite_amounts(chinese, english):
    text, rewrites = rewrite_amounts(chinese)
    assert text == english
    for r in rewrites:
        assert chinese[r.start : r.end] == r.source


def test_a_two_digit_year_supports_the_full_year():
    """Forum posts date things 07年10月; a faithful translation writes October 2007."""
    values = source_values("07年10月，公司以31.3元/股定向增发。")
    assert [is_supported(n, values) for n in english_numbers("In October 2007 it sold shares at RMB 31.3, not in 2017.")
            ] == [True, True, False]
    assert Decimal(1998) in source_values("98年的行情")


def test_the_mis_scaling_the_model_makes_is_caught():
    values = source_values("公司计划投资50亿美元。")
    wrong = english_numbers("The company plans to invest $50 billion.")
    right = english_numbers("The company plans to invest US$5 billion.")
    assert not is_supported(wrong[0], values)
    assert is_supported(right[0], values)


def test_rounded_numbers_are_supported_but_changed_ones_are_not():
    values = source_values("微软市值3.33万亿美元，纳指跌1.09%，三日累跌近13%。")
    assert [is_supported(n, values) for n in english_numbers(
        "Microsoft is worth US$3.3 trillion; the Nasdaq fell 1.1% and Nvidia 13% in three days, 14% in 3 days."
    )] == [True, True, True, False, True]


@given(st.integers(min_value=1, max_value=9999), st.sampled_from(["万", "亿", "万亿"]))
def test_parse_and_format_agree(n, unit):
    value = parse_amount(f"{n}{unit}")
    assert value == Decimal(n) * {"万": 10**4, "亿": 10**8, "万亿": 10**12}[unit]
    english = format_english(value)
    number = english_numbers(english)[0]
    assert number.value == value


def test_chinese_numerals():
    assert english_amount("三十七") == "37"
    assert english_amount("两万") == "20,000"
    assert english_amount("not a number") == "not a number"


def test_a_bare_yuan_in_a_taiwan_post_is_the_nt_dollar():
    """台積電收在1,065元 in a Taiwan wrap is NT$1,065; the model had been handed "RMB 1,065" beside
    the NT$ amounts the same post wrote with 新台幣. A post that names RMB or the mainland markets
    keeps RMB."""
    from finflag.numbers import post_yuan, rewrite_amounts

    taiwan = "台股週四走高，加權指數終場上漲182.46點。台積電收在1,065元，投信賣超12.3億元。"
    assert post_yuan(taiwan) == "新台币"
    text, _ = rewrite_amounts("台積電收在1,065元，投信賣超12.3億元，外資買超新台幣96.8億元", post_yuan(taiwan))
    assert text == "台積電收在 NT$1,065，投信賣超 NT$1.23 billion，外資買超 NT$9.68 billion"
    mainland = "A股三大指数收涨，台股亦走高。贵州茅台收在1,500元。"
    assert post_yuan(mainland) == "元"
    assert rewrite_amounts("贵州茅台收在1,500元", post_yuan(mainland))[0] == "贵州茅台收在 RMB 1,500"
    assert rewrite_amounts("收在1,500元")[0] == "收在 RMB 1,500"  # no post context: RMB as before


def test_a_sentence_cut_in_halves_keeps_its_posts_currency():
    """A sentence too long for a tiny context is cut in two and its halves rewritten again: in a
    Taiwan post 元 must stay the NT dollar there too."""
    from finflag.numbers import rewrite_amounts
    from finflag.summary.select import Sentence
    from finflag.summary.translate import _halves

    source = "台積電上漲2.4%，收在1,065元，創歷史新高，市值突破新台幣27兆元。"
    text, rewrites = rewrite_amounts(source, "新台币")
    halves = _halves(Sentence(0, len(source), source, text, rewrites, yuan="新台币"))
    assert "NT$1,065" in halves[0].text and "RMB" not in " ".join(h.text for h in halves)
    assert all(h.yuan == "新台币" for h in halves)


def test_a_sum_of_money_named_before_a_bare_amount_is_in_the_posts_currency():
    """净利润1.76亿至2.47亿 has no currency word; left as "176 million" the model wrote "$176 million"
    in an A-share forum post. A money noun just before it (and the first end of a range) says it is
    money, in the post's currency; shares, head counts and share capital stay plain numbers."""
    text, rewrites = rewrite_amounts("预计上半年净利润1.76亿至2.47亿，募资约39.99亿，成交量3.2亿股，总股本8亿。")
    assert "净利润 RMB 176 million 至 RMB 247 million" in text and "募资约 RMB 3.999 billion" in text
    assert "320 million shares" in text and "总股本 800 million" in text
    taiwan, _ = rewrite_amounts("市值約27兆，營收約2.5億", "新台币")
    assert "營收約 NT$250 million" in taiwan
