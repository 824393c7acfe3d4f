"""Batch runs over folders into a report directory, resumable.

Layout of ``REPORT_DIR``::

    results/<name>.json   one result per input (the analyze JSON, or an error)
    results.jsonl         every result, one per line, in input order
    index.json            per input: path, result file, risk, counts, error
    review.json           reviewers' decisions (written by ``finflag review``)

Each result is written atomically (temporary file + rename) the moment it
is done, so an interrupted run (Ctrl-C, kill -9) loses nothing that had
finished; ``results.jsonl`` and ``index.json`` are rebuilt from what is on
disk at the end of every run. A rerun skips inputs whose content hash, rule
pack, model and prompt version match the stored result (``force`` redoes
them). The rule layer runs in worker processes while the main process,
which holds the model, writes summaries.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .input.ingest import InputError, Source, expand_sources, load_document, read_bytes
from .pipeline import FlagOptions, flag_document
from .result import error_dict
from .rules.pack import RulePack, load_packs

RESULTS = "results"
INDEX = "index.json"
RESULTS_JSONL = "results.jsonl"


class BatchError(RuntimeError):
    pass


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".partial-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def result_name(path: str) -> str:
    """A stable, readable, collision-free file name for an input path."""
    stem = re.sub(r"[^\w.\-]+", "_", Path(path).name)[:60] or "input"
    return f"{stem}.{hashlib.sha1(path.encode('utf-8')).hexdigest()[:10]}.json"


def content_hash(source: Source, max_bytes: int) -> str | None:
    try:
        return hashlib.sha256(read_bytes(source, max_bytes)).hexdigest()
    except InputError:
        return None


@dataclass
class Stamp:
    """What a stored result depends on; equal stamps mean it can be reused."""

    rules: str
    model: str | None
    prompt_version: str | None

    def matches(self, stored: dict[str, Any], sha: str | None) -> bool:
        batch = stored.get("batch", {})
        return (sha is not None and "error" not in stored and batch.get("content_sha256") == sha
                and batch.get("rules") == self.rules and batch.get("model") == self.model
                and batch.get("prompt_version") == self.prompt_version)


# -- worker side: the rule layer -------------------------------------------
_WORKER: dict[str, Any] = {}


def _init_worker(rule_paths: list[str], include_default: bool, options: FlagOptions) -> None:
    _WORKER["pack"] = load_packs([Path(p) for p in rule_paths], include_default)
    _WORKER["options"] = options


def _flag_one(job: tuple[int, str, str | None]) -> tuple[int, dict[str, Any], str | None]:
    """(index, result dict, decoded text or None) for one input."""
    index, path, sha = job
    try:
        doc = load_document(Source(path), _WORKER["options"].encoding, _WORKER["options"].max_bytes)
    except InputError as error:
        return index, error_dict(error), None
    result = flag_document(doc, _WORKER["pack"], _WORKER["options"]).to_dict()
    return index, result, doc.text


# -- main side ---------------------------------------------------------------
@dataclass
class BatchStats:
    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    findings: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


Progress = Callable[[BatchStats, float], None]


def _check_out_dir(out_dir: Path, inputs: Iterable[str]) -> None:
    out = out_dir.resolve()
    for raw in inputs:
        if raw == "-":
            raise BatchError("--out works with files and folders, not standard input")
        folder = Path(raw).resolve()
        folder = folder if folder.is_dir() else folder.parent
        if out == folder or folder in out.parents:
            raise BatchError(f"--out {out_dir} is inside the input folder {raw}; finflag never writes there. "
                             "Choose a report folder elsewhere.")


def run_batch(paths: list[str], out_dir: Path, rule_paths: list[str], include_default: bool,
              options: FlagOptions, summarizer=None, jobs: int = 1, globs: Iterable[str] = (),
              excludes: Iterable[str] = (), force: bool = False, progress: Progress | None = None) -> BatchStats:
    _check_out_dir(out_dir, paths)
    pack: RulePack = load_packs([Path(p) for p in rule_paths], include_default)
    from .summary.prompts import PROMPT_VERSION

    stamp = Stamp(pack.fingerprint, summarizer.model_name if summarizer else None,
                  PROMPT_VERSION if summarizer else None)
    results_dir = out_dir / RESULTS
    results_dir.mkdir(parents=True, exist_ok=True)
    items = list(expand_sources(paths, globs, excludes))
    stats = BatchStats(total=len(items))
    started = time.monotonic()
    order: list[str] = []
    todo: list[tuple[int, str, str | None]] = []
    for index, item in enumerate(items):
        path = item.path
        order.append(path)
        target = results_dir / result_name(path)
        if isinstance(item, InputError):
            write_atomic(target, json.dumps(error_dict(item), ensure_ascii=False))
            _count(stats, error_dict(item))
            continue
        sha = content_hash(item, options.max_bytes)
        if not force and target.is_file():
            try:
                stored = json.loads(target.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = {}
            if stamp.matches(stored, sha):
                stats.skipped += 1
                _count(stats, stored)
                continue
        todo.append((index, path, sha))
    _write_order(out_dir, order)
    if progress:
        progress(stats, time.monotonic() - started)
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    workers = max(1, min(jobs, len(todo)))
    shas = {index: sha for index, _, sha in todo}
    pool = context.Pool(workers, _init_worker, (list(rule_paths), include_default, options)) if workers > 1 else None
    if pool is None:  # in-process: reuse the pack already loaded above
        _WORKER.update(pack=pack, options=options)
    try:
        flagged = pool.imap_unordered(_flag_one, todo, chunksize=4) if pool else map(_flag_one, todo)
        for index, result, text in flagged:
            path = order[index]
            if text is not None:
                result["batch"] = {"content_sha256": shas[index], "rules": stamp.rules, "model": stamp.model,
                                   "prompt_version": stamp.prompt_version}
                result["text"] = text  # the reports highlight findings in it without re-reading inputs
                if summarizer is not None:
                    result["summary"] = _summarize(summarizer, result, text)
            write_atomic(results_dir / result_name(path), json.dumps(result, ensure_ascii=False))
            _count(stats, result)
            if progress:
                progress(stats, time.monotonic() - started)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        rebuild_outputs(out_dir)
    return stats


def _summarize(summarizer, result: dict[str, Any], text: str) -> dict[str, Any]:
    from .document import Document
    from .rules.findings import Finding

    doc = Document(result["path"], text, result.get("encoding", "utf-8"), result.get("source_format", "text"),
                   result.get("language", "unknown"))
    findings = [Finding(**f) for f in result["findings"]]
    return summarizer.summarize(doc, findings)


def _count(stats: BatchStats, result: dict[str, Any]) -> None:
    stats.done += 1
    if "error" in result:
        stats.failed += 1
        stats.errors.append((result["path"], result["error"]))
    else:
        stats.findings += len(result.get("findings", []))


def _write_order(out_dir: Path, order: list[str]) -> None:
    write_atomic(out_dir / "inputs.json", json.dumps(order, ensure_ascii=False))


def load_results(out_dir: Path) -> list[dict[str, Any]]:
    """Stored results in input order (those of the last run's input list)."""
    results_dir = out_dir / RESULTS
    try:
        order = json.loads((out_dir / "inputs.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        order = None
    files = [results_dir / result_name(p) for p in order] if order else sorted(results_dir.glob("*.json"))
    results = []
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
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
    write_atomic(out_dir / INDEX, json.dumps({"schema": 1, "inputs": len(index), "failed": failed, "results": index},
                                             ensure_ascii=False, indent=1))
    return results
