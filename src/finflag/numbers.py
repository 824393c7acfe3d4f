"""Chinese amounts in English: 50亿 -> "5 billion", 3.2万 -> "32,000".

Chinese counts in powers of ten thousand (万, 亿 = 10^8, 万亿 = 10^12) where
English counts in thousands; getting that wrong misstates an amount by a
factor of ten, the mistake small models make most. The conversion is done
here, deterministically, for rule glosses and for model input alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
# 兆 is Taiwan's (and Japan's) 10^12 in amounts of money; on the mainland it
# usually means mega (兆瓦), so the rewriting below takes it only beside a currency.
# Traditional forms (億, 萬) too: summaries read the original text, not the simplified view.
_BIG_UNITS = {"万亿": Decimal(10) ** 12, "萬億": Decimal(10) ** 12, "兆": Decimal(10) ** 12,
              "亿": Decimal(10) ** 8, "億": Decimal(10) ** 8, "万": Decimal(10) ** 4, "萬": Decimal(10) ** 4,
              "千": Decimal(1000)}
_UNIT = "万亿|萬億|兆|亿|億|万|萬|千"

AMOUNT = re.compile(
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两兩三四五六七八九十百千]+)"
    rf"\s*(?P<unit>{_UNIT})?"
)


def chinese_numeral(text: str) -> int | None:
    """Value of a Chinese numeral below 10,000 (三十七 -> 37), else None."""
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            total += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def parse_amount(text: str) -> Decimal | None:
    """Numeric value of an amount such as ``3.2万``, ``50亿``, ``三十``."""
    match = AMOUNT.fullmatch(text.strip())
    if not match:
        return None
    num = match.group("num")
    if num[0].isdigit():
        try:
            value = Decimal(num.replace(",", ""))
        except InvalidOperation:
            return None
    else:
        small = chinese_numeral(num)
        if small is None:
            return None
        value = Decimal(small)
    unit = match.group("unit")
    return value * _BIG_UNITS[unit] if unit else value


def format_english(value: Decimal) -> str:
    """Short English form: 5 billion, 1.5 trillion, 32,000, 0.5."""
    for scale, word in ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if abs(value) >= scale:
            return f"{_trim(value / scale)} {word}"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return _trim(value)


def _trim(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def english_amount(text: str) -> str:
    """``text`` in English if it is an amount, else ``text`` unchanged."""
    value = parse_amount(text)
    return format_english(value) if value is not None else text


# --- rewriting amounts in running text, and tracing numbers back -------------

CURRENCIES = {
    "美元": "US$", "美金": "US$", "港元": "HK$", "港币": "HK$", "港幣": "HK$", "人民币": "RMB ", "人民幣": "RMB ",
    "新台币": "NT$", "新台幣": "NT$", "台币": "NT$", "台幣": "NT$", "元": "RMB ",
    "欧元": "EUR ", "歐元": "EUR ", "日元": "JPY ", "日圓": "JPY ", "英镑": "GBP ", "英鎊": "GBP ",
}
#: A currency written before the amount (人民币500亿元, 新台币96.8亿元) decides
#: what the trailing 元 means: Taiwan's 元 is the NT dollar, not RMB.
_PREFIX_CURRENCY = "新台币|新台幣|台币|台幣|人民币|人民幣|美元|美金|港币|港幣"
_IN_TEXT = re.compile(
    rf"(?:(?P<pre>{_PREFIX_CURRENCY})\s?)?"
    rf"(?<![\d.])(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?)\s?(?P<unit>{_UNIT})?\s?"
    r"(?P<cur>美元|美金|港元|港币|港幣|人民币|人民幣|新台币|新台幣|欧元|歐元|日元|日圓|英镑|英鎊|元(?![宇素旦月]))?"
)
_PER_UNIT = re.compile(r"^(?:/|每)(盎司|桶|吨|股|克|公斤|千克|平方米|平方英尺)")
_PER_UNIT_EN = {"盎司": "ounce", "桶": "barrel", "吨": "tonne", "股": "share", "克": "gram", "公斤": "kg",
                "千克": "kg", "平方米": "square metre", "平方英尺": "square foot"}
_ANY_NUMBER = re.compile(r"(?<![\d.])\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两兩三四五六七八九十百千]+")
_EN_NUMBER = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<scale>trillion|billion|million|thousand|bn|tn|mn)\b)?",
    re.IGNORECASE,
)
_EN_SCALE = {"trillion": 10**12, "tn": 10**12, "billion": 10**9, "bn": 10**9, "million": 10**6,
             "mn": 10**6, "thousand": 10**3}


@dataclass(frozen=True)
class Rewrite:
    """One amount rewritten for the model: where it was, what it became."""

    start: int      # offsets into the text that was rewritten
    end: int
    source: str
    english: str
    value: str      # the decimal value, as text, for JSON


def english_money(value: Decimal, currency: str | None) -> str:
    prefix = CURRENCIES.get(currency or "", "")
    return f"{prefix}{format_english(value)}".strip()


def _currency(match: re.Match[str], yuan: str = "元") -> str | None:
    """The amount's currency: a bare trailing 元 takes the currency written before the number,
    else the post's own (``yuan``, see :func:`post_yuan`)."""
    pre, cur = match.group("pre"), match.group("cur")
    if pre and (cur is None or cur == "元"):
        return pre
    return yuan if cur == "元" else cur


