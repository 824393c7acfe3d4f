"""Label sets for ``finflag eval``: the corpus form (root, include, line, sha, covers, kind)
on a small corpus written here, and the real development set when ../shared is present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from finflag.cli import main
from finflag.evaluate import evaluate
from finflag.labels import LabelError, load_label_set, source_of, text_sha
from finflag.rules.pack import load_packs

REPO = Path(__file__).resolve().parent.parent
REAL_LABELS = REPO / "tests" / "real" / "labels.yaml"
REAL_CORPUS = REPO.parent / "shared" / "corpus" / "real"

FORUM = [
    "明天必涨停，速度上车！",                      # 1 promo
    "今天大盘跌了1.2%，成交额缩量。",              # 2 clean (implicit)
    "",                                            # 3 blank: not a post
    "警惕“稳赚不赔”的荐股骗局，切勿加陌生人微信。",  # 4 warning quoting scam language
    "这只股票主力今天净流出3亿元。",                # 5 clean (implicit)
]


def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "forum").mkdir(parents=True)
    (root / "forum" / "posts.txt").write_text("\n".join(FORUM) + "\n", encoding="utf-8")
    (root / "sms-001.txt").write_text("保本理财，年化收益4.5%，详询xxxxxxx\n", encoding="utf-8")
    labels = tmp_path / "labels"
    (labels / "parts").mkdir(parents=True)
    (labels / "parts" / "forum.yaml").write_text(
        "covers: {path: forum/posts.txt, first: 1, last: 5}\n"
        "documents:\n"
        f"  - {{path: forum/posts.txt, line: 1, sha: '{text_sha(FORUM[0])}', kind: promo,\n"
        "     expected: [{category: guaranteed_return, quote: 必涨停}, {category: urgency, quote: 速度上车}]}\n"
        f"  - {{path: forum/posts.txt, line: 4, sha: '{text_sha(FORUM[3])}', kind: warning,\n"
        "     quoted: [{category: guaranteed_return, quote: 稳赚不赔}]}\n", encoding="utf-8")
    (labels / "parts" / "sms.yaml").write_text(
        "documents:\n"
        f"  - {{path: sms-001.txt, sha: '{text_sha('保本理财，年化收益4.5%，详询xxxxxxx')}', kind: promo,\n"
        "     expected: [{category: guaranteed_return, quote: 保本理财}]}\n", encoding="utf-8")
    index = labels / "labels.yaml"
    index.write_text("version: 1\nroot: ../corpus\ninclude: [parts/forum.yaml, parts/sms.yaml]\n", encoding="utf-8")
    return index


def test_corpus_form_expands_covers_checks_sha_and_names_sources(tmp_path):
    docs, errors = load_label_set(corpus(tmp_path))
    assert errors == []
    assert [(d.doc.path, d.kind, d.source) for d in docs] == [
        ("forum/posts.txt:1", "promo", "forum"), ("forum/posts.txt:4", "warning", "forum"),
        ("forum/posts.txt:2", "clean", "forum"), ("forum/posts.txt:5", "clean", "forum"),  # line 3 is blank
        ("sms-001.txt", "promo", "sms"),
    ]
    first = docs[0]
    assert [(label.category, first.doc.text[label.start:label.end]) for label in first.expected] == [
        ("guaranteed_return", "必涨停"), ("urgency", "速度上车")]
    assert [label.quote for label in docs[1].quoted] == ["稳赚不赔"] and not docs[1].expected


def test_a_changed_corpus_is_reported_not_scored(tmp_path):
    index = corpus(tmp_path)
    posts = tmp_path / "corpus" / "forum" / "posts.txt"
    posts.write_text(posts.read_text(encoding="utf-8").replace("速度上车", "马上上车"), encoding="utf-8")
    docs, errors = load_label_set(index)
    assert "forum/posts.txt:1" not in [d.doc.path for d in docs]
    assert errors == ["forum.yaml: forum/posts.txt:1: the text changed since it was labelled "
                      f"(sha {text_sha(FORUM[0])} no longer matches)"]


def test_a_quote_not_in_the_text_and_a_missing_corpus_are_label_errors(tmp_path):
    index = corpus(tmp_path)
    part = tmp_path / "labels" / "parts" / "sms.yaml"
    part.write_text(part.read_text(encoding="utf-8").replace("保本理财}", "稳赚理财}"), encoding="utf-8")
    with pytest.raises(LabelError, match="quote '稳赚理财' .* is not in the text"):
        load_label_set(index)
    index.write_text(index.read_text(encoding="utf-8").replace("../corpus", "../nowhere"), encoding="utf-8")
    with pytest.raises(LabelError, match="corpus folder .*nowhere does not exist"):
        load_label_set(index)


def test_eval_reports_per_source_and_post_level_figures(tmp_path):
    result = evaluate(corpus(tmp_path), load_packs())
    forum, sms = result.sources["forum"], result.sources["sms"]
    assert (forum.promo_posts, forum.other_posts, forum.warnings, sms.promo_posts) == (1, 3, 1, 1)
    assert forum.claims.labels == 2 and sms.claims.labels == 1
    assert forum.promo_posts_flagged == 1  # 必涨 is a guaranteed-return claim the default pack knows
    text = CliRunner().invoke(main, ["eval", str(tmp_path / "labels" / "labels.yaml"), "--misses", "1"]).output
    assert "By source" in text and "  forum " in text and "  sms " in text


def test_source_names():
    assert source_of("guba/posts.txt") == "guba"
    assert source_of("sms80w-001.txt") == "sms"
    assert source_of("thucnews-stock-001.txt") == "thucnews"
    assert source_of("topcj-yqs-001.txt") == "topcj"


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="../shared/corpus/real is not beside the repository")
def test_the_real_development_set_is_intact_and_large_enough():
    """Every label still points at its text (sha) and every quote is in it; the set has the size issue 10 asks."""
    docs, errors = load_label_set(REAL_LABELS)
    assert errors == []
    promo = [d for d in docs if d.promotional]
    hard_clean = [d for d in docs if not d.promotional and any(
        w in d.doc.text for w in ("涨停", "翻倍", "目标价", "主力", "会员"))]
    assert len(docs) >= 400 and len(promo) >= 400 and len(hard_clean) >= 200
    assert {d.source for d in docs} == {"guba", "sms", "thucnews", "topcj"}


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="../shared/corpus/real is not beside the repository")
def test_eval_on_the_real_development_set_runs_with_no_errors():
    result = CliRunner().invoke(main, ["eval", str(REAL_LABELS), "--format", "json"])
    assert result.exit_code == 0, result.output[-2000:]
    data = json.loads(result.stdout)
    assert data["errors"] == [] and data["documents"] >= 6000
    assert set(data["sources"]) == {"guba", "sms", "thucnews", "topcj"}
    assert data["sources"]["thucnews"]["other_posts_flagged"] == 0  # news headlines: keep it that way
