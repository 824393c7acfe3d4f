"""Whose claim is it? The author's, or scam language that a warning quotes.

Anti-fraud warnings, crackdown reports, court reports and explainers repeat
the slogans they warn about (稳赚不赔, 内幕消息, 加LINE ...). Those are not the
author's claims: such findings get ``voice: quoted`` and ``info`` severity,
and do not raise the verdict's risk. A finding is quoted when

- the whole post is a warning: words of the pack's ``fraud_topic`` set, of at
  least two kinds, in at least two sentences (a scam message's lone "谨防假冒"
  or "我们不是骗子" does not make it one: ``fraud_disclaimer`` phrases are
  blanked out first), or
- its sentence frames it as someone else's words (``quote_frame``: 骗子 /
  不法分子 / 冒充 / 谎称 / 声称 / 所谓 / 以…为诱饵 / 打着…旗号 ...), or
- it stands inside quotation marks (“…” 「…」 『…』 ‘…’ "…") in a sentence
  that speaks of fraud (``fraud_warning``: 切勿轻信“内幕消息”). Quotation
  marks alone do not do it: a pitch quotes its own testimonials.

A news report or a licensed broker's research note relays analysts' calls and market talk
(维持“买入”评级, 有望翻倍, 逢低买入). When the post has the form of one (``news_byline``:
记者, 责任编辑, 来源：, 新华社, a portal's 发布日期：, a wire's 写稿时 ...; ``note_furniture``: 证券研究报告,
投资评级, 执业证书, 风险提示, 晨会 ...; or two distinct ``news_relay`` phrases: 该行表示, 据官网显示, a
regulator's 处罚决定书 or 没收违法所得 ...) and no
promoter signal (``promoter_signal`` outside quotation marks: a contact channel, a paid tier, a group,
readers addressed as a crowd or told what to do, the author's own 我; nor a finding of a funnel category),
its trade_call / hype / insider_claim / authority_appeal style findings are quoted too.

A licensed analyst's signature (``licensed_analyst``: 执业证书编号, 从业资格号 F0123456, 投资咨询号
Z0012345 ...) is research-note furniture too, and in a page that has one the analysts' e-mail
addresses and phone numbers (``ANALYST_CONTACT_RULES``) are the regulator's register, not a
funnel: they do not count as a promoter signal, and in a report they are quoted with the rest.

A trading-method explainer (``explainer_form``: at least four distinct words of method vocabulary,
战法 / 本质 / 止损方法 / 注意事项 / 是指 ..., in at least three sentences) that names no stock
(``named_stock``: a ticker or a six-digit code) has the form of a report too: it describes 主力建仓,
主升浪 and 止损 to teach them, it does not call a trade. The same promoter signals keep a teacher's
course ad or a group pitch dressed as a lesson the author's.

A software issue or feature request (``software_request``: a tracker template's headings and fields,
功能描述, 使用场景, 期望实现, 复现步骤, 是否愿意贡献代码, [Feature], [Bug] ..., two distinct ones) asks a
tool's makers for a function; the 即将起飞的牛股 it wants the tool to find is the request's subject, not a
pick the author sells. It has the form of a report too, and the same promoter signals keep it the author's.

A community notice (``community_notice``: 项目交流, 技术分享, 程序员, 开源, 提issue, 禁止荐股 ..., two
distinct ones) whose findings are all of the contact-channel kind (a group link, a QQ group number, 交流群)
and that holds no tip-seller's word (``community_pitch``: 牛股, 涨停, 老师, 会员, 免费, 带单 ...) announces
a software project's or a hobby's own chat group: its links are the notice's furniture, not a funnel to a
sale, and are quoted. A stock-tip group pitch has other findings or a pitch word with the link.

A rule may say ``scope: promoter_page`` (pack.py, ``SCOPES``): its claim shapes are too loose for
the whole web (明天开盘买入, 跟上, 名额, a referral link, 十年实战经验) and safe on a page that
is clearly a promoter's. :func:`apply_scope` runs first in :func:`assign_voice`, after every rule ran:
such findings are kept only on a *promoter page*, one that is not a warning (``fraud_topic`` as above)
and has an author finding (voice assigned as below, scoped findings left out) of a funnel category
(``PROMOTER_CATEGORIES``: contact_funnel, paid_upsell, platform_funnel, free_bait, profit_sharing,
impersonation; an analyst's contact block in a licensed note does not count). Such a page is never in a
report's form (see ``_is_report``). Words alone do not make one: ``promoter_signal`` holds 我, 各位 and
你们, which a plain forum post has (guba lines 1-4400: 262 non-promotional posts against 99 promotional
ones), and a stricter list of funnel words (加微信, 进群, VIP ...) found no page the findings had not.
A scoped finding that overlaps an unscoped one of its category is dropped too: the unscoped one says it.

The vocabulary is pack data (``markers:`` in ``rules/default/pack.yaml``),
the same ``fraud_warning`` list the rules' vetoes use, so a user's pack can
extend it; a pack without these sets reports every finding as the author's.
Matching runs on the simplified-Chinese view of the text (same length as the
original), so traditional-Chinese warnings (詐騙, 警惕) count too.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from functools import lru_cache

from ..document import Document
from ..normalize import to_simplified
from .findings import Finding
from .pack import RulePack, marker_alternation

AUTHOR = "author"
QUOTED = "quoted"
VOICES = (AUTHOR, QUOTED)

#: The pack's marker sets this module reads.
WARNING_WORDS, TOPIC_WORDS, DISCLAIMERS, FRAMES = "fraud_warning", "fraud_topic", "fraud_disclaimer", "quote_frame"
#: Report form (bylines, source lines, research-note furniture) and promoter signals.
BYLINE_WORDS, NOTE_WORDS, PROMOTER_WORDS = "news_byline", "note_furniture", "promoter_signal"
RELAY_WORDS = "news_relay"  # two distinct ones make a report's form
LICENSE_WORDS = "licensed_analyst"  # a licensed analyst's signature: note furniture
EXPLAINER_WORDS, STOCK_WORDS = "explainer_form", "named_stock"
EXPLAINER_MIN_WORDS, EXPLAINER_MIN_SENTENCES = 4, 3
#: A software tracker's issue or feature-request template (two distinct headings or fields).
REQUEST_WORDS, REQUEST_MIN_WORDS = "software_request", 2
#: A project's or a hobby's own chat group announced (two distinct notice words, no pitch word).
COMMUNITY_WORDS, COMMUNITY_PITCH_WORDS = "community_notice", "community_pitch"
COMMUNITY_MIN_WORDS = 2
#: The contact shapes such a notice gives: a group's name, link or number.
COMMUNITY_RULES = frozenset({"contact_funnel.group-qr", "contact_funnel.messaging-id", "contact_funnel.channel-handle"})
#: A research note's analyst contact block: not a funnel in a page signed with a licence number.
ANALYST_CONTACT_RULES = frozenset({"contact_funnel.email", "contact_funnel.phone", "contact_funnel.phone-contact"})
#: Findings that show a promoter at work whatever the page looks like.
PROMOTER_CATEGORIES = frozenset({"contact_funnel", "paid_upsell", "platform_funnel", "free_bait", "profit_sharing",
                                 "impersonation"})
#: What a report relays from others (analysts' calls, market talk): quoted in a report.
REPORTED_CATEGORIES = frozenset({"trade_call", "hype", "insider_claim", "authority_appeal", "urgency",
                                 "guaranteed_return", "unverified_pnl", "social_proof", "screenshot_proof"})

_QUOTES = {"“": "”", "「": "」", "『": "』", "‘": "’", '"': '"'}
_QUOTED = re.compile("|".join(f"{re.escape(a)}[^{re.escape(b)}\n]{{1,80}}{re.escape(b)}" for a, b in _QUOTES.items()))
_SENTENCE_END = re.compile("[。！？!?；;\n]")


@lru_cache(maxsize=512)  # every marker set of a few packs, and each news_relay word on its own
def _compiled(words: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile(marker_alternation(list(words))) if words else None


def _markers(pack: RulePack, name: str) -> re.Pattern[str] | None:
    """One marker set of the pack as a regex (None when the pack has no such set)."""
    return _compiled(tuple(pack.markers.get(name) or ()))


def _sentences_with(pattern: re.Pattern[str], text: str) -> tuple[set[str], set[int]]:
    """The distinct words of ``pattern`` in ``text`` and the sentences (by index) they occur in."""
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]  # once, not a prefix scan per match
    words, sentences = set(), set()
    for match in pattern.finditer(text):
        words.add(match.group(0))
        sentences.add(bisect_left(ends, match.start()))
    return words, sentences


def _without_disclaimers(text: str, pack: RulePack) -> str:
    """``text`` with a scam's reassurances about fraud blanked out (same length, so offsets hold)."""
    disclaimers = _markers(pack, DISCLAIMERS)
    if disclaimers is None:
        return text
    return disclaimers.sub(lambda m: " " * len(m.group(0)), text)


