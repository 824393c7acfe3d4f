"""Quoting is not promoting: slogans a warning repeats are reported as quoted, not as the author's claims."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from finflag.cli import main
from finflag.document import Document
from finflag.pipeline import flag_document
from finflag.rules.pack import load_packs
from finflag.rules.voice import is_warning

POLICE_WARNING = (
    "投资者教育｜警惕荐股诈骗新套路\n"
    "有人在群里宣称“跟着老师操作，每月收益30%”，还要求大家加微信abc12345领取“牛股”。\n"
    "骗子通常会先晒出盈利截图，再以“内幕消息”“稳赚不赔”为诱饵，最后诱导投资者下载虚假APP入金。\n"
    "记住：凡是承诺保本高收益的，都是诈骗！\n"
)
TAIWAN_WARNING = (
    "【反詐宣導】近期詐騙集團假冒投顧老師，在LINE群組宣稱「保證獲利、穩賺不賠」。\n"
    "警方呼籲民眾提高警覺，切勿加入來路不明的投資群組。\n"
)
SCAM_WITH_A_DISCLAIMER = (
    "老師帶你抓飆股！本週三檔強勢股穩賺不賠，加LINE：stock888 免費領取明牌。\n"
    "謹防假冒，認準本群唯一官方帳號。\n"
)
PITCH_QUOTING_ITSELF = "我们的口号是“稳赚不赔”！加微信abc12345进VIP群。\n"


def flagged(text: str):
    return flag_document(Document("<t>", text), load_packs())


def test_a_warning_article_quotes_slogans_and_its_verdict_is_none():
    result = flagged(POLICE_WARNING)
    assert result.findings, "the slogans are still found, so the reviewer sees what the warning is about"
    assert {f.voice for f in result.findings} == {"quoted"}
    assert {f.severity for f in result.findings} == {"info"}
    assert result.verdict["risk"] == "none" and result.verdict["by_category"] == {}
    assert result.verdict["quoted"] == len(result.findings)


def test_a_traditional_chinese_warning_counts_too():
    result = flagged(TAIWAN_WARNING)
    assert is_warning(TAIWAN_WARNING, load_packs()) and result.verdict["risk"] == "none"
    assert all(f.voice == "quoted" for f in result.findings)


def test_a_scam_message_with_a_beware_line_is_still_the_authors_claim():
    result = flagged(SCAM_WITH_A_DISCLAIMER)
    assert not is_warning(SCAM_WITH_A_DISCLAIMER, load_packs())
    assert result.findings and {f.voice for f in result.findings} == {"author"}
    assert result.verdict["risk"] == "high"


def test_quotation_marks_alone_do_not_make_a_claim_quoted():
    """A pitch may put its own slogan in quotes: without a word about fraud it stays the author's."""
    result = flagged(PITCH_QUOTING_ITSELF)
    assert {f.voice for f in result.findings} == {"author"} and result.verdict["risk"] != "none"


def test_one_framed_sentence_in_an_ordinary_post():
    text = "有人鼓吹“保本高收益”。\n我们的VIP会员每天只需9.9元，加微信abc12345。\n"
    result = flagged(text)
    voices = {text[f.start:f.end]: f.voice for f in result.findings}
    assert voices.get("保本") == "quoted"
    assert any(v == "author" for q, v in voices.items() if "9.9" in q or "VIP" in q or "微信" in q)



def test_a_news_report_relaying_a_forum_post_quotes_it():
    """A news story about a forum pump (a real Taiwan report relayed a PTT poster's 目標價188元 and
    最後上車的機會) is not the reporter's call; the poster speaking in the story's own sentence is."""
    text = ("長榮今日終場收在114元，成交量罕見出現18萬8888張。\n"
            "一名網友在PTT股板發文表示，「訊號已經指向目標價188元」，這幾天會是最後上車的機會。\n"
            "不少網友看完留言，「各位衝啊」。\n")
    result = flagged(text)
    assert result.findings and {f.voice for f in result.findings} == {"quoted"}
    assert result.verdict["risk"] == "none"
    own = flagged("這幾天會是最後上車的機會，目標價188元，各位衝啊！\n")
    assert own.findings and {f.voice for f in own.findings} == {"author"}


