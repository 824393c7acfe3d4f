"""Checking the model's English against the source, and saying what failed.

Each check returns a result that is shown to the reviewer whether it
passed or not: the point is that a reader can see how far to trust the
machine-generated text.

- ``unsupported_number``: a number in the summary that no source number
  (after 万/亿 and currency conversion) rounds to;
- ``cjk_leak``: Chinese characters left in the English;
- ``unsupported_name``: a capitalised name that is neither in the source's
  Latin text nor the English name of an entity the source mentions;
- ``degenerate_output``: empty, cut off at the token limit, or looping.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ..numbers import CURRENCIES, MONTHS, TENTHS, chinese_numeral, english_numbers, is_supported
from .glossary import NAME_KINDS, Entry, Glossary
from .romanize import grounded
from .types import Check

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")
_CJK_TERM = re.compile(r"(?P<latin>[A-Z](?=[\u4e00-\u9fff]))?" + _CJK.pattern)
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9&'’.\-]*(?:\s+(?:of\s+|&\s+|de\s+)?[A-Z][A-Za-z0-9&'’.\-]*)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*(?:[-*•]\s*)?)$")
#: Capitalised words that are not names of anyone in particular.
COMMON_CAPITALISED = set("""
A An The This That These Those It Its In On At For From To Of And Or But As By With Without After Before During
Over Under While When Where Why How What Which Who Whom Whose If Then Than Also However Meanwhile Overall Despite
Summary Key Points Point SUMMARY KEY POINTS I We You He She They Our Their His Her My Your
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August
September October November December Q1 Q2 Q3 Q4 AI ETF ETFs CEO CEOs CFO GDP PCE CPI IPO EPS US U.S. USA UK EU
Chinese China American America Europe European Asian Asia Wall Street Street Nasdaq Dow S&P Fed Treasury
RMB HK$ US$ EUR JPY GBP VIP QR WeChat QQ Telegram BNPL RSU RSUs PSU PSUs GLP-1 CPAP Inc Corp Co Ltd Group Holdings
A-share A-shares H-share H-shares B-share B-shares A-Share A-Shares H-Share H-Shares HK NT
Index Composite Research Securities Bank Capital Fund Technology Technologies The Article Analysts Analyst
Investors Investor Shares Stocks Stock Traders Trader Members Member Readers Reader Followers Note Chip Chips
""".split())
_LOOP_MIN_WORDS = 6


@dataclass
class CheckResult:
    check: str
    passed: bool
    message: str
    items: list[dict[str, object]] = field(default_factory=list)
    repaired: list[dict[str, object]] = field(default_factory=list)

    def to_check(self) -> Check:
        status = "fail" if not self.passed else "repaired" if self.repaired else "pass"
        return Check(self.check, status, self.message, self.passed, list(self.items), list(self.repaired))


SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“(])")


def drop_unsupported_numbers(summary: str, points: list[str], values: set[Decimal]):
    """Remove the sentences and key points that state a number the source does not have.

    A reviewer is better served by a shorter summary than by an invented
    figure; what was removed is kept and reported, never hidden.
    """
    removed: list[dict[str, object]] = []

    def keep(sentence: str, where: str) -> bool:
        bad = [n.text for n in english_numbers(sentence) if not is_supported(n, values)]
        if bad:
            removed.append({"removed": sentence, "from": where, "numbers": bad})
        return not bad

    sentences = [s for s in SENTENCE_SPLIT.split(summary.strip()) if s]
    kept_summary = " ".join(s for s in sentences if keep(s, "summary"))
    kept_points = [p for p in points if keep(p, "key_points")]
    return kept_summary, kept_points, removed


_GLUED = re.compile(r"(?<=[a-z]{3})(?=[A-Z]{2,}(?![a-z]))")


def unglue(text: str) -> str:
    """A space where the model glued a word to a capitalised name ("whileNIO's" -> "while NIO's");
    mixed-case names (WeChat, iPhone, McKinsey) are left alone."""
    return _GLUED.sub(" ", text)


#: One Chinese character the model leaves glued to the English word it belongs to ("contract额" for
#: 合同额, "turnover率"): a suffix that English says with a word, or not at all (额 is "amount").
_GLUED_SUFFIXES = {"额": "", "率": " rate", "量": " volume", "值": " value", "价": " price"}
_GLUED_SUFFIX = re.compile(r"([A-Za-z])([" + "".join(_GLUED_SUFFIXES) + r"])(?![\u3400-\u9fff])")


def replace_cjk_from_glossary(text: str, english_for) -> tuple[str, list[dict[str, object]]]:
    """Replace Chinese fragments the glossary knows (宁德时代 -> CATL); report each replacement."""
    replaced: list[dict[str, object]] = []

    def swap(match: re.Match[str]) -> str:
        # A Latin letter glued to the Chinese is part of the term (A股, H股): tried first, then without it.
        for start in (0, len(match.group("latin") or "")):
            chinese = match.group(0)[start:]
            english = english_for(chinese)
            if english is not None:
                replaced.append({"chinese": chinese, "english": english})
                before = text[match.start() + start - 1] if match.start() + start else ""
                after = text[match.end()] if match.end() < len(text) else ""
                # "while蔚来's" -> "while NIO's", "pre-determined减持plan" -> "pre-determined share sale plan"
                space_before = " " if not start and before.isalnum() and before.isascii() else ""
                space_after = " " if after.isalnum() and after.isascii() else ""
                return match.group(0)[:start] + space_before + english + space_after
        return match.group(0)

    out = _CJK_TERM.sub(swap, text)
    out = re.sub(r"\b([\w&.\- ]{2,40}?) \(\1\)", r"\1", out)  # "CATL (CATL)" -> "CATL"

    def suffix(match: re.Match[str]) -> str:
        replaced.append({"chinese": match.group(2), "english": _GLUED_SUFFIXES[match.group(2)].strip()})
        return match.group(1) + _GLUED_SUFFIXES[match.group(2)]

    return _GLUED_SUFFIX.sub(suffix, out), replaced



def check_numbers(summary: str, values: set[Decimal]) -> CheckResult:
    numbers = english_numbers(summary)
    bad = [n for n in numbers if not is_supported(n, values)]
    items = [{"text": n.text, "start": n.start, "end": n.end} for n in bad]
    if bad:
        return CheckResult("unsupported_number", False,
                           f"{len(bad)} of {len(numbers)} numbers are not in the source: "
                           + ", ".join(n.text for n in bad), items)
    traced = {0: "no numbers to trace", 1: "the one number traced to the source"}.get(
        len(numbers), f"all {len(numbers)} numbers traced to the source")
    return CheckResult("unsupported_number", True, traced)


def check_cjk(summary: str) -> CheckResult:
    leaks = [{"text": m.group(0), "start": m.start(), "end": m.end()} for m in _CJK.finditer(summary)]
    if leaks:
        return CheckResult("cjk_leak", False, f"{len(leaks)} Chinese fragment(s) left in the English: "
                           + ", ".join(str(x["text"]) for x in leaks[:5]), leaks)
    return CheckResult("cjk_leak", True, "no Chinese characters in the English")


def _known_name(name: str, allowed_lower: set[str]) -> bool:
    words = [w.strip(".'’") for w in name.split() if w not in ("of", "&", "de")]
    if name.lower() in allowed_lower:
        return True
    return all(w in COMMON_CAPITALISED or w.lower() in allowed_lower or w.rstrip("s").lower() in allowed_lower
               for w in words if w)


def check_names(summary: str, allowed: set[str]) -> CheckResult:
    """Capitalised names in the summary that the source does not support."""
    allowed_lower = {a.lower() for a in allowed}
    for name in list(allowed):
        allowed_lower.update(w.lower().strip(".,()") for w in name.split())
    bad = []
    for match in _NAME.finditer(summary):
        name = re.sub(r"['’]s$", "", match.group(0).rstrip(".'’-"))
        start = match.start()
        if name.startswith(("The ", "A ", "An ")):
            first, _, name = name.partition(" ")
            start += len(first) + 1
        if len(name) < 2 or _known_name(name, allowed_lower):
            continue
        if _SENTENCE_START.search(summary[: match.start()]) and start == match.start():
            first, _, rest = name.partition(" ")
            if first[1:].islower() and (not rest or _known_name(rest, allowed_lower)):
                continue  # an ordinary word capitalised because it starts a sentence ("Three AI stocks")
        bad.append({"text": name, "start": start, "end": start + len(name)})
    if bad:
        return CheckResult("unsupported_name", False,
                           f"{len(bad)} name(s) not found in the source or its glossary names: "
                           + ", ".join(str(b["text"]) for b in bad), bad)
    return CheckResult("unsupported_name", True, "every name is in the source or its glossary names")


def _loops(text: str) -> str | None:
    """A run of words repeated three times in a row, if any."""
    words = text.split()
    for size in range(_LOOP_MIN_WORDS, min(40, len(words) // 3) + 1):
        for i in range(len(words) - 3 * size + 1):
            chunk = words[i : i + size]
            if chunk == words[i + size : i + 2 * size] == words[i + 2 * size : i + 3 * size]:
                return " ".join(chunk)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4]
    for s in set(sentences):
        if sentences.count(s) >= 3:
            return s
    return None


def check_degenerate(summary: str, finish_reason: str) -> CheckResult:
    if not summary.strip():
        return CheckResult("degenerate_output", False, "the model returned no summary")
    loop = _loops(summary)
    if loop:
        return CheckResult("degenerate_output", False, f"the output repeats itself: “{loop[:80]}”",
                           [{"text": loop}])
    if finish_reason == "length":
        return CheckResult("degenerate_output", False, "the output was cut off at the token limit")
    return CheckResult("degenerate_output", True, "complete, no repetition")


# --- per-sentence checks: each English sentence against its own linked source ---------------

#: Ordinary English words that may open a sentence capitalised; any other
#: capitalised word, sentence-initial or not, must be supported by the source.
SENTENCE_STARTERS = set("""
Shares Stock Stocks Markets Market Prices Price Trading Traders Investors Analysts Analyst Sales Revenue Revenues
Profit Profits Earnings Income Net Operating Gross Total Its Their His Her Our Your My We They He She It Some Many
Most Several All Both Each Every Other Another Such No Not Only Just Yet Still Even Already Since Until Because
Although Though Yesterday Today Tomorrow Last Next First Second Third Fourth Fifth Final Early Late Year Years Month
Months Week Weeks Day Days Government Officials Company Companies Firm Firms Bank Banks Brokers Broker Logistics
Freight Treasury Yields Yield Bonds Bond Rates Rate Inflation Consumer Consumers Retail Global Domestic Foreign
Local Overseas Experts Sources Reports Report Data Figures Results Growth Demand Supply Orders Exports Imports
Shareholders Shareholder Management Chairman Founder Executives Staff Employees Users Customers Members Readers
Fans Netizens Followers Buy Sell Hold Join Contact Scan Add Call Click Follow Subscribe Don't Do Please Hurry Act
Limited Seats Places Spots Chances Opportunity First-come Whoever Anyone Everyone Nobody Nothing Something There
Here Now Then Thus Therefore Hence Instead Otherwise Besides Moreover Furthermore Additionally Also Currently
Recently Previously Later Earlier Meanwhile Monthly Weekly Daily Annual Annually Quarterly Expected Estimated
Reportedly According Based Compared Following Due Amid Among Between Against Toward Towards About Around Above Below
Up Down Out Off Into Onto Upon Within Across Along Behind Beyond Near Through Throughout Via Per Plus Minus Nearly
Almost Roughly Approximately Over More Less Fewer Up-to Unlike Like Just New Old High Higher Low Lower Big Bigger
Large Larger Small Smaller Major Minor Key Main Top Leading Record Strong Weak Sharp Steep Slight Modest Huge Massive
Investment Investments Funds Fund Capital Assets Asset Tech Technology Chip Chips Semiconductor Semiconductors
Energy Oil Gold Silver Copper Crypto Bitcoin Real Estate Property Housing Insurance Healthcare Pharmaceutical
Automotive Cars Car Electric Vehicles Vehicle Battery Batteries Software Hardware Cloud Internet Online Digital
Value Valuation Valuations Target Targets Rating Ratings Upgrade Downgrade Acquisition Deal Deals Merger Purchase
Sale Share Dividend Dividends Buyback Buybacks Loss Losses Gain Gains Return Returns Risk Risks Risky Profitable
Is Are Was Were Be Been Does Did Has Have Had Can Could Will Would Shall Should Might Must Let Let's Whether Once
Considering Regarding Concerning Given Assuming Including Excluding Looking Judging Speaking Taking Seeing Having
Yes So Nor Any Anybody Someone Everything Everybody Whatever Whenever Wherever Why Who How
One Two Three Four Five Six Seven Eight Nine Ten Dozens Hundreds Thousands Millions
""".split())
_EN_CLAUSE = re.compile(r"[,;:](?!\d)|\b(?:and|while|whereas|but)\b")  # 720,000 stays one number
#: A sentence's first clause up to this many characters, ended by a colon, is its topic (华润电力：).
TOPIC_CHARS = 12
_ZH_CLAUSE_KEPT = re.compile(r"([，,；;：:、])")  # clauses, each followed by the separator that ends it
_ZH_FRACTION = re.compile(TENTHS.pattern + r"|(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)倍|(过半|一半|半数|翻倍|翻番)|"
                          r"([一二三四五六七八九十])分之([一二三四五六七八九])")
_EN_FRACTION = {
    # Not "the first half of 2018": a period (1-6月, 上半年), which the date checks read.
    "half": re.compile(r"\b(?<!first )(?<!second )(?:half|halved)\b", re.I),
    "third": re.compile(r"\b(?:one|two)[- ]thirds?\b|\ba third\b", re.I),
    "double": re.compile(r"\b(?:doubl\w*|twice|two-fold|twofold)\b", re.I),
    "triple": re.compile(r"\b(?:tripl\w*|three times|threefold|three-fold)\b", re.I),
}


def fraction_values(source: str) -> set[Decimal]:
    """Values the fraction and multiple words of a Chinese source stand for: 两成 -> 20, 三倍 -> 3, 过半 -> 50."""
    values: set[Decimal] = set()
    for m in _ZH_FRACTION.finditer(source):
        if m.group(1):
            values.add(Decimal(chinese_numeral(m.group(1)) or 0) * 10)
        elif m.group(2):
            number = m.group(2)
            values.add(Decimal(number) if number[0].isdigit() else Decimal(chinese_numeral(number) or 0))
        elif m.group(3):
            values |= {Decimal(50)} if m.group(3) in ("过半", "一半", "半数") else {Decimal(2), Decimal(100)}
        else:
            den, num = chinese_numeral(m.group(4)) or 1, chinese_numeral(m.group(5)) or 0
            values.add((Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1")))
    return values


def _fraction_kinds(source: str) -> set[str]:
    """Which English fraction words the source supports."""
    kinds: set[str] = set()
    if re.search(r"半", source):
        kinds.add("half")
    if re.search(r"三分之", source):
        kinds.add("third")
    if re.search(r"翻倍|翻番|两倍|2倍|一倍", source):
        kinds.add("double")
    if re.search(r"三倍|3倍", source):
        kinds.add("triple")
    return kinds


def check_fractions(english: str, source: str) -> CheckResult:
    """Fraction and multiple words must mean what the source says (两成 is 20%, never "two-thirds").

    Both ways: an English fraction word needs its Chinese counterpart, and a
    成 / 倍 figure of the source must come out as its value.
    """
    supported = _fraction_kinds(source)
    bad = [{"text": m.group(0), "start": m.start(), "end": m.end()}
           for kind, pattern in _EN_FRACTION.items() if kind not in supported for m in pattern.finditer(english)]
    missing = []
    for m in _ZH_FRACTION.finditer(source):
        if m.group(1):
            want = str((chinese_numeral(m.group(1)) or 0) * 10)
            if not re.search(rf"(?<![\d.]){want}(?:\s?%|\s?percent|\s?per cent)", english):
                missing.append(m.group(0))
    if bad or missing:
        parts = [f"'{b['text']}' has no such word in the source" for b in bad]
        parts += [f"{z} ({int(chinese_numeral(z[0]) or 0) * 10}%) not rendered as such" for z in missing]
        return CheckResult("fraction_word", False, "; ".join(parts), bad)
    return CheckResult("fraction_word", True, "fraction and multiple words match the source")


#: Ordinary nouns that English capitalises inside a translated Chinese name (益阳市 -> Yiyang City,
#: 中国铁建 -> China Railway Construction): allowed beside a word the source supports, never alone.
NAME_NOUNS = set("""
Province City County District Township Town Village Mountain Mountains River Lake Port Bay Island Islands Zone
Park Area Region Plant Station Mine Mines Field Airport Railway Railways Construction Communications Copper Steel
Coal Power Nuclear Electric Electricity Petroleum Petrochemical Chemical Chemicals Industry Industries Industrial
Motor Motors Automobile Auto Pharmaceutical Pharmaceuticals Medical Insurance Airlines Telecom Mobile Materials
Resources Mining Development Investment International Corporation Company Limited Holding Holdings Board Exchange
Commission Council State Ministry Bureau National People's Central Municipal Provincial Committee Association Center
Centre Trading Transaction Engineering Infrastructure Group Bank Securities Fund Energy Technology Technologies
Shipping Logistics Express Port Bridge Reservoir Hydropower Media Network Culture Tourism Agriculture Food Foods
Liquor Wine Water Gas Environmental
""".split())


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Weekday, month and quarter names: ordinary words, but a translation may only write one the
#: source states (4日 is "the 4th", never "Thursday"; 2024至2026年 is not "Q2 2024").
#: May stays ordinary: it is also the modal verb.
DATE_WORDS = frozenset(_WEEKDAYS) | (frozenset(MONTHS) - {"May"}) | {"Q1", "Q2", "Q3", "Q4"}
_ZH_WEEKDAY = re.compile(r"(?:周|週|星期|礼拜|禮拜)([一二三四五六日天])")
_ZH_WEEKDAY_INDEX = {**{c: i for i, c in enumerate("一二三四五六日")}, "天": 6}
_ZH_MONTH = re.compile(r"(?<![\d.])(1[0-2]|0?[1-9])\s*月|(十[一二]?|[一二三四五六七八九])月")
_ZH_MONTH_RANGE = re.compile(r"(?<![\d.])(1[0-2]|0?[1-9])\s*[-－~至到]\s*(1[0-2]|0?[1-9])\s*月")
_ZH_QUARTER = re.compile(r"(?:第?([一二三四1-4])季度?|[Qq]([1-4]))")


def date_words(source: str) -> set[str]:
    """The weekday, month and quarter names that a Chinese source supports (周四 -> Thursday,
    10月 -> October, 1-6月 -> January to June, 一季度 -> Q1)."""
    words: set[str] = set()
    for m in _ZH_WEEKDAY.finditer(source):
        words.add(_WEEKDAYS[_ZH_WEEKDAY_INDEX[m.group(1)]])
    for m in _ZH_MONTH.finditer(source):
        number = int(m.group(1)) if m.group(1) else chinese_numeral(m.group(2)) or 0
        if 1 <= number <= 12:
            words.add(MONTHS[number - 1])
    for m in _ZH_MONTH_RANGE.finditer(source):
        first, last = int(m.group(1)), int(m.group(2))
        words.update(MONTHS[max(first, 1) - 1 : min(last, 12)])
    for m in _ZH_QUARTER.finditer(source):
        digit = m.group(1) or m.group(2)
        number = int(digit) if digit.isdigit() else chinese_numeral(digit) or 0
        if 1 <= number <= 4:
            words.add(f"Q{number}")
    return words


_ZH_DAY = re.compile(r"(?<![\d月])(\d{1,2})\s?[日号]")
_EN_MONTH_DAY = re.compile(r"\b(?:on\s+)?(" + "|".join(MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!,?\s*\d{4})")
_EN_WEEKDAY = re.compile(r"\b(on\s+)?(" + "|".join(_WEEKDAYS) + r")\b")


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def repair_dates(english: str, simplified: str) -> tuple[str, list[str]]:
    """A month or weekday the model invented for a bare day of the month, taken out again.

    Forum posts write 4日 ("the 4th") without a month; the small model writes
    "on April 4th", or reads 4日 as 周四 and writes "on Thursday". The name
    check would then drop the whole sentence for an unsupported month, and a
    fact with it. When the source states that day (4日, 4号) but not the
    month or weekday the English gives it, the English says "on the 4th"
    instead. Returns the repaired text and the words taken out.
    """
    days = {int(m.group(1)) for m in _ZH_DAY.finditer(simplified)}
    if not days:
        return english, []
    supported = date_words(simplified)
    removed: list[str] = []

    def month_day(m: re.Match[str]) -> str:
        month, day = m.group(1), int(m.group(2))
        if month in supported or day not in days:
            return m.group(0)
        removed.append(month)
        return ("on " if m.group(0).startswith("on") else "") + "the " + _ordinal(day)

    english = _EN_MONTH_DAY.sub(month_day, english)

    def weekday(m: re.Match[str]) -> str:
        name = m.group(2)
        index = _WEEKDAYS.index(name) + 1  # 周四 is the fourth day: the model read 4日 as 周4
        if name in supported or index not in days or len(days) != 1:
            return m.group(0)
        removed.append(name)
        return (m.group(1) or "") + "the " + _ordinal(index)

    return _EN_WEEKDAY.sub(weekday, english), removed


#: A period counted from January: 前8月, 前八个月, 1-8月, 1至8月份.
_ZH_SINCE_JANUARY = re.compile(r"前\s?(1[0-2]|[2-9]|十[一二]?|[二两三四五六七八九])\s?个?月|(?<![\d.])0?1\s*[-－~～至到]\s*(1[0-2]|0?[2-9])\s*月")
_COUNT_WORDS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def repair_periods(english: str, simplified: str) -> tuple[str, list[str]]:
    """A period counted from January that the model gave as its last month, said as a period again.

    Reports write 前8月 or 1-6月份 for "the first eight months", "January to June"; the small model
    writes "in August", "in June": a true month name, so no check sees that a cumulative figure is
    now one month's. When the source states such a period and not that month on its own, and the
    English names that month without January, it says "in the first eight months" instead.
    Returns the repaired text and the month names replaced."""
    periods: dict[int, list[tuple[int, int]]] = {}  # last month -> every span stating such a period
    for m in _ZH_SINCE_JANUARY.finditer(simplified):
        digits = m.group(1) or m.group(2)
        last = int(digits) if digits.isdigit() else chinese_numeral(digits.replace("两", "二")) or 0
        if 2 <= last <= 12:
            periods.setdefault(last, []).append(m.span())
    if not periods or "January" in english:
        return english, []
    spans = [span for found in periods.values() for span in found]
    alone = {int(m.group(1)) if m.group(1) else chinese_numeral(m.group(2)) or 0
             for m in _ZH_MONTH.finditer(simplified)
             if not any(a <= m.start() < b for a, b in spans)}
    replaced: list[str] = []
    for last in periods:
        if last in alone:
            continue
        month = MONTHS[last - 1]

        def period(m: re.Match[str], month: str = month, last: int = last) -> str:
            replaced.append(month)
            year = f" of {m.group(2)}" if m.group(2) else ""
            return f"{m.group(1)} the first {_COUNT_WORDS[last]} months{year}"

        # The preposition in either case: "In August, new contracts were …" opens a sentence.
        english = re.sub(rf"\b((?i:in|for|during|of|through))\s+{month}(?:,?\s+(\d{{4}}))?\b"
                         rf"(?!\s*(?:\d{{1,2}}\b|to\b|through\b|[-–]))", period, english)
    return english, replaced


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&.'’\-]*")


def mentions(text: str, name: str) -> bool:
    """Whether ``text`` names ``name`` as a whole word, in any case ("CATL's" names CATL; "Decatl"
    does not). What counts as naming an entity, for the summarizer's subject retry and for
    ``eval-summaries``'s coverage alike."""
    return re.search(rf"(?<![A-Za-z]){re.escape(name.lower())}(?![A-Za-z])", text.lower()) is not None


