"""The report folder: its layout, atomic writes, stored results and review decisions.

Layout of ``REPORT_DIR`` (every JSON file carries ``"schema": 1``)::

    results/<name>.json   one result per input: the analyze JSON (plus "batch" and "text"), or an error
    results.jsonl         every result, one per line, in input order (without "text")
    index.json            per input: path, result file, risk, counts per category, failed summary checks, error
    inputs.json           {"schema": 1, "inputs": [paths]}: the last run's inputs, in order
    review.db             reviewers' decisions, SQLite (:mod:`finflag.reviewstore`; ``review.json`` of 0.1 imported once)
    html/                 the HTML report (``finflag report --format html``)

Every file is written atomically (temporary file + rename), so a reader (a
report being rendered, a second review) sees the old version or the new,
never half of one, and a killed run loses nothing it had finished. Batch
runs, reports and review all reach the folder through this module (decisions
through :mod:`finflag.reviewstore`, which it re-exports).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .reviewstore import Decisions as Decisions  # re-exported: reports read decisions with the results

#: Version of the report folder's own files (index, inputs, review).
FOLDER_SCHEMA = 1
RESULTS = "results"
INDEX = "index.json"
INPUTS = "inputs.json"
RESULTS_JSONL = "results.jsonl"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that readers see the old file or the new one, never half.

    The file gets the usual permissions (0666 less the umask, 0644 by default),
    not the 0600 of a temporary file, so teammates and web servers can read a
    shared report.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".partial-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fchmod(out.fileno(), 0o666 & ~_umask())
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def result_name(path: str) -> str:
    """A stable, readable, collision-free file name for an input path."""
    stem = re.sub(r"[^\w.\-]+", "_", Path(path).name)[:60] or "input"
    return f"{stem}.{hashlib.sha1(path.encode('utf-8')).hexdigest()[:10]}.json"


def page_name(path: str) -> str:
    """The HTML report's page for an input path (relative to the html folder)."""
    return "posts/" + result_name(path).removesuffix(".json") + ".html"


def is_report_dir(path: Path) -> bool:
    return (path / INDEX).is_file() or (path / RESULTS).is_dir()


def write_inputs(out_dir: Path, order: list[str]) -> None:
    write_atomic(out_dir / INPUTS, json.dumps({"schema": FOLDER_SCHEMA, "inputs": order}, ensure_ascii=False))


def read_inputs(out_dir: Path) -> list[str] | None:
    """The last run's input paths in order; None when unknown (folder written by hand or damaged)."""
    try:
        data = json.loads((out_dir / INPUTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, list):  # written by finflag 0.1.0 before the file had a schema
        return [str(p) for p in data]
    inputs = data.get("inputs") if isinstance(data, dict) else None
    return [str(p) for p in inputs] if isinstance(inputs, list) else None


def read_result(file: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def result_files(out_dir: Path) -> list[Path]:
    """The result files of the last run's inputs, in input order (they may not all exist yet)."""
    results_dir = out_dir / RESULTS
    order = read_inputs(out_dir)
    return [results_dir / result_name(p) for p in order] if order else sorted(results_dir.glob("*.json"))


def load_results(out_dir: Path) -> list[dict[str, Any]]:
    """Stored results in input order (those of the last run's input list)."""
    results = []
    for file in result_files(out_dir):
        data = read_result(file)
        if data is not None:
            data["_file"] = f"{RESULTS}/{file.name}"
            results.append(data)
    return results


def rebuild_outputs(out_dir: Path) -> list[dict[str, Any]]:
    """results.jsonl and index.json from the result files on disk."""
    results = load_results(out_dir)
    lines = [json.dumps({k: v for k, v in r.items() if k not in ("_file", "text")}, ensure_ascii=False)
             for r in results]
    write_atomic(out_dir / RESULTS_JSONL, "\n".join(lines) + ("\n" if lines else ""))
    index = []
    for r in results:
        entry: dict[str, Any] = {"path": r["path"], "file": r["_file"]}
        if "error" in r:
            entry["error"] = r["error"]
        else:
            entry.update(risk=r["verdict"]["risk"], findings=r["verdict"]["findings"],
                         by_category=r["verdict"]["by_category"], language=r.get("language"),
                         summary_checks_failed=[c["check"] for c in r.get("summary", {}).get("checks", [])
                                                if c.get("status") == "fail"])
        index.append(entry)
    failed = sum(1 for e in index if "error" in e)
    write_atomic(out_dir / INDEX, json.dumps({"schema": FOLDER_SCHEMA, "inputs": len(index), "failed": failed,
                                              "results": index}, ensure_ascii=False, indent=1))
    return results


@dataclass
class Report:
    """A report folder read for rendering: its stored results and the decisions on them."""

    folder: Path
    results: list[dict[str, Any]]
    decisions: Decisions

    @classmethod
    def load(cls, folder: Path) -> "Report":
        return cls(folder, load_results(folder), Decisions.load(folder))