def test_a_veto_on_another_line_does_not_cancel_a_claim():
    """A scam's own "beware of fakes" line must not veto the bait on the next line (the window of an
    `unless` condition stops at the line break); on the same line the veto still holds."""
    scam = "謹防假冒，認準本群唯一官方帳號。\n掃碼進群，免費領取兩檔潛力股。\n"
    found = {(f.category, scam[f.start:f.end]) for f in flagged(scam).findings}
    assert ("free_bait", "免費領取") in found
    warning = "警方提醒：所谓免费荐股群，最终都要你交钱。\n"
    assert not [f for f in flagged(warning).findings if f.category == "free_bait" and f.voice == "author"]

@pytest.mark.parametrize("fmt", ["json", "text"])
def test_voice_is_in_every_view(fmt):
    result = CliRunner().invoke(main, ["flag", "-", "--format", fmt], input=POLICE_WARNING)
    assert result.exit_code == 0
    if fmt == "json":
        data = json.loads(result.stdout)
        assert {f["voice"] for f in data["findings"]} == {"quoted"} and data["verdict"]["risk"] == "none"
    else:
        assert "risk: none" in result.stdout and "(quoted: a warning repeats it, not the author's claim)" in result.stdout


def test_eval_does_not_score_quoted_findings(tmp_path):
    (tmp_path / "warning.txt").write_text(POLICE_WARNING, encoding="utf-8")
    labels = tmp_path / "labels.yaml"
    labels.write_text("version: 1\ndocuments:\n  - {path: warning.txt, kind: warning}\n", encoding="utf-8")
    data = json.loads(CliRunner().invoke(main, ["eval", str(labels), "--format", "json"]).stdout)
    assert data["false_positives"] == [] and data["sources"][tmp_path.name]["quoted_findings"] >= 3
    assert data["sources"][tmp_path.name]["warnings_flagged"] == 0
    assert data["sources"][tmp_path.name]["warnings_verdict_none"] == 1
    text = CliRunner().invoke(main, ["eval", str(labels)]).stdout
    assert "warnings with verdict none: 1/1 = 1.00" in text


@pytest.mark.parametrize(("text", "risk"), [
    ("今天沪指收涨0.5%。", "none"),
    ("这只股票必买！", "low"),                                            # one warning
    ("必买！必买！必买！", "medium"),                                      # three warnings, one category
    ("必买！" * 8, "high"),                                               # eight: the number alone raises it
    ("稳赚不赔。", "medium"),                                              # an error
    ("稳赚不赔，保本保息，零风险。", "high"),                              # three errors
])
def test_risk_grows_with_the_number_and_diversity_of_claims(text, risk):
    result = flagged(text)
    assert result.verdict["risk"] == risk, [(f.quote, f.severity) for f in result.findings]


# -- the bundled samples: warnings in the styles real ones use, and scams that mention fraud ----------
def _sample_docs():
    from finflag.labels import load_label_set

    from .conftest import SAMPLES

    docs, errors = load_label_set(SAMPLES / "labels.yaml")
    assert not errors
    return docs


_SAMPLES = _sample_docs()
_WARNINGS = [d for d in _SAMPLES if d.kind == "warning"]
_PROMOS = [d for d in _SAMPLES if d.kind == "promo" or d.expected]


def test_the_samples_hold_enough_warnings_and_scams_that_mention_fraud():
    assert len(_WARNINGS) >= 9 and all(d.quoted for d in _WARNINGS)
    assert len([d for d in _PROMOS if d.doc.path.startswith("scam-")]) >= 4


@pytest.mark.parametrize("labelled", _WARNINGS, ids=lambda d: d.doc.path)
def test_every_warning_sample_quotes_and_its_verdict_is_none(labelled):
    result = flagged(labelled.doc.text)
    assert result.verdict["risk"] == "none", [(f.quote, f.voice) for f in result.findings]
    assert all(f.voice == "quoted" and f.severity == "info" for f in result.findings)


@pytest.mark.parametrize("labelled", _PROMOS, ids=lambda d: d.doc.path)
def test_every_promotional_sample_is_the_authors_voice(labelled):
    """Scams with a lone 谨防假冒 / 防骗 line, "我们不是骗子" or quoted testimonials included."""
    result = flagged(labelled.doc.text)
    assert result.findings and result.verdict["risk"] != "none"
    assert [f.quote for f in result.findings if f.voice != "author"] == []


