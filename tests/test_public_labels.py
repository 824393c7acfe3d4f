"""The public-web label set (tests/public/labels.yaml): anti-fraud warnings, broker notes and
explainers found with the search tool. Their texts are kept outside the repository (see the label
file's header), so these tests run on the development machine and skip elsewhere."""

from __future__ import annotations

import json
import re
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


#: Later batches, each in its own label file with its own folder of excerpts (outside the repository),
#: measured unseen first and then studied on the half whose sha starts with 0-7 (README, "Public web
#: text"). Per batch: its folder, (warnings, warnings with verdict none), the news, broker and clean
#: pages that still get a finding (read and listed, not hidden), and (promotional pages, flagged).
LATER_BATCHES = {
    # A robo-advisor's product page offers 專業投研團隊 and 收益分成 (its own fee terms); the explainer on
    # 涨停直播 accounts opens with the author's own credentials (资深的投资顾问) and lists the accounts'
    # pushes as bullet points, not in quotation marks. Unflagged promotion: two forum and blog pumps (a
    # 淘股吧 post hoping a stock 成妖, a blog's 明天证券板块会继续上涨) and two Hong Kong tip columns.
    6: ("public7", (9, 8), {"clean/b6-rockflow-ai-zuhe-doc.txt"}, (20, 16)),
    # News, broker notes and warnings: nothing flagged since pack 1.13.0 (a Taiwan news item's EPS 衝上66.25元
    # and a broker headline's 目標價至39.4元 are relayed in a report's form).
    7: ("public8", (12, 12), set(), (0, 0)),
    # US-stock tip pages and news in Chinese: a broker's weekly strategy note whose analyst byline (CE number,
    # title, phone, e-mail) was flagged is not since session 13; a news item's 36只五倍股中 (multi-baggers
    # counted and broken down) is a statistic since newsprec. Four promotional pages have no finding (a Tesla
    # target thread, an option spread, a card offer, a paywall).
    8: ("public9", (0, 0), set(), (19, 15)),
    # Forum posts: 7 of the 22 pump posts have no finding. (A margin-buying headline's 提前埋伏 is disclosed
    # positions since pack 1.13.0; a long investing diary's own 10%的收益 and a friend's 是否可以介入了 are not
    # claims since rules23; a trading-method post's 锁定收益 (explainer form: 底层逻辑, 本质, 资金层面, 纪律) and
    # a poster's own sale logged with its gain (卖出同仁堂，盈利27%) are not since newsprec.)
    9: ("public10", (0, 0), set(), (22, 15)),
    # News, broker notes and warnings on new topics. Broker notes' 落袋为安 and fund notes' 建议关注 are quoted
    # since pack 1.13.0 (report form); an exchange run's whales 逢高了结 (a market actor's sale, 写稿时 as a
    # byline) and an IPO day's 10倍股 and per-lot 收益率 (发布日期/浏览次数 portal furniture, a lot's gain
    # worked out) are not claims since newsprec.
    10: ("public11", (10, 10), set(), (0, 0)),
    # News, broker notes and warnings on other topics (gold and oil, rates, regulators' fines, economists).
    # The futures broker's morning note (交易策略：逢低买入) is quoted since pack 1.13.0; a note summary's
    # 销售净利率18.0% (a company's margin, not a product's yield) is not a claim since newsprec.
    11: ("public12", (10, 10), set(), (0, 0)),
    # Promotion-heavy, collected in session 14 (pitch pages, a membership page, crypto copy-trading).
    # A critical crypto column's 一夜暴富 / 百倍币 (others' boasts, odds below a lottery's) are quoted
    # since rules23.
    12: ("public13", (5, 5), set(), (10, 10)),
    # Hard negatives collected in session 14, labelled before any rule saw them. 14/30 pages were flagged
    # when collected; the report form cleared 9. Since newsprec none: two news items (a 龙虎榜 item's
    # 投资者日常重点关注的数据, what investors watch described; a halted stock's 连续涨停, a run the exchange
    # probes) and three method explainers (龙回头战法, 主力建仓 explained, 上车/下车 rhythm), whose plainer
    # teaching words (判定标准, 应注意的是, 举个例子, 仅供参考 ...) now count as explainer_form.
    13: ("public14", (10, 10), set(), (0, 0)),
    # 40 news items and flashes collected in session 14, most without a byline. 5/40 were flagged when
    # collected; since newsprec none: a fined 大V's 积累十万粉丝 (a regulator's penalty relayed: 处罚决定书,
    # 没收违法所得, 市场禁入) and a Taiwan column's 在AI股价翻倍行情前 (others' doubling as a yardstick).
    14: ("public15", (0, 0), set(), (0, 0)),
    # Real texts from GitHub issues and a crawled 淘股吧 dataset, collected in session 14: a tool's own
    # promotion notice (held half, unstudied); the Traditional-Chinese fund-recovery scam has no finding. A
    # feature request asking a tool for 即将起飞的牛股 has the form of a report since newsprec (software_request:
    # [Feature], 功能描述, 使用场景, 期望实现 ...).
    15: ("public16", (3, 3), {"clean/b15-gostock-prompt-huodong.txt"}, (10, 9)),
    # A fresh batch labelled blind in session 15 and measured unseen (after newsprec): news, broker notes,
    # warnings and five promotional pages. Flagged when measured: a broker call's title date read as a phone
    # number (电话会议纪要(20240204)), two reports on multi-baggers counted (十倍股 / 10倍股), a limit-up
    # run reported (翻了4倍, 连续几个涨停), a session's move (尾盘稍有拉升), a fund ranking's 收益率超100% and a
    # crypto crash report's 追多的量化散户. Since newsprec2: a digit run that is a date (20240204, 2024-02-04,
    # a short 240204 beside 纪要/日期/会议) is never a contact number; an N-bagger (十倍股, 10倍股) is a claim
    # only in a claim's shape (hype.multibagger-call: 成为/下一只/筛选出 before it, a pick after it), not a
    # topic (这轮十倍股行情, 在这100只10倍股中); a stock's own run told (价格翻了4倍, 当连续几个涨停) and a mild
    # session move (尾盘稍有拉升) are no record and no forecast; a count of funds that reached a return
    # (75只收益率超100%的翻倍基) is no yield offered, and a position that describes who took it (追多的量化散户)
    # is no call.
    16: ("public17", (10, 10), set(), (5, 5)),
    # 34 news items, broker notes and warnings collected in session 15 and labelled blind after pack 1.14.0's news
    # work: 2 of 19 news items were flagged when measured (a Taiwan report relaying brokers' 喊高目標價至3千元, a
    # whale report's Kraken 入金地址 and its 并不必然等同于立即抛售), broker notes 0/7, warnings 8/8 none. Since:
    # a target raised or kept (上调/喊高/维持 目标价) is an analyst's act reported, an exchange's deposit address is
    # where coins went, an act equated or defined (等同于, 不代表) is no order.
    17: ("public18", (8, 8), set(), (0, 0)),
    # Promotion-heavy batches collected in session 16 and labelled blind, measured unseen with pack 1.14.0:
    # batch 18 (tip-site articles, forum pumps, pitch pages, hard negatives) found 10/69 claims (P 0.43), and
    # flagged 3 of 9 clean posts (a famous investor's relayed 交割单 and 继续持股, a blogger's 本金安全, a
    # forum post's 大資金進入); batch 19 (scam messages, crypto promotions, a promoter bio, warnings, news)
    # found 16/71 (P 0.29), one warning not none (a magazine's report on 投顾群: 名额, 会员服务), news 0/5.
    # Since: a regulator's action reported (违规行为, 责令改正, 监管措施) makes a crackdown report a warning;
    # capital safety ranked as a principle (最重要的是本金安全) is no promise; big money that 进入观望 is
    # waiting, not buying. Still flagged: a famous investor's option trade analysed (his 交割单, 继续持股).
    # Studied since (recall18): told-you-so, team credentials, rally calls, teaser and keeps-rising hype.
    18: ("public19", (0, 0), {"clean/b18-laohu8-duanyongping-nvda-92.txt"}, (22, 17)),
    # Batch 19 now 12/12 promo pages flagged (59/71 claims): low-fee account offers, handles and code words, boasted hauls.
    19: ("public20", (5, 5), set(), (12, 12)),
    # Labelled blind in session 16 after pack 1.15.0 (tip-site picks columns, a low-fee account pitch, spam
    # offers of a trading platform, crypto savings and copy-trading posts, news, warnings) and measured unseen:
    # claims 9/44 = 0.20 (P 0.35): batches 18 and 19's new shapes did not carry over; news 0/3; warnings 4/6
    # none (a translated crypto-fraud explainer's 将翻倍, an essay on a costly trading course).
    # 50 real stock-forum posts from crawled archives (东方财富股吧, 雪球, 淘股吧, 韭研公社), labelled blind in session
    # 16 and measured unseen with pack 1.15.0: claims 8/48 = 0.17 (any category 13/48), promo posts flagged 15/30,
    # clean 1/20 (a joke post's 周一隆平涨停).
    # Now 22/30, clean 0/20: forum shapes (随时拉涨停, 明高开, 买入就是赚, 上一百, 关注600346, 很少出错, 三年十倍); 涨停、跌停 side by side vetoed.
    20: ("public21", (0, 0), set(), (30, 22)),
    # Batch 21 now 8/8 promo pages flagged (35/44 claims), warnings 6/6 none (recall21): platform for hire, beats-every-product, no risk to bear, must-not-miss shapes; how-to-spot-fraud and marketing-machine topic words.
    21: ("public22", (6, 6), set(), (8, 8)),
    # 48 东方财富股吧 posts from six other crawled archives, labelled blind in session 16 with the final pack 1.15.0
    # and left unstudied (a measure, not a source): claims 13/66 = 0.20 (P 0.59), promo posts flagged 14/30;
    # clean 2/18 (开始翻倍 inside a question; 上车的机会 and 一飞冲天 in market commentary).
    # Studied in session 18 (limit-ups counted ahead, 拉升空间巨大): 15/30 promo posts flagged.
    22: ("public23", (0, 0), {"clean/b22-duan-360-xianshou-chirou.txt", "clean/b22-tony-heshi-fanbei.txt"}, (30, 15)),
    # 24 pages labelled blind in session 16 with the final pack 1.15.0 (HK and Taiwan tip columns, pitch pages, a
    # scam's lines, crypto referral posts, news, warnings): claims 14/80 = 0.17 (P 0.30), left unstudied; news 1/5
    # (a report on brokers' commission war listing 开户送礼) and warnings 4/5 none (a report on paid QQ tip groups)
    # when measured. Since: an industry's practices described (价格战, 形态) are no offer; 收费荐股 is a warning's topic.
    # Studied in session 18 (tip-column levels, crypto rewards, 配资 offers, **bold** markup dropped): 10/14.
    23: ("public24", (5, 5), set(), (14, 10)),
    # 24 forum post titles (东方财富股吧 and 财富号 hot lists, 淘股吧 digests and a board page), labelled blind in session
    # 17 with pack 1.15.0 and left unstudied: claims 1/18 = 0.06 (any category 4/18), promo posts flagged 5/13, clean
    # 1/11 (an own-trade diary's 梭哈了). Pack 1.14.0 (session 16's start) scores the same 1/18.
    # Studied in session 18 (可以有三个涨停, 提前14天预判): 7/13.
    24: ("public25", (0, 0), {"clean/b24-tgb-gerou-dazu-suoha-datang.txt"}, (13, 7)),
    # 36 pages labelled blind in session 17 with pack 1.15.0 and left unstudied (tip columns and newsletters from
    # Malaysia and Hong Kong, pitch pages for 配资 and live rooms, quoted scam messages, crypto and futures calls,
    # news, warnings): claims 12/75 = 0.16 (P 0.41), pitch pages 0/20 claims; news 0/6, warnings 6/6 none.
    # Session 18's rules (tip-column levels, crypto rewards, return ranges, 配资 offers, written from batches 22-25)
    # flag two more of its promotional pages.
    25: ("public26", (6, 6), set(), (24, 14)),
    # Labelled blind in session 18 and left unstudied. 26: 淘股吧, 雪球 and FOLLOWME posts, claims 0/16; three
    # clean posts flagged as measured (a memoir's 必涨形态, a profit-taking post's 落袋为安, a summary of
    # Buffett's letters read as 巴菲特推荐). 27: tip columns, pitch pages, gambling 带单 spam, crypto airdrops,
    # news, warnings, claims 19/69; its two Costco news items (付费会员数量, 会员福利, 周转率攀升至 12.6 次)
    # are not flagged since session 18's business-news vetoes. 28: PTT Stock board posts (Taiwan), claims
    # 4/44; two clean posts flagged as measured (a 1986 memoir's 每天漲停, a self-review's 獲利…才進場).
    26: ("public27", (0, 0), {"clean/b26-followme-asia-2007-chaogu-huiyi.txt", "clean/b26-followme-zhiying-jingyan.txt",
                              "clean/b26-xueqiu-bafeite-gudongxin-zhaiyao.txt"}, (4, 1)),
    27: ("public28", (6, 6), set(), (14, 9)),
    28: ("public29", (0, 0), {"clean/b28-ptt2015-1986-zhengquan-gongdusheng.txt", "clean/b28-ptt2015-boduan-jiantao.txt"},
         (17, 6)),
    # 29: tip columns (Hong Kong), advisory-firm pitch pages, crypto referral posts, news, warnings, labelled blind in
    # session 18: claims 12/60; a news feature on paid-content economists (a young investor's own 回報收益率達到15%,
    # 首席經濟學家們) is not flagged since session 18's vetoes.
    29: ("public30", (6, 6), set(), (12, 10)),
}


