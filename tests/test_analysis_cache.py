"""The regex analysis kept between runs changes start-up time only, never a finding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import SAMPLES

FINDINGS = """
import json, sys
from finflag.document import Document
from finflag.rules.findings import find
from finflag.rules.pack import load_packs
pack = load_packs()
texts = [open(p, encoding='utf-8', errors='replace').read() for p in sys.argv[1:]]
print(json.dumps([[f.rule_id, f.start, f.end] for t in texts for f in find(Document('<t>', t), pack)]))
"""


def _findings(cache: Path, *extra_env: tuple[str, str]) -> list:
    env = {**os.environ, "FINFLAG_CACHE": str(cache), **dict(extra_env)}
    env.pop("FINFLAG_NO_RULE_CACHE", None) if not extra_env else None
    samples = sorted(str(p) for p in SAMPLES.glob("*.txt"))
    done = subprocess.run([sys.executable, "-c", FINDINGS, *samples], env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def test_a_cached_analysis_gives_the_same_findings_and_a_broken_file_is_ignored(tmp_path):
    without = _findings(tmp_path / "none", ("FINFLAG_NO_RULE_CACHE", "1"))
    assert not (tmp_path / "none").exists()
    first = _findings(tmp_path / "cache")  # analyses every pattern and stores it
    [stored] = (tmp_path / "cache" / "rules").glob("regex-analysis-*.json")
    entries = json.loads(stored.read_text(encoding="utf-8"))
    assert any(key.startswith("anchors\x00") for key in entries) and any(
        key.startswith("first-chars\x00") for key in entries) and any(key.startswith("sre") for key in entries)
    assert any(key.startswith("pack-yaml-") for key in entries)  # the rule files, parsed
    second = _findings(tmp_path / "cache")  # reads it
    assert without and first == without and second == without
    stored.write_text("{not json", encoding="utf-8")
    assert _findings(tmp_path / "cache") == without


COMPILED = """
import json, re, sys
from finflag.rules.analysis_cache import compiled
pattern = sys.argv[1]
regex = compiled(pattern)
texts = ['明天涨停，大家拿好了！', '今天大涨，明日再涨停', '涨停', '']
print(json.dumps([regex.pattern == pattern, regex.groupindex == re.compile(pattern).groupindex,
                  [[m.span(), m.groupdict()] for t in texts for m in regex.finditer(t)],
                  [[m.span(), m.groupdict()] for t in texts for m in re.finditer(pattern, t)]]))
try:
    compiled('[^,.!?;。\\n')
except re.error as exc:
    print('re.error', exc)
"""


def test_a_stored_program_compiles_to_the_same_regex_and_a_bad_one_still_fails(tmp_path):
    """The compiled regex kept between runs matches what re.compile gives, read fresh or from the file;
    a bad pattern raises re.error (pack loading turns it into a RulePackError) and is not stored."""
    pattern = "(?P<day>明天|明日|今天)[^,.!?;。，！？；\\n]{0,4}?(?P<move>涨停|大涨)"
    env = {**os.environ, "FINFLAG_CACHE": str(tmp_path)}
    env.pop("FINFLAG_NO_RULE_CACHE", None)
    runs = [subprocess.run([sys.executable, "-c", COMPILED, pattern], env=env, capture_output=True, text=True,
                           check=True).stdout.splitlines() for _ in range(2)]
    for out in runs:
        same_pattern, same_groups, ours, theirs = json.loads(out[0])
        assert same_pattern and same_groups and ours == theirs and len(ours) == 3
        assert out[1].startswith("re.error")
    [stored] = (tmp_path / "rules").glob("regex-analysis-*.json")
    keys = [key for key in json.loads(stored.read_text(encoding="utf-8")) if key.startswith("sre")]
    assert len(keys) == 1 and keys[0].endswith(pattern)


PARSED = """
import json, sys, yaml
from finflag.rules.analysis_cache import parsed
calls = []
def parse(text):
    calls.append(text)
    return yaml.safe_load(text)
pack = parsed('test-yaml', 'rules:\\n  - {id: hype.moon, keywords: {冲上月球: to the moon}}\\n', parse, slot='mine.yaml')
again = parsed('test-yaml', 'rules:\\n  - {id: hype.moon, keywords: {冲上月球: to the moon}}\\n', parse, slot='mine.yaml')
parsed('test-yaml', 'rules: []\\n', parse, slot='old.yaml')
parsed('test-yaml', 'rules: [{id: hype.new}]\\n', parse, slot='old.yaml')  # old.yaml edited: one entry left
dated = parsed('test-yaml', 'since: 2024-01-02\\n', parse)
try:
    parsed('test-yaml', 'rules: [unclosed\\n', parse)
except yaml.YAMLError:
    print('yaml error')
print(json.dumps([pack, again == pack, str(dated['since']), len(calls)], ensure_ascii=False))
"""


def test_a_parsed_pack_file_is_read_back_as_the_same_data_and_only_json_data_is_kept(tmp_path):
    """Rule-pack YAML parsed once is read back from the cache as equal data, keyed by its text; a date (not
    JSON) is parsed again on every run, and a text that does not parse raises as before and is not kept."""
    env = {**os.environ, "FINFLAG_CACHE": str(tmp_path)}
    env.pop("FINFLAG_NO_RULE_CACHE", None)
    runs = [subprocess.run([sys.executable, "-c", PARSED], env=env, capture_output=True, text=True,
                           check=True).stdout.splitlines() for _ in range(2)]
    # First run: the pack, old.yaml's two texts, the date, the bad text. Second: the pack is read back, but
    # old.yaml keeps one entry, so its two texts, taken in turn, are parsed again; the date and the bad text too.
    for out, parses in zip(runs, (5, 4)):
        assert out[0] == "yaml error"
        pack, same, since, calls = json.loads(out[1])
        assert pack == {"rules": [{"id": "hype.moon", "keywords": {"冲上月球": "to the moon"}}]}
        assert same and since == "2024-01-02" and calls == parses
    [stored] = (tmp_path / "rules").glob("regex-analysis-*.json")
    assert sorted(key.split("\x00")[1] for key in json.loads(stored.read_text(encoding="utf-8"))) == [
        "mine.yaml", "old.yaml"]