def supported_names(source: str, simplified: str, entities: Iterable[Entry]) -> set[str]:
    """The names an English sentence may use for ``source`` (``simplified``: its simplified form):
    its own Latin words, the English names, aliases and tickers of its glossary ``entities``
    (a ticker's parts too: the model writes ICBC (601398.SS), and SS is no invented name), and the
    weekday, month and quarter names it states. The summary's checks and ``eval-summaries`` both
    read names against this."""
    names = set(_LATIN_WORD.findall(source)) | date_words(simplified)
    for e in entities:
        names |= {name for name in (e.en, *e.aliases, e.ticker) if name}
        if e.ticker:
            names.update(e.ticker.split("."))
    return names


#: How many of the most frequent English words may open a sentence capitalised and name no one.
COMMON_WORDS = 5000


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """The :data:`COMMON_WORDS` most frequent English words (pyspellchecker's frequency list, counted
    on film subtitles), lower case: "Warning!", "Recent police reports ...", "Regular securities
    companies ..." open a sentence capitalised and name no one, while the names the small model invents
    are rarer words ("Vanguard" ranks 16,709th, "Morgan" 21,302nd, "McKinsey" is not listed). Words of a
    glossary name (Apple, Target, Visa) are left out: capitalised, they name a company."""
    from spellchecker import SpellChecker

    frequency = SpellChecker(language="en").word_frequency.dictionary
    ranked = sorted(frequency.items(), key=lambda item: (-item[1], item[0]))[:COMMON_WORDS]
    names = {word.lower() for e in Glossary.load().entries.values() if e.kind in NAME_KINDS
             for name in (e.en, *e.aliases) for word in name.split()}
    return frozenset(word for word, _ in ranked if word not in names)


