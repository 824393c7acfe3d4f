"""The checks run on model output: each must fail on the mistake it targets."""

from __future__ import annotations

from finflag.summary.checks import check_cjk, check_degenerate, check_names, check_numbers
from finflag.numbers import source_values


def test_numbers():
    values = source_values("英伟达收跌6.7%，市值不足3万亿美元。")
    assert check_numbers("Nvidia fell 6.7% to under US$3 trillion.", values).passed
    failed = check_numbers("Nvidia fell 7.6% to under US$30 trillion.", values)
    assert not failed.passed and [i["text"] for i in failed.items] == ["7.6", "30 trillion"]


def test_cjk_leak():
    assert check_cjk("Three AI stocks were listed.").passed
    failed = check_cjk("Three AI算力股 were listed.")
    assert not failed.passed and failed.items[0]["text"] == "算力股"


def test_names_catch_invented_names_but_not_sentence_starts_or_glossary_names():
    allowed = {"Macquarie", "Nvidia", "Goldman Sachs", "Affirm"}
    assert check_names("Shares of Nvidia rose. Goldman Sachs raised Affirm's target.", allowed).passed
    failed = check_names("Analysts at McKinsey raised the target. The Wall Street Journal reported it.", allowed)
    assert [i["text"] for i in failed.items] == ["McKinsey", "Wall Street Journal"]


def test_degenerate():
    assert check_degenerate("Stocks rose on Monday.", "stop").passed
    assert not check_degenerate("", "stop").passed
    assert "cut off" in check_degenerate("Stocks rose and", "length").message
    loop = "The stock will rise next week and members will profit. " * 4
    assert "repeats" in check_degenerate(loop, "stop").message


def test_sentences_with_invented_numbers_are_removed_and_reported():
    from finflag.summary.checks import drop_unsupported_numbers

    values = source_values("金价可能达到3000美元/盎司，英伟达收跌6.7%。")
    summary, points, removed = drop_unsupported_numbers(
        "Gold may reach US$3,000 per ounce. It trades at US$1,600 now. Nvidia fell 6.7%.",
        ["Gold is at US$1,600.", "Nvidia fell 6.7%."], values)
    assert summary == "Gold may reach US$3,000 per ounce. Nvidia fell 6.7%."
    assert points == ["Nvidia fell 6.7%."]
    assert [r["removed"] for r in removed] == ["It trades at US$1,600 now.", "Gold is at US$1,600."]


def test_leaked_chinese_known_to_the_glossary_is_replaced():
    from finflag.summary.checks import replace_cjk_from_glossary
    from finflag.summary.glossary import Glossary

    text, replaced = replace_cjk_from_glossary('CATL (宁德时代) kept its "买入" rating; 某某公司 did not.',
                                               Glossary.load().english_for)
    assert text == 'CATL kept its "buy" rating; 某某公司 did not.'
    assert replaced == [{"chinese": "宁德时代", "english": "CATL"}, {"chinese": "买入", "english": "buy"}]
    assert not check_cjk(text).passed  # what the glossary does not know stays visible as a failure



def test_a_name_put_in_for_leaked_chinese_is_its_own_word():
    """The model writes an English word right against the Chinese it leaves ("while蔚来's"); the
    English put in for it gets the space around it that a word needs, so a reader (and the name
    checks) see "NIO", not "whileNIO"."""
    from finflag.summary.checks import replace_cjk_from_glossary
    from finflag.summary.glossary import Glossary

    english_for = Glossary.load().english_for
    assert replace_cjk_from_glossary("BYD rose, while蔚来's stock fell", english_for)[0] == \
        "BYD rose, while NIO's stock fell"
    assert replace_cjk_from_glossary("part of a pre-determined减持plan", english_for)[0] == \
        "part of a pre-determined share sale plan"
    assert replace_cjk_from_glossary("A股 rose; the 减持 ended", english_for)[0] == "A-shares rose; the share sale ended"

