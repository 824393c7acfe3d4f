"""Each pattern's finder must give exactly the non-empty matches of ``regex.finditer`` over the text.

The finders (rules/matching.py) only decide where to try the regex: at the
starts that hold a first character of a match, within its reach ahead of an
anchor, or in windows around the anchors. The reference is finditer over the
whole normalised text; texts are every example of every default rule and the
bundled samples, so every pattern meets text it matches.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finflag.document import Document
from finflag.input.ingest import Source, load_document
from finflag.rules import matching
from finflag.rules.anchors import pattern_first_chars
from finflag.rules.pack import load_packs

from .conftest import SAMPLES

PACK = load_packs()


def _example_texts() -> list[str]:
    texts = []
    for rule in PACK.rules:
        for example in (*rule.examples_match, *rule.examples_no_match, *rule.todo_match):
            texts.append(example if isinstance(example, str) else example["text"])
    return texts


EXAMPLES = _example_texts()
SAMPLE_TEXTS = [load_document(Source(str(path))).text for path in sorted(SAMPLES.glob("*.txt"))]
TEXTS = [Document("<t>", text).normalized.text for text in EXAMPLES + SAMPLE_TEXTS]


def _reference(regex: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in regex.finditer(text) if m.end() > m.start()]


def _window_finders() -> dict[int, matching.Finder]:
    """Every anchored regex pattern with the window search, as if it had no first-character class."""
    finders = {}
    for key, (_, pattern) in enumerate(PACK.patterns):
        if pattern.anchors is not None and not pattern.literal:
            co = matching.co_key(key) if pattern.co_anchors is not None else None
            finders[key] = matching._window_finder(key, pattern.regex, pattern.reach, co, None, "")
    return finders


WINDOW_FINDERS = _window_finders()


def _spans(find: matching.Finder, text: str, anchored: dict[int, list[tuple[int, int]]]) -> list[tuple[int, int]]:
    return [(start, end) for start, end, _ in find(text, anchored)]


def _check_every_pattern(text: str) -> int:
    """Compare every finder with finditer on ``text``; return how many matches there were."""
    anchored = PACK.anchor_index.positions(text)
    total = 0
    for key, (_, pattern) in enumerate(PACK.patterns):
        expected = _reference(pattern.regex, text)
        total += len(expected)
        if pattern.anchors is not None and key not in anchored:
            assert expected == [], (key, pattern.regex.pattern, text)  # no anchor, no match
            continue
        assert _spans(PACK.plans[key].find, text, anchored) == expected, (key, pattern.regex.pattern, text)
        if key in WINDOW_FINDERS:
            assert _spans(WINDOW_FINDERS[key], text, anchored) == expected, (key, pattern.regex.pattern, text)
    return total


def test_every_finder_gives_finditers_matches_on_every_example_and_sample():
    assert sum(_check_every_pattern(text) for text in TEXTS) > 1000  # not vacuous: patterns really match


@given(st.lists(st.sampled_from(TEXTS[: len(EXAMPLES)] + ["，", "不", "1", "2026", "\n", " ", "%", "VIP"]),
                min_size=2, max_size=8))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_finders_agree_with_finditer_on_examples_run_together(pieces):
    """Matches that crowd, overlap and touch: a finder must still move on exactly as finditer does."""
    _check_every_pattern("".join(pieces))


def test_almost_every_default_pattern_tries_only_anchor_or_first_character_starts():
    kinds = [plan.find.__qualname__.split(".")[0] for plan in PACK.plans]
    assert kinds.count("_start_finder") + kinds.count("_anchor_start_finder") >= 140


def test_a_match_always_starts_with_a_character_of_the_first_character_class():
    """On real rule patterns: the class derived from the regex holds the first character of every match."""
    checked = 0
    for _, pattern in PACK.patterns:
        first = pattern_first_chars(pattern.regex)
        if first is None:
            continue
        for text in TEXTS:
            for start, end in _reference(pattern.regex, text):
                assert first.fullmatch(text[start]), (pattern.regex.pattern, text[start:end])
                checked += 1
    assert checked > 1000


@pytest.mark.parametrize(("pattern", "first"), [
    (r"(?:昨天|今天|最近)推荐", "昨今最"),
    (r"\d{1,3}元", r"\d"),
    (r"(?:收益|回报)?(?:年化)?利率", "收回年利"),  # optional parts: what follows may come first
    (r"(?<![\d.]1)[3-9]\d", "3-9"),  # a lookbehind takes no character
    (r"\b(?:VIP|会员)群", "V会"),
])
def test_first_character_classes(pattern, first):
    assert pattern_first_chars(re.compile(pattern)).pattern == f"[{first}]"


def test_a_case_insensitive_start_makes_the_class_case_insensitive():
    found = pattern_first_chars(re.compile(r"(?i:vip)会员"))
    assert found.flags & re.IGNORECASE and found.match("V") and found.match("v")


@pytest.mark.parametrize("pattern", [r".{0,3}稳赚", r"[^，]稳赚", r"\D稳赚", r"(?:稳)?", r"(?P<a>x)?(?P=a)倍"])
def test_no_class_when_a_match_can_start_with_anything_or_be_empty(pattern):
    assert pattern_first_chars(re.compile(pattern)) is None


def test_only_window_finders_get_their_co_anchors_positions():
    """The anchor index keeps a co-anchor's spans only for a window finder; every other finder
    only asks whether one occurs, so its co-anchors are presence keys (an empty tuple when found)."""
    text = Document("<t>", "会员专享：本周收益翻倍，私信老师领取明天的买入名单，盈利30%就卖出。").normalized.text
    anchored = PACK.anchor_index.positions(text)
    kinds = {"positions": 0, "presence": 0}
    for key, (_, pattern) in enumerate(PACK.patterns):
        if pattern.anchors is None or pattern.co_anchors is None:
            continue
        is_window = PACK.plans[key].find.__qualname__.startswith("_window_finder")
        assert matching.windowed(pattern) == is_window, pattern.regex.pattern
        spans = anchored.get(matching.co_key(key))
        if spans is not None:
            assert bool(spans) == is_window, pattern.regex.pattern
            kinds["positions" if spans else "presence"] += 1
    assert kinds["presence"] > 0  # not vacuous: the text holds co-anchors of start finders
