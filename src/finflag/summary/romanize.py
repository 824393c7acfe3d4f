"""Chinese names in romanised form: what the name checks accept, and how a name left in Chinese is shown.

A small model translating 益阳市桃江县 writes "Yiyang" and "Taojiang": names
the glossary cannot list (there are too many towns, mines and small firms)
but the source supports all the same, because they are its own characters
read aloud. A name word is therefore *grounded* when it is the pinyin of a
run of the linked source sentence's characters ("Yiyang" = 益阳); an invented
one ("Huaer" for 荷叶) is not. The reverse repair: a short Chinese name the
model left in the English (在桃江) is written in pinyin, with a place
suffix translated (沾溪乡 -> "Zhanxi Township"), instead of dropping the
sentence for a Chinese leak. pypinyin is imported only here, on first use.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

#: Runs of source characters read as one name: 1-4 characters (桃江, 益阳市 without 市, 宁德时代).
MAX_NAME_CHARS = 4
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


def source_pinyin(source: str) -> set[str]:
    """Every pinyin spelling (syllables joined, lower case) of a run of 1-4 Chinese characters in ``source``."""
    spellings: set[str] = set()
    for run in _HAN.findall(source):
        readings = [_readings(c) or ("",) for c in run]
        for start in range(len(run)):
            for length in range(1, min(MAX_NAME_CHARS, len(run) - start) + 1):
                for combo in product(*readings[start:start + length]):
                    if all(combo):
                        spellings.add("".join(combo))
    return spellings


def grounded(word: str, spellings: set[str]) -> bool:
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
    """Short Chinese names that the model copied from ``source`` into ``english``, written in pinyin.

    Only runs of at most :data:`MAX_NAME_CHARS` characters that occur in the
    source itself (a name carried over, not a phrase left untranslated:
    第三代核电 stays, and the sentence fails its Chinese-leak check).
    Returns the repaired text and the Chinese runs that were romanised.
    """
    done: list[str] = []

    def swap(match: re.Match[str]) -> str:
        run = match.group(0)
        too_long = len(run) > MAX_NAME_CHARS and not (len(run) == MAX_NAME_CHARS + 1 and run[-1] in PLACE_SUFFIXES)
        if too_long or run not in source:
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
