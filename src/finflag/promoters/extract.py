"""Contact points, pushed tickers and a post date, read from a stored result.

The rule layer says *that* a post moves readers off-platform (its
``contact_funnel`` findings); this module reads *where to*: the handles,
numbers, addresses and names themselves, each normalised
(:mod:`finflag.promoters.normalize`). It reads the original text rather
than the findings' quotes, because the rules quote the phrase that fired
(``加微信：JN888vip``, ``长按识别``), not always the handle, and a handle
is often on the line after the pitch.

Where it looks:

* a post with a ``contact_funnel`` or ``platform_funnel`` finding of
  severity warning or above is a pitch that gives a channel: its whole text
  is read for contact points;
* any other post with findings (an e-mail address alone is an ``info``
  finding, as in a reporter's byline): the sentences of its findings and
  one sentence either side;
* a post without findings: nothing (a news article's byline e-mail
  links no promoter).

Tickers count as *pushed* when they are named within one sentence of a
``trade_call``, ``hype``, ``urgency``, ``guaranteed_return`` or
``insider_claim`` finding: six-digit A-share codes, ``$TSLA`` / ``(NVDA)``,
bare tickers the glossary knows, and company names from the glossary.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from typing import Any

import finflag.promoters.normalize as norm  # the module alone: the package would import this one back

from ..document import Document
from ..normalize import fold as fold_width

#: Categories whose findings mean the post hands readers a channel: read all of it.
FUNNEL_CATEGORIES = frozenset({"contact_funnel", "platform_funnel"})
#: Categories whose findings push a security: tickers named near them are "pushed".
PUSH_CATEGORIES = frozenset({"trade_call", "hype", "urgency", "guaranteed_return", "insider_claim"})

#: Chat channel words (as the rules' channel-handle pattern spells them, and a few more) -> kind.
_CHANNELS: list[tuple[str, str]] = [
    ("qq_group", r"QQ群|Q群|扣扣群|企鹅群"),
    ("wechat", r"微信|薇信|威信|维信(?!息)|徽信|V信|VX|WX|weixin|wechat|加V"),
    ("qq", r"QQ|扣扣|企鹅号"),
    ("line", r"LINE|加赖|赖(?=\s?ID)"),
    ("telegram", r"TG|telegram|电报群?|飞机群|飞机号"),
    ("whatsapp", r"whatsapp"),
]
#: The same words without their lookaheads, to name the channel of a matched word (赖 of 赖ID is LINE).
_CHANNEL_KIND = [(kind, re.compile("(?i:" + re.sub(r"\(\?=[^)]*\)", "", words) + ")")) for kind, words in _CHANNELS]
_HANDLE = r"@?[A-Za-z][A-Za-z0-9_\-.]{3,29}(?<![.\-])|\d[\d \-]{3,14}\d"
_CHANNEL_FIRST = re.compile(
    r"(?<![A-Za-z])(?P<chan>(?i:" + "|".join(w for _, w in _CHANNELS) + r"))"
    # A Latin channel word ends where the letters do: 'wang8888' is no WhatsApp/WeChat 'wa'/'wx' handle.
    r"(?:(?<![A-Za-z])|(?![A-Za-z])|(?=(?i:id)))"
    r"(?:号码|群号|账号|帐号|号|群)?[^\S\n]{0,3}(?:(?i:id)[^\S\n]{0,2})?(?:是|为)?[^\S\n]{0,3}[:：]?[^\S\n]{0,3}"
    r"(?P<id>" + _HANDLE + r")(?![A-Za-z0-9_@])")
_HANDLE_FIRST = re.compile(
    r"(?<![A-Za-z0-9_@])(?P<id>[A-Za-z][A-Za-z0-9_\-]{3,19}|\d{5,12})[^\S\n]{0,2}[(（]?[^\S\n]{0,2}"
    r"(?P<chan>(?i:微信|薇信|V信|VX|QQ|LINE|TG|电报))(?:同号|号|ID)")
_MASK = re.compile(r"x{3,}")
#: Words that follow a channel name but are not a handle.
_NOT_HANDLES = {"wechat", "weixin", "line", "telegram", "whatsapp", "qq", "vip", "id", "group", "official"}

_PHONES = [
    re.compile(r"(?<![\dA-Za-z+])(?:(?:\+|00)?86[\s\-]?)?1[3-9][\dxX](?:[\s\-]?[\dxX]){8}(?![\dA-Za-z])"
               r"(?!\s{0,3}(?:元|美元|股|手|万|亿|%|港元))"),
    re.compile(r"(?<![\dA-Za-z+])(?:(?:\+|00)886[\s\-]?9|09)\d{2}[\s\-]?\d{3}[\s\-]?\d{3}(?![\dA-Za-z])"),
    re.compile(r"(?<![\d.])(?:400|800)[\s\-]?\d{3}[\s\-]?\d{4}(?![\d.])"),
    re.compile(r"(?:电话|手机|热线|联系方式|座机|致电|拨打)[^\S\n]{0,3}[:：]?[^\S\n]{0,3}"
               r"(?P<num>0\d{1,3}[\s\-]?\d{3,4}[\s\-]?\d{4})(?!\d)"),
]
_SAME_AS_WECHAT = re.compile(r"[^\S\n]{0,2}[(（]?[^\S\n]{0,2}(?:微信|薇信|V信|VX)同号")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}"
                    r"(?:\.[A-Za-z0-9\-]{1,63}){0,4}\.[A-Za-z]{2,12}")
_URL_TAIL = r"[^\s<>\"'“”‘’，。！？；、（）()【】\u3000-\u303f\u4e00-\u9fff]*"
_URL = re.compile(r"(?i:https?://" + _URL_TAIL
                  + r"|(?<![@\w.])www\.[a-z0-9\-]+(?:\.[a-z0-9\-]+)+(?:/" + _URL_TAIL + r")?)")
_BARE_DOMAIN = re.compile(
    r"(?<![@\w.\-/])(?i:[a-z0-9][a-z0-9\-]{1,62}(?:\.[a-z0-9\-]{1,62})*"
    r"\.(?:com|cn|net|org|top|vip|xyz|cc|me|io|hk|tw|info|club|site|online|app))(?![\w\-@]|\.\w)"
    r"(?:/" + _URL_TAIL + ")?")

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
            "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤")
_TEACHER = re.compile(f"(?P<name>[{SURNAMES}][\u4e00-\u9fff]{{0,2}})老师")
_TEAM = re.compile(r"团队|工作室")
_NAME_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+$")
#: Words in front of a team name that are not part of it (longest first when stripping).
_LEADING = sorted(["恭喜", "欢迎", "加入", "关注", "来自", "跟着", "跟随", "感谢", "我们", "咱们", "大家", "这是", "本", "由",
                   "的", "是", "在", "和", "与", "请", "来", "找", "被", "让", "给", "从", "跟", "向", "为"],
                  key=len, reverse=True)
#: Team names that name nobody: every promoter has a "professional research team".
GENERIC_TEAMS = frozenset({"专业", "投研", "研究", "操盘", "顶级", "专家", "分析师", "核心", "管理", "技术", "服务", "客服",
                           "运营", "我们", "投资", "专业投研", "顶级投研", "研发", "分析", "交易", "顾问", "老师", "导师",
                           "资深", "金牌", "王牌", "专属", "私募", "机构", "整个", "一个", "这个", "我的", "他们", "优秀"})

_A_SHARE = re.compile(r"(?<![\dA-Za-z.+\-])(?P<code>(?:60[0-5]|688|689|00[0-3]|30[01])\d{3})"
                      r"(?:\.(?P<ex>SH|SZ|SS|sh|sz|ss))?(?![\d%.])(?!\s{0,2}(?:元|块|股|手|万|亿|点|人|年|名|位|只))")
_US_TICKER = re.compile(r"\$(?P<a>[A-Z]{1,5})(?![A-Za-z])|[(（]\s*(?P<b>[A-Z]{1,5})\s*[)）]"
                        r"|(?<![A-Za-z])(?P<c>[A-Z]{2,5})(?![A-Za-z])")
_NOT_TICKERS = {"AI", "ETF", "CEO", "CFO", "GDP", "PCE", "CPI", "IPO", "USD", "RMB", "VIP", "QQ", "APP", "PE", "EPS",
                "ROE", "TG", "ID", "PDF", "OK", "US", "UK", "EU", "WX", "VX", "LINE", "USDT", "BTC", "ETH", "A", "K"}
#: Glossary companies that are also chat channels.
_CHANNEL_NAMES = frozenset({"微信", "腾讯QQ", "QQ", "电报", "推特", "脸书"})
_DATE = re.compile(r"(?<!\d)(20\d{2})\s?[-/.年]\s?(\d{1,2})\s?[-/.月]\s?(\d{1,2})(?!\d)")


@dataclass(frozen=True)
class Contact:
    """One contact point in one post: its kind, normalised value, the spelling seen, where.

    ``links`` says whether sharing it is evidence of one operator: a full
    handle, number, address or name does; a bare surname teacher (王老师)
    or a number with most digits masked does not.
    """

    kind: str
    value: str
    raw: str
    start: int
    end: int
    links: bool = True


@dataclass(frozen=True)
class Ticker:
    """A security a post pushes: its code when known, and its name."""

    code: str
    name: str

    @property
    def key(self) -> str:
        return self.code or self.name

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}".strip() if self.name and self.name != self.code else self.key


def _spans(doc: Document, findings: list[dict[str, Any]], categories: frozenset[str] | None) -> list[tuple[int, int]]:
    """The finding sentences (of ``categories``, or all) with one sentence either side, merged."""
    sentences = doc.sentences
    if not sentences:
        return []
    starts = [s.start for s in sentences]
    picked: set[int] = set()
    for f in findings:
        if categories is not None and f.get("category") not in categories:
            continue
        first = max(0, bisect_right(starts, int(f["start"])) - 1)
        last = max(first, bisect_left(starts, int(f["end"])) - 1)
        picked.update(range(first - 1, last + 2))
    spans: list[tuple[int, int]] = []
    for n in sorted(i for i in picked if 0 <= i < len(sentences)):
        start, end = sentences[n].start, sentences[n].end
        if spans and start <= spans[-1][1] + 2:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def reading_spans(doc: Document, findings: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Where contact points are read (module docstring), as original offsets."""
    if not findings:
        return []
    if any(f.get("category") in FUNNEL_CATEGORIES and f.get("severity") != "info" for f in findings):
        return [(0, len(doc.text))]
    return _spans(doc, findings, None)


