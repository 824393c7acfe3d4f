"""The OpenCC short-cut: a text skips the converter only when the converter would return it unchanged."""

from __future__ import annotations

import warnings

from hypothesis import given, settings
from hypothesis import strategies as st

from finflag.normalize import _t2s, conversion_digest, convert_by_line, convert_same_length, normalize, read_triggers, to_simplified

from .opencc_triggers import dictionary_entries, t2s_config, trigger_chars

CONVERTER, TRIGGERS = _t2s()
_SHIPPED_DIGEST, _SHIPPED_CHARS = read_triggers()


def test_the_shipped_triggers_are_derived_from_the_installed_dictionaries():
    config = t2s_config()
    derived = trigger_chars(dictionary_entries(config))
    if _SHIPPED_DIGEST == conversion_digest(config):
        assert set(_SHIPPED_CHARS) == derived
        assert TRIGGERS is not None
    else:  # OpenCC's dictionaries changed: no short-cut until `python -m tests.opencc_triggers` rewrites the file
        warnings.warn("src/finflag/data/t2s-triggers.txt is stale; every text goes through OpenCC")
        assert TRIGGERS is None
        assert to_simplified("穩賺") == "稳赚"


def test_phrases_that_change_only_as_a_whole_still_trigger():
    """回覆 -> 回复 and 深沈 -> 深沉 although 覆 and 沈 alone stay: the reason the set is more than single characters."""
    assert CONVERTER.convert("覆") == "覆" and CONVERTER.convert("回覆") == "回复"
    assert normalize("请在后台回覆关键词").text == "请在后台回复关键词"
    assert normalize("市场深沈").text == "市场深沉"
    assert normalize("衹得止损").text == "只得止损"


def test_simplified_posts_skip_the_converter():
    assert TRIGGERS is not None
    assert TRIGGERS.search("今天大盘高开低走，我们的会员浮盈超37%，名额有限，马上扫码加群。") is None
    assert TRIGGERS.search("穩賺") is not None


# Simplified text, traditional characters, the phrase-only characters and phrases, astral characters.
_PIECES = ["稳赚不赔", "会员", "浮盈超37%", "穩賺不賠", "會員", "掃碼加群", "回覆", "深沈", "衹得", "瞭解", "藉口", "坏", "哩",
           "甦醒", "沈", "覆", "得", "了", "𠀀", "𩙮", "䬘", "豈", "\n", "，", "A", "1"]


@given(st.lists(st.sampled_from(_PIECES), max_size=8))
@settings(max_examples=500, deadline=None)
def test_the_short_cut_never_changes_the_result(pieces):
    text = "".join(pieces)
    assert to_simplified(text) == convert_same_length(CONVERTER, text)


def _line_by_line(text: str) -> str:
    """The conversion as it was done before the whole-text short cut: every line on its own."""
    return convert_by_line(CONVERTER, text)


@given(st.lists(st.sampled_from(_PIECES + ["\n", "\n\n", "乾隆", "後來", "頭髮", "著"]), max_size=12))
@settings(max_examples=500, deadline=None)
def test_converting_the_whole_text_gives_what_converting_each_line_gives(pieces):
    text = "".join(pieces)
    assert convert_same_length(CONVERTER, text) == _line_by_line(text)


def test_traditional_samples_convert_as_line_by_line():
    from .conftest import SAMPLES
    from finflag.input.ingest import Source, load_document

    texts = [load_document(Source(str(path))).text for path in sorted(SAMPLES.glob("*.txt"))]
    converted = [text for text in texts if CONVERTER.convert(text) != text]
    assert len(converted) >= 3  # the Big5 / Taiwan / Hong Kong samples
    for text in converted:
        assert convert_same_length(CONVERTER, text) == _line_by_line(text)
