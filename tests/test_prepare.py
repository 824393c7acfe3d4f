"""What the model reads: boilerplate dropped, duplicates dropped, amounts rewritten."""

from __future__ import annotations

from finflag.input.ingest import Source, load_document
from finflag.pipeline import flag_document
from finflag.summary.prepare import prepare

from .conftest import SAMPLES, SHARED, make_doc


def test_footer_and_duplicates_are_dropped_and_amounts_rewritten(pack):
    text = ("英伟达宣布将投资50亿美元建设数据中心。\n"
            "英伟达宣布将投资50亿美元建设数据中心。\n"
            "分析师认为这将提升公司未来三年的营收。\n"
            "扫码加群，每月只需199元，客服微信：abc_12345\n")
    doc = make_doc(text)
    prepared = prepare(doc, flag_document(doc, pack).findings)
    assert prepared.text == "英伟达宣布将投资 US$5 billion 建设数据中心。\n分析师认为这将提升公司未来三年的营收。"
    assert [d.reason for d in prepared.dropped] == ["duplicate paragraph",
                                                    "contact / upsell block (contact_funnel, paid_upsell)"]
    for d in prepared.dropped:
        assert doc.text[d.start : d.end].strip()
    (rewrite,) = prepared.rewrites
    assert doc.text[rewrite.start : rewrite.end] == "50亿美元" and rewrite.english == "US$5 billion"


def test_link_list_after_a_heading_is_dropped(pack):
    doc = load_document(Source(str(SAMPLES / "hype-headlines.txt")))
    prepared = prepare(doc, flag_document(doc, pack).findings)
    assert "必买" not in prepared.text and "往期热门文章" not in prepared.text
    assert "英伟达股价周一收跌6.7%" in prepared.text


def test_real_post_loses_its_link_list_but_keeps_the_news(pack):
    doc = load_document(Source(str(SHARED / "reference" / "real-post-market-wrap.txt")))
    prepared = prepare(doc, flag_document(doc, pack).findings)
    assert "必买" not in prepared.text and "坚定看涨" not in prepared.text
    assert "US$41 billion".replace("41", "4.1") in prepared.text  # 41亿美元
    assert "黄仁勋一周减持 720,000 shares" in prepared.text


def test_a_huge_post_is_cut_at_max_chars_and_the_cut_is_reported():
    from finflag.document import Document
    from finflag.summary.prepare import prepare

    paragraph = "英伟达周一收跌2.5%，市值不足3万亿美元，分析师认为估值仍然合理。\n"
    text = paragraph * 40_000  # about 1.5 million characters: hundreds of model calls without a cap
    doc = Document("huge.txt", text)
    prepared = prepare(doc, [], max_chars=50_000)
    assert prepared.paragraphs[-1].end <= 50_000
    assert prepared.dropped[-1].start <= 50_000 and prepared.dropped[-1].end == len(text)
    assert prepared.dropped[-1].reason == "past --max-chars 50,000 (not summarised)"
    straddling = prepare(Document("one.txt", "长" * 3000), [], max_chars=1000)
    assert [(p.start, p.end) for p in straddling.paragraphs] == [(0, 1000)]
    assert [(d.start, d.end) for d in straddling.dropped] == [(1000, 3000)]


def test_a_paragraph_ending_exactly_at_max_chars_still_reports_the_rest():
    from finflag.document import Document
    from finflag.summary.prepare import prepare

    text = "甲" * 999 + "\n" + "乙" * 500
    prepared = prepare(Document("edge.txt", text), [], max_chars=999)
    assert [(p.start, p.end) for p in prepared.paragraphs] == [(0, 999)]
    assert [(d.start, d.end) for d in prepared.dropped] == [(1000, len(text))]
