"""Select: sentences with offsets, salience, and coverage of every entity-with-a-number pair."""

from __future__ import annotations

from finflag.pipeline import flag_document
from finflag.summary.glossary import Glossary
from finflag.summary.prepare import prepare
from finflag.summary.select import LINES_PER_CALL, MAX_SENTENCE_CHARS, estimate_words, prominence, select, split_sentences

from .conftest import SAMPLES, make_doc

NEWS = (
    "美股收盘：道指涨0.67%，纳指跌1.09%\n"
    "周一，美国国债收益率几乎没有变化。\n"
    "微软跌0.5%，市值3.33万亿美元仍为美股最大。苹果收涨0.3%，市值3.19万亿美元。\n"
    "物流公司RXO涨23%至历史最高，公司以超过10亿美元收购一家货运经纪业务。\n"
    "杰富瑞上调英伟达目标价，称还能再涨19%。花旗分析师认为该股估值合理。\n"
    "黄仁勋一周减持72万股，套现9460万美元，属于预先制定的减持计划。\n"
    "扫码加群，每月只需199元。\n"
)


def _sentences(pack, text):
    doc = make_doc(text)
    return doc, split_sentences(doc, prepare(doc, flag_document(doc, pack).findings), Glossary.load())


def test_sentences_keep_offsets_into_the_original_and_rewrite_amounts(pack):
    doc, sentences = _sentences(pack, NEWS)
    for s in sentences:
        assert doc.text[s.start : s.end] == s.source
    microsoft = next(s for s in sentences if s.source.startswith("微软"))
    assert "US$3.33 trillion" in microsoft.text and "万亿" not in microsoft.text
    assert [e.en for e in microsoft.entities][0] == "Microsoft"
    assert ("Microsoft", "3.33") in microsoft.pairs
    assert not any("扫码" in s.source for s in sentences)  # the contact footer stays dropped
    assert sentences[0].score > next(s for s in sentences if s.source.startswith("周一")).score


def test_selection_covers_every_entity_with_a_number_in_source_order(pack):
    _, sentences = _sentences(pack, NEWS)
    chosen = select(sentences, max_words=100)  # the six sentences with figures: ~93 estimated words
    assert [s.index for s in chosen] == sorted(s.index for s in chosen)
    assert sum(s.words for s in chosen) <= 100
    pairs = set().union(*(s.pairs for s in sentences))
    assert pairs <= set().union(*(s.pairs for s in chosen))
    texts = " ".join(s.source for s in chosen)
    for needle in ("微软", "苹果", "RXO", "杰富瑞", "黄仁勋"):
        assert needle in texts
    assert "花旗" not in texts  # no number, the least salient: the first to go


def test_filler_never_repeats_figures_already_chosen(pack):
    """A digest that restates the lead (今日看点 at the foot of a wrap) is not translated again:
    its figures are already shown with their names, and the budget goes to a new fact instead."""
    text = NEWS + "今日看点：周一收盘时道指上涨0.67%，纳指则下跌1.09%，市场情绪总体平稳。\n"
    _, sentences = _sentences(pack, text)
    digest = [s for s in sentences if s.start >= len(NEWS)]
    assert digest and all(s.pairs for s in digest)
    chosen = select(sentences, max_words=400)
    assert not {s.index for s in digest} & {s.index for s in chosen}
    assert "花旗" in " ".join(s.source for s in chosen)  # figure-free filler still comes in when it fits


def test_a_tight_budget_keeps_the_most_salient_and_never_exceeds_it(pack):
    _, sentences = _sentences(pack, NEWS)
    chosen = select(sentences, max_words=25)
    assert chosen and sum(s.words for s in chosen) <= 25


def test_a_run_without_full_stops_is_cut_into_short_pieces(pack):
    text = "英伟达收跌6.7%，市值不足3万亿美元，分析师认为估值仍然合理" * 400
    doc, sentences = _sentences(pack, text)
    assert len(sentences) > 50
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS for s in sentences)
    assert "".join(s.source for s in sentences) == text


