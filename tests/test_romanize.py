"""Romanised Chinese names in summaries: grounded in the linked source's own characters, and short
Chinese names the model leaves in the English written in pinyin instead of costing the sentence."""

from __future__ import annotations

from finflag.summary.checks import check_names_strict
from finflag.summary.romanize import grounded, name_words, romanize_leaks, romanize_name, source_pinyin

# A real-style forum post about a planned nuclear plant (one long sentence, as forum posts are written).
NUCLEAR = ("桃花江核电站规划地点位于湖南省益阳市桃江县沾溪乡荷叶山，占地3000亩，计划总投资超过600亿元，"
           "桃花江核电厂使用第三代核电技术ap1000建造，规划建设4台125万千瓦机组，总装机容量为500万千瓦，"
           "是湖南省历年来投资额最大的项目之一。")
# What the default model wrote for it (recorded): two Chinese names left in, one invented (荷叶山 is Heye, not Huaer).
NUCLEAR_EN = ("The nuclear station is in桃江, which is located in Hunan Province, Yiyang City, and沾溪乡, Huaer "
              "Mountain. The station has an area of 3000 acres and plans to invest over RMB 60 billion. It will use "
              "the safest第三代核电 technology, AP1000, to build four 1.25 million kilowatt reactors. This is one of "
              "the largest investment projects in Hunan Province in recent years.")


def test_pinyin_of_the_source_grounds_romanised_names_and_nothing_else():
    spellings = source_pinyin(NUCLEAR)
    assert grounded("Yiyang", spellings) and grounded("Hunan", spellings) and grounded("Taohuajiang", spellings)
    assert grounded("Zhanxi", spellings) and grounded("Taojiang", spellings)  # 沾溪乡, 桃江县 without the suffix
    assert not grounded("Huaer", spellings) and not grounded("Shanghai", spellings)
    # Ordinary words read aloud are not names: 第三代 (third generation), 路线 (route).
    assert not grounded("Disandai", spellings) and not grounded("Luxian", source_pinyin("按国家发展核电的技术路线"))
    assert grounded("Chongqing", source_pinyin("重庆市")) and grounded("Xi'an", source_pinyin("西安的房价"))


def test_invented_romanised_names_fail_and_grounded_ones_pass():
    spellings = source_pinyin(NUCLEAR)
    assert check_names_strict("The plant is in Yiyang City, Hunan Province.", set(), spellings).passed
    bad = check_names_strict("The plant sits on Huaer Mountain. The site covers 3000 mu.", set(), spellings)
    assert not bad.passed and [b["text"] for b in bad.items] == ["Huaer Mountain"]  # not "Huaer Mountain. The"
    assert not check_names_strict("Vanguard released a report.", set(), spellings).passed
    # Recorded from the default model on a real forum post: 中国中铁 and 中国铁建 both written as one
    # name made of ordinary words, so the acquirer and the target cannot be told apart.
    merger = source_pinyin("中国中铁增发收购中国铁建资产")
    assert not check_names_strict("China Railway Construction Group issued shares to acquire China Railway "
                                  "Construction.", set(), merger).passed
    huaan = source_pinyin("董事会同意公司增持华安证券5000万股")
    assert check_names_strict("The board approved buying 50 million more Hua An Securities shares.", set(), huaan).passed


def test_short_chinese_names_from_the_source_are_romanised_longer_phrases_stay():
    text, done = romanize_leaks(NUCLEAR_EN, NUCLEAR)
    assert done == ["桃江", "沾溪乡"]
    assert "in Taojiang, which" in text and "and Zhanxi Township, Huaer" in text
    assert "第三代核电" in text  # an untranslated phrase, not a name: the Chinese-leak check still sees it
    assert romanize_leaks("Shares of某某 rose.", NUCLEAR) == ("Shares of某某 rose.", [])  # not in the source
    assert romanize_name("益阳市") == "Yiyang City" and romanize_name("桃江") == "Taojiang"


def test_a_translation_keeps_its_sentences_that_pass_and_lists_the_ones_cut(pack):
    from finflag.summary.glossary import Glossary
    from finflag.summary.model import ModelChoice
    from finflag.summary.prepare import prepare
    from finflag.summary.select import split_sentences
    from finflag.summary.summarize import Summarizer, summary_checks

    from .conftest import make_doc

    doc = make_doc(NUCLEAR)
    [sentence] = split_sentences(doc, prepare(doc, []), Glossary.load())
    summarizer = Summarizer(ModelChoice("default", "default", "llama-cpp", "test"))  # checking loads no model
    line = summarizer._line(sentence, NUCLEAR_EN)
    assert line.passed
    assert line.text == ("The station has an area of 3000 acres and plans to invest over RMB 60 billion. This is one "
                         "of the largest investment projects in Hunan Province in recent years.")
    cut = {part.split()[1]: sorted(c.check for c in checks) for part, checks in line.removed}
    assert cut == {"nuclear": ["unsupported_name"], "will": ["cjk_leak"]}
    repaired = {c.check: len(c.repaired) for c in summary_checks([line], [])}
    assert repaired["unsupported_name"] == 1 and repaired["cjk_leak"] == 1


