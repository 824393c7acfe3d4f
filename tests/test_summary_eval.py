"""``finflag eval-summaries``: labels read, figures recomputed from the summary's links and text."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from finflag.cli.main import main
from finflag.pipeline import flag_document
from finflag.summary.glossary import Glossary
from finflag.summary_eval import LabelError, load_labels, score, totals

from .conftest import SAMPLES

DEMO = SAMPLES / "mixed-news-with-footer.txt"
LABELS = f"""
documents:
  - id: demo-mixed-news
    path: {DEMO}
    facts:
      - quote: 微软跌0.5%，市值3.33万亿美元
        entity: Microsoft
        aliases: [MSFT]
        number: "3.33 trillion"
        what: Microsoft market cap US$3.33 trillion
      - quote: 物流公司RXO涨23%
        entity: RXO
        number: "23%"
        what: RXO up 23%
    must_not_appear: [Vanguard]
  - id: earnings
    path: {SAMPLES / "news-earnings.txt"}
    facts: []
  - id: absent-shared-post
    root: ../no-such-folder/corpus
    file: guba/posts.txt
    line: 3
    facts: []
"""


@pytest.fixture
def labels(tmp_path):
    path = tmp_path / "labels.yaml"
    path.write_text(LABELS, encoding="utf-8")
    return path


def test_scores_come_from_links_and_text_not_from_the_summarizer(labels, pack):
    demo = load_labels(labels)[0]
    text = demo.doc.text
    ms = text.index("微软跌0.5%")
    ms_end = text.index("。", ms) + 1
    rxo = text.index("物流公司RXO")
    member = text.index("我们的会员")
    summary = {
        "sentences": [
            {"text": "Microsoft fell 0.5%, its market value of US$3.33 trillion still the largest.",
             "sources": [[ms, ms_end]], "checks": {"unsupported_number": "pass"}},
            # RXO's number given to the sentence about Microsoft's source: an attribution error.
            {"text": "Vanguard said RXO rose 23%.", "sources": [[ms, ms_end]], "checks": {"unsupported_number": "pass"}},
            {"text": "Members gained 45% last week.", "sources": [[member, member + 14]],
             "checks": {"unsupported_number": "pass"}},
        ],
        "claims": [],
        "timings": {"total_s": 1.5},
    }
    findings = flag_document(demo.doc, pack).findings
    figures = score(demo, summary, findings, Glossary.load())
    assert figures.shown == 3 and figures.linked == 3 and figures.passing == 3
    assert figures.attribution_errors == ["23 in “Vanguard said RXO rose 23%.”"]
    summary["sentences"][0]["text"] = "Microsoft fell 0.5%, its market value of RMB 3.33 trillion still the largest."
    figures = score(demo, summary, findings, Glossary.load())
    assert figures.attribution_errors[0] == ("RMB 3.33 trillion (currency) in “Microsoft fell 0.5%, its market value "
                                             "of RMB 3.33 trillion still the largest.”")
    assert figures.invented_names.count("Vanguard") == 2  # unsupported by its source, and labelled must-not-appear
    assert (figures.covered, figures.facts) == (1, 2)  # RXO's sentence links to the wrong source
    assert figures.claims_as_fact and "45%" in figures.claims_as_fact[0]
    assert rxo > 0


def test_bad_labels_are_one_clear_error(tmp_path):
    bad = tmp_path / "labels.yaml"
    bad.write_text(f"documents:\n  - id: x\n    path: {DEMO}\n    facts:\n      - quote: 不在文中\n        entity: X\n",
                   encoding="utf-8")
    with pytest.raises(LabelError, match="not in the post"):
        load_labels(bad)
    result = CliRunner().invoke(main, ["eval-summaries", str(bad)])
    assert result.exit_code == 2 and "finflag: error:" in result.output


def test_eval_summaries_runs_end_to_end_on_the_tiny_model(labels, smollm2_gguf, model_cache):
    result = CliRunner().invoke(main, ["eval-summaries", str(labels), "--model", smollm2_gguf, "--max-words", "60",
                                       "--quiet"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "absent-shared-post" in out and "skipped" in out
    for label in ("sentences linked to a source: 100.0%", "sentences passing their checks: 100.0%",
                  "attribution errors", "invented names", "coverage of labelled facts", "claims stated as fact",
                  "seconds per post"):
        assert label in out


def test_totals_of_nothing_are_not_a_division_by_zero():
    assert totals([])["linked_pct"] == 100.0


def test_a_root_and_file_without_a_line_is_the_whole_file_and_its_sha_is_checked(tmp_path):
    import hashlib

    text = DEMO.read_text(encoding="utf-8")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    labels = tmp_path / "labels.yaml"
    labels.write_text(f"documents:\n  - id: whole\n    root: {SAMPLES}\n    file: {DEMO.name}\n    sha: {sha}\n"
                      f"    facts: []\n", encoding="utf-8")
    [whole] = load_labels(labels)
    assert whole.doc.text == text
    labels.write_text(labels.read_text(encoding="utf-8").replace(sha, "ab" * 32), encoding="utf-8")
    with pytest.raises(LabelError, match="sha256 differs"):
        load_labels(labels)
