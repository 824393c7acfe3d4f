"""What the model reads: the post minus boilerplate, with amounts in English.

Deterministic work done before the model sees anything:

- contact blocks and upsell footers the rule layer already found, and link
  lists of other articles, are dropped (the reviewer has them as findings);
- paragraphs repeated verbatim (scraped posts often hold the text twice) are
  dropped after their first occurrence;
- every amount with a 万/亿 unit or a currency is rewritten in English
  (50亿美元 -> US$5 billion), because the model mis-scales them otherwise.

Every dropped span and every rewrite keeps its offsets into ``doc.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Document
from ..rules.findings import Finding
from ..numbers import Rewrite, post_yuan, rewrite_amounts

FOOTER_CATEGORIES = {"contact_funnel", "paid_upsell"}
MAX_FOOTER_CHARS = 160
_LINK_LIST_HEAD = re.compile(
    r"^\s*[【\[]?(?:精彩深度文章|往期(?:热门|精彩)?(?:文章|回顾)|相关(?:阅读|文章)|推荐阅读|热门文章|延伸阅读|猜你喜欢|精彩推荐)[】\]]?\s*$"
)
_HEADLINE_MAX = 45
_SENTENCE_END = re.compile(r"[。；;]")
_DIVIDER = re.compile(r"^[\s\-—_=*~·.。]{3,}$")


@dataclass(frozen=True)
class Dropped:
    start: int
    end: int
    reason: str


@dataclass
class Paragraph:
    start: int
    end: int
    text: str                      # as the model reads it (amounts rewritten)
    rewrites: list[Rewrite] = field(default_factory=list)  # offsets into doc.text


@dataclass
class Prepared:
    paragraphs: list[Paragraph]
    dropped: list[Dropped]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def rewrites(self) -> list[Rewrite]:
        return [r for p in self.paragraphs for r in p.rewrites]


def _is_headline(text: str) -> bool:
    return len(text) <= _HEADLINE_MAX and not _SENTENCE_END.search(text)


def _link_list_lines(doc: Document) -> set[int]:
    """Indexes of paragraphs that belong to a list of links to other articles."""
    paras = [doc.text[p.start : p.end] for p in doc.paragraphs]
    marked: set[int] = set()
    for i, text in enumerate(paras):
        if _LINK_LIST_HEAD.match(text):
            marked.add(i)
            j = i + 1
            while j < len(paras) and _is_headline(paras[j]):
                marked.add(j)
                j += 1
    # An unmarked run of 3+ headline-like lines closing the post is a link list too.
    j = len(paras)
    while j > 0 and _is_headline(paras[j - 1]):
        j -= 1
    if len(paras) - j >= 3 and j > 0:
        marked.update(range(j, len(paras)))
    return marked


#: Characters of a post that are summarised at most (``--max-chars``); the rest is reported as dropped.
DEFAULT_MAX_CHARS = 50_000


def prepare(doc: Document, findings: list[Finding], max_chars: int = DEFAULT_MAX_CHARS) -> Prepared:
    """The paragraphs the model reads, and what was left out and why.

    Only the first ``max_chars`` characters of the post are summarised: a 2 MB
    page would otherwise take hundreds of model calls (hours); the cut is
    reported in ``dropped`` with the offsets of what was not read.
    """
    links = _link_list_lines(doc)
    yuan = post_yuan(doc.text)
    seen: set[str] = set()
    kept: list[Paragraph] = []
    dropped: list[Dropped] = []
    for index, span in enumerate(doc.paragraphs):
        if span.start >= max_chars:
            dropped.append(Dropped(span.start, len(doc.text), f"past --max-chars {max_chars:,} (not summarised)"))
            break
        if span.end > max_chars:
            dropped.append(Dropped(max_chars, len(doc.text), f"past --max-chars {max_chars:,} (not summarised)"))
            span = type(span)(span.start, max_chars)
        text = doc.text[span.start : span.end]
        key = "".join(text.split())
        promo = {f.category for f in findings if span.start <= f.start < span.end}
        if index in links:
            dropped.append(Dropped(span.start, span.end, "link list of other articles"))
        elif _DIVIDER.match(text):
            dropped.append(Dropped(span.start, span.end, "divider"))
        elif promo & FOOTER_CATEGORIES and len(text) <= MAX_FOOTER_CHARS:
            dropped.append(Dropped(span.start, span.end, "contact / upsell block ("
                                   + ", ".join(sorted(promo & FOOTER_CATEGORIES)) + ")"))
        elif key in seen:
            dropped.append(Dropped(span.start, span.end, "duplicate paragraph"))
        else:
            seen.add(key)
            rewritten, rewrites = rewrite_amounts(text, yuan)
            shifted = [Rewrite(r.start + span.start, r.end + span.start, r.source, r.english, r.value)
                       for r in rewrites]
            kept.append(Paragraph(span.start, span.end, rewritten, shifted))
        if span.end == max_chars and dropped and dropped[-1].start == max_chars:
            break  # this paragraph was cut: the rest is already reported as past --max-chars
    return Prepared(kept, dropped)
