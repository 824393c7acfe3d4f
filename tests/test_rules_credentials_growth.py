"""Credentials and account-growth shapes with the whole default pack: bios and boasts flagged, news and broker notes not.

The rules' own examples test each rule alone; these posts go through every rule and the
voice step together, the way ``finflag flag`` sees them, so a neighbouring rule cannot
quietly flag the news sentences or take a bio's claim into another category.
"""

from __future__ import annotations

import pytest

from finflag.document import Document
from finflag.pipeline import flag_document
from finflag.rules.pack import load_packs


@pytest.fixture(scope="module")
def pack():
    return load_packs()


def _found(pack, text: str) -> list[tuple[str, str]]:
    return [(f.category, f.quote) for f in flag_document(Document("post.txt", text), pack).findings
            if f.voice == "author"]


BIO = ("【名师团队】\n"
       "周老师：从事证券投资行业二十余年，曾担任国内某知名券商的高级投资顾问，曾操盘过数亿规模的资金。\n"
       "林老师：私募基金操盘手出身，某卫视财经节目特约嘉宾，被誉为中国最牛散户。\n"
       "本团队成员均首批获得证券投资咨询执业资格，扫码添加助理微信领取金股。")


def test_a_promoter_bio_is_flagged_as_credentials(pack):
    quotes = {q for c, q in _found(pack, BIO) if c == "authority_appeal"}
    for expected in ("从事证券投资行业二十余年", "曾担任国内某知名券商的高级投资顾问", "操盘过数亿规模的资金",
                     "私募基金操盘手", "特约嘉宾", "被誉为中国最牛", "首批获得证券投资咨询执业资格"):
        assert any(expected in q or q in expected for q in quotes), (expected, quotes)


GROWTH = ("说说我自己：去年跟着老师做短线，52天从3万U做到了260万U，投入的12万本金变成了39万。\n"
          "群里的学员反馈：王先生 35岁\n进群第一周竟然赚了8千元，一个月账户就翻倍了。")


def test_growth_boasts_are_unverified_gains_and_testimonials(pack):
    found = _found(pack, GROWTH)
    pnl = [q for c, q in found if c == "unverified_pnl"]
    assert any("260万U" in q for q in pnl) and any("39万" in q for q in pnl)
    assert any("翻倍" in q for q in pnl)
    assert any("竟然赚了8千元" in q for c, q in found if c == "social_proof")


@pytest.mark.parametrize("text", [
    "中信证券首席经济学家明明表示，降息空间仍在，分析师认为板块估值偏高。",
    "本报告署名分析师具有中国证券业协会授予的证券投资咨询执业资格，保证报告所采用的数据均来自合规渠道。",
    "公司公告：营收从10亿增长至20亿，净利润同比增长35%，市值从50亿到300亿只用了两年。",
    "上证指数从3000点涨到3500点，北向资金从年初的100亿增长至500亿，两市成交额从8000亿增长至1.5万亿。",
    "被誉为股神的巴菲特周六在股东大会上表示，现金仍是最好的选择。",
    "本次论坛邀请了多位特邀嘉宾，讨论新能源汽车产业链；证券行业近10年来集中度不断提升。",
    "我的账户从50万到现在只剩8万，欲哭无泪。",
])
def test_news_broker_notes_and_losses_are_not_flagged(pack, text):
    assert _found(pack, text) == []
