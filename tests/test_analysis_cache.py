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
        key.startswith("first-chars\x00") for key in entries)
    second = _findings(tmp_path / "cache")  # reads it
    assert without and first == without and second == without
    stored.write_text("{not json", encoding="utf-8")
    assert _findings(tmp_path / "cache") == without
