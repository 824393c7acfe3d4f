"""Romanised Chinese names in summaries: grounded in the linked source's own characters, and short
Chinese names the model leaves in the English written in pinyin instead of costing the sentence."""

from __future__ import annotations

from finflag.summary.checks import check_names_strict
from finflag.summary.romanize import grounded, romanize_leaks, romanize_name, source_pinyin

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