def _within(spans: list[tuple[int, int]], offset: int) -> bool:
    n = bisect_right([a for a, _ in spans], offset) - 1
    return n >= 0 and offset < spans[n][1]


def is_masked(value: str) -> bool:
    """Part of it replaced by ``xxx`` (scraped SMS corpora mask handles so): shown, but links nobody."""
    return _MASK.search(value) is not None


def _channel(word: str) -> str:
    for kind, pattern in _CHANNEL_KIND:
        if pattern.fullmatch(word):
            return kind
    return "wechat"


def _handles(folded: str) -> list[Contact]:
    found = []
    for pattern in (_CHANNEL_FIRST, _HANDLE_FIRST):
        for m in pattern.finditer(folded):
            kind, raw = _channel(m.group("chan")), m.group("id").strip()
            value = norm.handle(raw)
            if value in _NOT_HANDLES or len(value) < 4 or set(value) <= {"x"}:
                continue  # a channel word, or a handle masked whole (scraped SMS): nothing to link on
            found.append(Contact(kind, value, raw, m.start("id"), m.end("id"), links=not is_masked(value)))
    return found


def _phones(folded: str) -> list[Contact]:
    found = []
    for pattern in _PHONES:
        for m in pattern.finditer(folded):
            group = "num" if "num" in pattern.groupindex else 0
            raw = m.group(group).strip()
            value = norm.phone(raw)
            found.append(Contact("phone", value, raw, m.start(group), m.end(group), norm.phone_is_specific(value)))
            if _SAME_AS_WECHAT.match(folded, m.end()):
                national = value.removeprefix("+886").removeprefix("+86")
                found.append(Contact("wechat", national, raw, m.start(group), m.end(group),
                                     norm.phone_is_specific(value)))
    return found