#: A Taiwan post: its prices and amounts in bare 元 are NT dollars (台積電收在1,065元).
_TAIWAN = re.compile(r"新台[币幣]|台[币幣]|[台臺]股|櫃買|柜买|加權指數|證交所|集保")
_RMB = re.compile(r"人民[币幣]|A股|沪深|滬深|上证|上證|深证|深證")


def post_yuan(text: str) -> str:
    """What a bare 元 means in this post: the NT dollar in a Taiwan post that never names RMB or
    the mainland markets, else RMB (the model had written "RMB 1,065" for TSMC's close in a
    Taiwan wrap, beside "NT$9.68 billion" where the post wrote 新台幣)."""
    return "新台币" if _TAIWAN.search(text) and not _RMB.search(text) else "元"


#: 两成 = 20 %: a tenth-of-the-whole word that the small model reads as "two-thirds" or "two
#: percent" more often than not, so it is written as a percentage before the model sees it. Not
#: before a character that makes 成 a verb or part of another word (八成是 "most likely", 一成不变).
TENTHS = re.compile(r"([一二两兩三四五六七八九])成(?![交为為功本长長立是要会會能不就])")


#: A sum of money named just before an amount with no currency word (净利润1.76亿至2.47亿,
#: 募资约39.99亿): the amount is in the post's own currency. Left bare, "176 million" came back
#: from the model as "$176 million" in an A-share post.
_MONEY_BEFORE = re.compile(
    r"(?:净利润|淨利潤|净利|淨利|利润|利潤|毛利|营收|營收|营业收入|營業收入|收入|销售额|銷售額|营业额|營業額|募资|募資|"
    r"募集资金|募集資金|资金|資金|金额|金額|市值|成交额|成交額|总额|總額|亏损|虧損|盈利|合同额|合同額|订单额|訂單額|"
    r"投资额|投資額|融资额|融資額|估值)"
    r"(?:约为|約為|大约|大約|高达|高達|达到|達到|合计|合計|总计|總計|预计|預計|将近|將近|接近|超过|超過|分别为|分別為|"
    r"[约約近达達为為共计計超逾])?\s?$"
)
#: The second end of a range of money (1.76亿至2.47亿) takes the first end's currency.
_RANGE_BETWEEN = re.compile(r"^\s?(?:至|到|~|-|—|－)\s?$")


def _implied_currency(text: str, start: int, previous: tuple[int, str | None], yuan: str) -> str | None:
    """The post's currency for an amount with a 万/亿 unit and no currency word that a money noun
    just before names as a sum of money; or the currency of the amount before it (``previous``:
    its end and currency) when the two are the ends of a range."""
    if _MONEY_BEFORE.search(text[max(0, start - 14) : start]):
        return yuan
    end, currency = previous
    return currency if _RANGE_BETWEEN.match(text[end:start]) else None


