"""Leave one source out: recall on a source with and without the rules written from it."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from finflag.cli import main
from finflag.labels import load_label_set
from finflag.loso import format_loso, loso, pack_without
from finflag.rule_origins import render, sources_of_commit, step
from finflag.rules.pack import load_packs

_PACK = """\
name: tiny
version: "1"
categories:
  - {id: guaranteed_return, label: G, colour: "#ffffff", description: d}
  - {id: insider_claim, label: I, colour: "#ffffff", description: d}
  - {id: contact_funnel, label: C, colour: "#ffffff", description: d}
origins:
  tiny.secret: [beta]
rules:
  - id: tiny.sure
    category: guaranteed_return
    severity: error
    message: m
    explanation: e
    origin: [alpha, samples]
    patterns: [{regex: 稳赚不赔}]
    examples: {match: [稳赚不赔]}
  - id: tiny.secret
    category: insider_claim
    severity: warning
    message: m
    explanation: e
    patterns: [{regex: 内幕消息}]
    examples: {match: [内幕消息]}
  - id: tiny.wechat
    category: contact_funnel
    severity: warning
    message: m
    explanation: e
    patterns: [{regex: "加微信[a-z0-9]{3,12}"}]
    examples: {match: [加微信abc123]}
"""

_LABELS = """\
version: 1
root: .
documents:
  - path: alpha/p1.txt
    expected:
      - {category: guaranteed_return, quote: 稳赚不赔}
      - {category: insider_claim, quote: 内幕消息}
      - {category: contact_funnel, quote: 加微信abc123}
  - path: alpha/p2.txt
    kind: clean
  - path: beta/p1.txt
    expected:
      - {category: insider_claim, quote: 内幕消息}
      - {category: guaranteed_return, quote: 稳赚不赔}
  - path: gamma/p1.txt
    kind: clean
"""


def _setup(tmp_path):
    (tmp_path / "tiny.yaml").write_text(_PACK, encoding="utf-8")
    for name, text in {"alpha/p1.txt": "老师说稳赚不赔，还有内幕消息，快加微信abc123。",
                       "alpha/p2.txt": "今天大盘收涨0.5%，成交放量。",
                       "beta/p1.txt": "群里的内幕消息说这只票稳赚不赔。",
                       "gamma/p1.txt": "沪指收跌。"}.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "labels.yaml").write_text(_LABELS, encoding="utf-8")
    return load_packs([tmp_path / "tiny.yaml"], include_default=False), load_label_set(tmp_path / "labels.yaml")[0]


def test_origins_come_from_the_rule_or_the_packs_map(tmp_path):
    pack, _ = _setup(tmp_path)
    assert pack.fingerprint == "tiny@1"  # the map is no part of the pack's name
    assert re.fullmatch(r"finflag-default@\d+\.\d+\.\d+", load_packs().fingerprint)
    assert {r.id: r.origin for r in pack.rules} == {"tiny.sure": ("alpha", "samples"), "tiny.secret": ("beta",),
                                                     "tiny.wechat": ()}


def test_leaving_a_source_out_drops_its_rules_and_every_unrecorded_one(tmp_path):
    pack, _ = _setup(tmp_path)
    assert [r.id for r in pack_without(pack, "alpha").rules] == ["tiny.secret"]
    assert [r.id for r in pack_without(pack, "beta").rules] == ["tiny.sure"]
    assert [r.id for r in pack_without(pack, "gamma").rules] == ["tiny.sure", "tiny.secret"]
    assert len(pack.rules) == 3  # the pack itself is untouched


def test_loso_rows_per_source_with_claims(tmp_path):
    pack, docs = _setup(tmp_path)
    rows = {r.source: r for r in loso(docs, pack)}
    assert set(rows) == {"alpha", "beta"}  # gamma has no claims to recall
    alpha, beta = rows["alpha"], rows["beta"]
    assert (alpha.claims, alpha.in_source, alpha.left_out, alpha.rules_kept) == (3, 3, 1, 1)
    assert (beta.claims, beta.in_source, beta.left_out, beta.rules_kept) == (2, 2, 1, 1)
    assert abs(alpha.gap - (1 - 1 / 3)) < 1e-9 and abs(beta.gap - 0.5) < 1e-9
    table = format_loso(list(rows.values()), pack)
    assert "alpha" in table and "+0.67" in table and "+0.50" in table
    assert "1 rule(s) have no recorded origin" in table


def test_eval_loso_in_text_and_json(tmp_path):
    _setup(tmp_path)
    args = ["eval", str(tmp_path / "labels.yaml"), "--no-default-rules", "--rules", str(tmp_path / "tiny.yaml"),
            "--loso"]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert "Leave one source out" in text.output and "+0.67" in text.output
    data = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).output)
    assert [(r["source"], r["in_source"], r["left_out"]) for r in data["leave_one_source_out"]] == [
        ("alpha", 3, 1), ("beta", 2, 1)]


def test_a_rename_keeps_origins_and_a_change_adds_the_commits_sources():
    before = {"hype.a": "[p1]", "b": "[p2]"}
    origins = {"hype.a": ("samples",), "b": ("sms",)}
    after = {"hype.a": "[p1, p3]", "call.b": "[p2]", "hype.new": "[p4]"}
    assert step(origins, before, after, ("guba",)) == {
        "hype.a": ("samples", "guba"), "call.b": ("sms",), "hype.new": ("guba",)}
    # A rule missing after a commit keeps its origins (a branch's rule, out of sight until its merge).
    assert step(origins, before, {"hype.a": "[p1]"}, ()) == {"hype.a": ("samples",), "b": ("sms",)}
    # ... and keeps them, unchanged, when it comes back (the commit that brings it back did not write it).
    out_of_sight = step(origins, before, {"hype.a": "[p1]"}, ())
    assert step(out_of_sight, {"hype.a": "[p1]"}, {"hype.a": "[p1]", "b": "[p2, p5]"}, ("public",)) == {
        "hype.a": ("samples",), "b": ("sms",)}


def test_commits_are_classified_by_table_then_by_words():
    assert sources_of_commit("4f74b13" + "0" * 33, "anything") == ("guba",)
    assert sources_of_commit("f" * 40, "Tune on guba and SMS phrasing") == ("guba", "sms")
    assert sources_of_commit("f" * 40, "Rule speed: anchors") == ()
    assert sources_of_commit("f" * 40, "hype: more words") is None
    assert render({"b.x": ("sms",), "a.y": ()}).endswith("origins:\n  a.y: []\n  b.x: [sms]\n")


def test_every_default_rule_has_a_recorded_origin():
    missing = [r.id for r in load_packs().rules if not r.origin]
    assert not missing, f"run `python -m finflag.rule_origins --write` after changing rules: {missing}"


def test_loso_on_the_real_development_set():
    from .test_labels import REAL_CORPUS, REAL_LABELS

    if not REAL_CORPUS.is_dir():
        import pytest

        pytest.skip("../shared/corpus/real is not beside the repository")
    data = json.loads(CliRunner().invoke(main, ["eval", str(REAL_LABELS), "--format", "json", "--loso"]).stdout)
    rows = {r["source"]: r for r in data["leave_one_source_out"]}
    assert set(rows) == {"guba", "sms", "topcj"}  # thucnews has no claims to recall
    for row in rows.values():
        assert 0 <= row["left_out"] <= row["in_source"] <= row["claims"]
        assert row["in_source"] == data["sources"][row["source"]]["claims"]["tp"]  # the same figure as eval's
    assert data["sources"]["guba"]["warnings"] == 3 and data["sources"]["guba"]["warnings_verdict_none"] >= 2
