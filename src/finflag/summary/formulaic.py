"""Formulaic lines translated without the model: market moves and market values.

A market wrap is mostly lines of one shape: a name, a rise or a fall, a
percentage (标普500跌幅为0.31%; 美股收盘：道指涨0.67%，纳指跌1.09%; 苹果收涨0.3%，
市值 US$3.19 trillion). Their English is fixed by the Chinese, so a table of
words says it exactly, in no time: the benchmark wrap's three such lines cost
the model about 60 generated tokens (~3 s on two cores) and it still wrote "by"
and "is" in its own ways. A line is taken only when *every* clause of it has
one of the shapes below and every name in it is a glossary entity of the
sentence; anything else (a forecast's 预计, a reason, a time of day between
name and move, a clause without a name) leaves the whole line to the model.
The English goes through the same checks as the model's
(:func:`finflag.summary.summarize.check_line`).
"""

from __future__ import annotations

import re

from ..normalize import to_simplified
from .glossary import NAME_KINDS, Entry

#: A rise or a fall, longest first: (Chinese, English verb).
MOVES = (
    ("收涨", "closed up"), ("收跌", "closed down"),
    ("涨幅为", "rose"), ("跌幅为", "fell"), ("涨幅达", "rose"), ("跌幅达", "fell"),
    ("上涨", "rose"), ("下跌", "fell"), ("走高", "rose"), ("走低", "fell"),
    ("涨", "rose"), ("跌", "fell"),
)
#: A hedge on the figure: (Chinese, English).
APPROX = (("超过", "more than"), ("近", "nearly"), ("逾", "more than"), ("超", "more than"), ("约", "about"))
#: When a headline's topic is taken: 美股收盘： -> "US stocks at the close:".
SESSIONS = {"收盘": "at the close", "收市": "at the close", "午盘": "at midday", "早盘": "in early trading",
            "开盘": "at the open"}
#: A time clause before the moves: 截至收盘， -> "At the close,".
TIMES = {"截至收盘": "at the close", "收盘时": "at the close", "截至午间收盘": "at the midday close",
         "截至午盘": "at midday"}
_PERCENT = r"\d{1,3}(?:\.\d{1,3})?%"
#: An amount the numbers pass already wrote in English (US$3.19 trillion, RMB 10.51 billion).
_AMOUNT = r"(?:US\$|HK\$|NT\$|RMB ?|€|£)\d[\d,]*(?:\.\d+)?(?: (?:thousand|million|billion|trillion))?"
_CLAUSES = re.compile(r"[，,；;]")
_END = re.compile(r"[。.!！；;，,\s]+$")
#: An index's level after its move (涨0.42%，报3012.56点): "rose 0.42% to 3012.56 points".
_LEVEL = re.compile(r"(?:收报|报|收于|报收)(?P<level>\d{1,6}(?:\.\d{1,3})?)点")
#: A market value after a move (市值 US$3.19 trillion).
_VALUE = re.compile(rf"市值(?:为|达|达到)?\s?(?P<amt>{_AMOUNT})")
_VERBS, _HEDGES = dict(MOVES), dict(APPROX)


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


#: The move, hedge and session words as regex alternations: the same for every sentence.
_VERB_WORDS, _HEDGE_WORDS, _SESSION_WORDS = _alternation(_VERBS), _alternation(_HEDGES), _alternation(SESSIONS)


def _named(entry: Entry) -> str:
    """An index reads with its article ("the Dow"); a company, a person or a term without."""
    return f"the {entry.en}" if entry.kind == "index" else entry.en


def formulaic_english(text: str, entities: list[Entry]) -> str | None:
    """The English of a line made only of market moves and market values, or None.

    ``text`` is what the model would read (amounts already in English);
    ``entities`` are the sentence's glossary entries. The figures are copied
    as written.
    """
    known = {e.zh: e for e in entities}
    if not known:
        return None
    names = _alternation(known)
    move = re.compile(rf"(?P<name>{names})(?:则|也|亦)?(?P<verb>{_VERB_WORDS})"
                      rf"(?P<approx>{_HEDGE_WORDS})?(?P<pct>{_PERCENT})")
    header = re.compile(rf"(?P<names>(?:{names})+)(?P<when>{_SESSION_WORDS})?[：:]\s*")
    aside = re.compile(rf"(?P<name>{names})方面")

    line = _END.sub("", to_simplified(text).strip())
    english: list[str] = []
    top = header.match(line)
    if top:
        topics = [_named(known[n]) for n in re.findall(names, top.group("names"))]  # A股港股收盘：
        when = f" {SESSIONS[top.group('when')]}" if top.group("when") else ""
        english.append(f"{' and '.join(topics)}{when}:")
        line = line[top.end():]
    parts: list[str] = []
    for at, clause in enumerate(c.strip() for c in _CLAUSES.split(line)):
        if at == 0 and not english and clause in TIMES:  # 截至收盘，道指涨幅为0.67%
            english.append(f"{TIMES[clause]},")
            continue
        a = aside.fullmatch(clause)
        if at == 0 and not english and a:  # 港股方面，恒生指数涨1.13%
            english.append(f"in {_named(known[a.group('name')])},")
            continue
        lv = _LEVEL.fullmatch(clause)
        if lv and parts and parts[-1].endswith("%"):  # the index's level after its move
            parts[-1] += f" to {lv.group('level')} points"
            continue
        m = move.fullmatch(clause)
        if m:
            subject = known[m.group("name")]
            if subject.kind not in NAME_KINDS:
                return None  # a move of a term ("市值涨3%"), not of a name
            hedge = f"{_HEDGES[m.group('approx')]} " if m.group("approx") else ""
            parts.append(f"{_named(subject)} {_VERBS[m.group('verb')]} {hedge}{m.group('pct')}")
            continue
        v = _VALUE.fullmatch(clause)
        if v and parts:  # a market value after a move: "..., with a market value of US$3.19 trillion"
            parts[-1] += f", with a market value of {v.group('amt')}"
            continue
        return None
    if not parts:
        return None
    english.append(", ".join(parts))
    out = " ".join(english) + "."
    return out[0].upper() + out[1:]


__all__ = ["formulaic_english"]
