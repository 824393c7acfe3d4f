"""Select: which source sentences the summary is made of, decided without the model.

A 1.5B model asked to summarise a whole post drops facts and pins numbers on
the wrong company. Here the choice is deterministic and checkable: the
prepared post (footers, link lists and duplicates already dropped) is cut
into sentences with offsets into ``doc.text``; each gets a salience score
(headline/lead, glossary entities, tickers, numbers, reported actions such
as ratings, targets, results, sales); the chosen set first covers every
entity-with-a-number pair of the post, then the most salient rest, within
the word budget, and is returned in source order. The model only translates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..document import Document
from ..normalize import to_simplified
from ..numbers import Rewrite, post_yuan, rewrite_amounts, source_values
from .glossary import NAME_KINDS, Entry, Glossary
from .prepare import Prepared

#: A sentence longer than this is cut (at a comma if there is one) so that no
#: single translation line can be large: a 30,000-character run without a full
#: stop becomes many short pieces, never one line beyond the context.
MAX_SENTENCE_CHARS = 160
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
#: A figure a reviewer needs: not a date (5月, 24日, 2024年, 周一), which every sentence of a wrap has.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?(?![\d.,]|\s?[年月日号])|[一二两三四五六七八九十半]+(?:成|倍)|过半|翻倍")
_STOCK_CODE = re.compile(r"[036]\d{5}")
#: The first end of a range of dates (1至8月, 20-22日): a date, not a figure.
_DATE_RANGE = re.compile(r"(?:\s?[至到~\-—、]\s?\d+)+\s?[年月日号]")
#: (Not the CODE of a publisher's [STOCK_CODE] mask.)
_TICKER = re.compile(r"(?<![A-Za-z_])[A-Z]{2,5}(?:\.[A-Z]{1,2})?(?![A-Za-z_])")
_ACTION = re.compile(
    r"目标价|评级|上调|下调|增持|减持|买入|卖出|出售|套现|收购|并购|合并|营收|收入|净利|利润|业绩|财报|季度|"
    r"市值|股价|收涨|收跌|大涨|大跌|涨停|跌停|降息|加息|发布|宣布|投资|融资|上市|裁员|罚款|批准|预计|同比|环比"
)
_CUT = re.compile(r"(?<=[，,、：:])")
#: English words per Chinese character when translated; used to keep the selection inside
#: ``--max-words``. 0.6 (measured on the samples' short lines) fell short on a 2,000-character
#: wrap: 12 lines estimated at 142 words came back as 178, so ``--max-words`` cut the last two
#: after they had been translated, a fifth of the answer's tokens for nothing. Refitted on 48
#: translated lines of the summary benchmark post (digits and Latin words counted as before): 0.72.
WORDS_PER_CJK_CHAR = 0.72


@dataclass
class Sentence:
    """One source sentence: where it is, what the model reads, why it matters."""

    start: int                      # offsets into doc.text (the original)
    end: int
    source: str                     # doc.text[start:end]
    text: str                       # what the model reads: amounts rewritten in English
    rewrites: list[Rewrite] = field(default_factory=list)   # offsets into doc.text
    entities: list[Entry] = field(default_factory=list)
    tickers: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    score: float = 0.0
    index: int = 0                  # position among the post's sentences
    #: The order :func:`select` took it in (0 first): when the English runs over ``--max-words``,
    #: the sentences taken last are the ones dropped.
    rank: int = 0
    #: Other source spans the English draws on: the sentence that names the company a 公司 stands for.
    also: list[tuple[int, int]] = field(default_factory=list)
    #: What a bare 元 means in this post (:func:`finflag.numbers.post_yuan`): the currency of its
    #: amounts with no currency word too (1.76亿 in an A-share post is RMB, never dollars).
    yuan: str = "元"
    #: Whom a sentence that names no one is about, known only from its context: the one company of
    #: a research note, for 我们维持“买入”评级，目标价220元. Never written into what the model reads
    #: (it made "CATL maintains a buy rating" of the broker's rating); the summarizer shows it as a
    #: label before the English instead ("CATL: we maintain a buy rating ..."), linked to ``topic_from``.
    topic: Entry | None = None
    topic_from: list[tuple[int, int]] = field(default_factory=list)

    @property
    def spans(self) -> list[list[int]]:
        """Every source span of this sentence, for ``sources`` in the summary."""
        return [[self.start, self.end], *([a, b] for a, b in self.also)]

    @property
    def words(self) -> int:
        """Estimated length of the English translation, in words."""
        return estimate_words(self.source)

    @property
    def figures(self) -> list[set[Decimal]]:
        """The figures a faithful English must state, one value set each: every rewritten amount,
        and every other number written in digits that a reviewer needs (not dates, not six-digit
        stock codes; not 两倍 or 过半, which English writes in words: "twice", "more than half")."""
        out = [{Decimal(r.value)} for r in self.rewrites]
        taken = [(r.start - self.start, r.end - self.start) for r in self.rewrites]
        for m in _NUMBER.finditer(self.source):
            if (any(a < m.end() and m.start() < b for a, b in taken) or _STOCK_CODE.fullmatch(m.group(0))
                    or not m.group(0)[0].isdigit() or _DATE_RANGE.match(self.source, m.end())):
                continue
            values = source_values(m.group(0))
            if values:
                out.append(values)
        return out

    @property
    def pairs(self) -> set[tuple[str, str]]:
        """Entity-with-a-number pairs this sentence states: each number goes with the name written
        nearest before it (the subject a Chinese sentence carries over its clauses: 英伟达本周上涨4.1%，
        收于141.5美元), or the first name after it when none comes before. A name with no number of
        its own (除特斯拉和通用汽车外，福特下跌1.9%) has no pair."""
        simplified = to_simplified(self.source)
        mentions: list[tuple[int, str]] = []
        for e in self.entities:
            if e.kind in NAME_KINDS:
                at = simplified.find(e.zh)
                mentions.append((at if at >= 0 else 0, e.en))
        mentions += [(m.start(), m.group(0)) for m in _TICKER.finditer(self.source) if m.group(0) in self.tickers]
        if not mentions:
            return set()
        mentions.sort()
        out: set[tuple[str, str]] = set()
        for m in _NUMBER.finditer(self.source):
            number = m.group(0).rstrip("%")
            before = [name for at, name in mentions if at < m.start()]
            out.add((before[-1] if before else mentions[0][1], number))
        return out

    @property
    def subjects(self) -> set[str]:
        """The names this sentence gives a figure (:attr:`pairs`): whom its numbers belong to."""
        return {name for name, _ in self.pairs}


def estimate_words(text: str) -> int:
    cjk = len(_CJK.findall(text))
    return int(cjk * WORDS_PER_CJK_CHAR + 0.5) + len(_LATIN_WORD.findall(text)) + len(re.findall(r"\d+", text))


def _pieces(text: str, start: int) -> list[tuple[int, int]]:
    """Offsets of ``text`` cut into pieces of at most MAX_SENTENCE_CHARS, at commas when possible."""
    if len(text) <= MAX_SENTENCE_CHARS:
        return [(start, start + len(text))]
    out: list[tuple[int, int]] = []
    at = 0
    while at < len(text):
        end = min(at + MAX_SENTENCE_CHARS, len(text))
        if end < len(text):
            commas = [m.start() for m in _CUT.finditer(text, at + 1, end)]
            if commas and commas[-1] > at + MAX_SENTENCE_CHARS // 3:
                end = commas[-1]
        out.append((start + at, start + end))
        at = end
    return out


def split_sentences(doc: Document, prepared: Prepared, glossary: Glossary | None = None) -> list[Sentence]:
    """The prepared post's sentences with offsets, rewritten amounts and what they mention."""
    spans: list[tuple[int, int]] = []
    kept = [(p.start, p.end) for p in prepared.paragraphs]
    k = 0
    for span in doc.sentences:
        while k < len(kept) and kept[k][1] <= span.start:
            k += 1
        if k == len(kept):
            break
        start, end = max(span.start, kept[k][0]), min(span.end, kept[k][1])
        if end <= start:
            continue
        spans += _pieces(doc.text[start:end], start)
    out: list[Sentence] = []
    yuan = post_yuan(doc.text)
    for start, end in spans:
        source = doc.text[start:end]
        if not re.search(r"[\w\u3400-\u9fff]", source):
            continue  # punctuation or a divider alone
        text, rewrites = rewrite_amounts(source, yuan)
        shifted = [Rewrite(r.start + start, r.end + start, r.source, r.english, r.value) for r in rewrites]
        entities = glossary.find(to_simplified(source)) if glossary else []
        tickers = [t for t in dict.fromkeys(_TICKER.findall(source)) if t not in _NOT_TICKERS]
        numbers = list(dict.fromkeys(m.group(0).rstrip("%") for m in _NUMBER.finditer(source)))
        out.append(Sentence(start, end, source, text, shifted, entities, tickers, numbers, index=len(out),
                            yuan=yuan))
    _name_the_company(out)
    for s in out:
        s.score = salience(s)
    return out