def test_a_users_pack_extends_the_warning_vocabulary(tmp_path):
    """The vocabulary is pack data: a user's pack adds a word and a post using it becomes a warning."""
    from finflag.rules.pack import load_packs as packs

    text = "金融消保小课堂：有人宣扬“稳赚不赔”。\n看到“内幕消息”要当心，这是杀猪盘的常见开场。\n"
    user = tmp_path / "mine.yaml"
    user.write_text("markers:\n  fraud_topic+: [杀猪盘, 金融消保]\n", encoding="utf-8")
    pack = packs([user])
    assert pack.markers["fraud_topic"][:2] == ["诈骗", "骗局"] and pack.markers["fraud_topic"][-1] == "金融消保"
    result = flag_document(Document("<t>", text), pack)
    assert is_warning(text, pack) and not is_warning(text, load_packs())
    assert result.verdict["risk"] == "none" and all(f.voice == "quoted" for f in result.findings)


def test_a_pack_without_the_vocabulary_reports_the_authors_voice(tmp_path):
    user = tmp_path / "bare.yaml"
    user.write_text("rules:\n  - id: bare.slogan\n    category: guaranteed_return\n    severity: error\n"
                    "    message: m\n    explanation: e\n    patterns: [{regex: 稳赚不赔}]\n"
                    "    examples: {match: [稳赚不赔], no_match: [稳健]}\n"
                    "categories:\n  - {id: guaranteed_return, label: G, colour: '#ffffff', description: d}\n",
                    encoding="utf-8")
    from finflag.rules.pack import load_packs as packs

    result = flag_document(Document("<t>", POLICE_WARNING), packs([user], include_default=False))
    assert result.findings and {f.voice for f in result.findings} == {"author"}


# A news report or a licensed broker's research note relays others' calls: with its bylines or its
# furniture and no promoter signal, what it says is quoted. A tip page dressed as news, or a forum pump
# pasting a news item, keeps its claims as the author's.
NEWS_REPORT = (
    "（本报记者 王立新）受半导体板块走强带动，沪指今日收涨1.2%。某券商分析师表示，当前是逢低买入的好时机，"
    "板块有望迎来一波主升浪。\n责任编辑：李明\n"
)
BROKER_NOTE = (
    "证券研究报告 | 公司点评\n维持“买入”评级，目标价42.6元。\n我们预计公司2025年营收同比增长30%，"
    "建议投资者逢低买入，股价有望翻倍。\n风险提示：下游需求不及预期。\n分析师：张华 执业证书编号：S0000520000001\n"
)
TIP_DRESSED_AS_NEWS = (
    "来源：财经快讯\n沪指今日收涨1.2%，半导体板块领涨。\n这只龙头股明天必涨停，赶紧上车！加微信abc8888领取明日金股。\n"
)
LINK_LIST_UNDER_NEWS = (
    "来源：美股观察\n周一纳指收跌1.1%，英伟达跌6.7%，创两个月最大跌幅。\n延伸阅读：\n"
    "这只股被我做了三轮，赚麻了\n除了英伟达，这3家AI公司必买！\n"
)
FORUM_PUMP_PASTING_NEWS = (
    "新华社北京3月5日电 工信部发布新一代通信产业规划。\n兄弟们，这次是大利好，明天直接涨停，满仓干！\n"
)


@pytest.mark.parametrize("text", [NEWS_REPORT, BROKER_NOTE], ids=["news", "broker-note"])
def test_a_report_relays_calls_and_its_verdict_is_none(text):
    from finflag.rules.voice import is_report

    result = flagged(text)
    assert result.findings, "the relayed calls are still shown"
    assert {f.voice for f in result.findings} == {"quoted"} and result.verdict["risk"] == "none"
    assert is_report(text, load_packs())


@pytest.mark.parametrize("text", [TIP_DRESSED_AS_NEWS, LINK_LIST_UNDER_NEWS, FORUM_PUMP_PASTING_NEWS],
                         ids=["contact", "first-person", "addressed-crowd"])