def _is_warning(text: str, pack: RulePack) -> bool:
    topic = _markers(pack, TOPIC_WORDS)
    if topic is None:
        return False
    words, sentences = _sentences_with(topic, text)
    return len(words) >= 2 and len(sentences) >= 2


def is_warning(text: str, pack: RulePack) -> bool:
    """The post as a whole warns about fraud (see the module docstring)."""
    return _is_warning(_without_disclaimers(to_simplified(text), pack), pack)


def _distinct(pattern: re.Pattern[str] | None, text: str) -> list[str]:
    return sorted({m.group(0) for m in pattern.finditer(text)}) if pattern is not None else []


def report_signals(text: str, pack: RulePack) -> dict[str, list[str]]:
    """The report-form words of ``text`` (simplified view) and the promoter signals outside quotation marks."""
    form = (_distinct(_markers(pack, BYLINE_WORDS), text) + _distinct(_markers(pack, NOTE_WORDS), text)
            + _distinct(_markers(pack, LICENSE_WORDS), text))
    relayed = [m.group(0) for m in (_compiled((w,)).search(text) for w in pack.markers.get(RELAY_WORDS) or ()) if m]
    if len(relayed) >= 2:  # two kinds of relay (该行…, 据…显示), not one kind twice (分析师指出 … 分析师预计)
        form += relayed
    request = _distinct(_markers(pack, REQUEST_WORDS), text)
    if len(request) >= REQUEST_MIN_WORDS:  # a tracker template's fields, not one stray 使用场景
        form += request
    explainer = _markers(pack, EXPLAINER_WORDS)
    if not form and explainer is not None:
        words, sentences = _sentences_with(explainer, text)
        stock = _markers(pack, STOCK_WORDS)
        if (len(words) >= EXPLAINER_MIN_WORDS and len(sentences) >= EXPLAINER_MIN_SENTENCES
                and (stock is None or stock.search(text) is None)):
            form += sorted(words)
    promoter: list[str] = []
    if form:
        unquoted = _QUOTED.sub(lambda m: " " * len(m.group(0)), text)
        promoter = _distinct(_markers(pack, PROMOTER_WORDS), unquoted)
    return {"form": form, "promoter": promoter}