def check_names_strict(english: str, allowed: set[str], spellings: set[str] | frozenset[str] = frozenset()
                       ) -> CheckResult:
    """Every capitalised word or run, sentence-initial ones included, must be in ``allowed``
    (the linked source's Latin text and its entities' English names), be the pinyin of the
    source's own characters (``spellings``, see :mod:`.romanize`: "Yiyang" for 益阳) or be an
    ordinary word: one of the listed ones anywhere, or one of the commonest English words
    (:func:`common_words`) alone at the start of a sentence or after its colon. Runs are read
    sentence by sentence, so "... Mountain. The" is two."""
    allowed_lower = {a.lower() for a in allowed}
    for name in list(allowed):
        allowed_lower.update(w.lower().strip(".,()") for w in name.split())
    ordinary = (COMMON_CAPITALISED | SENTENCE_STARTERS) - DATE_WORDS
    bad = []
    offset = 0
    for sentence in SENTENCE_SPLIT.split(english):
        at = english.find(sentence, offset)
        offset = at + len(sentence)
        for match in _NAME.finditer(sentence):
            name = re.sub(r"['’]s$", "", match.group(0).rstrip(".'’-"))
            if len(name) < 2 or name.lower() in allowed_lower:
                continue
            words = [w.strip(".'’") for w in name.split() if w not in ("of", "&", "de") and w.strip(".'’")]
            before = sentence[:match.start()].rstrip(" \"'“‘(*-")
            opens = not before.strip() or before.endswith((":", "："))  # "Police advise: Regular ..."
            if opens and len(words) == 1 and words[0].lower() in common_words() and words[0] not in DATE_WORDS:
                continue  # "Warning!", "Recent police reports ...": a common word opening its sentence
            supported = [w.lower() in allowed_lower or w.rstrip("s").lower() in allowed_lower
                         or re.sub(r"['’]s$", "", w).lower() in allowed_lower or grounded(w, spellings)
                         for w in words]
            for i in range(len(words)):  # a name romanised syllable by syllable: "Hua An" for 华安
                for j in range(i + 2, min(i + 4, len(words)) + 1):
                    if grounded("".join(words[i:j]), spellings):
                        supported[i:j] = [True] * (j - i)
            # A name noun needs a supported word beside it: "Yiyang City" passes, but "China Railway
            # Construction Group" for 中国中铁 (its words all ordinary) does not.
            known = [ok or w in ordinary or (w in NAME_NOUNS and any(supported))
                     for w, ok in zip(words, supported)]
            if all(known):
                continue
            bad.append({"text": name, "start": at + match.start(), "end": at + match.start() + len(name)})
    if bad:
        return CheckResult("unsupported_name", False, f"{len(bad)} name(s) not in the linked source or its "
                           "glossary names: " + ", ".join(str(b["text"]) for b in bad), bad)
    return CheckResult("unsupported_name", True, "every name is in the linked source or its glossary names")