def test_share_classes_are_ordinary_words_and_glued_names_are_split():
    from finflag.summary.checks import unglue

    assert check_names_strict("BYD's H-shares rose by 2.3%, A-shares were flat.", {"BYD"}).passed
    # Recorded from the default model: a word glued to the next name.
    assert unglue("BYD rose 2.3%, whileNIO's US shares fell.") == "BYD rose 2.3%, while NIO's US shares fell."
    assert unglue("Tencent's WeChat and Apple's iPhone") == "Tencent's WeChat and Apple's iPhone"


SALE = "看7月11日，海润公告，杨怀进至少要增持1-6月份减持金额的10%。"


def test_a_name_misheard_by_a_syllable_is_spelled_as_the_source_reads_it():
    """Recorded from the default model on a real forum post: 杨怀进 -> "Yang Haijin", 海润 -> "Huorun"."""
    from finflag.summary.romanize import respell_names

    english, done = respell_names("Huorun announced that Yang Haijin must buy back 10%.", SALE,
                                  ["Huorun", "Yang Haijin"])
    assert english == "Hairun announced that Yang Huaijin must buy back 10%."
    assert done == [("Huorun", "Hairun"), ("Yang Haijin", "Yang Huaijin")]
    assert check_names_strict(english, set(), source_pinyin(SALE)).passed
    # An English name is no pinyin, and a name far from every source name stays as it is, failing.
    kept = "Vanguard said Zhang Wei bought 10%."
    assert respell_names(kept, SALE, ["Vanguard", "Zhang Wei"]) == (kept, [])


def test_pinyin_words_are_told_from_english_ones():
    from finflag.summary.romanize import is_pinyin

    assert all(is_pinyin(w) for w in ("Huorun", "Taojiang", "Xian", "Zhanxi"))
    assert not any(is_pinyin(w) for w in ("Vanguard", "McKinsey", "Morgan", "Goldman", "Sachs", "Nasdaq"))


def test_a_three_character_person_name_and_a_firm_before_its_notice_are_names():
    """jieba cuts 杨怀进 as 杨怀 + 进 and tags 海润 as nothing: both are names of the sentence all the same,
    while the ordinary words around them (增持, 金额) are not."""
    words = name_words(SALE)
    assert {"杨怀进", "海润"} <= words
    assert not words & {"增持", "金额", "月份"}


def test_a_person_named_before_the_figures_is_a_subject_the_english_must_keep():
    """Recorded from the default model on a real forum post: "RMB 30.85 million ... were sold on May 20"
    for 看杨怀进5月20日…减持了3085万元 lost the seller; "Yang" or "Yang Huaijin" keeps him."""
    from finflag.summary.romanize import lead_names

    [seller] = lead_names("看杨怀进5月20日以12.34元的价格减持了3085万元。")
    assert not seller.said_in("RMB 30.85 million were sold on May 20.")
    assert seller.said_in("Yang Huaijin sold RMB 30.85 million on May 20.")
    assert seller.said_in("On May 20 Yang sold RMB 30.85 million of shares.")
    # Named only after the figures, or a bare place: not what the figures are about.
    assert lead_names("5月20日减持了3085万元，据杨怀进说。") == ()
    assert lead_names("项目位于湖南省益阳市桃江县，计划总投资超过600亿元。") == ()
    # A facility named by its place is: the plant's investment, not the county's.
    [plant] = lead_names("桃花江核电站位于湖南省益阳市桃江县，计划总投资超过600亿元。")
    assert plant.english == "Taohuajiang Nuclear Power Station"
    assert plant.said_in("The Taohuajiang nuclear plant will cost over RMB 60 billion.")
    assert not plant.said_in("The plant will cost over RMB 60 billion.")
    # jieba tags 归母 (of 归母净利润) and 宁德 (of 宁德时代) as people; a glossary name is the glossary's.
    assert lead_names("归母净利润105.1亿元，同比增长7.0%。") == ()
    assert lead_names("宁德时代：归母净利润105.1亿元。", ("宁德时代",)) == ()
    assert lead_names("杰富瑞上调英伟达目标价，称还能再涨19%。", ("杰富瑞", "英伟达")) == ()


def test_a_listed_firm_named_by_its_stock_code_is_a_subject_in_pinyin():
    """中核钛白（002145）is a company by the code after it; an English that says only "the company"
    loses whose forecast it is. A date before the name (4月19日) is no figure."""
    from finflag.summary.romanize import coded_firms, lead_names

    notice = "4月19日，中核钛白（[STOCK_CODE]）发布业绩预告，公司预计净利润1.76亿至2.47亿。"
    [firm] = lead_names(notice)
    assert firm.english == "Zhonghe Taibai"
    assert firm.said_in("Zhonghe Taibai expects a net profit of RMB 176 million to RMB 247 million.")
    assert not firm.said_in("The company expects a net profit of RMB 176 million to RMB 247 million.")
    assert "中核钛白" in name_words(notice)
    assert check_names_strict("Zhonghe Taibai issued a profit forecast.", set(), source_pinyin(notice)).passed
    # The first word names it too; a word that runs into the name is not part of it.
    [courier] = lead_names("申通快递(002468)－申通更名，股价回调迎来布局良机")
    assert courier.said_in("Shentong Express (002468) was renamed.")
    assert coded_firms("今天买入的万科(000002)涨了3%") == ["万科"]
    # Named after the figures, or without a code: no subject of the figures.
    assert lead_names("净利润1.76亿，中核钛白(002145)说。") == ()
    assert coded_firms("中核钛白今天发布业绩预告") == []
