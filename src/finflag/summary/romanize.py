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
sentence for a Chinese leak. A name the model misheard by a letter or two
("Yang Haijin" for 杨怀进, "Huorun" for 海润) is spelled as the source reads
it, and a person named before a sentence's figures is a subject its English
must keep. pypinyin is imported only here, on first use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
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
#: Two or three characters right after a break and right before a firm word are a firm's short name.
_FIRM = re.compile(r"(?:^|(?<=[\s，,。：:；;、（(“\"]))([\u4e00-\u9fff]{2,3})(?=公告|股份|集团|公司|控股|董事长)")
#: A listed firm's short name right before its stock code in brackets (中核钛白（002145）, 申通快递(002468),
#: 中核钛白（[STOCK_CODE]） where a publisher masked the code): the commonest way a Chinese post names a
#: company, and as sure a sign of one as there is. Words that often run into a name are not part of it.
_CODED_FIRM = re.compile(r"([\u4e00-\u9fff]{2,4})(?=\s*[（(]\s*(?:\d{6}(?:\.[A-Z]{2})?|[A-Z]{2}\d{6}|\[STOCK_CODE\])\s*[）)])")
_NOT_IN_NAME = "的了在是和与及把将从对买卖入出为股"
#: A facility named by its place (桃花江 + 核电站): the subject of a post about a project, in the English
#: a news report gives it ("Taohuajiang Nuclear Power Station").
FACILITIES = {"核电站": "Nuclear Power Station", "核电厂": "Nuclear Power Plant", "水电站": "Hydropower Station",
              "电站": "Power Station", "电厂": "Power Plant", "机场": "Airport", "大桥": "Bridge", "水库": "Reservoir",
              "煤矿": "Coal Mine", "港口": "Port"}


@lru_cache(maxsize=4096)
def _readings(char: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(r.lower() for r in (found[0] if found else []) if r.isalpha()))[:MAX_READINGS]


#: jieba part-of-speech flags of proper names: places, people, organisations, other proper nouns.
NAME_FLAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "nz"})


def _tagged(text: str) -> Iterator[tuple[str, str, int]]:
    """jieba's words of ``text`` with their part-of-speech flags and where each ends."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    end = 0
    for word, flag in jieba.posseg.cut(text):
        end += len(word)
        yield word, flag, end


def _whole_name(text: str, word: str, end: int) -> str:
    """A person's name as tagged, with the character after it when jieba cut a three-character
    name after two (杨怀|进 -> 杨怀进)."""
    return text[end - 2:end + 1] if len(word) == 2 and _HAN.match(text, end) else word


@lru_cache(maxsize=512)
def name_words(source: str) -> frozenset[str]:
    """The proper names of ``source`` by jieba's part-of-speech tags (湖南省, 益阳市, 华安), each also
    without its place suffix (益阳), so that 第三代 or 路线 never count as a name; at most
    :data:`MAX_NAME_CHARS` characters each."""
    names: set[str] = set()
    for word, flag, end in _tagged(source):
        if flag in NAME_FLAGS and _HAN.fullmatch(word):
            names.add(word)
            if len(word) > 2 and word[-1] in PLACE_SUFFIXES:
                names.add(word[:-1])
            if flag == "nr" and word[0] in SURNAMES:
                names.add(_whole_name(source, word, end))
    # A short firm name is seldom tagged (海润公告, 复地集团): the characters before 公告, 股份... name it.
    names.update(m.group(1) for m in _FIRM.finditer(source))
    names.update(coded_firms(source))
    return frozenset(name for name in names if len(name) <= MAX_NAME_CHARS)


@dataclass(frozen=True)
class LeadName:
    """A subject a sentence names before its figures (a person, a listed firm, a facility), as
    pinyin: whole spellings, and the short forms that name it alone (a surname, a firm's first word)."""

    spellings: frozenset[str]
    surnames: frozenset[str] = frozenset()
    #: How English writes the name: "Yang Huaijin", "Zhonghe Taibai", "Taohuajiang Nuclear Power Station".
    english: str = ""

    def said_in(self, english: str) -> bool:
        """Whether an English text names them: "Yang Huaijin", or the surname as a word ("Yang")."""
        letters = re.sub(r"[^a-z]", "", english.lower())
        return (any(s in letters for s in self.spellings)
                or any(w.lower() in self.surnames for w in re.findall(r"\b[A-Z][a-z]+\b", english)))


#: The hundred commonest Chinese surnames: jieba also tags 归母 (of 归母净利润) or 宁德 (of 宁德时代) as
#: a person's name; a name whose first character is none of these is not taken for a person.
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                     "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")