#: "The company" as a sentence's subject: 公司 / 该公司 / 本公司 opening a clause or after a verb of
#: forecasting, not inside another word (上市公司, 证券公司, 子公司, 基金公司).
_THE_COMPANY = re.compile(r"该公司|本公司|(?:(?<=预计)|(?<=认为)|(?<=表示)|(?<![\u3400-\u9fff]))公司(?![债])")
_COMPANY_KINDS = {"company", "bank", "broker"}
#: A company's own figures, which a Chinese sentence states without repeating whose they are
#: (其中，国内新签合同额约2287.81亿元): in a post about one company they are that company's.
#: Not ratings, targets or share sales: those are a broker's or a holder's acts about the company
#: (我们维持买入评级 came out as "CATL maintains a buy rating").
_COMPANY_FIGURE = re.compile(r"营收|收入|利润|净利|毛利|合同|订单|出货|销量|销售额|市值|股价|分红|派息|业绩|产能|募资|"
                             r"回购|储备|每股")
#: A rating or a target of the company (我们维持“买入”评级，目标价220元): its topic, shown as a label.
_RATING = re.compile(r"评级|目标价|目标股价")


#: Another company than the post's own (另一家公司, 其他公司, 多家券商): never given its name.
_OTHER_COMPANY = re.compile(r"另一?家|另外|其他|其它|其余|多家|一家|某|同行|竞争对手|对手")