def _analyst_contact(f: Finding, licensed: bool) -> bool:
    return licensed and f.rule_id in ANALYST_CONTACT_RULES


def _licensed(text: str, pack: RulePack) -> bool:
    words = _markers(pack, LICENSE_WORDS)
    return words is not None and words.search(text) is not None


def _is_report(text: str, findings: list[Finding], pack: RulePack, licensed: bool) -> bool:
    if any(f.category in PROMOTER_CATEGORIES and not _analyst_contact(f, licensed) for f in findings):
        return False
    signals = report_signals(text, pack)
    return bool(signals["form"]) and not signals["promoter"]


def is_report(text: str, pack: RulePack, findings: list[Finding] = ()) -> bool:
    """The post is a news report or a broker's research note with no promoter signal (module docstring)."""
    simplified = to_simplified(text)
    return _is_report(simplified, list(findings), pack, _licensed(simplified, pack))


def _is_community_notice(text: str, findings: list[Finding], pack: RulePack) -> bool:
    notice, pitch = _markers(pack, COMMUNITY_WORDS), _markers(pack, COMMUNITY_PITCH_WORDS)
    if notice is None or not all(f.rule_id in COMMUNITY_RULES for f in findings):
        return False
    if pitch is not None and pitch.search(text) is not None:
        return False
    return len(_distinct(notice, text)) >= COMMUNITY_MIN_WORDS