def test_the_demo_post_selection_covers_the_market_caps_and_the_sales(pack):
    doc, sentences = _sentences(pack, (SAMPLES / "mixed-news-with-footer.txt").read_text(encoding="utf-8"))
    chosen = " ".join(s.source for s in select(sentences, 150))
    for needle in ("3.33万亿美元", "3.19万亿美元", "RXO涨23%", "还能再涨19%", "减持72万股"):
        assert needle in chosen


def test_estimated_words():
    assert estimate_words("微软市值突破4万亿美元") == 8  # 10 characters x 0.72 + one number
    assert estimate_words("Apple rose 3%") == 3


def test_the_company_is_named_in_a_post_about_one_company(pack):
    """A research note says 公司 for the company of its headline; the model reads the name there,
    so the English names whose numbers they are. Not in a post about several companies, not
    inside 上市公司, not in a sentence that names someone else."""
    note = ("宁德时代点评：储能业务放量，维持买入评级\n"
            "公司2024年一季度实现营收797.7亿元，同比下降10.4%。\n"
            "我们预计公司2024至2026年归母净利润分别为500亿元、580亿元和670亿元。\n"
            "上市公司整体业绩承压，行业竞争加剧。\n"
            "归母净利润105.1亿元，同比增长7.0%。\n"
            "考虑到行业竞争格局改善，我们维持买入评级，目标价220元。\n")
    doc, sentences = _sentences(pack, note)
    assert sentences[1].text.startswith("宁德时代2024年一季度实现营收")
    assert "我们预计宁德时代2024至2026年" in sentences[2].text
    assert [e.en for e in sentences[1].entities if e.kind == "company"] == ["CATL"]
    assert sentences[3].text.startswith("上市公司整体业绩承压")
    assert sentences[4].text.startswith("宁德时代：归母净利润")  # whose profit: the post's company
    assert sentences[5].text.startswith("考虑到")  # the broker's rating is not the company's act
    assert doc.text[sentences[1].start:sentences[1].end].startswith("公司2024年")  # the link: the source as written
    assert sentences[1].spans == [[sentences[1].start, sentences[1].end], [sentences[0].start, sentences[0].end]]
    _, two = _sentences(pack, note.replace("维持买入评级", "比亚迪同步走强"))
    assert two[1].text.startswith("公司2024年")


def test_every_entity_with_a_figure_before_more_figures_of_one(pack):
    """Recorded on a real market wrap: one 47-word macro sentence with five figures took a third of
    the budget, and the Dow's and the Nasdaq's closes were left out. Dates are not figures, and a
    heading of no salience is never filler."""
    wrap = ("美股收盘：三大指数涨跌不一\n"
            "市场正在等待周五发布的5月PCE物价指数，美联储最关注的通胀指标预计从2.8%回落至2.6%，"
            "交易员预计美联储9月降息的概率为67%，年内降息两次的概率为55%，十年期收益率为4.25%。\n"
            "截至收盘，道指涨幅为0.67%；\n纳指跌幅为1.09%；\n市场消息：\n"
            "英伟达收跌6.7%，创两个月最大跌幅。\n")
    _, sentences = _sentences(pack, wrap)
    chosen = [s.source for s in select(sentences, 30)]
    assert "截至收盘，道指涨幅为0.67%；" in chosen and "纳指跌幅为1.09%；" in chosen
    assert "英伟达收跌6.7%，创两个月最大跌幅。" in chosen
    assert not any(s.startswith("市场消息") for s in chosen)
    fed = next(s for s in sentences if "PCE" in s.source)
    assert "5" not in fed.numbers and "9" not in fed.numbers  # 5月, 9月 are dates