def _web(folded: str) -> list[Contact]:
    found: list[Contact] = []
    taken: list[tuple[int, int]] = []
    for m in _EMAIL.finditer(folded):
        value = norm.email(m.group())
        found.append(Contact("email", value, m.group(), m.start(), m.end(), links=not is_masked(value)))
        taken.append(m.span())
    urls = list(_URL.finditer(folded))
    urls += [m for m in _BARE_DOMAIN.finditer(folded)
             if not any(s <= m.start() < e or m.start() <= s < m.end() for s, e in taken + [u.span() for u in urls])]
    for m in urls:
        if any(s <= m.start() < e for s, e in taken):
            continue
        raw = m.group().rstrip(".,;:!?)")
        value = norm.url(raw)
        host, _, path = value.partition("/")
        if not host or "." not in host:
            continue
        if host in ("t.me", "telegram.me") and path:
            found.append(Contact("telegram", norm.handle(path.split("/")[0]), raw, m.start(), m.start() + len(raw)))
            continue
        if host == "wa.me" and path:
            found.append(Contact("whatsapp", norm.phone(path.split("/")[0]), raw, m.start(), m.start() + len(raw)))
            continue
        if path:
            found.append(Contact("url", value, raw, m.start(), m.start() + len(raw)))
        if not norm.is_shared_host(host):
            found.append(Contact("domain", host, raw, m.start(), m.start() + len(raw)))
    return found