#: Money in the English: a currency marker and an amount, either way round (US$5 billion, 176 million yuan).
_EN_MONEY = re.compile(
    r"(?P<cur>US\$|HK\$|NT\$|\$|RMB|CNY|EUR|JPY|GBP|€|£|¥)\s?(?P<num>\d[\d,]*(?:\.\d+)?)"
    r"(?:\s?(?P<scale>trillion|billion|million|thousand))?"
    r"|(?P<num2>\d[\d,]*(?:\.\d+)?)(?:\s?(?P<scale2>trillion|billion|million|thousand))?\s"
    r"(?P<cur2>yuan|renminbi|US dollars|Hong Kong dollars|HK dollars|NT dollars|Taiwan dollars|euros|yen)\b",
    re.I)
_SCALES = {"thousand": 10 ** 3, "million": 10 ** 6, "billion": 10 ** 9, "trillion": 10 ** 12}
#: One name per currency, whichever way it is written.
_CURRENCY_OF = {"us$": "US$", "$": "US$", "us dollars": "US$", "hk$": "HK$", "hong kong dollars": "HK$",
                "hk dollars": "HK$", "nt$": "NT$", "nt dollars": "NT$", "taiwan dollars": "NT$", "rmb": "RMB",
                "cny": "RMB", "yuan": "RMB", "renminbi": "RMB", "¥": "RMB", "eur": "EUR", "€": "EUR",
                "euros": "EUR", "jpy": "JPY", "yen": "JPY", "gbp": "GBP", "£": "GBP"}


