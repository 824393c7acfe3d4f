"""The literal-anchor pre-filter must change speed only, never findings.

The reference is the same pack with the pre-filter switched off: every
pattern's regex run over the whole text. Texts are built from the pack's own
examples and sample lines, so rules really fire, with the characters that
stress offsets and windows mixed in (full-width letters, zero-width marks,
CRLF, traditional characters, upper-case VIP, negations, lone digits).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finflag.rules import anchors
from finflag.rules.anchors import (AnchorIndex, holds_co_anchor, pattern_anchors, pattern_co_anchors,
                                   searches_in_place, windows)
from finflag.document import Document
from finflag.rules.findings import find
from finflag.input.ingest import Source, load_document
from finflag.rules.pack import RulePack, load_packs

from .conftest import SAMPLES

_NOISE = ["\u3000", "\u00a0", "\u200b", "\r\n", "\n", "，", "！", "。", "VIP", "vip", "ＶＩＰ", "不", "并非", "没",
          "１２３", "5", "12", "：", "穩賺", "會員", "加群", "微信", "  ", "İ", "𠀀", "\t", "目标价", "元"]


def _fragments(pack: RulePack) -> list[str]:
    frags = []
    for rule in pack.rules:
        for example in (*rule.examples_match, *rule.examples_no_match):
            frags.append(example if isinstance(example, str) else example["text"])
    for text in _SAMPLE_TEXTS.values():
        frags += [line for line in text.replace("。", "。\n").splitlines() if line.strip()][:40]
    return frags


def _without_prefilter(pack: RulePack) -> RulePack:
    rules = [dataclasses.replace(rule, patterns=tuple(
        dataclasses.replace(p, anchors=None, reach=None, literal=False, co_anchors=None) for p in rule.patterns)) for rule in pack.rules]
    full = dataclasses.replace(pack, rules=rules, _gloss_cache={})
    full.__dict__["condition_anchors"] = {}  # every condition searched wherever a hit asks for it
    return full


_SAMPLE_TEXTS = {path.name: load_document(Source(str(path))).text for path in sorted(SAMPLES.glob("*.txt"))}
PACK = load_packs()
FULL_SCAN = _without_prefilter(PACK)
FRAGMENTS = _fragments(PACK)


def _findings(text: str, pack: RulePack) -> list[dict]:
    return [f.to_dict() for f in find(Document("<t>", text), pack)]


def test_the_reference_pack_really_scans_every_pattern_in_full():
    assert PACK.unanchored_keys != FULL_SCAN.unanchored_keys
    assert len(FULL_SCAN.unanchored_keys) == len(FULL_SCAN.patterns)
    assert len(PACK.condition_anchors) >= 40 and not FULL_SCAN.condition_anchors
    assert all(key is None for plan in FULL_SCAN.plans for *_, key in (*plan.requires, *plan.unless))


@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(_NOISE)), min_size=1, max_size=12))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_prefilter_gives_exactly_the_findings_of_a_full_scan(pieces):
    text = "".join(pieces)
    assert _findings(text, PACK) == _findings(text, FULL_SCAN)


@pytest.mark.parametrize("name", sorted(_SAMPLE_TEXTS))
def test_prefilter_matches_a_full_scan_on_every_sample(name):
    text = _SAMPLE_TEXTS[name]
    assert _findings(text, PACK) == _findings(text, FULL_SCAN)


def test_overlapping_anchors_are_all_reported():
    """会员 starts inside VIP会员 and 群号 overlaps 加群: both must still be seen."""
    index = AnchorIndex({0: frozenset({"vip会员"}), 1: frozenset({"会员"}), 2: frozenset({"加群"}), 3: frozenset({"群号"})})
    found = index.positions("加入VIP会员，加群号88")
    assert found == {0: [(2, 7)], 1: [(5, 7)], 2: [(8, 10)], 3: [(9, 11)]}


def test_reach_bounds_where_a_match_can_lie_around_its_anchor():
    literals, reach = pattern_anchors(re.compile(r"(?P<n>\d{1,3})\s{0,2}倍股(?!票)"))
    assert literals == {"倍股"}
    assert reach == (5, 3)  # up to 3 digits and 2 spaces before; the lookahead (1) plus room for $ and \b after
    text = "这是123  倍股吗"
    (start, end), = AnchorIndex({0: literals}).positions(text)[0]
    (lo, hi, last_anchor), = windows([(start, end)], reach, len(text))
    assert last_anchor == start
    assert re.compile(r"(?P<n>\d{1,3})\s{0,2}倍股(?!票)").search(text, lo, hi).group(0) == "123  倍股"


@pytest.mark.parametrize(("pattern", "literals", "reach"), [
    # Each part alone gives 就/便 or 翻倍; spelled out together, four rarer literals.
    (r"(?:就|便)(?:已经)?翻倍", {"就翻倍", "便翻倍", "就已经翻倍", "便已经翻倍"}, (0, 2)),
    # How the digits end is unknown, but 倍 ends them, and (?:牛|潜力)?股 follows.
    (r"\d{1,3}倍(?:牛|潜力)?股(?!票)", {"倍股", "倍牛股", "倍潜力股"}, (3, 3)),
    # 到了 goes on from 到: 到 alone is anchor enough, its reach after grows by one.
    (r"(?:竟然|就)(?:到|到了)\d万", {"竟然到", "就到"}, (0, 5)),
    # A run followed by a part whose start is known: 昨天 + the first characters of (?:推荐|提示)\S.
    (r"(?:昨天|今天)(?:推荐|提示)\S{1,4}涨停", {"昨天推荐", "昨天提示", "今天推荐", "今天提示"}, (0, 8)),
])
def test_runs_of_parts_with_few_strings_are_spelled_out_as_anchors(pattern, literals, reach):
    assert pattern_anchors(re.compile(pattern)) == (frozenset(literals), reach)


def test_spelled_out_anchors_find_what_a_full_scan_finds():
    """Every match of every default pattern on the pack's examples and the samples holds one of its
    anchors, within its reach (the windows hold every match)."""
    checked = 0
    for _, pattern in PACK.patterns:
        if pattern.anchors is None or pattern.literal:
            continue
        for text in FRAGMENTS[:600]:
            matches = [m.span() for m in pattern.regex.finditer(text) if m.end() > m.start()]
            if not matches:
                continue
            lowered = text.lower()
            for start, end in matches:
                assert any(lowered.find(word, start, end) >= 0 for word in pattern.anchors), (pattern.regex.pattern, text)
                if pattern.reach is not None:
                    before, after = pattern.reach
                    assert any(0 <= at - start <= before and end <= at + len(word) + after
                               for word in pattern.anchors for at in _occurrences(lowered, word, start, end))
                checked += 1
    assert checked > 500


def _occurrences(text: str, word: str, start: int, end: int) -> list[int]:
    found, at = [], text.find(word, start, end)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1, end)
    return found


def test_a_condition_never_holds_where_none_of_its_presence_literals_occurs():
    """The presence keys of the default pack's requires/unless regexes: wherever a condition's regex
    finds something in an example or sample line, one of its literals occurs there."""
    checked = 0
    for (source, flags), (_, literals) in PACK.condition_anchors.items():
        regex = re.compile(source, flags)
        assert min(len(literal) for literal in literals) >= 2
        for text in FRAGMENTS:
            for match in regex.finditer(text):
                if match.end() > match.start():
                    assert any(literal in match.group(0).lower() for literal in literals), (source, text)
                    checked += 1
    assert checked > 300


def test_co_anchors_and_presence_literals_drop_words_that_hold_a_shorter_one():
    assert anchors._without_supersets(frozenset({"利润", "利润已经", "利润率", "收益"})) == {"利润", "收益"}
    assert anchors.presence_literals(re.compile("诈骗|诈骗犯|骗局")) == {"诈骗", "骗局"}
    assert anchors.presence_literals(re.compile("我[又也]|别信")) == {"我又", "我也", "别信"}  # spelled out
    assert anchors.presence_literals(re.compile("我(?![们国])|别信")) is None  # 我 alone: in most posts


def test_unbounded_patterns_and_lone_letters_are_scanned_in_full():
    assert pattern_anchors(re.compile(r"\d+倍股"))[1] is None  # anchored, but a match can start anywhere before it
    assert pattern_anchors(re.compile(r"[A-Z]\d{2}")) is None  # no literal at all
    assert pattern_anchors(re.compile(r"a\d")) is None  # a lone ASCII letter occurs everywhere


@pytest.mark.parametrize(("pattern", "literals"), [
    # The parser rewrites (?:USDT|U) as U(?:SDT|): its lone U used to win and the pattern lost its anchor.
    (r"(?:USDT|U)\d{1,4}(?:起|送)", {"起", "送"}),
    (r"入金(?:USDT|U)", {"入金u"}),  # the U joins the literal run before the branch (lower-cased)
    # (?:赚|亏) becomes the class [赚亏]: a class of plain characters is a set of anchors.
    (r"(?:赚|亏)\d{1,6}(?:USDT|U)", {"赚", "亏"}),
    (r"[赚亏]\d{1,6}(?:USDT|U)", {"赚", "亏"}),
])
def test_usdt_and_one_character_alternations_keep_their_anchors(pattern, literals):
    found = pattern_anchors(re.compile(pattern))
    assert found is not None and found[0] == literals and found[1] is not None
    text = "本周带单赚了3260U，亏3U，入金USDT，充值50U送5U。"
    regex = re.compile(pattern)
    reach = found[1]
    anchored = AnchorIndex({0: found[0]}).positions(text).get(0, [])
    in_windows = [m.group(0) for lo, hi, _ in windows(anchored, reach, len(text)) for m in regex.finditer(text, lo, hi)]
    assert in_windows == [m.group(0) for m in regex.finditer(text)]


def test_classes_that_are_not_plain_characters_give_no_anchor():
    assert pattern_anchors(re.compile(r"[^赚亏]\d{2}")) is None  # a negated class matches almost anything
    assert pattern_anchors(re.compile(r"[a-z]\d{2}")) is None  # a range
    assert pattern_anchors(re.compile(r"(?i)[uv]\d{2}")) is None  # case-folded letters
    assert pattern_anchors(re.compile(r"\d+(?:USDT|U)")) is None  # only the lone U: scanned in full, as before


def test_the_comparison_is_not_vacuous():
    """The samples and the generated texts do make rules fire."""
    assert sum(len(_findings(text, PACK)) for text in _SAMPLE_TEXTS.values()) >= 80
    assert sum(bool(_findings(frag, PACK)) for frag in FRAGMENTS) >= 100  # 122 of the fragments fire


def test_a_concatenation_gets_a_second_necessary_literal_set():
    """(明天|现在)...(买入|抄底): the primary anchor is one part, the co-anchors the other."""
    regex = re.compile(r"(?:明天|现在)[^，。]{0,4}(?:买入|抄底)(?![了过])")
    primary, _ = pattern_anchors(regex)
    co = pattern_co_anchors(regex, primary)
    assert {primary, co} == {frozenset({"明天", "现在"}), frozenset({"买入", "抄底"})}
    # Without a gap of unknown text the parts are spelled out together (明天就买入 ...): one set holds both.
    regex = re.compile(r"(?:明天|现在)(?:就|可以)?(?:买入|抄底)(?![了过])")
    primary, _ = pattern_anchors(regex)
    assert len(primary) == 12 and "现在可以抄底" in primary and pattern_co_anchors(regex, primary) is None


def test_alternations_one_character_sets_and_literals_inside_the_primary_get_no_co_anchors():
    assert pattern_co_anchors(re.compile(r"明天涨停|下周翻倍"), frozenset({"明天涨停", "下周翻倍"})) is None
    primary = pattern_anchors(re.compile(r"(?:赶紧|马上)(?:买|卖)"))[0]  # spelled out: 赶紧买, 马上卖 ...
    assert len(primary) == 4 and pattern_co_anchors(re.compile(r"(?:赶紧|马上)(?:买|卖)"), primary) is None
    assert pattern_co_anchors(re.compile(r"(?:买入吧|卖出吧)[^，]{0,3}(?:买入|卖出)"), frozenset({"买入吧", "卖出吧"})) is None
    primary = pattern_anchors(re.compile(r"(?:买入吧|卖出吧)(?:买入|卖出)"))[0]  # spelled out: 买入吧卖出 ...
    assert len(primary) == 4 and pattern_co_anchors(re.compile(r"(?:买入吧|卖出吧)(?:买入|卖出)"), primary) is None


def test_a_window_needs_a_whole_co_anchor_inside_it():
    co = sorted([(10, 14), (11, 12), (30, 32)])
    assert holds_co_anchor(co, 0, 13)  # (10, 14) sticks out, (11, 12) lies inside
    assert not holds_co_anchor(co, 0, 11) and not holds_co_anchor(co, 15, 31)
    assert holds_co_anchor(co, 15, 40) and not holds_co_anchor(co, 33, 60)


def test_the_default_pack_uses_co_anchors_and_they_change_no_finding():
    """Some patterns skip windows by their co-anchors; a post with the first part but not the second
    (a time word, no trade verb) gives what a full scan gives."""
    assert sum(1 for _, p in PACK.patterns if p.co_anchors) >= 10
    for text in ("明天开盘，大家注意风险。", "明天开盘买入，目标涨停！", "主力资金今天净流出，主力正在吸筹。"):
        assert _findings(text, PACK) == _findings(text, FULL_SCAN)
    assert [f["rule_id"] for f in _findings("明天开盘买入，目标涨停！", PACK)].count("trade_call.timed-order") == 1


def test_windows_merge_overlaps_and_remember_their_last_anchor():
    """Two anchors close together share a window whose last anchor is the second; a far one gets its own."""
    spans = windows([(50, 52), (10, 12), (14, 16)], (5, 3), 54)
    assert spans == [(5, 19, 14), (45, 54, 50)]  # clipped to the text's length


def test_a_window_with_one_anchor_left_stops_after_one_match():
    """Every match holds a whole anchor, so after the match through the last anchor nothing can follow.

    Two anchors in one window give two matches; the findings equal a full
    scan's whichever way the windows fall (the prefilter tests above).
    """
    text = "锁定10倍股和20倍股。"  # anchors 倍 at 4 and 9 share one window (reach 12 before)
    key = next(k for k, (rule, pattern) in enumerate(PACK.patterns)
               if rule.id == "hype.multibagger-call" and not pattern.literal)
    (window,) = windows(PACK.anchor_index.positions(text)[key], PACK.patterns[key][1].reach, len(text))
    assert window[2] == 9
    found = [f["quote"] for f in _findings(text, PACK) if f["category"] == "hype"]
    assert found == ["10倍股", "20倍股"] == [f["quote"] for f in _findings(text, FULL_SCAN) if f["category"] == "hype"]


# Searching text[pos:endpos] and searching text in place with (pos, endpos) differ only
# for what looks before pos: ^, \A, \b, \B and lookbehinds.
_IN_PLACE = [r"(?:不|没|并非)[^,，。]*\Z", r"浮盈|\d{1,3}%", r"会员$", r"(?=元)\d", r"(?i:vip)(?:群|会员)"]
_NOT_IN_PLACE = [r"^会员", r"\A会员", r"\bvip", r"会员\B", r"(?<![\d.])1\d", r"(?:x|(?<!不)赚)", r"(?:a(?!b(?<=c)))"]


@pytest.mark.parametrize("pattern", _IN_PLACE)
def test_patterns_that_only_look_ahead_search_in_place(pattern):
    assert searches_in_place(re.compile(pattern))


@pytest.mark.parametrize("pattern", _NOT_IN_PLACE)
def test_patterns_that_look_before_the_window_need_a_slice(pattern):
    assert not searches_in_place(re.compile(pattern))


@given(st.sampled_from(_IN_PLACE), st.text(alphabet="不没并非会员浮盈赚元vipVIP群1235%,，。 \n", max_size=30), st.data())
@settings(max_examples=400, deadline=None)
def test_in_place_search_finds_what_a_slice_search_finds(pattern, text, data):
    regex = re.compile(pattern)
    pos = data.draw(st.integers(0, len(text)))
    endpos = data.draw(st.integers(pos, len(text)))
    assert (regex.search(text, pos, endpos) is None) == (regex.search(text[pos:endpos]) is None)


def test_the_slice_check_is_needed_for_patterns_that_look_before():
    """The control for the property above: a lookbehind sees past ``pos`` in place, not in a slice."""
    regex = re.compile(r"(?<!不)赚")
    assert regex.search("不赚", 1, 2) is None and regex.search("不赚"[1:2]) is not None


# The parse tree comes from CPython's private re._parser. If that changes, the pre-filter turns itself
# off for what it cannot analyse, with one warning: slower, never a crash, never different findings.

_NORMAL = {name: _findings(text, PACK) for name, text in _SAMPLE_TEXTS.items()}


@pytest.fixture
def fresh_fallback(monkeypatch):
    """A process that has not warned yet, and no parse results cached from before (or left for after)."""
    monkeypatch.setattr(anchors, "_fallen_back", False)
    monkeypatch.setenv("FINFLAG_NO_RULE_CACHE", "1")  # nor analyses kept between runs (rules/analysis_cache.py)
    searches_in_place.cache_clear()
    anchors._top_candidates.cache_clear()
    yield monkeypatch
    searches_in_place.cache_clear()
    anchors._top_candidates.cache_clear()


def _samples_with_fresh_pack() -> tuple[RulePack, dict[str, list[dict]], list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pack = load_packs()
        found = {name: _findings(text, pack) for name, text in _SAMPLE_TEXTS.items()}
    return pack, found, [w for w in caught if issubclass(w.category, RuntimeWarning)]


def test_a_parser_that_raises_turns_the_prefilter_off_with_one_warning(fresh_fallback):
    def broken(regex):
        raise AttributeError("module 're._parser' has no attribute 'parse'")

    fresh_fallback.setattr(anchors, "_parse", broken)
    pack, found, warned = _samples_with_fresh_pack()
    assert len(warned) == 1
    message = str(warned[0].message)
    assert "pre-filter is off" in message and "scanned in full" in message
    assert "AttributeError: module 're._parser' has no attribute 'parse'" in message
    # Only keyword tables without letters keep their anchors: those are their own matches, no parser involved.
    assert all(p.anchors is None for _, p in pack.patterns if not p.literal)
    assert not any(in_place for plan in pack.plans for *_, in_place in plan.requires + plan.unless)
    assert found == _NORMAL
    assert sum(map(len, found.values())) >= 80


def test_an_unexpected_opcode_turns_the_prefilter_off_for_those_patterns_only(fresh_fallback):
    fresh_fallback.setattr(anchors, "_KNOWN_OPS", anchors._KNOWN_OPS - {anchors.C.BRANCH})
    pack, found, warned = _samples_with_fresh_pack()
    assert len(warned) == 1 and "unexpected opcode BRANCH" in str(warned[0].message)
    regexes = [p for _, p in pack.patterns if not p.literal]
    assert any(p.anchors is None for p in regexes) and any(p.anchors is not None for p in regexes)
    assert all(p.anchors is None for p in regexes if "|" in p.regex.pattern)
    assert found == _NORMAL


def test_without_re_parser_every_pattern_is_scanned_in_full_with_one_warning():
    """A Python whose re has no _parser: the import fails, finflag still gives the same findings."""
    script = f"""