# --- per-sentence checks against the linked source -------------------------------------------

def _line_checks(pack, source: str, english: str) -> dict[str, bool]:
    from finflag.summary.glossary import Glossary
    from finflag.summary.prepare import prepare
    from finflag.summary.select import split_sentences
    from finflag.summary.summarize import check_line

    from .conftest import make_doc

    doc = make_doc(source)
    [sentence] = split_sentences(doc, prepare(doc, []), Glossary.load())
    return {c.check: c.passed for c in check_line(english, sentence)}


def test_numbers_given_to_the_wrong_entity_fail(pack):
    source = "标普500指数跌0.31%，纳指跌1.09%。"
    ok = _line_checks(pack, source, "The S&P 500 fell 0.31% and the Nasdaq fell 1.09%.")
    assert all(ok.values()), ok
    swapped = _line_checks(pack, source, "The S&P 500 fell 1.09%, the Nasdaq declined 0.31%.")
    assert not swapped["wrong_entity_number"] and swapped["unsupported_number"]


def test_a_number_before_a_name_that_no_other_entity_owns_is_not_that_names(pack):
    """The benchmark post's 新芯片集成2080亿个晶体管，采用台积电4纳米工艺 was translated right on
    every try and dropped every time: TSMC is the clause's only name, and the transistor count is
    the chip's. A number before the name that the source gives to no other entity stays; one the
    source gives to another entity, or one after the name, is still checked."""
    chip = "新芯片集成2080亿个晶体管，采用台积电4纳米工艺。"
    ok = _line_checks(pack, chip, "The new chip integrates 208 billion transistors using TSMC's 4-nanometer process.")
    assert all(ok.values()), ok
    assert not _line_checks(pack, chip, "TSMC integrates 208 billion transistors in its 4-nanometer process.")[
        "wrong_entity_number"]
    indices = "标普500指数跌0.31%，纳指跌1.09%。"
    assert not _line_checks(pack, indices, "A fall of 1.09% for the S&P 500 and 0.31% for the Nasdaq.")[
        "wrong_entity_number"]



def test_an_options_expiry_month_comes_from_the_source_and_its_strike_must_be_kept(pack):
    """NVDA 7/19 130C is rewritten before the model reads it, so "July 19" and "130" are the source's;
    the model's first reading of it ("a short call ... at 13:00") fails, and so does another month."""
    source = "美股方面，我们今天做 NVDA 7/19 130C，博弈财报。"
    ok = _line_checks(pack, source, "We are trading the NVDA July 19 130 call option today, betting on earnings.")
    assert all(ok.values()), ok
    strike = _line_checks(pack, source, "We hold a July 19 call option on NVDA with a strike price of $130.")
    assert all(strike.values()), strike  # a US ticker's strike is in US dollars
    assert not _line_checks(pack, source, "We made a short call on NVDA on July 19th at 13:00.")["unsupported_number"]
    assert not _line_checks(pack, source, "We are trading the NVDA June 19 130 call option.")["unsupported_name"]


def test_a_number_word_opening_a_sentence_and_a_first_half_are_not_invented(pack):
    """"One firm used..." names nobody, and "the first half of 2018" is 2018年1-6月, not a
    fraction: both had sent right translations of real lines to be dropped. A half the source
    does not have still fails."""
    fined = _line_checks(pack, "其中一家机构以内幕消息为诱饵，涉案金额超过3000万元，已被罚款500万元。",
                         "One firm used insider information as bait; the case involves over RMB 30 million, "
                         "and it has been fined RMB 5 million.")
    assert all(fined.values()), fined
    forecast = _line_checks(pack, "公司预计2018年1-6月净利润1.76亿元至2.47亿元。",
                            "The company expects net profit of RMB 176 million to RMB 247 million in the "
                            "first half of 2018.")
    assert forecast["fraction_word"], forecast
    halved = _line_checks(pack, "三成基金今年上涨。", "Half of the funds rose this year.")
    assert not halved["fraction_word"]