def _name_the_company(sentences: list[Sentence]) -> None:
    """In a post about one company (a research note, an earnings report), "公司" is that company,
    and so is a figure of a company stated without a subject (归母净利润105.1亿元): the model
    reads its name there (公司2024年一季度实现营收 -> 宁德时代2024年一季度实现营收), so
    the English says "CATL's revenue" rather than "the company's", and a sentence read alone
    still names whom its numbers belong to. The company is the only one the glossary finds in
    the whole post; in a post naming several, it is the only one the sentence just before names
    (英伟达公布的财报显示… / 净利润达到148.8亿美元: a Chinese paragraph carries its subject
    over), never in a sentence about another company (另一家公司的营收增长208%). Only in
    sentences that name no one else; the sentence links to its source as written and to the
    sentence that names the company."""
    companies = {e.en: e for s in sentences for e in s.entities if e.kind in _COMPANY_KINDS}
    only = next(iter(companies.values())) if len(companies) == 1 else None
    only_origin = [next((n.start, n.end) for n in sentences if only in n.entities)] if only else None
    for s in sentences:
        if any(e.kind in NAME_KINDS for e in s.entities):
            continue
        previous = sentences[s.index - 1] if s.index > 0 else None
        subject, origin = only, only_origin
        if subject is None and previous is not None and not _OTHER_COMPANY.search(s.source):
            # A broker there rates the company (摩根士丹利将目标价上调): it is never "the company".
            theirs = {e.en: e for e in previous.entities if e.kind in _COMPANY_KINDS - {"broker"}}
            others = [e for e in previous.entities if e.kind in NAME_KINDS and e.kind not in _COMPANY_KINDS]
            if len(theirs) == 1 and not others:
                [subject] = theirs.values()
                origin = previous.also or [(previous.start, previous.end)]
        if subject is None:
            continue
        match = _THE_COMPANY.search(s.text)
        if match:
            s.text = s.text[: match.start()] + subject.zh + s.text[match.end() :]
        elif s.numbers and _COMPANY_FIGURE.search(s.source):
            s.text = f"{subject.zh}：{s.text}"  # 归母净利润105.1亿元 says whose profit only by context
        else:
            if s.numbers and _RATING.search(s.source):
                s.topic, s.topic_from = subject, list(origin)
            continue
        s.entities = [*s.entities, subject]
        s.also = list(origin)  # the link shows where the name comes from


_NOT_TICKERS = {"AI", "ETF", "CEO", "CFO", "GDP", "PCE", "CPI", "IPO", "USD", "RMB", "VIP", "QQ", "APP", "PE",
                "EPS", "ROE", "TG", "ID", "PDF", "OK", "US", "UK", "EU", "HK"}


def salience(s: Sentence) -> float:
    """How much a reviewer needs this sentence: lead, names, numbers, reported actions."""
    score = 0.0
    if s.index == 0:
        score += 3.0          # the headline
    elif s.index <= 2:
        score += 1.0          # the lead
    names = [e for e in s.entities if e.kind in NAME_KINDS]
    score += 1.5 * min(len(names), 3) + 1.0 * min(len(s.tickers), 2)
    score += 1.0 * min(len(s.numbers), 3)
    score += 2.0 if _ACTION.search(s.source) else 0.0
    if not _CJK.search(s.source) and len(_LATIN_WORD.findall(s.source)) < 3:
        score -= 1.0          # a stray code or handle
    return score


