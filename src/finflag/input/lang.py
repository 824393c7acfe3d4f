"""Language identification: a CJK-ratio check first, langdetect second.

langdetect is unreliable on Chinese with embedded tickers (it calls short
Chinese market text Korean) and costs ~0.4 s to load its profiles, so the
script ratio decides whenever the text is clearly Chinese, mixed or empty,
and langdetect only names the language of text that is mostly Latin.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")

#: A Latin word carries roughly as much content as 1.5 Chinese characters.
LATIN_WORD_WEIGHT = 1.5
ZH_SHARE = 0.7
LATIN_SHARE = 0.15
_SAMPLE_CHARS = 20_000


def cjk_share(text: str) -> float | None:
    """Share of content that is Chinese script, or None if there is none."""
    sample = text[:_SAMPLE_CHARS]
    cjk = len(_CJK.findall(sample))
    latin = len(_LATIN_WORD.findall(sample)) * LATIN_WORD_WEIGHT
    if cjk + latin == 0:
        return None
    return cjk / (cjk + latin)


#: Below this many letters a non-Chinese text is too short to tell its language.
MIN_LETTERS = 20


def detect_language(text: str) -> str:
    """``zh``, ``en``, ``mixed``, another ISO code from langdetect, or ``unknown``."""
    share = cjk_share(text)
    if share is None:
        return "unknown"
    if share >= ZH_SHARE:
        return "zh"
    if share > LATIN_SHARE:
        return "mixed"
    latin = _CJK.sub(" ", text[:_SAMPLE_CHARS])
    if sum(c.isalpha() for c in latin) < MIN_LETTERS:
        return "unknown"  # "VX: gu888" is no language; langdetect would guess one (lv)
    return _langdetect(latin)


def _langdetect(text: str) -> str:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0  # langdetect is random by default; reports must be repeatable
    try:
        code = detect(text)
    except LangDetectException:
        return "unknown"
    return code.split("-")[0]