def test_promoter_signals_keep_a_news_dressed_page_the_authors(text):
    result = flagged(text)
    assert result.findings and {f.voice for f in result.findings} == {"author"}
    assert result.verdict["risk"] != "none"


def test_one_borrowed_authority_does_not_make_a_forum_post_a_report():
    from finflag.rules.voice import report_signals

    text = "该股投资价值极高，机构认为明年业绩翻倍。\n"
    assert report_signals(text, load_packs())["form"] == []


def test_one_kind_of_relay_twice_is_not_a_report_but_two_kinds_are():
    from finflag.rules.voice import report_signals

    pack = load_packs()
    twice = "花旗分析师指出，该股估值偏高。另一位分析师预计明年盈利下滑。\n"
    two_kinds = "据公司官网显示，本季配息0.8元。该行表示，暂不调整看法。\n"
    assert report_signals(twice, pack)["form"] == []
    assert len(report_signals(two_kinds, pack)["form"]) == 2


# A news portal's page furniture (发布日期：, 浏览次数：), a wire story's "when this was written" (写稿时)
# and a regulator's penalty relayed (处罚决定书, 没收违法所得, 市场禁入) are the form of a report too.
PORTAL_ITEM = (
    "新股上市首日暴涨 成年内涨幅最大新股\n发布日期：2022-03-01 09:12  浏览次数：318\n"
    "某科技周二登陆创业板，收盘大涨近九倍，坐等下一个十倍股的散户不少。\n"
)
WIRE_ITEM = "以太坊今晨跌破3000美元，写稿时报2985美元。交易商普遍逢高减仓，期货多单遭强平。\n"
PENALTY_ITEM = (
    "金某靠荐股积累了十几万粉丝，单篇文章阅读量动辄上百万，成了圈内名人。\n"
    "证监局日前公布行政处罚决定书，没收违法所得1200万元并处同等罚款，对其采取五年证券市场禁入措施。\n"
)


# A method lesson in plainer words than the glossary's (判断标准, 往往, 应注意的是, 举个例子, 仅供参考): its
# 主力建仓 and 主升浪 are taught, not announced.
PLAIN_METHOD_LESSON = (
    "主力吸筹的判断标准并不复杂，量能往往先于价格变化。\n"
    "股价在低位横盘数月、底部逐步抬高，可判断主力建仓接近尾声，随后才有主升浪。\n"
    "应注意的是，横盘越久，后面的空间往往越大。\n"
    "举个例子，缩量回踩不破平台，说明筹码锁定良好。以上仅供参考。\n"
)


@pytest.mark.parametrize("text", [PORTAL_ITEM, WIRE_ITEM, PENALTY_ITEM, PLAIN_METHOD_LESSON],
                         ids=["portal", "wire", "penalty", "plain-method-lesson"])
def test_portal_furniture_wire_time_a_relayed_penalty_and_a_plain_lesson_make_a_report(text):
    """Each has the form of a report and no promoter signal: its words are still found, all quoted."""
    from finflag.rules.voice import report_signals

    assert report_signals(text, load_packs())["form"]
    result = flagged(text)
    assert result.findings, "the relayed or taught words are still found"
    assert all(f.voice == "quoted" for f in result.findings) and result.verdict["risk"] == "none"


# A feature request filed on a stock tool's tracker: it asks the tool to find 即将起飞的牛股, it sells none.
# The same template with a contact channel in it is a pitch and stays the author's.
FEATURE_REQUEST = (
    "[Feature] 盘后自动筛出明天要大涨的股票\n## 功能描述\n希望每天收盘后自动筛选明天要大涨的股票并推送。\n"
    "## 使用场景\n晚上复盘时看一眼。\n## 期望实现\n按量价和资金流打分。\n"
)
FEATURE_REQUEST_PITCH = FEATURE_REQUEST + "想提前拿到名单的加我微信stock888。\n"


def test_a_tool_feature_request_is_not_a_pick():
    from finflag.rules.voice import report_signals

    assert report_signals(FEATURE_REQUEST, load_packs())["form"]
    result = flagged(FEATURE_REQUEST)
    assert result.findings, "the wished-for rise is still found"
    assert all(f.voice == "quoted" for f in result.findings) and result.verdict["risk"] == "none"
    pitch = flagged(FEATURE_REQUEST_PITCH)
    assert any(f.voice == "author" for f in pitch.findings) and pitch.verdict["risk"] != "none"