def _spliced(text: str, start: int, end: int, english: str) -> str:
    """``english`` as it goes in place of ``text[start:end]``: set off by a space from the Chinese
    character before it and from the word after it (发行 RMB 50 billion 债券), not from punctuation."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    lead = " " if before.isalnum() and not before.isascii() else ""
    trail = " " if after and not after.isspace() and after not in "，。,.;；:：、)）%/" else ""
    return lead + english + trail


def _money(text: str, yuan: str = "元") -> list[tuple[Rewrite, str]]:
    """Amounts with a 万/亿 unit or a currency, each with its English as spliced into ``text``."""
    found: list[tuple[Rewrite, str]] = []
    previous: tuple[int, str | None] = (0, None)  # end and currency of the last amount found
    for match in _IN_TEXT.finditer(text):
        unit, cur = match.group("unit"), _currency(match, yuan)
        if unit and unit != "兆" and not cur and not text.startswith("股", match.end()):
            cur = _implied_currency(text, match.start(), previous, yuan)
        area = not cur and text.startswith("亩", match.end())  # 3000亩 is 3,000 mu, never "acres"
        if not unit and not cur and not area or unit == "兆" and not cur:
            continue
        value = parse_amount(match.group("num") + (unit or ""))
        if value is None:
            continue
        english = english_money(value, cur) if cur else format_english(value)
        end = match.end()
        if area:
            english += " mu"
            end += 1
        per = _PER_UNIT.match(text[end:]) if cur else None
        if per:  # 3000美元/盎司 -> US$3,000 per ounce
            english += f" per {_PER_UNIT_EN[per.group(1)]}"
            end += per.end()
        elif not cur and not area and text.startswith("股", end):  # 72万股 -> 720,000 shares
            english += " shares"
            end += 1
        found.append((Rewrite(match.start(), end, text[match.start() : end], english, str(value)),
                      _spliced(text, match.start(), end, english)))
        previous = (end, cur)
    return found


def _tenths(text: str) -> list[tuple[Rewrite, str]]:
    """两成 -> 20%, see :data:`TENTHS`."""
    found = []
    for match in TENTHS.finditer(text):
        value = (chinese_numeral(match.group(1)) or 0) * 10
        english = f"{value}%"
        spliced = (" " if match.start() and text[match.start() - 1].isascii()
                   and text[match.start() - 1].isalnum() else "") + english
        found.append((Rewrite(match.start(), match.end(), match.group(0), english, str(value)), spliced))
    return found


#: An option in the shorthand of US-stock tip posts: ticker, expiry month/day, strike, C or P
#: (NVDA 7/19 130C). The model read "130C" as "13:00" and the call as "a short call".
_OPTION = re.compile(r"(?<![A-Za-z0-9$])(?P<ticker>[A-Z]{1,5})\s{0,2}(?P<month>1[0-2]|0?[1-9])/(?P<day>3[01]|[12]\d|0?[1-9])"
                     r"\s{0,2}(?P<strike>\d{1,5}(?:\.\d{1,2})?)\s?(?P<kind>[CP])(?![A-Za-z0-9])")
#: English month names, January first (the summary checks read dates against them too).
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _options(text: str) -> list[tuple[Rewrite, str]]:
    """NVDA 7/19 130C -> "NVDA July 19 US$130 call option", keeping the strike as the figure to carry."""
    found = []
    for match in _OPTION.finditer(text):
        kind = "call" if match.group("kind") == "C" else "put"
        english = (f"{match.group('ticker')} {MONTHS[int(match.group('month')) - 1]} {int(match.group('day'))} "
                   f"US${match.group('strike')} {kind} option")  # a Latin ticker's option: strikes in US dollars
        found.append((Rewrite(match.start(), match.end(), match.group(0), english, match.group("strike")),
                      _spliced(text, match.start(), match.end(), english)))
    return found


def rewrite_amounts(text: str, yuan: str = "元") -> tuple[str, list[Rewrite]]:
    """``text`` with every amount that has a 万/亿 unit or a currency in English, and every
    tenth-of-the-whole word as a percentage.

    50亿美元 -> US$5 billion, 3.2万 -> 32,000, 500元 -> RMB 500, 两成 -> 20%, an option's
    shorthand NVDA 7/19 130C -> NVDA July 19 US$130 call option. Plain numbers,
    percentages and dates are left alone: they mean the same in both languages. The
    rewrites keep offsets into ``text`` (the two kinds never overlap: an amount has digits).
    ``yuan``: the currency a bare 元 stands for in this post (:func:`post_yuan`).
    """
    options = _options(text)
    taken = [(r.start, r.end) for r, _ in options]
    money = [(r, e) for r, e in _money(text, yuan) + _tenths(text)
             if not any(a < r.end and r.start < b for a, b in taken)]
    found = sorted(money + options, key=lambda pair: pair[0].start)
    out, last = [], 0
    for rewrite, spliced in found:
        out += [text[last : rewrite.start], spliced]
        last = rewrite.end
    out.append(text[last:])
    return "".join(out), [rewrite for rewrite, _ in found]


#: A year written with two digits (07年10月, 98年): the way forum posts date things.
_SHORT_YEAR = re.compile(r"(?<![\d.])(\d{2})年")


def source_values(text: str) -> set[Decimal]:
    """Every number the source states, with 万/亿 applied and as written."""
    values: set[Decimal] = set()
    for match in _IN_TEXT.finditer(text):
        value = parse_amount(match.group("num") + (match.group("unit") or ""))
        if value is not None:
            values.add(value)
            values.add(parse_amount(match.group("num")) or value)
    for match in _ANY_NUMBER.finditer(text):
        value = parse_amount(match.group(0))
        if value is not None:
            values.add(value)
    for match in _SHORT_YEAR.finditer(text):  # 07年 is 2007, 98年 is 1998: the English writes the full year
        short = int(match.group(1))
        values.add(Decimal(2000 + short if short < 50 else 1900 + short))
    return values


@dataclass(frozen=True)
class EnglishNumber:
    start: int
    end: int
    text: str
    value: Decimal
    precision: Decimal  # half a unit in the last place written


def english_numbers(text: str) -> list[EnglishNumber]:
    """Numbers in English prose, scaled: 'US$5 billion' -> 5e9, '2.6%' -> 2.6."""
    found = []
    for match in _EN_NUMBER.finditer(text):
        raw = match.group("num").replace(",", "")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            continue
        scale = Decimal(_EN_SCALE[match.group("scale").lower()]) if match.group("scale") else Decimal(1)
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        precision = Decimal(5) * Decimal(10) ** (-decimals - 1) * scale
        found.append(EnglishNumber(match.start(), match.end(), match.group(0), number * scale, precision))
    return found


def is_supported(number: EnglishNumber, values: set[Decimal]) -> bool:
    """True when some source value rounds to what the summary wrote."""
    return any(abs(number.value - v) <= number.precision for v in values)
