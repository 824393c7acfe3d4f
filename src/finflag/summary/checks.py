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
from dataclasses import dataclass, field
from decimal import Decimal

from ..numbers import english_numbers, is_supported
from .types import Check

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")
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


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“(])")


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

    sentences = [s for s in _SENTENCE_SPLIT.split(summary.strip()) if s]
    kept_summary = " ".join(s for s in sentences if keep(s, "summary"))
    kept_points = [p for p in points if keep(p, "key_points")]
    return kept_summary, kept_points, removed


def replace_cjk_from_glossary(text: str, english_for) -> tuple[str, list[dict[str, object]]]:
    """Replace Chinese fragments the glossary knows (宁德时代 -> CATL); report each replacement."""
    replaced: list[dict[str, object]] = []

    def swap(match: re.Match[str]) -> str:
        english = english_for(match.group(0))
        if english is None:
            return match.group(0)
        replaced.append({"chinese": match.group(0), "english": english})
        return english

    out = _CJK.sub(swap, text)
    out = re.sub(r"\b([\w&.\- ]{2,40}?) \(\1\)", r"\1", out)  # "CATL (CATL)" -> "CATL"
    return out, replaced


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