def amounts_in_english(english: str) -> list[tuple[str, Decimal, int, int]]:
    """(currency, value, start, end) of each amount of money in an English sentence."""
    out = []
    for m in _EN_MONEY.finditer(english):
        cur, num, scale = (m.group("cur"), m.group("num"), m.group("scale")) if m.group("cur") else (
            m.group("cur2"), m.group("num2"), m.group("scale2"))
        try:
            value = Decimal(num.replace(",", "").rstrip(".")) * _SCALES.get((scale or "").lower(), 1)
        except InvalidOperation:
            continue
        out.append((_CURRENCY_OF[cur.lower()], value, m.start(), m.end()))
    return out


_SHARES_AFTER = re.compile(r"\s+shares\b", re.I)


def source_money(rewrites: Iterable, source: str, yuan: str = "元") -> list[tuple[str, Decimal]]:
    """(currency, value) of each amount of a source sentence: its rewritten amounts (an amount with
    no currency word, 1.76亿, is in the post's own currency: what a bare 元 means there, ``yuan``
    as :func:`finflag.numbers.post_yuan` gives it) and any written in Latin letters."""
    plain = CURRENCIES[yuan].strip()
    out = []
    for r in rewrites:
        money = amounts_in_english(r.english)
        out += [(c, v) for c, v, _, _ in money] or [(plain, Decimal(r.value))]
    return out + [(c, v) for c, v, _, _ in amounts_in_english(source)]