#: A weekly wrap written for this test: three indices in the lead, Tesla named twice, and short
#: sentences that name several companies once each further down.
WEEKLY = ("美股一周回顾：三大指数连续第二周上涨\n"
          "本周美股三大指数连续第二周收涨。道指周涨1.2%；纳指周涨2.3%，表现最好。\n"
          "科技股整体领涨，市场对美联储年内继续降息的预期有所升温，投资者普遍认为财报季开局良好。"
          "不过也有分析师提醒，大选临近，市场波动可能加大，短期内不宜过度乐观。\n"
          "财报方面，特斯拉三季度营收251.8亿美元，同比增长8%。\n"
          "塔吉特下跌1.2%，开市客基本持平。\n"
          "拼多多跌4.6%，阿里巴巴跌1.9%，京东涨0.8%。\n"
          "埃克森美孚本周上涨0.6%，雪佛龙下跌0.4%。\n"
          "汽车方面，除特斯拉外，福特本周下跌1.9%，市场担心其电动车业务亏损扩大。\n")


def test_a_long_wrap_covers_the_names_of_its_lead_and_names_said_twice_first(pack):
    """Recorded on a real-style weekly wrap: covering names per word took three short sentences of
    retailers and Chinese ADRs named once, and left the Nasdaq and Tesla out."""
    _, sentences = _sentences(pack, WEEKLY)
    chosen = select(sentences, 30)
    texts = [s.source for s in chosen]
    assert any(t.startswith("纳指周涨2.3%") for t in texts) and any(t.startswith("道指周涨1.2%") for t in texts)
    assert any("特斯拉三季度营收" in t for t in texts)
    assert not any(t.startswith("拼多多") for t in texts)
    ranks = {s.source[:4]: s.rank for s in chosen}
    assert sorted(ranks.values()) == list(range(len(chosen)))  # the order they were taken in
    weights = prominence(sentences)
    assert weights["Tesla"] > weights["Target"] and weights["Nasdaq"] > weights["Target"]


def test_a_number_goes_with_the_name_written_nearest_before_it(pack):
    """A Chinese sentence carries its subject over its clauses; a name with no number of its own
    (除特斯拉外) is given none, so covering it never takes a sentence about Ford."""
    _, sentences = _sentences(pack, WEEKLY)
    ford = next(s for s in sentences if "福特" in s.source)
    assert ford.pairs == {("Ford", "1.9")}
    tesla = next(s for s in sentences if "特斯拉三季度" in s.source)
    assert tesla.pairs == {("Tesla", "251.8"), ("Tesla", "8")}
    adrs = next(s for s in sentences if s.source.startswith("拼多多"))
    assert adrs.pairs == {("PDD Holdings", "4.6"), ("Alibaba", "1.9"), ("JD.com", "0.8")}


def test_a_figure_without_a_subject_takes_the_company_of_the_sentence_before(pack):
    """In a post naming several companies, a sentence that states a company's figure without a
    subject carries the subject of the sentence before it; never one about another company."""
    post = ("英伟达一季度业绩超预期\n"
            "英伟达公布的财报显示，第一财季营收260亿美元，同比增长262%。\n"
            "净利润达到148.8亿美元，同比增长628%，毛利率为78.4%。\n"
            "另一家公司的营收增长208%，但仍处于亏损状态。\n"
            "摩根士丹利将目标价上调至1160美元，维持增持评级。\n"
            "公司股价当日上涨3%。\n")
    doc, sentences = _sentences(pack, post)
    profit = next(s for s in sentences if "148.8" in s.source)
    assert profit.text.startswith("英伟达：净利润") and ("Nvidia", "148.8") in profit.pairs
    report = next(s for s in sentences if s.source.startswith("英伟达公布"))
    assert profit.spans[1] == [report.start, report.end]  # linked to where the name comes from
    other = next(s for s in sentences if s.source.startswith("另一家"))
    assert "英伟达" not in other.text
    after_broker = next(s for s in sentences if s.source.startswith("公司股价"))
    assert "摩根士丹利" not in after_broker.text  # a broker that rates it is not "the company"


def test_no_more_sentences_than_one_call_holds(pack):
    """A thirteenth sentence would cost a model call of its own (about two seconds and a retry)."""
    stores = "".join(f"第{i}家门店本月销售额增长{i + 3}.5%，客流量增加{i * 7}%。\n" for i in range(1, 21))
    _, sentences = _sentences(pack, stores)
    assert len(sentences) == 20
    assert len(select(sentences, 1000)) == LINES_PER_CALL
    assert len(select(sentences, 1000, max_sentences=3)) == 3
