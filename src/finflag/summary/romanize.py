"""Chinese names in romanised form: what the name checks accept, and how a name left in Chinese is shown.

A small model translating 益阳市桃江县 writes "Yiyang" and "Taojiang": names
the glossary cannot list (there are too many towns, mines and small firms)
but the source supports all the same, because they are its own characters
read aloud. A name word is therefore *grounded* when it is the pinyin of a
proper name of the linked source sentence, as jieba's part-of-speech tags
find them ("Yiyang" = 益阳市 without 市); an invented one ("Huaer" for 荷叶)
is not, nor the reading of an ordinary word (路线 is not "Luxian"). The
reverse repair: a short Chinese name the model left in the English (在桃江)
is written in pinyin, with a place
suffix translated (沾溪乡 -> "Zhanxi Township"), instead of dropping the
sentence for a Chinese leak. pypinyin is imported only here, on first use.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

#: The longest proper name read aloud or romanised, in characters (沾溪乡, 宁德时代, 桃江县 without 县).
MAX_NAME_CHARS = 5
#: Readings tried per character (多音字 such as 重 zhong/chong, 长 chang/zhang).
MAX_READINGS = 3
#: Place suffixes translated rather than romanised, the way English writes them.
PLACE_SUFFIXES = {"省": "Province", "市": "City", "县": "County", "区": "District", "乡": "Township",
                  "镇": "Town", "村": "Village", "山": "Mountain", "港": "Port"}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


@lru_cache(maxsize=4096)
def _readings(char: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(r.lower() for r in (found[0] if found else []) if r.isalpha()))[:MAX_READINGS]


#: jieba part-of-speech flags of proper names: places, people, organisations, other proper nouns.
NAME_FLAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "nz"})


@lru_cache(maxsize=512)
def name_words(source: str) -> frozenset[str]:
    """The proper names of ``source`` by jieba's part-of-speech tags (湖南省, 益阳市, 华安), each also
    without its place suffix (益阳), so that 第三代 or 路线 never count as a name; at most
    :data:`MAX_NAME_CHARS` characters each."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    names: set[str] = set()
    for word, flag in jieba.posseg.cut(source):
        if flag in NAME_FLAGS and _HAN.fullmatch(word):
            names.add(word)
            if len(word) > 2 and word[-1] in PLACE_SUFFIXES:
                names.add(word[:-1])
    return frozenset(name for name in names if len(name) <= MAX_NAME_CHARS)


@lru_cache(maxsize=512)
def source_pinyin(source: str) -> frozenset[str]:
    """Every pinyin spelling (syllables joined, lower case) of a proper name in ``source`` (see
    :func:`name_words`). Cached: a translation's sentences are each checked against the same source."""
    spellings: set[str] = set()
    for name in name_words(source):
        for combo in product(*[_readings(c) or ("",) for c in name]):
            if all(combo):
                spellings.add("".join(combo))
    return frozenset(spellings)


def grounded(word: str, spellings: set[str] | frozenset[str]) -> bool:
    """Whether a capitalised English word is the pinyin of source characters ("Yiyang", "Xi'an", "Tao-Jiang")."""
    key = re.sub(r"['’\-]", "", word).lower()
    return len(key) >= 2 and key in spellings


def romanize_name(chinese: str) -> str:
    """沾溪乡 -> "Zhanxi Township", 桃江 -> "Taojiang": pinyin, syllables joined, capitalised once."""
    from pypinyin import lazy_pinyin

    suffix = ""
    if len(chinese) > 2 and chinese[-1] in PLACE_SUFFIXES:
        chinese, suffix = chinese[:-1], " " + PLACE_SUFFIXES[chinese[-1]]
    spelled = "".join(lazy_pinyin(chinese, errors="ignore"))
    return spelled.capitalize() + suffix if spelled else ""


def romanize_leaks(english: str, source: str) -> tuple[str, list[str]]:
    """Chinese names that the model copied from ``source`` into ``english``, written in pinyin.

    Only a run that is one of the source's proper names (:func:`name_words`):
    a name carried over, not a word left
    untranslated (第三代 or 约 stay, and the sentence fails its Chinese-leak
    check).
    Returns the repaired text and the Chinese runs that were romanised.
    """
    done: list[str] = []
    names = name_words(source)

    def swap(match: re.Match[str]) -> str:
        run = match.group(0)
        if run not in names:
            return run
        roman = romanize_name(run)
        if not roman:
            return run
        done.append(run)
        before = english[match.start() - 1] if match.start() else " "
        after = english[match.end()] if match.end() < len(english) else " "
        return ("" if before.isspace() or before in "(\"'“" else " ") + roman + \
            ("" if after.isspace() or not after.isalnum() else " ")

    repaired = _HAN.sub(swap, english)
    return repaired, done


__all__ = ["grounded", "romanize_leaks", "romanize_name", "source_pinyin"]