def test_an_amount_keeps_its_currency(pack):
    """A real forum post's 1.76亿元 came out as "$176 million" and passed every check: the value is
    the source's, the currency is not."""
    source = "公司预计2018年1-6月净利润1.76亿元至2.47亿元。"
    ok = _line_checks(pack, source, "The company expects net profit of RMB 176 million to RMB 247 million.")
    assert ok["wrong_currency"], ok
    dollars = _line_checks(pack, source, "The company expects net profit of $176 million to $247 million.")
    assert not dollars["wrong_currency"] and dollars["unsupported_number"]  # the value itself is right
    target = "德银维持评级，目标价1.2港元。"
    assert _line_checks(pack, target, "Deutsche Bank keeps its rating, with a target price of HK$1.2.")["wrong_currency"]
    assert not _line_checks(pack, target, "Deutsche Bank keeps its rating, with a target price of US$1.2.")[
        "wrong_currency"]
    # No currency word in the source (1.76亿 in an A-share post): RMB, never dollars.
    bare = "公司预计上半年净利润1.76亿至2.47亿。"
    assert _line_checks(pack, bare, "Net profit of RMB 176 million to RMB 247 million is expected.")["wrong_currency"]
    assert not _line_checks(pack, bare, "Net profit of $176 million to $247 million is expected.")["wrong_currency"]
    # A real forum summary wrote a holder's sales of 3085万元 as "RMB 30.85 million shares".
    sold = "杨怀进5月20日减持了3085万元。"
    assert _line_checks(pack, sold, "Yang Huaijin sold RMB 30.85 million of shares on May 20.")["wrong_currency"]
    assert not _line_checks(pack, sold, "Yang Huaijin sold RMB 30.85 million shares on May 20.")["wrong_currency"]

def test_a_number_from_another_sentence_is_unsupported_here(pack):
    checks = _line_checks(pack, "杰富瑞上调英伟达目标价。", "Jefferies raised its Nvidia price target to US$42.")
    assert not checks["unsupported_number"]


def test_an_invented_name_opening_a_sentence_fails(pack):
    source = "高盛主经纪业务专家发布报告称，对冲基金加仓科技股。"
    assert not _line_checks(pack, source, "Vanguard, a major financial institution, released a report.")[
        "unsupported_name"]
    assert _line_checks(pack, source, "A Goldman Sachs prime brokerage specialist released a report saying "
                                      "hedge funds added tech stocks.")["unsupported_name"]


def test_a_common_word_opening_a_sentence_is_no_name_but_a_rare_one_or_a_company_is(pack):
    """Recorded from the default model on an anti-fraud warning: "Warning!", "Recent police reports
    indicate ..." and "Police advise: Regular securities companies ..." were dropped as invented names."""
    warning = "近期多地警方接到报案，警方提醒：正规证券公司不会通过微信推荐股票，请警惕"
    for english in ("Warning!", "Recent police reports indicate fraud.",
                    "Police advise: Regular securities companies will not recommend stocks on WeChat."):
        assert _line_checks(pack, warning, english)["unsupported_name"], english
    # Rare words, a company's name, a weekday or a capitalised word inside a sentence still fail.
    for english in ("Vanguard, a major institution, warned investors.", "Morgan warned investors.",
                    "Apple warned investors.", "Thursday, police warned investors.",
                    "Investors were warned by Recent Capital."):
        assert not _line_checks(pack, warning, english)["unsupported_name"], english


def test_fraction_words_must_mean_what_the_source_says(pack):
    source = "散户持仓占比约两成。"
    assert not _line_checks(pack, source, "Retail investors hold about two-thirds of the shares.")["fraction_word"]
    assert _line_checks(pack, source, "Retail investors hold about 20% of the shares.")["fraction_word"]
    assert _line_checks(pack, "营收翻倍。", "Revenue doubled.")["fraction_word"]
    assert not _line_checks(pack, "营收增长。", "Revenue doubled.")["fraction_word"]


