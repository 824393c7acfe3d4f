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