import json, re, sys, warnings
del re._parser
sys.modules["re._parser"] = None
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from finflag.document import Document
    from finflag.input.ingest import Source, load_document
    from finflag.rules import anchors
    from finflag.rules.findings import find
    from finflag.rules.pack import load_packs
    pack = load_packs()
    found = {{}}
    for path in {sorted(str(p) for p in SAMPLES.glob("*.txt"))!r}:
        text = load_document(Source(path)).text
        found[path.rsplit("/", 1)[1]] = [f.to_dict() for f in find(Document("<t>", text), pack)]
print(json.dumps({{"parser": anchors._parser is None, "warnings": [str(w.message) for w in caught],
                  "unanchored": len(pack.unanchored_keys), "found": found}}))
"""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), FINFLAG_NO_RULE_CACHE="1")  # analyse afresh
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    result = json.loads(out.stdout)
    assert result["parser"] is True
    assert len(result["warnings"]) == 1 and "re._parser cannot be used (ModuleNotFoundError" in result["warnings"][0]
    assert result["unanchored"] == sum(not p.literal for _, p in PACK.patterns)
    assert result["found"] == _NORMAL


def test_a_lookahead_inside_an_atomic_group_widens_the_window():
    """(?>...) holds a lookahead the reach must allow for, like any other group."""
    assert pattern_anchors(re.compile(r"十倍(?>股(?=就在眼前))"))[1] == (0, 1 + 4 + 2)
    assert not searches_in_place(re.compile(r"(?>(?<!不)赚)"))