def is_community_notice(text: str, pack: RulePack, findings: list[Finding] = ()) -> bool:
    """The post announces a project's own chat group, with no tip-seller's word (module docstring)."""
    return _is_community_notice(to_simplified(text), list(findings), pack)


def _quoted(f: Finding) -> Finding:
    return replace(f, voice=QUOTED, severity="info")


def _promoter_page(text: str, unscoped: list[Finding], pack: RulePack) -> bool:
    """``text`` (simplified, disclaimers blanked) is a promoter's page; ``unscoped`` have their voice."""
    if _is_warning(text, pack):
        return False
    licensed = _licensed(text, pack)
    return any(f.voice == AUTHOR and f.category in PROMOTER_CATEGORIES and not _analyst_contact(f, licensed)
               for f in unscoped)


def _page_text(doc: Document, pack: RulePack) -> str:
    return _without_disclaimers(to_simplified(doc.text), pack)


def is_promoter_page(doc: Document, findings: list[Finding], pack: RulePack) -> bool:
    """The document is clearly a promoter's (module docstring); ``findings`` are the rules' findings."""
    unscoped = [f for f in findings if f.rule_id not in pack.scoped_rules]
    return _promoter_page(_page_text(doc, pack), _assign_voice(doc, unscoped, pack), pack)


def _scoped(doc: Document, findings: list[Finding], pack: RulePack) -> tuple[list[Finding], list[Finding] | None]:
    """The findings the scope step keeps, and, when those are the unscoped findings alone, their voices:
    deciding the page assigned them already, so :func:`assign_voice` need not do it again."""
    scoped = pack.scoped_rules
    if not scoped or not any(f.rule_id in scoped for f in findings):
        return findings, None
    unscoped = [f for f in findings if f.rule_id not in scoped]
    voiced = _assign_voice(doc, unscoped, pack)
    if not _promoter_page(_page_text(doc, pack), voiced, pack):
        return unscoped, voiced
    return [f for f in findings if f.rule_id not in scoped or not any(
        g.category == f.category and g.start < f.end and f.start < g.end for g in unscoped)], None


def apply_scope(doc: Document, findings: list[Finding], pack: RulePack) -> list[Finding]:
    """The findings without those of ``scope: promoter_page`` rules off a promoter page (module docstring)."""
    return _scoped(doc, findings, pack)[0]


def assign_voice(doc: Document, findings: list[Finding], pack: RulePack) -> list[Finding]:
    """The findings with ``voice`` set; quoted ones drop to ``info`` severity.

    Findings of scoped rules off their scope are dropped first (:func:`apply_scope`).
    """
    kept, voiced = _scoped(doc, findings, pack)
    return voiced if voiced is not None else _assign_voice(doc, kept, pack)


def _assign_voice(doc: Document, findings: list[Finding], pack: RulePack) -> list[Finding]:
    if not findings:
        return findings
    warning, frame, topic = _markers(pack, WARNING_WORDS), _markers(pack, FRAMES), _markers(pack, TOPIC_WORDS)
    text = _page_text(doc, pack)
    licensed = _licensed(text, pack)
    if _is_report(text, findings, pack, licensed):
        return [_quoted(f) if f.category in REPORTED_CATEGORIES or _analyst_contact(f, licensed) else f
                for f in findings]
    if _is_community_notice(text, findings, pack):
        return [_quoted(f) for f in findings]
    if all(words is None or words.search(text) is None for words in (warning, frame, topic)):
        return findings  # a post with no word about fraud or others' words quotes no slogans
    whole_post = _is_warning(text, pack)
    quoted_spans = [m.span() for m in _QUOTED.finditer(text)]
    out = []
    for f in findings:
        offset = max(f.context_start, 0)
        sentence = text[offset:offset + len(f.context)] if f.context_start >= 0 else f.context
        inside_quotes = any(a < f.start and f.end < b for a, b in quoted_spans)
        framed = frame is not None and any(
            not (f.start - offset <= m.start() < f.end - offset) for m in frame.finditer(sentence))
        quoted = whole_post or framed or (inside_quotes and warning is not None and warning.search(sentence))
        out.append(_quoted(f) if quoted else f)
    return out