@lru_cache(maxsize=512)
def lead_names(source: str, known: tuple[str, ...] = ()) -> tuple[LeadName, ...]:
    """The people a sentence names before its first figure (看杨怀进5月20日…减持了3085万元), the
    listed firms it names there by their stock codes (中核钛白（002145）发布业绩预告…) and the
    facilities it names by their places (桃花江核电站…): whom or what its figures are about, when
    the glossary knows none of them (``known``: the Chinese of the glossary names the sentence has).
    Each as the pinyin spellings (syllables joined, lower case) an English that keeps the subject
    writes. Bare places and other firms are left out: an English may well say "the site" for
    湖南省益阳市桃江县, and the two characters before 公司 are as often 上市 or 这家 as a firm's
    name. Cached: the subject check asks for each of a sentence's translations."""
    figure = _first_figure(source)
    tagged = list(_tagged(source[:figure]))
    people = [_whole_name(source, word, end) for word, flag, end in tagged
              if flag in ("nr", "nrfg") and len(word) >= 2 and word[0] in SURNAMES and _HAN.fullmatch(word)]
    # A name the glossary knows (杰富瑞 = Jefferies) is counted with the glossary's English, not here;
    # jieba's "person" inside a firm's coded name (方大化 of 方大化工（000818）) is the firm.
    firms = coded_firms(source)
    people = [p for p in people if not _overlaps(p, (*known, *firms))]
    out = []
    for name in dict.fromkeys(people):
        spelled = _spelled(name)
        if spelled and len(name) <= MAX_NAME_CHARS:
            # A person may be named by the surname alone ("Manager Wang" for 王经理, "Yang").
            first = spelled[0]
            english = first[0].capitalize() + (" " + "".join(first[1:]).capitalize() if len(first) > 1 else "")
            out.append(LeadName(frozenset("".join(c) for c in spelled), frozenset(c[0] for c in spelled), english))
    # A facility named by its place before the figures (桃花江核电站…计划总投资超过600亿元): what they describe.
    for (place, flag, _), (noun, _, _) in zip(tagged, tagged[1:]):
        spelled = _spelled(place)
        if flag == "ns" and noun in FACILITIES and spelled and not any(place in k for k in known):
            out.append(LeadName(frozenset("".join(c) for c in spelled), frozenset(),
                                f"{''.join(spelled[0]).capitalize()} {FACILITIES[noun]}"))
    # A listed firm named by its code before the figures (中核钛白（002145）发布业绩预告…): whose they are.
    for name in firms:
        if source.find(name) > figure or _overlaps(name, known):
            continue
        # Read as two words when it has four characters (中核|钛白 -> "Zhonghe Taibai", 中船|股份), as one
        # otherwise; its first word alone names it too ("Shentong Express" for 申通快递).
        words = [name[:2], name[2:]] if len(name) == 4 else [name]
        spelled = [_spelled(w) for w in words]
        if all(spelled):
            english = " ".join("".join(s[0]).capitalize() for s in spelled)
            out.append(LeadName(frozenset("".join(c) for c in _spelled(name)),
                                frozenset("".join(c) for c in spelled[0]) if len(words) > 1 else frozenset(), english))
    return tuple(out)


def _overlaps(name: str, others: tuple[str, ...]) -> bool:
    """Whether ``name`` is part of one of ``others`` or holds one (杨怀 and 杨怀进, 中核 and 中核钛白)."""
    return any(name in other or other in name for other in others)


