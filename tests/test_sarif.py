"""SARIF output against the SARIF 2.1.0 rules for the objects finflag emits.

The official OASIS schema file is not available offline here (no registry
package ships it), so this test encodes, as a JSON Schema, the 2.1.0
constraints on every object finflag writes: sarifLog, run, toolComponent,
reportingDescriptor, result, location, physicalLocation, region, suppression.
"""

from __future__ import annotations

import json

import jsonschema
from click.testing import CliRunner

from finflag.cli import main

_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_REGION = {
    "type": "object",
    "properties": {
        "startLine": {"type": "integer", "minimum": 1}, "startColumn": {"type": "integer", "minimum": 1},
        "endLine": {"type": "integer", "minimum": 1}, "endColumn": {"type": "integer", "minimum": 1},
        "charOffset": {"type": "integer", "minimum": -1}, "charLength": {"type": "integer", "minimum": 0},
        "snippet": {"type": "object", "properties": {"text": {"type": "string"}}},
    },
}
SARIF_2_1_0_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": "array", "items": {
            "type": "object",
            "required": ["tool"],
            "properties": {
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name"],
                    "properties": {
                        "name": {"type": "string"}, "version": {"type": "string"},
                        "informationUri": {"type": "string", "format": "uri"},
                        "rules": {"type": "array", "uniqueItems": True, "items": {
                            "type": "object", "required": ["id"],
                            "properties": {
                                "id": {"type": "string"}, "name": {"type": "string"},
                                "shortDescription": _MESSAGE, "fullDescription": _MESSAGE,
                                "defaultConfiguration": {"type": "object", "properties": {
                                    "level": {"enum": ["none", "note", "warning", "error"]}}},
                            }}},
                    }}}},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["message"],
                    "properties": {
                        "ruleId": {"type": "string"},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": _MESSAGE,
                        "locations": {"type": "array", "items": {"type": "object", "properties": {
                            "physicalLocation": {"type": "object", "properties": {
                                "artifactLocation": {"type": "object", "properties": {"uri": {"type": "string"}}},
                                "region": _REGION, "contextRegion": _REGION}}}}},
                        "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
                        "suppressions": {"type": "array", "items": {
                            "type": "object", "required": ["kind"],
                            "properties": {"kind": {"enum": ["inSource", "external"]},
                                           "status": {"enum": ["accepted", "underReview", "rejected"]},
                                           "justification": {"type": "string"}}}},
                    }}},
            }}},
    },
}


def test_sarif_output_follows_the_2_1_0_rules(tmp_path):
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "tip.txt").write_text("跟着我们操作，稳赚不赔！\n名额有限，马上上车。\n加我微信:stock8888\n", encoding="utf-8")
    out = tmp_path / "report"
    CliRunner().invoke(main, ["analyze", str(posts), "--out", str(out), "--no-summary"])
    CliRunner().invoke(main, ["review", str(out)], input="dq")
    sarif = json.loads(CliRunner().invoke(main, ["report", str(out), "--format", "sarif"]).stdout)
    jsonschema.validate(sarif, SARIF_2_1_0_SUBSET)
    results = sarif["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "warning", "warning"]
    first = results[0]["locations"][0]["physicalLocation"]["region"]
    assert (first["startLine"], first["startColumn"], first["snippet"]["text"]) == (1, 8, "稳赚不赔")
    assert results[0]["suppressions"][0]["kind"] == "external"
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} <= rule_ids
