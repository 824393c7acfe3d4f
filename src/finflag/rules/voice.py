"""Whose claim is it? The author's, or scam language that a warning quotes.

Anti-fraud warnings, crackdown reports and explainers repeat the slogans
they warn about (稳赚不赔, 内幕消息, 加LINE ...). Those are not the author's
claims: such findings get ``voice: quoted`` and ``info`` severity, and do
not raise the verdict's risk. A finding is quoted when

- it stands inside quotation marks (“…” 「…」 『…』 ‘…’ "…") in a post that
  speaks of fraud (a warning word anywhere in it), or
- its sentence frames it as someone else's words (骗子 / 不法分子 / 冒充 /
  谎称 / 声称 / 所谓 / 以…为诱饵 / 打着…旗号 ...), or
- the whole post is a warning: warning words of at least two kinds, in at
  least two sentences (a scam message's lone "谨防假冒" does not make it one).

Matching runs on the simplified-Chinese view of the text (same length as the
original), so traditional-Chinese warnings (詐騙, 警惕) count too.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace

from ..document import Document
from ..normalize import to_simplified
from .findings import Finding

AUTHOR = "author"
QUOTED = "quoted"
VOICES = (AUTHOR, QUOTED)

WARNING = re.compile(
    "警惕|谨慎|骗局|诈骗|骗子|话术|冒充|反诈|切勿|谨防|防范|小心|不要轻信|勿信|别信|不要信|上当|受骗|被骗|报警|"
    "非法荐股|非法证券|套路|陷阱|假冒|虚假宣传|嫌疑人|涉嫌|警方|公安|民警|以案说法|风险警示|投资者教育"
)
#: Words inside a sentence that make its claims someone else's.
FRAME = re.compile(
    "骗子|诈骗分子|不法分子|犯罪嫌疑人|嫌疑人|诈骗团伙|犯罪团伙|骗局|冒充|假冒|谎称|声称|宣称|鼓吹|所谓|诱导|诱骗|引诱|"
    r"以[^。！？!?\n]{1,20}为(?:诱饵|幌子|名)|打着[^。！？!?\n]{1,15}(?:旗号|幌子)"
)
_QUOTES = {"“": "”", "「": "」", "『": "』", "‘": "’", '"': '"'}
_QUOTED = re.compile("|".join(f"{re.escape(a)}[^{re.escape(b)}\n]{{1,80}}{re.escape(b)}" for a, b in _QUOTES.items()))
_SENTENCE_END = re.compile("[。！？!?；;\n]")


def _sentences_with(pattern: re.Pattern[str], text: str) -> tuple[set[str], set[int]]:
    """The distinct words of ``pattern`` in ``text`` and the sentences (by index) they occur in."""
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]  # once, not a prefix scan per match
    words, sentences = set(), set()
    for match in pattern.finditer(text):
        words.add(match.group(0))
        sentences.add(bisect_left(ends, match.start()))
    return words, sentences


def is_warning(text: str) -> bool:
    """The post as a whole warns about fraud (see the module docstring)."""
    words, sentences = _sentences_with(WARNING, text)
    return len(words) >= 2 and len(sentences) >= 2


def assign_voice(doc: Document, findings: list[Finding]) -> list[Finding]:
    """The findings with ``voice`` set; quoted ones drop to ``info`` severity."""
    if not findings:
        return findings
    text = to_simplified(doc.text)
    if WARNING.search(text) is None and FRAME.search(text) is None:
        return findings  # a post with no word about fraud or others' words quotes no slogans
    whole_post = is_warning(text)
    quoted_spans = [m.span() for m in _QUOTED.finditer(text)]
    out = []
    for f in findings:
        inside_quotes = any(a < f.start and f.end < b for a, b in quoted_spans)
        sentence = text[f.context_start:f.context_start + len(f.context)] if f.context_start >= 0 else f.context
        framed = any(not (f.start - max(f.context_start, 0) <= m.start() < f.end - max(f.context_start, 0))
                     for m in FRAME.finditer(sentence))
        if whole_post or inside_quotes or framed:
            out.append(replace(f, voice=QUOTED, severity="info"))
        else:
            out.append(f)
    return out