# A futures broker's morning note signs its analysts with licence numbers, e-mails and phones: the
# regulator's register, not a funnel, so the note is still a report and its calls are quoted.
FUTURES_MORNING_NOTE = (
    "晨会纪要 | 黑色系早评\n螺纹钢：现货成交回暖，库存继续去化，短期偏强运行，操作上逢低买入为主，"
    "多单继续持有。\n铁矿石：港口库存小幅回升，上方空间有限，观望为宜。\n"
    "研究员：陈晓 期货从业资格号：F3056789 交易咨询号：Z0017788\n"
    "联系电话：021-68881234 邮箱：chenxiao@hengyuanqh.com\n"
    "免责声明：本报告仅供参考，不构成投资建议。\n"
)
# A lesson on a trading method: defines its words, names no stock, addresses no buyer.
METHOD_EXPLAINER = (
    "主力建仓的本质与识别方法\n所谓主力建仓，是指大资金在低位分批吸纳筹码的过程。"
    "一般来说，建仓期股价波动收窄，成交量温和放大。\n"
    "常见特征有三：底部横盘时间长；回调时缩量；拉升前出现试盘。\n"
    "很多普通人的误区在于把一根放量阳线当成主升浪的起点，结果追在半山腰。\n"
    "注意事项：任何方法都有失效的时候，破位就该止损，不要死扛。\n"
)
# The same vocabulary in a teacher's course ad that then sells a group, and a pitch with a WeChat id.
COURSE_AD = METHOD_EXPLAINER + "想系统学习主力建仓战法的朋友们，加我微信abc6688进学员群，老师每天带你抓主升浪！\n"
WECHAT_PITCH = "主力已经建仓完毕，明天开启主升浪，必涨停！加我微信gp8866，带你上车。\n"


def test_a_futures_morning_note_with_analyst_licences_is_a_report():
    from finflag.rules.voice import is_report

    result = flagged(FUTURES_MORNING_NOTE)
    assert {f.category for f in result.findings} >= {"trade_call", "contact_funnel"}
    assert all(f.voice == "quoted" for f in result.findings) and result.verdict["risk"] == "none"
    assert is_report(FUTURES_MORNING_NOTE, load_packs(), result.findings)


def test_a_trading_method_explainer_quotes_the_method():
    from finflag.rules.voice import report_signals

    result = flagged(METHOD_EXPLAINER)
    assert result.findings
    assert all(f.voice == "quoted" for f in result.findings) and result.verdict["risk"] == "none"
    assert report_signals(METHOD_EXPLAINER, load_packs())["form"]


def test_an_explainer_that_names_a_stock_is_not_a_report():
    from finflag.rules.voice import report_signals

    tip = METHOD_EXPLAINER + "现在符合这些特征的就是600123，回踩就是买点。\n"
    assert report_signals(tip, load_packs())["form"] == []


@pytest.mark.parametrize("text", [COURSE_AD, WECHAT_PITCH], ids=["course-ad", "wechat-pitch"])
def test_a_lesson_that_sells_a_group_stays_the_authors(text):
    result = flagged(text)
    assert result.findings and any(f.voice == "author" for f in result.findings)
    assert result.verdict["risk"] != "none"


def test_a_source_line_with_pinyin_annotations_is_a_byline():
    from finflag.rules.voice import report_signals

    text = "螺纹钢日内偏强运行。操作建议：多单继续持有。\n(文章来(lái)源:某某期货)\n"
    assert report_signals(text, load_packs())["form"]


