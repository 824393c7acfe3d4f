"""The public-web label set (tests/public/labels.yaml): anti-fraud warnings, broker notes and
explainers found with the search tool. Their texts are kept outside the repository (see the label
file's header), so these tests run on the development machine and skip elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from finflag.cli import main
from finflag.labels import load_label_set

LABELS = Path(__file__).resolve().parent / "public" / "labels.yaml"
PUBLIC = (LABELS.parent / "../../../public").resolve()

needs_public = pytest.mark.skipif(not PUBLIC.is_dir(), reason=f"the public excerpts ({PUBLIC}) are not on this machine")


@needs_public
def test_every_public_label_points_at_its_excerpt():
    docs, errors = load_label_set(LABELS)
    assert errors == []
    assert {d.source for d in docs} == {"warnings", "broker", "clean", "picks", "news", "crypto", "pitch", "scam",
                                        "tipsite", "pump"}


#: Factual or quoting pages the pack still flags, each read and kept visible here (not hidden):
#: a blogger's mockery of a stock forum that quotes its pump lines without a warning word the voice
#: rules know, and a story of a neighbour ruined by limit-up chasing whose headline is 一夜暴富梦
#: (its old man 掏出一堆截图 next to 涨停 still reads as a screenshot offered). No longer flagged
#: (rules14): a forum chart analysis whose past move (拉升到8块，约77%拉升幅度) read as a price call,
#: and a news column that calls a stock a 黑馬股 while reporting foreign brokers' targets.
KNOWN_FLAGGED = {"clean/tour028-guba-rant.txt", "clean/b3-zkyy8-zhangting-laowang.txt",
                 # The fourth batch, measured unseen: an essay quoting an economist's title, a 2009 report
                 # of a fund launch, a 2010 interview on managing clients' money, a profile of a trader
                 # called 股神. (The novel about a 黑嘴 whose characters predict rises in dialogue lost its
                 # findings to the fiction-dialogue veto, rules13; the 暴富梦 story keeps one screenshot
                 # finding, 掏出一堆截图; its 天天晒收益截图，结果… is a cautionary tale since rules14.)
                 "clean/b4-handmsg-wanghong-fenxishi-lunwen.txt",
                 "news/b4-xdkb-forbes-wangyawei-2009.txt", "news/b4-360doc-hangguoqiang-zhuanfang-2010.txt",
                 "news/b4-kmedia-huige-caopanshou-zhuanfang.txt",
                 # The fifth batch, measured unseen: a news item on 翻倍股 (a count of stocks that doubled), a
                 # forum post on a 新妖股 run, a weekly diary of the poster's own 买入跟踪/准备加仓, a report of
                 # a leader's run of 9 limit-ups.
                 "news/b5-cnyes-ags-310-fanbeigu-2025.txt", "clean/b5-bgjj-changjiang-cailiao-tiandiban.txt",
                 "clean/b5-ediedone-yanghe-dazhang-weekly-2020.txt", "clean/b5-toutiao-suoling-zhongtong-longtou.txt"}


@needs_public
def test_warnings_are_not_promotion_and_factual_pages_get_no_finding():
    """Issue 10's held-out conditions on real public text: every warning's verdict is none (its scam
    phrases are reported as quoted); broker notes, market news and explainers have no finding."""
    result = CliRunner().invoke(main, ["eval", str(LABELS), "--format", "json"])
    assert result.exit_code == 0, result.output[-2000:]
    data = json.loads(result.stdout)
    sources = data["sources"]
    warnings = sources["warnings"]
    assert warnings["warnings"] == 24 and warnings["warnings_verdict_none"] == 24
    assert sources["broker"]["other_posts_flagged"] == 0
    flagged = {f["path"].split(":")[0] for f in data["false_positives"] if f["path"].startswith(("clean/", "news/"))}
    assert flagged == KNOWN_FLAGGED


#: Promotional pages with no finding at all: three from the held-out half of the second batch (a
#: Binance Square BTC trade plan, a margin-lending (配资) sales page, 2016 spot-gold 喊单 snippets) and
#: one of the third (measured unseen); the third batch's fake-celebrity SMS (提交100万到这个帐户,
#: 还10倍给你) is flagged since the rules12 shapes. The fourth batch, measured unseen, left three quoted
#: scam fragments unflagged; one remains (a LINE group's shill lines): the 中签率/十天收益 boast and
#: the 穩定獲利/低風險操作 fragment are flagged since the rules13 shapes (unverified_pnl.quick-fortune,
#: 稳定获利 in guaranteed_return.no-risk). The fifth batch, measured unseen: two forum posts (a 淘股吧
#: post whose one claim is 一定会有大动作, a 股吧 post reading big orders as institutions buying in).
KNOWN_UNFLAGGED = 7


@needs_public
def test_promotional_pages_are_flagged():
    """Tip-site articles, pitch pages, crypto promotions, pump pages and quoted scam messages get a finding."""
    result = CliRunner().invoke(main, ["eval", str(LABELS), "--format", "json"])
    sources = json.loads(result.stdout)["sources"]
    kinds = ("crypto", "pitch", "scam", "tipsite", "picks", "pump")
    promo = sum(sources[k]["promo_posts"] for k in kinds)
    assert promo == 93
    assert sum(sources[k]["promo_posts_flagged"] for k in kinds) == promo - KNOWN_UNFLAGGED


BATCH6 = LABELS.parent / "batch6.yaml"
PUBLIC6 = (BATCH6.parent / "../../../public7").resolve()

#: The sixth batch (tests/public/batch6.yaml), measured unseen with pack 1.11.0 and then its news studied:
#: a Hong Kong column's 25000點關口的攻防戰箭在弦上 (a fight for an index level called imminent) still reads as
#: a pump idiom; a robo-advisor's product page offers 專業投研團隊 and 收益分成 (its own fee terms); the
#: explainer on 涨停直播 accounts opens with the author's own credentials (资深的投资顾问) and lists the
#: accounts' pushes as bullet points, not in quotation marks.
KNOWN_FLAGGED6 = {"news/b6-hk01-gangu-shishou-baitianxian-2025.txt", "clean/b6-rockflow-ai-zuhe-doc.txt"}


@pytest.mark.skipif(not PUBLIC6.is_dir(), reason=f"the sixth batch's excerpts ({PUBLIC6}) are not on this machine")
def test_sixth_batch_news_broker_and_warnings():
    result = CliRunner().invoke(main, ["eval", str(BATCH6), "--format", "json"])
    assert result.exit_code == 0, result.output[-2000:]
    data = json.loads(result.stdout)
    sources = data["sources"]
    assert sources["broker"]["other_posts_flagged"] == 0
    assert (sources["warnings"]["warnings"], sources["warnings"]["warnings_verdict_none"]) == (9, 8)
    flagged = {f["path"].split(":")[0] for f in data["false_positives"] if f["path"].startswith(("clean/", "news/"))}
    assert flagged == KNOWN_FLAGGED6
    # Promotional pages without any finding, measured unseen and left unstudied: two forum and blog pumps
    # (a 淘股吧 post hoping a stock 成妖, a blog's 明天证券板块会继续上涨 told as the author's call) and two
    # Hong Kong tip columns whose calls carry no price verb the rules know.
    promo = sum(sources[k]["promo_posts"] for k in ("crypto", "pitch", "tipsite", "pump"))
    assert (promo, sum(sources[k]["promo_posts_flagged"] for k in ("crypto", "pitch", "tipsite", "pump"))) == (20, 16)