def check_currency(english: str, source_money: list[tuple[str, Decimal]]) -> CheckResult:
    """An amount must keep its source's currency: RMB 176 million written "$176 million" fails.

    ``source_money`` is (currency, value) of each amount rewritten from the
    source (1.76亿元 -> RMB 176 million). An English amount whose value the
    source states only in other currencies fails; a value the source does not
    state is left to ``unsupported_number``.
    """
    bad = []
    for currency, value, start, end in amounts_in_english(english):
        stated = {c for c, v in source_money if v == value}
        # Money turned into a share count ("RMB 30.85 million shares" for 减持了3085万元) is no amount at all.
        if stated and currency not in stated or _SHARES_AFTER.match(english, end):
            bad.append({"text": english[start:end], "start": start, "end": end})
    if bad:
        return CheckResult("wrong_currency", False, f"{len(bad)} amount(s) in another currency than the source's "
                           "or given as shares: " + ", ".join(b["text"] for b in bad), bad)
    return CheckResult("wrong_currency", True, "every amount keeps its source's currency")


def check_attribution(english: str, source: str, entities: list[tuple[str, tuple[str, ...]]],
                      values_of: Callable[[str], set[Decimal]], raters: frozenset[str] = frozenset()) -> CheckResult:
    """A number next to an entity in the English must be stated for that entity in the source.

    ``entities`` are (Chinese, English names) pairs. The source is cut into
    clauses at commas; a clause without an entity keeps the previous one's
    (Chinese drops a repeated subject). A headline's topic, a name alone before
    its colon (华润电力：德银评级买入 目标价17.6港元), also owns the numbers of
    later clauses that name no one but ``raters`` (brokers and banks, in
    Chinese): the target price is China Resources Power's, set by Deutsche
    Bank; in 上证指数：涨1.1%，深证成指涨0.9% the 0.9% stays the other index's.
    An English clause naming exactly one entity may only carry that entity's
    numbers: "S&P 500 fell 1.09%" fails when the source gives 1.09% to the
    Nasdaq. A number written before the entity's name, that the source gives to
    no other entity, is left alone: in "integrates 208 billion transistors using
    TSMC's 4-nanometer process" TSMC names the process, not the chip (新芯片集成
    2080亿个晶体管，采用台积电4纳米工艺 gives 2080亿 to nobody), and English puts
    a subject before its numbers ("Nvidia fell 2%" is still checked).
    """
    owned: dict[str, set[Decimal]] = {}
    current: list[str] = []
    topic: list[str] = []
    cut = _ZH_CLAUSE_KEPT.split(source) + [""]
    for at, (clause, separator) in enumerate(zip(cut[::2], cut[1::2])):
        here = [zh for zh, _ in entities if zh in clause]
        current = here or current
        for zh in {*current, *(topic if set(here) <= raters else ())}:
            owned.setdefault(zh, set()).update(values_of(clause))
        if at == 0 and separator in ("：", ":") and len(clause.strip()) <= TOPIC_CHARS:
            topic = here
    bad = []
    offset = 0
    for clause in _EN_CLAUSE.split(english):
        at = english.find(clause, offset)
        offset = max(at, offset)
        low = clause.lower()
        mentioned = {zh: [m.start() for n in names if n
                          for m in re.finditer(rf"(?<![A-Za-z]){re.escape(n.lower())}(?![A-Za-z])", low)]
                     for zh, names in entities}
        named = [zh for zh, spots in mentioned.items() if spots]
        if len(named) != 1 or named[0] not in owned:
            continue
        first = min(mentioned[named[0]])
        others = set().union(*(v for zh, v in owned.items() if zh != named[0]))
        for number in english_numbers(clause):
            if number.end <= first and not is_supported(number, others):
                continue
            if not is_supported(number, owned[named[0]]) and not any(
                    number.text in n for _, names in entities for n in names):
                bad.append({"text": number.text, "start": at + number.start, "end": at + number.end,
                            "entity": named[0]})
    if bad:
        return CheckResult("wrong_entity_number", False, "number(s) given to an entity the source does not give "
                           "them to: " + ", ".join(f"{b['text']} ({b['entity']})" for b in bad), bad)
    return CheckResult("wrong_entity_number", True, "every number stays with its entity")