def coded_firms(source: str) -> list[str]:
    """The listed firms ``source`` names by a stock code in brackets (:data:`_CODED_FIRM`)."""
    out = []
    for m in _CODED_FIRM.finditer(source):
        name = m.group(1).lstrip(_NOT_IN_NAME)
        if len(name) >= 2:
            out.append(name)
    return list(dict.fromkeys(out))


#: What is written in digits but is no figure: a stock code in brackets, a date (4月19日, 2018年).
_NOT_A_FIGURE = re.compile(r"[（(]\s*(?:\d{6}(?:\.[A-Z]{2})?|[A-Z]{2}\d{6})\s*[）)]|\d+\s?[年月日号]")


def _first_figure(source: str) -> int:
    """Where the first figure starts (len(source) when there is none)."""
    digit = re.search(r"\d", _NOT_A_FIGURE.sub(lambda m: "_" * len(m.group(0)), source))
    return digit.start() if digit else len(source)


@lru_cache(maxsize=512)
def source_pinyin(source: str) -> frozenset[str]:
    """Every pinyin spelling (syllables joined, lower case) of a proper name in ``source`` (see
    :func:`name_words`). Cached: a translation's sentences are each checked against the same source."""
    return frozenset("".join(combo) for name in name_words(source) for combo in _spelled(name))


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


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Every pinyin syllable without tone (426 of them), from pypinyin's dictionary; bare nasals
    (m, n, ng, hm) left out, so that "Morgan" is never read as pinyin."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    found = {to_normal(r) for v in pinyin_dict.values() for r in v.split(",")}
    return frozenset(x for x in found if x.isascii() and x.isalpha() and re.search("[aeiouv]", x))


def is_pinyin(word: str) -> bool:
    """Whether a word splits into pinyin syllables ("Huorun" = huo+run; "Vanguard" does not)."""
    word = word.lower()
    syllables = _syllables()
    ends = {0}
    for i in range(1, len(word) + 1):
        if any(j in ends and word[j:i] in syllables for j in range(max(0, i - 6), i)):
            ends.add(i)
    return bool(word) and len(word) in ends


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def _spelled(name: str) -> list[tuple[str, ...]]:
    """The pinyin syllables of a source name, one tuple per combination of readings."""
    return [combo for combo in product(*[_readings(c) or ("",) for c in name]) if all(combo)]


def respell_names(english: str, source: str, bad: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """Names the model romanised one or two letters wrong, spelled as the source's own names.

    The small model reads 杨怀进 as "Yang Haijin" and 海润 as "Huorun": names of the source
    that fail the name check only because a syllable is misheard. A failing name made of
    pinyin syllables (so never "Vanguard" or "McKinsey") that is within one letter (two, from six
    letters) of exactly one proper name of the source (:func:`name_words`), starting with the same
    letter, is replaced by that name's pinyin: "Yang Huaijin", "Hairun". Anything further off
    stays and fails. Returns the text and the (old, new) spellings."""
    done: list[tuple[str, str]] = []
    candidates = [(name, combo) for name in name_words(source) for combo in _spelled(name)]
    for text in dict.fromkeys(bad):
        words = text.split()
        key = "".join(words).lower()
        if not key.isalpha() or not all(is_pinyin(w) for w in words):
            continue
        limit = 1 if len(key) < 6 else 2
        scored = [(_distance(key, "".join(combo)), name, combo) for name, combo in candidates
                  if "".join(combo)[0] == key[0]]
        close = [x for x in scored if x[0] <= limit]
        if not close:
            continue
        best = min(d for d, _, _ in close)
        names = {name for d, name, _ in close if d == best}
        if len(names) != 1 or best == 0:
            continue
        combo = next(c for d, _, c in close if d == best)
        new = (combo[0].capitalize() + " " + "".join(combo[1:]).capitalize() if len(words) > 1 and len(combo) > 1
               else "".join(combo).capitalize())
        english = re.sub(rf"(?<![A-Za-z]){re.escape(text)}(?![A-Za-z])", new, english)
        done.append((text, new))
    return english, done


__all__ = ["LeadName", "grounded", "is_pinyin", "lead_names", "respell_names", "romanize_leaks", "romanize_name", "source_pinyin"]
