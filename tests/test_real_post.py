"""The real scraped post the team provided (../shared/reference).

Its link list of other articles ends in must-buy headlines, which must be
flagged; its body (market moves, analyst ratings and targets, executives'
share sales) must not be.
"""

from __future__ import annotations

import pytest

from finflag.input.ingest import Source, load_document
from finflag.pipeline import flag_document

from .conftest import SHARED

REAL = SHARED / "reference" / "real-post-market-wrap.txt"

pytestmark = pytest.mark.skipif(not REAL.exists(), reason="../shared/ (team data beside the repo) is not here")


def test_real_post_flags_only_the_promotional_headlines(pack):
    doc = load_document(Source(str(REAL)))
    findings = flag_document(doc, pack).findings
    body_end = doc.text.index("精彩深度文章")
    assert all(f.start > body_end for f in findings), [f.quote for f in findings if f.start <= body_end]
    flagged_lines = {doc.text[: f.start].count("\n") for f in findings}
    lines = doc.text.split("\n")
    must_buy = [n for n, line in enumerate(lines) if "必买" in line]
    assert len(must_buy) == 2 and set(must_buy) <= flagged_lines
    assert any(f.quote == "坚定看涨" for f in findings)
    assert {f.category for f in findings} == {"hype"}