def test_weekdays_months_and_quarters_must_be_in_the_source(pack):
    """Recorded from the default model: 4日 ("the 4th") came out as "on Thursday", and 2024至2026年 as
    "Q2 2024, Q3 2024 and Q4 2024"."""
    source = "中国(太原)煤炭交易中心4日发布的价格指数报收81.92点。"
    assert not _line_checks(pack, source, "The price index published on Thursday closed at 81.92 points.")[
        "unsupported_name"]
    assert _line_checks(pack, source, "The price index published on the 4th closed at 81.92 points.")[
        "unsupported_name"]
    assert _line_checks(pack, "周四美股收盘，道指涨0.67%。", "On Thursday the Dow rose 0.67%.")["unsupported_name"]
    assert _line_checks(pack, "公司2024年一季度营收增长。", "Revenue rose in Q1 2024.")["unsupported_name"]
    assert not _line_checks(pack, "我们预计公司2024至2026年净利润增长。", "We expect profit growth in Q2 2024.")[
        "unsupported_name"]
    assert _line_checks(pack, "公司预计2018年1-6月净利润增长。", "Profit is expected to rise from January to June 2018.")[
        "unsupported_name"]


def test_a_question_or_participle_opening_a_sentence_is_not_a_name(pack):
    """Recorded from the default model on forum posts: "Is anyone watching this stock?", "Considering ..."."""
    assert _line_checks(pack, "煤价持续下跌对热电是利好吗？", "Is the continuing fall in coal prices good for power plants?")[
        "unsupported_name"]
    assert _line_checks(pack, "考虑到行业竞争格局改善，我们维持买入评级。",
                        "Considering the better competitive landscape, we maintain a buy rating.")["unsupported_name"]


def test_a_ticker_the_model_adds_beside_a_name_is_not_a_number_given_to_it(pack):
    """Recorded from the default model: tickers in brackets after the names (from the names block)."""
    source = "银行、石油板块走强，工商银行涨1.6%，中国石油涨2.1%。"
    checks = _line_checks(pack, source, "ICBC (601398.SS) rose 1.6% and PetroChina (601857.SS) rose 2.1%.")
    assert checks["wrong_entity_number"] and checks["unsupported_number"], checks
    swapped = _line_checks(pack, source, "ICBC (601398.SS) rose 2.1% and PetroChina (601857.SS) rose 1.6%.")
    assert not swapped["wrong_entity_number"]


def test_a_chinese_suffix_glued_to_its_english_word_is_said_in_english():
    """Recorded from the default model on a real forum post: 新签合同额 -> "New contract额"."""
    from finflag.summary.checks import replace_cjk_from_glossary
    from finflag.summary.glossary import Glossary

    english_for = Glossary.load().english_for
    text, replaced = replace_cjk_from_glossary("New contract额 rose 28%; the turnover率 fell.", english_for)
    assert text == "New contract rose 28%; the turnover rate fell." and len(replaced) == 2
    assert replace_cjk_from_glossary("额外 costs", english_for)[0] == "额外 costs"  # not glued: a leak to report


def test_a_latin_letter_glued_to_a_glossary_term_is_part_of_it():
    from finflag.summary.checks import replace_cjk_from_glossary
    from finflag.summary.glossary import Glossary

    text, replaced = replace_cjk_from_glossary("A股 and 港股 closed mixed.", Glossary.load().english_for)
    assert text == "A-shares and Hong Kong stocks closed mixed."
    assert [r["chinese"] for r in replaced] == ["A股", "港股"]


