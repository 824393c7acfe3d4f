"""The checks run on model output: each must fail on the mistake it targets."""

from __future__ import annotations

from finflag.checks import check_cjk, check_degenerate, check_names, check_numbers
from finflag.numbers import source_values


def test_numbers():
    values = source_values("英伟达收跌6.7%，市值不足3万亿美元。")
    assert check_numbers("Nvidia fell 6.7% to under US$3 trillion.", values).passed
    failed = check_numbers("Nvidia fell 7.6% to under US$30 trillion.", values)
    assert not failed.passed and [i["text"] for i in failed.items] == ["7.6", "30 trillion"]


def test_cjk_leak():
    assert check_cjk("Three AI stocks were listed.").passed
    failed = check_cjk("Three AI算力股 were listed.")
    assert not failed.passed and failed.items[0]["text"] == "算力股"


def test_names_catch_invented_names_but_not_sentence_starts_or_glossary_names():
    allowed = {"Macquarie", "Nvidia", "Goldman Sachs", "Affirm"}
    assert check_names("Shares of Nvidia rose. Goldman Sachs raised Affirm's target.", allowed).passed
    failed = check_names("Analysts at McKinsey raised the target. The Wall Street Journal reported it.", allowed)
    assert [i["text"] for i in failed.items] == ["McKinsey", "Wall Street Journal"]


def test_degenerate():
    assert check_degenerate("Stocks rose on Monday.", "stop").passed
    assert not check_degenerate("", "stop").passed
    assert "cut off" in check_degenerate("Stocks rose and", "length").message
    loop = "The stock will rise next week and members will profit. " * 4
    assert "repeats" in check_degenerate(loop, "stop").message