#: Where a post's lead ends, in characters: a headline and its first paragraph.
LEAD_CHARS = 150
#: Lines one translation call holds (more, and the model starts skipping lines): the selection
#: takes at most this many, since a thirteenth sentence would cost a call of its own.
LINES_PER_CALL = 12


def prominence(sentences: list[Sentence]) -> dict[str, float]:
    """How central each name is to the post: 1, plus 0.5 for every further sentence naming it (up
    to 2), plus 1 when the headline or lead (a sentence starting in the first
    :data:`LEAD_CHARS` characters) names it.

    A weekly wrap names forty companies; the Dow and Tesla, named in the lead and again later,
    matter more to a reviewer than a retailer named once in the twelfth paragraph, and the
    budget covers a dozen of them at most."""
    counts: dict[str, int] = {}
    lead: set[str] = set()
    for s in sentences:
        # A country or region (美国 in a US wrap) is named everywhere and is no subject of its own.
        names = {e.en for e in s.entities if e.kind in NAME_KINDS and e.kind != "place"} | set(s.tickers)
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        if s.index <= 2 or s.start < LEAD_CHARS:
            lead |= names
    return {name: 1.0 + min(0.5 * (n - 1), 2.0) + (1.0 if name in lead else 0.0) for name, n in counts.items()}


def select(sentences: list[Sentence], max_words: int, max_sentences: int = LINES_PER_CALL) -> list[Sentence]:
    """The sentences to translate, in source order, within ``max_words`` estimated English words
    and ``max_sentences`` sentences.

    First entity-with-a-number pairs are covered, the sentence with the most
    uncovered weight *per word* first (each name weighs its :func:`prominence`;
    a 47-word macro sentence with five figures must not spend the budget that
    the Dow, the Nasdaq and a company's result need; ties by salience), then
    the most salient of the rest are added while they fit; a sentence of no
    salience (a "市场消息:" heading) is never filler. A sentence too long for
    what is left is skipped, not cut: a cut sentence could separate a number
    from its subject. Each chosen sentence's :attr:`Sentence.rank` records
    the order it was taken in.
    """
    chosen: list[Sentence] = []
    taken: set[int] = set()
    used = 0
    words = {s.index: s.words for s in sentences}  # estimated once: max() below reads them on every round
    pairs = {s.index: s.pairs for s in sentences}
    entities = {s.index: s.subjects for s in sentences}
    weight = prominence(sentences)

    def name_of(unit: str | tuple[str, str]) -> str:
        return unit if isinstance(unit, str) else unit[0]

    def priority(s: Sentence, new: set[Any]) -> tuple[float, ...]:
        """The most prominent name first (by whole steps of weight), then uncovered weight per word."""
        weights = [weight.get(name_of(u), 1.0) for u in new]
        return (int(max(weights, default=0.0)), sum(weights) / max(words[s.index], 4), s.score, -s.index)

    def fits(s: Sentence) -> bool:
        return len(chosen) < max_sentences and used + words[s.index] <= max_words

    def take(s: Sentence) -> None:
        nonlocal used
        s.rank = len(chosen)
        chosen.append(s)
        taken.add(s.index)
        used += words[s.index]

    # Every entity that has a figure first (the Dow, the Nasdaq, Nvidia, Novo Nordisk), then its other figures.
    for units in (entities, pairs):
        uncovered = set().union(*units.values()) - set().union(*(units[i] for i in taken))
        candidates = [s for s in sentences if units[s.index] & uncovered and s.index not in taken]
        while uncovered and candidates:
            best = max(candidates, key=lambda s: priority(s, units[s.index] & uncovered))
            candidates.remove(best)
            if not units[best.index] & uncovered or not fits(best):
                continue
            take(best)
            uncovered -= units[best.index]
    # Filler: the most salient of the rest, but not a sentence whose every figure the chosen ones
    # already give their names (a 美股收盘：道指涨0.67% headline over its body's 截至收盘，道指涨幅为0.67%,
    # a 今日看点 digest repeating the lead): translated, it only repeats a shown fact in other words.
    said = set().union(*(pairs[i] for i in taken))
    for s in sorted(sentences, key=lambda s: (-s.score, s.index)):
        if s.index not in taken and s.score > 0 and fits(s) and not (pairs[s.index] and pairs[s.index] <= said):
            take(s)
            said |= pairs[s.index]
    return sorted(chosen, key=lambda s: s.index)
