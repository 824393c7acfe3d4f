"""Chinese amounts in English: 50亿 -> "5 billion", 3.2万 -> "32,000".

Chinese counts in powers of ten thousand (万, 亿 = 10^8, 万亿 = 10^12) where
English counts in thousands; getting that wrong misstates an amount by a
factor of ten, the mistake small models make most. The conversion is done
here, deterministically, for rule glosses and for model input alike.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, "千": Decimal(1000)}

AMOUNT = re.compile(
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
    r"\s*(?P<unit>万亿|亿|万|千)?"
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