def team_name(text: str, at: int) -> str | None:
    """The team or studio name that ends at ``at`` (where 团队/工作室 starts), or None.

    Without a word segmenter the start of a name is a guess: up to eight
    name characters back, cut after the last punctuation, then common
    leading words (恭喜, 加入, 我们, 的 ...) stripped.
    """
    window = text[max(0, at - 8):at]
    tail = _NAME_CHARS.search(window)
    if not tail:
        return None
    candidate = tail.group()
    stripped = True
    while stripped:
        stripped = False
        for word in _LEADING:
            if candidate.startswith(word) and len(candidate) > len(word):
                candidate, stripped = candidate[len(word):], True
                break
    candidate = candidate.removesuffix("的")
    if len(candidate) < 2 or candidate in GENERIC_TEAMS or candidate.endswith(("老师", "导师")):
        return None
    return candidate


def _names(folded: str) -> list[Contact]:
    found = []
    for m in _TEACHER.finditer(folded):
        name = m.group("name")  # the first surname character that reaches 老师, and all after it
        found.append(Contact("teacher", norm.name(name + "老师"), m.group(), m.start(), m.end(), links=len(name) >= 2))
    for m in _TEAM.finditer(folded):
        name = team_name(folded, m.start())
        if name:
            raw = name + m.group()
            found.append(Contact("team", norm.name(raw), raw, m.start() - len(name), m.end()))
    return found


def contacts_in(text: str, findings: list[dict[str, Any]]) -> list[Contact]:
    """Every contact point in a post's reading spans, in text order, one per (kind, value, offset).

    Patterns run on the rule layer's normalised view (full-width folded,
    traditional characters simplified, zero-width characters dropped, so
    ``jn\u200b888vip`` is ``jn888vip``); offsets and the spelling shown are
    the original's.
    """
    doc = Document(path="<post>", text=text)
    spans = reading_spans(doc, findings)
    if not spans:
        return []
    view = doc.normalized
    folded = view.text
    found: dict[tuple[str, str, int], Contact] = {}
    for c in _handles(folded) + _phones(folded) + _web(folded) + _names(folded):
        start, stop = view.span_to_original(c.start, c.end)
        if _within(spans, start):
            found.setdefault((c.kind, c.value, start), Contact(c.kind, c.value, text[start:stop], start, stop, c.links))
    return sorted(found.values(), key=lambda c: (c.start, c.kind))


@cache
def _glossary() -> tuple[dict[str, tuple[str, str]], re.Pattern[str] | None, frozenset[str]]:
    """Company names -> (ticker, English name); the names as one regex (longest first); the Latin tickers."""
    from ..summary.glossary import Glossary

    companies = {e.zh: (e.ticker, e.en) for e in Glossary.load().entries.values()
                 if e.kind in ("company", "bank", "broker")}
    longest_first = sorted(companies, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in longest_first)) if companies else None
    latin = frozenset(t for t, _ in companies.values() if re.fullmatch(r"[A-Z]{1,5}", t))
    return companies, pattern, latin


def _a_share(code: str) -> str:
    return code + (".SS" if code.startswith("6") else ".SZ")


def tickers_in(text: str, findings: list[dict[str, Any]]) -> list[Ticker]:
    """Securities named within one sentence of a pushing finding, in text order, each once."""
    companies, names, latin = _glossary()
    by_code: dict[str, str] = {}
    for code, en in companies.values():
        if code:
            by_code.setdefault(code, en)  # the first (full) name: 贵州茅台 Kweichow Moutai, not 茅台 Moutai
    doc = Document(path="<post>", text=text)
    spans = _spans(doc, findings, PUSH_CATEGORIES)
    if not spans:
        return []
    view = doc.normalized
    folded = view.text
    hits: list[tuple[int, Ticker]] = []
    for m in _A_SHARE.finditer(folded):
        code = _a_share(m.group("code"))
        hits.append((m.start(), Ticker(code, by_code.get(code, ""))))
    for m in _US_TICKER.finditer(folded):
        symbol = m.group("a") or m.group("b") or m.group("c")
        if symbol in _NOT_TICKERS or (m.group("c") and symbol not in latin):
            continue
        hits.append((m.start(), Ticker(symbol, by_code.get(symbol, ""))))
    if names is not None:
        for m in names.finditer(folded):
            code, en = companies[m.group()]
            if not code and m.group() in _CHANNEL_NAMES:
                continue  # 微信 in "加微信" is the channel, not a company pushed
            hits.append((m.start(), Ticker(code, en)))
    found: dict[str, Ticker] = {}
    for at, ticker in sorted(hits, key=lambda h: h[0]):
        if not _within(spans, view.to_original(at)):
            continue
        known = found.get(ticker.key)
        if known is None or (not known.name and ticker.name):
            found[ticker.key] = ticker
    return list(found.values())


def post_date(text: str) -> str | None:
    """A date on the post's first two lines (where saved pages put it), as YYYY-MM-DD; None when there is none.

    Dates further down are about events, not the post; file times say when
    a file was copied. Without a date line the post's date is unknown.
    """
    head = "\n".join(fold_width(text).splitlines()[:2])
    m = _DATE.search(head)
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