def test_a_month_or_weekday_invented_for_a_bare_day_is_taken_out():
    """Recorded from the default model on a real forum post: 4日 came out as "on April 4th" and, in
    another run, as "on Thursday"; either failed the name check and the sentence was lost."""
    from finflag.summary.checks import repair_dates

    source = "中国(太原)煤炭交易中心4日发布的价格指数报收81.92点。"
    assert repair_dates("The index closed at 81.92 points on April 4th.", source) == (
        "The index closed at 81.92 points on the 4th.", ["April"])
    assert repair_dates("On April 4 the index closed at 81.92 points.", source)[0] == (
        "On the 4th the index closed at 81.92 points.")
    assert repair_dates("The centre reported on Thursday that the index fell.", source) == (
        "The centre reported on the 4th that the index fell.", ["Thursday"])
    # A month the source states stays, and so does a weekday that is no misread day number.
    assert repair_dates("On April 19th, the company issued a forecast.", "4月19日，公司发布业绩预告。")[1] == []
    assert repair_dates("The index fell on Friday.", source)[1] == []
    assert repair_dates("The index fell on April 4th.", "价格指数报收81.92点。")[1] == []  # no day in the source


def test_a_period_from_january_given_as_its_last_month_is_a_period_again():
    """Recorded from the default model on real forum posts: 前8月新签合同额3167亿 came out as "New
    contracts signed in August were RMB 316.7 billion", 2018年1-6月 as "in June 2018": true month
    names, so the cumulative figure passed every check as one month's."""
    from finflag.summary.checks import repair_periods

    assert repair_periods("New contracts signed in August were RMB 316.7 billion.",
                          "中国电建：前8月新签合同额3167亿，同比增28%") == (
        "New contracts signed in the first eight months were RMB 316.7 billion.", ["August"])
    # The same period stated twice (the headline's 前8月, the body's 1至8月): neither is the month alone.
    assert repair_periods("New contracts signed in August were RMB 316.7 billion.",
                          "中国电建：前8月新签合同额3167亿同比增28%中国电建9月15日晚间公告，1至8月，公司新签合同额约3166.89亿元")[1] == [
        "August"]
    # At the start of a sentence (guba line 171's summary, session 14: "PowerChina: In August, new contract was …").
    assert repair_periods("In August, new contract was RMB 316.7 billion, up 28%.", "中国电建：前8月新签合同额3167亿同比增28%") == (
        "In the first eight months, new contract was RMB 316.7 billion, up 28%.", ["August"])
    assert repair_periods("Net profit is expected to fall in June 2018.", "公司预计2018年1-6月份净利润下降")[0] == (
        "Net profit is expected to fall in the first six months of 2018.")
    assert repair_periods("Sales for the first eight months rose.", "前八个月销量增长")[1] == []
    # Said as a range already, or the month stated on its own too: left as it is.
    assert repair_periods("Profit rose from January to June 2018.", "2018年1-6月净利润增长")[1] == []
    assert repair_periods("In August sales rose 3%.", "8月销量增长3%，前8月累计增长5%")[1] == []
    assert repair_periods("On August 4 sales rose.", "前8个月销量增长")[1] == []


def test_a_headline_topic_owns_the_target_its_broker_sets(pack):
    """Recorded from the default model on real headlines (thucnews): 华润电力：德银评级买入 目标价17.6港元.
    The target is the company's (set by the broker); an index's figure stays its own."""
    headline = "华润电力：德银评级买入 目标价17.6港元"
    assert _line_checks(pack, headline, "China Resources Power received a buy rating with a target price of HK$17.6.")[
        "wrong_entity_number"]
    assert _line_checks(pack, headline, "Deutsche Bank rates China Resources Power buy, target price HK$17.6.")[
        "wrong_entity_number"]
    wrap = "上证指数：涨1.1%，深证成指涨0.9%。"
    assert not _line_checks(pack, wrap, "The Shanghai Composite rose 0.9%.")["wrong_entity_number"]
    assert _line_checks(pack, wrap, "The Shanghai Composite rose 1.1%.")["wrong_entity_number"]
