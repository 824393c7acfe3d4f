"""Normalisation must never lose the way back to the original text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finflag.document import Document
from finflag.rules.findings import find
from finflag.normalize import FOLD, fold, normalize

# Text that mixes the characters normalisation touches with Chinese and digits.
_ODD = "\u00a0\u3000\u2002\u200b\u200c\ufeff\u00ad\r\n\t"
_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F, 3))
_ZH = "稳赚不赔浮盈超会员加群我们的目标价元美元主力资金必涨。，！？；：“”"
odd_text = st.text(alphabet=st.sampled_from(list(_ODD + _FULL + _ZH + "abc0123456789%.: ") + ["*"] * 4), max_size=200)


def test_full_width_and_odd_spaces_fold_one_to_one():
    norm = normalize("浮盈超３７％！\u00a0ＶＩＰ会员")
    assert norm.text == "浮盈超37%! VIP会员"
    assert norm.deleted_before == []


@given(st.text(alphabet=st.sampled_from(sorted(FOLD) + list(_ZH + "abc 1\n")), max_size=300) | st.text(max_size=100))
@settings(max_examples=400)
def test_fold_replaces_each_character_as_a_translate_table_would(text):
    assert fold(text) == text.translate(str.maketrans(FOLD))


@pytest.mark.parametrize(
    ("original", "normalised", "spans"),
    [
        # Zero-width characters and the \r of CRLF.
        ("稳\u200b赚\r\n不赔", "稳赚\n不赔", {(0, 2): "稳\u200b赚", (3, 5): "不赔"}),
        # Markdown bold touching Chinese text, two characters at a time; a masked number keeps its stars.
        ("**邀请码**：E1NC，客服电话138****5678", "邀请码:E1NC,客服电话138****5678", {(0, 8): "邀请码**：E1NC"}),
    ],
    ids=["zero-width-and-crlf", "markdown-bold"],
)
def test_dropped_characters_are_mapped_back(original, normalised, spans):
    norm = normalize(original)
    assert norm.text == normalised
    for (start, end), quote in spans.items():
        o_start, o_end = norm.span_to_original(start, end)
        assert original[o_start:o_end] == quote


def test_a_bold_invitation_code_is_flagged_and_quoted_as_written():
    text = "开户奖励：\n**邀请码**：E1NC\n"
    quotes = [f.quote for f in find(Document(path="<md>", text=text), _PACK) if f.category == "platform_funnel"]
    assert "邀请码**：E1NC" in quotes


@given(odd_text)
@settings(max_examples=300)
def test_every_normalised_char_maps_to_an_original_char_that_folds_to_it(text):
    norm = normalize(text)
    for i, ch in enumerate(norm.text):
        orig = norm.to_original(i)
        assert normalize(text[orig]).text in (ch, "")  or text[orig] == "\r"


@given(odd_text, st.data())
@settings(max_examples=300)
def test_spans_map_back_monotonically_and_inside_the_text(text, data):
    norm = normalize(text)
    if not norm.text:
        return
    start = data.draw(st.integers(0, len(norm.text) - 1))
    end = data.draw(st.integers(start + 1, len(norm.text)))
    o_start, o_end = norm.span_to_original(start, end)
    assert 0 <= o_start < o_end <= len(text)
    assert normalize(text[o_start:o_end]).text == norm.text[start:end]


@given(st.lists(st.sampled_from(["稳赚不赔", "浮盈超３７％", "加入ＶＩＰ", "\u200b", "\u00a0", "\r\n", "主力资金", "我们", "会员", "，", "扫码加群", "必涨"]), max_size=30))
@settings(max_examples=200, deadline=None)
def test_findings_quote_the_original_text_exactly(pieces):
    text = "".join(pieces)
    doc = Document(path="<h>", text=text)
    for f in find(doc, _PACK):
        assert text[f.start : f.end] == f.quote
        assert f.quote.strip()


from finflag.rules.pack import load_packs  # noqa: E402

_PACK = load_packs()


def test_traditional_is_matched_as_simplified_but_quoted_as_written():
    text = "穩賺不賠！我們的會員本週浮盈超過37%，名額有限，馬上掃碼加群。"
    doc = Document(path="<tw>", text=text)
    assert doc.normalized.text.startswith("稳赚不赔!")
    found = {f.category: f.quote for f in find(doc, _PACK)}
    assert found["guaranteed_return"] == "穩賺不賠"
    assert found["unverified_pnl"] == "浮盈超過37%"
    assert found["contact_funnel"] == "掃碼加群"