@pytest.mark.parametrize("batch", sorted(LATER_BATCHES))
def test_later_batches_news_broker_warnings_and_promotion(batch):
    folder, (warnings, none), known, (promo, flagged_promo) = LATER_BATCHES[batch]
    labels = LABELS.parent / f"batch{batch}.yaml"
    if not (LABELS.parent / "../../.." / folder).resolve().is_dir():
        pytest.skip(f"batch {batch}'s excerpts (../{folder}) are not on this machine")
    result = CliRunner().invoke(main, ["eval", str(labels), "--format", "json"])
    assert result.exit_code == 0, result.output[-2000:]
    data = json.loads(result.stdout)
    sources = data["sources"]
    got = sources.get("warnings", {})
    assert (got.get("warnings", 0), got.get("warnings_verdict_none", 0)) == (warnings, none)
    flagged = {f["path"].split(":")[0] for f in data["false_positives"]
               if f["path"].startswith(("clean/", "news/", "broker/"))}
    assert flagged == known
    kinds = [k for k in sources if k not in ("warnings", "news", "broker", "clean")]
    assert (sum(sources[k]["promo_posts"] for k in kinds),
            sum(sources[k]["promo_posts_flagged"] for k in kinds)) == (promo, flagged_promo)


def test_no_page_is_labelled_twice_across_the_public_batches():
    """Reads only the label files (runs everywhere): the same text in two batches would be counted
    twice by every figure over the batches and would leak between them in leave-one-batch-out tests."""
    entry = re.compile(r'"path": "(?P<path>[^"]+)", "sha": "(?P<sha>[0-9a-f]+)"')
    seen: dict[str, str] = {}
    for label_file in sorted(LABELS.parent.glob("*.yaml")):
        for match in entry.finditer(label_file.read_text(encoding="utf-8")):
            where = f"{label_file.name}: {match['path']}"
            assert match["sha"] not in seen, f"{where} has the same text as {seen[match['sha']]}"
            seen[match["sha"]] = where
    assert len(seen) > 500  # not vacuous: the batches' pages were read
