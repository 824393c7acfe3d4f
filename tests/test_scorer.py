"""The learned scorer: a second rule source, its weight file, its trainer and its switch.

Texts here are written for these tests (no third-party text); the last tests
read the real development set in ../shared and skip without it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from finflag.cli.main import main
from finflag.pipeline import FlagOptions, flag_document
from finflag.rules.findings import Finding
from finflag.rules.scorer import MODEL_FILE, MODEL_NAME, default_scorer, load_scorer
from finflag.rules.sources import DEFAULT_SOURCES, SOURCES, enabled, fingerprint, run_sources
from finflag.scorer_training import main as train_main

from .conftest import SHARED, make_doc

#: scorer-v2 scores one category, paid_upsell, learnt from SMS pitches for bank wealth-management products.
PITCH = "我行今日发行九十天理财产品，预期收益率4.5%，5万起购。"
NEWS = "沪指收跌0.5%，成交额8000亿元。"
#: A pitch sentence the default pack (1.11.0) does not catch but the scorer does: where the scorer adds findings.
SCORER_ONLY = "182天4.8%，91天4.5%，35天4.1%。"  # a rate table, the product named before it
POST = f"今天大盘缩量震荡。{PITCH}\n{SCORER_ONLY}\n{NEWS}\n"
CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
REAL = SHARED / "corpus" / "real"


def scorer_findings(text: str, pack) -> list[Finding]:
    return default_scorer().find(make_doc(text), pack)


def test_flags_a_product_pitch_sentence_with_the_sentence_as_its_span(pack):
    doc = make_doc(POST)
    found = default_scorer().find(doc, pack)
    assert {f.quote for f in found} == {PITCH, SCORER_ONLY}  # the two pitch sentences, not the news
    finding = next(f for f in found if f.quote == PITCH)
    sentence = next(s for s in doc.sentences if POST[s.start : s.end] == PITCH)
    assert (finding.start, finding.end) == (sentence.start, sentence.end)
    assert POST[finding.start : finding.end] == finding.quote == PITCH
    assert finding.rule_id == "scorer.paid_upsell" == f"scorer.{finding.category}"
    assert finding.rule_ids == [finding.rule_id]
    assert finding.severity == "warning" and finding.category in pack.categories
    assert re.fullmatch(r"Sentence scored as Paid upsell by the learned scorer \(0\.\d\d\)", finding.message)
    assert "Strongest cues: " in finding.explanation and "learned scorer" in finding.gloss
    cues = finding.explanation.split("Strongest cues: ")[1].rstrip(".").split(", ")
    assert cues and all(cue in PITCH or cue.startswith("a ") for cue in cues)
    assert (finding.line, finding.column) == (1, 10) and finding.context == PITCH


@pytest.mark.parametrize("text", [
    NEWS,
    "周五沪指收涨0.8%，成交额9800亿元，较前一日放量1200亿元。",
    "该公司一季度营业收入同比增长12.5%，净利润3.2亿元。",
    "中信证券维持买入评级，目标价42元。",
    "今天又被套了，唉，这票什么时候才能回本啊。",
    "明天必有涨停，大家尾盘赶紧上车！",  # a forum pump: the pack's to find; scorer-v2 has no hype model
])
def test_leaves_news_and_ordinary_talk_alone(pack, text):
    assert scorer_findings(text, pack) == []


def test_traditional_full_width_and_deleted_characters_map_back_to_the_original(pack):
    pitch = "本行今日發行九十天理財產品，預期收益率４.５％，５萬起購。"
    text = "公告：\u200b今日收盤。\r\n" + pitch + "\r\n"
    [finding] = scorer_findings(text, pack)
    assert text[finding.start : finding.end] == finding.quote == pitch
    cues = finding.explanation.split("Strongest cues: ")[1].rstrip(".").split(", ")
    assert any(cue in pitch and cue not in PITCH for cue in cues)  # quoted in the characters the author wrote


def test_same_findings_in_fresh_processes_whatever_the_hash_seed():
    code = ("import json, sys\nfrom finflag.document import Document\nfrom finflag.rules.pack import load_packs\n"
            "from finflag.rules.scorer import find\n"
            "print(json.dumps([f.to_dict() for f in find(Document('p', sys.stdin.read()), load_packs())]))\n")
    outputs = set()
    for seed in ("0", "1", "12345"):
        done = subprocess.run([sys.executable, "-c", code], input=POST * 3, capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, timeout=60)
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1 and json.loads(outputs.pop())


def test_the_weight_file_stores_hashes_and_its_provenance_never_text():
    text = (resources.files("finflag") / "data" / MODEL_FILE).read_text(encoding="utf-8")
    assert CJK.search(text) is None and text.isascii()
    assert len(text.encode()) < 2 * 2**20
    model = json.loads(text)
    assert model["name"] == MODEL_NAME and model["hash_size"] & (model["hash_size"] - 1) == 0
    training = model["training"]
    assert training["command"].startswith("python -m finflag.scorer_training ")
    assert re.fullmatch(r"[0-9a-f]{12}", training["labels_sha256"])
    assert set(model["thresholds"]) == set(model["categories"]) == set(model["weights"])
    assert {"split", "without-guba", "without-sms"} <= set(model["heldout"])
    assert set(model["heldout"]["split"]) == {"pack", "scorer", "both", "added"}
    assert set(model["heldout"]["split"]["pack"]["sources"]) == {"guba", "sms", "thucnews"}
    assert model["heldout"]["split"]["added"]["sources"]["thucnews"]["other_posts_flagged"] == [0, 30]
    flagged, others, _ = model["checks"]["samples_other_posts_flagged"]
    assert flagged == 0 and others >= 15  # no finding on the clean, news and warning samples
    for table in model["weights"].values():
        assert table["buckets"] == sorted(table["buckets"]) and len(table["buckets"]) == len(table["values"])
        assert all(0 <= b < model["hash_size"] for b in table["buckets"])


def fake_source(*spans: tuple[str, int, int]):
    def source(doc, pack):
        return [Finding(f"fake.{c}", c, "warning", s, e, doc.text[s:e], "", "", "", "") for c, s, e in spans]
    return source


def test_merging_drops_a_later_finding_that_an_earlier_source_covers_in_its_category(pack):
    doc = make_doc("0123456789abcdefghij")
    first = fake_source(("hype", 2, 4), ("urgency", 12, 14))
    second = fake_source(("hype", 0, 6), ("urgency", 0, 6), ("hype", 8, 10), ("urgency", 10, 20))
    merged = run_sources(doc, pack, [first, second])
    assert [(f.category, f.start, f.end, f.rule_id) for f in merged] == [
        ("urgency", 0, 6, "fake.urgency"), ("hype", 2, 4, "fake.hype"), ("hype", 8, 10, "fake.hype"),
        ("urgency", 12, 14, "fake.urgency")]


def test_merging_leaves_the_first_sources_list_as_it_was(pack):
    # the trainer caches the pack's findings per post and merges them again for "pack + scorer"
    doc = make_doc("0123456789abcdefghij")
    kept = fake_source(("hype", 2, 4))(doc, pack)
    merged = run_sources(doc, pack, [lambda d, p: kept, fake_source(("urgency", 10, 20))])
    assert [f.category for f in kept] == ["hype"] and [f.category for f in merged] == ["hype", "urgency"]


def test_sources_are_a_table_and_the_default_was_measured(pack):
    assert set(SOURCES) == {"pack", "scorer"}
    assert DEFAULT_SOURCES == ("pack",) == enabled(None) == enabled(False)
    assert enabled(True) == ("pack", "scorer")
    assert fingerprint(pack, ("pack",)) == pack.fingerprint
    assert fingerprint(pack, ("pack", "scorer")) == f"{pack.fingerprint}+{MODEL_NAME}"
    with pytest.raises(ValueError, match="unknown rule source"):
        FlagOptions(sources=("pack", "oracle"))


def test_pack_findings_are_unchanged_with_the_scorer_off(pack):
    doc = make_doc(POST + "跟着我们操作，稳赚不赔！\n")
    off = flag_document(doc, pack)
    on = flag_document(doc, pack, FlagOptions(sources=("pack", "scorer")))
    assert all(not f.rule_id.startswith("scorer.") for f in off.findings) and off.rules == pack.fingerprint
    assert [f for f in on.findings if not f.rule_id.startswith("scorer.")] == off.findings
    assert any(f.rule_id.startswith("scorer.") for f in on.findings)


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_the_switch_works_from_the_command_line(tmp_path):
    ids = {}
    for switch in ("--scorer", "--no-scorer", None):
        result = run("flag", "-", "--format", "json", *([switch] if switch else []), input=POST)
        assert result.exit_code == 0
        data = json.loads(result.output)
        ids[switch] = ([f["rule_id"] for f in data["findings"]], data["rules"])
    assert any(rule.startswith("scorer.") for rule in ids["--scorer"][0]) and ids["--scorer"][1].endswith(MODEL_NAME)
    assert ids["--no-scorer"] == ids[None] and not any(r.startswith("scorer.") for r in ids[None][0])
    labels = tmp_path / "labels.yaml"
    (tmp_path / "pitch.txt").write_text(SCORER_ONLY + "\n", encoding="utf-8")
    labels.write_text("version: 1\ndocuments:\n  - path: pitch.txt\n    expected:\n"
                      "      - {category: paid_upsell, quote: 182天4.8%}\n", encoding="utf-8")
    assert "paid_upsell             1      0" in run("eval", str(labels)).output
    assert "paid_upsell             1      1    1" in run("eval", str(labels), "--scorer").output
    assert "--scorer / --no-scorer" in run("analyze", "--help").output


def test_the_scorer_at_run_time_needs_no_numpy():
    code = ("import sys\nfrom finflag.cli import main\n"
            "try:\n    main(['flag', '-', '--scorer'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print('numpy' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], input=POST, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "scorer." in done.stdout and done.stdout.strip().splitlines()[-1] == "False"


TINY_POSTS = {
    "pump-1.txt": ("明天必有涨停，赶紧上车！", "明天必有涨停"),
    "pump-2.txt": ("下周必然暴涨，大家赶紧上车。", "下周必然暴涨"),
    "pump-3.txt": ("这票明天涨停，尾盘上车吧！", "明天涨停"),
    "pump-4.txt": ("后天必有大阳线，马上上车。", "后天必有大阳线"),
    "pump-5.txt": ("主升浪马上开始，明天涨停！", "主升浪马上开始"),
    "pump-6.txt": ("必有涨停，下周翻倍！", "下周翻倍"),
    "news-1.txt": ("沪指收跌0.5%，成交额8000亿元。", None),
    "news-2.txt": ("该公司净利润同比增长12%。", None),
    "news-3.txt": ("央行今日开展逆回购操作。", None),
    "news-4.txt": ("创业板指收涨1.2%，两市成交放量。", None),
    "news-5.txt": ("公司发布年报，营收稳步增长。", None),
    "news-6.txt": ("券商板块午后走弱，银行股护盘。", None),
}


def tiny_label_set(folder):
    lines = ["version: 1", "documents:"]
    for name, (text, quote) in TINY_POSTS.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
        lines.append(f"  - path: {name}")
        if quote:
            lines.append(f"    expected: [{{category: hype, quote: {quote}}}]")
    (folder / "labels.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "labels.yaml"


def test_the_trainer_gives_the_same_bytes_for_the_same_labels(tmp_path):
    labels = tiny_label_set(tmp_path)
    outputs = []
    for name in ("a.json", "b.json"):
        args = [str(labels), "--out", str(tmp_path / name), "--min-positives", "1", "--precision", "0.5", "-q"]
        assert train_main(args) == 0
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0].replace(b"a.json", b"b.json") == outputs[1]
    text = outputs[0].decode("ascii")
    assert CJK.search(text) is None
    model = json.loads(text)
    assert model["categories"] == ["hype"] and model["training"]["posts"] == len(TINY_POSTS)
    scorer = load_scorer(text)
    assert scorer.categories == ["hype"] and scorer.thresholds[0] is not None


def test_holdout_on_label_files_and_the_split_trains_on_files_outside_the_development_set(tmp_path):
    from finflag.labels import load_label_set
    from finflag.scorer_training import holdout_sets, label_file

    docs = []
    for name in ("batch6.yaml", "batch7.yaml", "batch22.yaml"):
        folder = tmp_path / name.removesuffix(".yaml")
        folder.mkdir()
        labels = tiny_label_set(folder).rename(folder / name)
        docs += load_label_set(labels)[0]
    assert [label_file(d) for d in docs[:: len(TINY_POSTS)]] == ["batch6.yaml", "batch7.yaml", "batch22.yaml"]
    [(name, train_docs, test_docs)] = holdout_sets(docs, ["files:batch22.yaml,batch9.yaml"])
    assert name == "without-batch22.yaml" and {label_file(d) for d in test_docs} == {"batch22.yaml"}
    assert len(train_docs) == 2 * len(TINY_POSTS) and len(test_docs) == len(TINY_POSTS)
    each = holdout_sets(docs, ["each-file:batch?.yaml"])
    assert [(n, len(a), len(b)) for n, a, b in each] == [
        ("without-batch6.yaml", 2 * len(TINY_POSTS), len(TINY_POSTS)),
        ("without-batch7.yaml", 2 * len(TINY_POSTS), len(TINY_POSTS))]
    [(_, train_docs, test_docs)] = holdout_sets(docs, ["split"])  # no development-set post: all trained on
    assert len(train_docs) == len(docs) and test_docs == []
    with pytest.raises(ValueError, match="no label file"):
        holdout_sets(docs, ["files:batch99.yaml"])
    with pytest.raises(SystemExit):
        train_main([str(tmp_path / "batch6" / "batch6.yaml"), "--out", str(tmp_path / "x.json"), "--holdout", "files:"])


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus/real is not beside the repository")
def test_on_real_posts_every_finding_is_a_whole_sentence_of_the_original(pack):
    from finflag.labels import load_label_set
    from finflag.scorer_training import SPLIT, holdout_sets

    docs, _ = load_label_set(Path(__file__).parent / "real" / "labels.yaml")
    assert set(SPLIT) <= {d.source for d in docs}
    [(name, train_docs, test_docs)] = holdout_sets(docs, ["split"])  # the rule authors' split
    assert {(d.source, d.doc.path) for d in train_docs}.isdisjoint({(d.source, d.doc.path) for d in test_docs})
    assert len(test_docs) == (5781 - 4400) + (346 - 260) + (60 - 30)
    assert all(d.source != "topcj" for d in train_docs + test_docs)
    flagged = 0
    for labelled in docs:
        doc = labelled.doc
        sentences = {(s.start, s.end) for s in doc.sentences}
        for f in default_scorer().find(doc, pack):
            flagged += 1
            assert doc.text[f.start : f.end] == f.quote and (f.start, f.end) in sentences
        if labelled.source == "thucnews":
            assert default_scorer().find(doc, pack) == [], doc.text
    assert flagged

