"""The bilingual glossary: English names for the entities a post mentions.

The small model invents names (麦格理 Macquarie came out as "McKinsey"), so
finflag finds the entities itself and hands the model their English names.
jieba segments the text with every glossary term added to its dictionary,
so 中国银行 is found as Bank of China rather than 中国 + 银行. The same
table tells the name check which English names the source supports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

_TICKER_IN_TEXT = re.compile(r"[(（]\s*([A-Z]{1,5}(?:\.[A-Z]{1,2})?)\s*[)）]")
_TICKER_BEFORE_MOVE = re.compile(r"(?<![A-Za-z])([A-Z]{2,5})(?=\s?(?:股价|收涨|收跌|涨|跌|大涨|大跌|公布|宣布))")
_NOT_TICKERS = {"AI", "ETF", "CEO", "CFO", "GDP", "PCE", "CPI", "IPO", "USD", "RMB", "VIP", "QQ", "APP", "PE",
                "BNPL", "RSU", "PSU", "CPAP", "GLP", "EPS", "ROE", "TG", "ID", "PDF", "OK", "US", "UK", "EU"}


@dataclass(frozen=True)
class Entry:
    zh: str
    en: str          # the preferred English name
    kind: str
    ticker: str = ""
    aliases: tuple[str, ...] = ()  # other English names a faithful summary may use

#: Kinds that name someone or something; the rest (terms, currencies) are vocabulary.
NAME_KINDS = {"company", "bank", "broker", "regulator", "index", "person", "place", "org"}


class GlossaryError(ValueError):
    pass


def _parse(text: str, source: str) -> list[Entry]:
    entries = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) < 3 or not cols[0] or not cols[1]:
            raise GlossaryError(f"{source}:{n}: expected 'Chinese<TAB>English<TAB>kind[<TAB>ticker]'")
        names = [n.strip() for n in cols[1].split("|") if n.strip()]
        entries.append(Entry(cols[0], names[0], cols[2], cols[3] if len(cols) > 3 else "", tuple(names[1:])))
    return entries


class Glossary:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = {e.zh: e for e in entries}  # later files override earlier ones
        self._tokenizer = None

    @classmethod
    def load(cls, extra: list[Path] | tuple[Path, ...] = ()) -> "Glossary":
        entries = list(_builtin_entries())
        for path in extra:
            try:
                entries += _parse(Path(path).read_text(encoding="utf-8"), str(path))
            except OSError as exc:
                raise GlossaryError(f"{path}: cannot read: {exc}") from None
        return cls(entries)

    def _jieba(self):
        if self._tokenizer is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            for zh in self.entries:
                tokenizer.add_word(zh, freq=200_000 + 1000 * len(zh))
            self._tokenizer = tokenizer
        return self._tokenizer

    def find(self, text: str) -> list[Entry]:
        """Glossary entities in ``text``, in order of first mention."""
        seen: dict[str, Entry] = {}
        for token in self._jieba().cut(text, HMM=False):
            entry = self.entries.get(token)
            if entry and entry.zh not in seen:
                seen[entry.zh] = entry
        return list(seen.values())

    def english_for(self, chinese: str) -> str | None:
        """English for a Chinese fragment if every word of it is in the glossary."""
        if chinese in self.entries:
            return self.entries[chinese].en
        words = [w for w in self._jieba().cut(chinese, HMM=False) if w.strip()]
        if words and all(w in self.entries for w in words):
            return " ".join(self.entries[w].en for w in words)
        return None


@cache
def _builtin_entries() -> tuple[Entry, ...]:
    text = (resources.files("finflag") / "data" / "glossary.tsv").read_text(encoding="utf-8")
    return tuple(_parse(text, "glossary.tsv"))


def tickers_in(text: str, entities: list[Entry]) -> list[str]:
    """Tickers the post names: '(NVDA)', 'RXO涨23%', or those of known entities."""
    found = [m.group(1) for m in _TICKER_IN_TEXT.finditer(text)]
    found += [m.group(1) for m in _TICKER_BEFORE_MOVE.finditer(text)]
    found += [e.ticker for e in entities if e.ticker and e.kind in ("company", "bank", "broker")]
    return [t for t in dict.fromkeys(found) if t not in _NOT_TICKERS]