# Market news in the shapes of fresh flash items (no byline in the excerpt): third-party figures,
# rankings, IPO subscriptions and reported events carry no author finding.
MARKET_NEWS = {
    "fine-audience": "证监会近日公布一则罚单。经查，某财经大V通过短视频平台积累十万粉丝后，先买入后推荐股票，非法获利逾千万元。",
    "past-doubling": "今年以来，机器人板块走出翻倍行情，多只个股股价较年初翻倍。",
    "broker-model-portfolio": "【券商金股】开源金工构建的券商金股优选组合，历史年化收益率达18.6%，8月份收益率9.6%，跑赢基准指数。",
    "ipo-oversubscribed": "新股今日掛牌，公開發售超購逾萬倍，一手難求，一手中籤率僅0.5%。",
    "fund-ranking": "偏股混合型TOP10：冠军超额收益超过250%，易方达基金有2只产品上榜。",
    "dragon-tiger-list": "龙虎榜数据显示，今日机构净买入前五的个股中，有三只获得机构重点关注。",
    "exchange-flows": "链上数据显示，昨日比特币交易所净出金达1.2万枚，为近三个月最高。",
    "ipo-tenbagger": "快讯：新股上市首日大涨逾900%，成为今年首只10倍股。",
    "halted-runner": "这只大妖股累计涨幅超过300%，今日起停牌核查。",
    "disclosed-positions": "两市融资余额连增五日，融资客已提前埋伏多只算力股（名单）",
    "newsroom-tip-line": "港股收市：恒指收报25800点。如有新闻线索，请致电本报热线 2345 6789 或电邮 news@example.com。",
}


@pytest.mark.parametrize("text", list(MARKET_NEWS.values()), ids=list(MARKET_NEWS))
def test_market_news_has_no_author_finding(text):
    result = flagged(text)
    assert [f.rule_id for f in result.findings if f.voice == "author"] == []


# The same shapes in promotion keep their findings.
PROMOTION_IN_NEWS_WORDS = {
    "members-ranking-boast": "跟着我们操作的会员，今年收益超过250%，名额有限，加我微信。",
    "watch-call-with-contact": "明日重点关注这只低位科技股，想要代码的加我。",
    "ipo-pitch": "新股认购火爆一手难求，立即联系客户经理预约，额度有限。",
    "tenbagger-pump": "这只票必成10倍股，兄弟们赶紧上车！",
    "doubling-forecast": "下半年翻倍行情即将启动，现在布局正当时。",
    "deposit-pitch": "入金5000即可开始跟单，出金秒到账。",
}


@pytest.mark.parametrize("text", list(PROMOTION_IN_NEWS_WORDS.values()), ids=list(PROMOTION_IN_NEWS_WORDS))
def test_promotion_in_market_words_stays_the_authors(text):
    result = flagged(text)
    assert any(f.voice == "author" for f in result.findings)
    assert result.verdict["risk"] != "none"


PROJECT_GROUP_NOTICE = (
    "[讨论] 开了个交流群\n"
    "这个开源项目用的人多了，issue 里问题重复的不少，建了个群方便大家交流，群里只聊技术，禁止打广告。\n"
    "https://t.me/+abcDEF12345\n"
)
TIP_GROUP_NOTICE = (
    "[讨论] 开了个交流群\n"
    "小伙伴们，群里每天分享涨停牛股，讨论明天的票。\n"
    "https://t.me/+abcDEF12345\n"
)


def test_a_projects_own_chat_group_is_a_notice_not_a_funnel():
    from finflag.rules.voice import is_community_notice

    result = flagged(PROJECT_GROUP_NOTICE)
    assert result.findings and all(f.voice == "quoted" for f in result.findings)
    assert result.verdict["risk"] == "none"
    assert is_community_notice(PROJECT_GROUP_NOTICE, load_packs(), result.findings)


def test_a_group_notice_with_a_pitch_word_stays_the_authors():
    result = flagged(TIP_GROUP_NOTICE)
    assert result.findings and any(f.voice == "author" for f in result.findings)


@pytest.mark.parametrize("text", [
    "刷到别人晒山寨币一夜暴富的截图，心态就崩了，结果追高站岗半年。\n",
    "下一只十倍股当然会有，但概率比中彩票还低，老老实实买指数吧。\n",
], ids=["others-boast", "lottery-odds"])
def test_hype_held_up_to_scorn_is_not_the_authors(text):
    result = flagged(text)
    assert result.findings and all(f.voice == "quoted" for f in result.findings)


def test_hype_offered_beside_a_scornful_sentence_stays_the_authors():
    text = "别人晒的截图都是假的。\n跟着老师这只票一周翻倍，十倍股就在眼前！\n"
    result = flagged(text)
    assert any(f.voice == "author" and f.category == "hype" for f in result.findings)
