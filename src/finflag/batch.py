"""Batch runs over folders into a report folder: orchestration only, resumable.

Each result is written through :mod:`finflag.reportdir` the moment it is
done, so an interrupted run (Ctrl-C, kill -9) loses nothing that had
finished; ``results.jsonl`` and ``index.json`` are rebuilt from what is on
disk at the end of every run. A rerun skips inputs whose content hash, rule
pack, model and prompt version match the stored result (``force`` redoes
them). The rule layer runs in worker processes (each given the pack loaded
once by the caller) while the main process, which holds the model, adds
summaries through the same analyze step as a single run.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .input.ingest import InputError, Source, expand_sources, load_document, read_bytes
from .pipeline import FlagOptions, add_summary, flag_document
from .reportdir import RESULTS, read_result, rebuild_outputs, result_name, write_atomic, write_inputs
from .result import FlagResult, error_dict
from .rules.pack import RulePack
from .rules.sources import fingerprint

if TYPE_CHECKING:
    from .summary.summarize import Summarizer


class BatchError(RuntimeError):
    pass


@dataclass
class BatchRequest:
    """Everything a batch run needs; the pack is loaded once by the caller and shared with the workers."""

    paths: list[str]
    out_dir: Path
    pack: RulePack
    options: FlagOptions = field(default_factory=FlagOptions)
    summarizer: Summarizer | None = None
    jobs: int = 1
    globs: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    force: bool = False


@dataclass
class BatchStats:
    """What a run has done so far: the progress line and the closing line show it."""

    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    findings: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    #: Posts done per cluster node (engines that spread work over machines fill it).
    nodes: dict[str, int] = field(default_factory=dict)


Progress = Callable[[BatchStats, float], None]


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

    def matches(self, stored: dict[str, Any] | None, sha: str | None) -> bool:
        batch = (stored or {}).get("batch", {})
        return (sha is not None and stored is not None and "error" not in stored
                and batch.get("content_sha256") == sha and batch.get("rules") == self.rules
                and batch.get("model") == self.model and batch.get("prompt_version") == self.prompt_version)

    def record(self, sha: str | None) -> dict[str, Any]:
        return {"content_sha256": sha, "rules": self.rules, "model": self.model, "prompt_version": self.prompt_version}


# -- worker side: the rule layer -------------------------------------------
_WORKER: dict[str, Any] = {}


def _init_worker(pack: RulePack, options: FlagOptions) -> None:
    _WORKER.update(pack=pack, options=options)


def _init_pool_worker(pack: RulePack, options: FlagOptions) -> None:
    """A worker process leaves Ctrl-C to the main process, which stops the pool and keeps
    every finished result; a worker that took the signal itself would die mid-task with a
    traceback and leave the main process waiting for its answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(pack, options)


def _flag_one(job: tuple[int, str]) -> tuple[int, FlagResult | InputError]:
    index, path = job
    options: FlagOptions = _WORKER["options"]
    try:
        doc = load_document(Source(path), options.encoding, options.max_bytes)
    except InputError as error:
        return index, error
    return index, flag_document(doc, _WORKER["pack"], options)


# -- main side ---------------------------------------------------------------
def _check_out_dir(out_dir: Path, inputs: list[str]) -> None:
    out = out_dir.resolve()
    for raw in inputs:
        if raw == "-":
            raise BatchError("--out works with files and folders, not standard input")
        folder = Path(raw).resolve()
        folder = folder if folder.is_dir() else folder.parent
        if out == folder or folder in out.parents:
            raise BatchError(f"--out {out_dir} is inside the input folder {raw}; finflag never writes there. "
                             "Choose a report folder elsewhere.")


def _stamp(request: BatchRequest) -> Stamp:
    rules = fingerprint(request.pack, request.options.sources)
    if request.summarizer is None:
        return Stamp(rules, None, None)
    from .summary.prompts import PROMPT_VERSION

    return Stamp(rules, request.summarizer.model_name, PROMPT_VERSION)


@dataclass
class BatchPlan:
    """A run after the skip scan: what is left to do and how to store it.

    Every engine (local processes, a Ray cluster) starts from the same plan and
    stores through it, so resume, the stamp and the report folder are one code path.
    """

    request: BatchRequest
    stamp: Stamp
    stats: BatchStats
    todo: list[tuple[int, str]]
    shas: dict[int, str | None]
    started: float
    progress: Progress | None = None

    def report(self) -> None:
        if self.progress:
            self.progress(self.stats, time.monotonic() - self.started)

    def store(self, index: int, item: FlagResult | InputError) -> None:
        """Write one finished input (its result, or the reason it could not be read) and report progress."""
        if isinstance(item, InputError):
            _store(self.request.out_dir, self.stats, error_dict(item))
        else:
            result = item.to_dict()
            result["batch"] = self.stamp.record(self.shas[index])
            result["text"] = item.doc.text  # the reports highlight findings in it without re-reading inputs
            _store(self.request.out_dir, self.stats, result)
        self.report()

    def store_failure(self, path: str, reason: str) -> None:
        """A post whose work kept failing: stored as an error result (rerun to retry it), never dropped."""
        self.store(0, InputError(path, reason))

    def finish(self) -> BatchStats:
        rebuild_outputs(self.request.out_dir)
        return self.stats


def plan_batch(request: BatchRequest, progress: Progress | None = None) -> BatchPlan:
    """Check the report folder, list the inputs, store unreadable ones and skip unchanged ones."""
    _check_out_dir(request.out_dir, request.paths)
    out_dir, options, stamp = request.out_dir, request.options, _stamp(request)
    results_dir = out_dir / RESULTS
    results_dir.mkdir(parents=True, exist_ok=True)
    items = list(expand_sources(request.paths, request.globs, request.excludes))
    stats = BatchStats(total=len(items))
    started = time.monotonic()
    order: list[str] = []
    todo: list[tuple[int, str]] = []
    shas: dict[int, str | None] = {}
    for index, item in enumerate(items):
        order.append(item.path)
        target = results_dir / result_name(item.path)
        if isinstance(item, InputError):
            _store(out_dir, stats, error_dict(item))
            continue
        sha = content_hash(item, options.max_bytes)
        if not request.force and target.is_file():
            stored = read_result(target)
            if stamp.matches(stored, sha):
                stats.skipped += 1
                _count(stats, stored or {})
                continue
        todo.append((index, item.path))
        shas[index] = sha
    write_inputs(out_dir, order)
    plan = BatchPlan(request, stamp, stats, todo, shas, started, progress)
    plan.report()
    return plan


def run_batch(request: BatchRequest, progress: Progress | None = None) -> BatchStats:
    """The local engine: the rule layer in worker processes, summaries in this process."""
    plan = plan_batch(request, progress)
    workers = max(1, min(request.jobs, len(plan.todo)))
    pool = None
    if workers > 1:
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        pool = context.Pool(workers, _init_pool_worker, (request.pack, request.options))
    else:  # in-process
        _init_worker(request.pack, request.options)
    try:
        flagged = pool.imap_unordered(_flag_one, plan.todo, chunksize=4) if pool else map(_flag_one, plan.todo)
        for index, item in flagged:
            if request.summarizer is not None and not isinstance(item, InputError):
                add_summary(item, request.summarizer)
            plan.store(index, item)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        plan.finish()
    return plan.stats


def _store(out_dir: Path, stats: BatchStats, result: dict[str, Any]) -> None:
    write_atomic(out_dir / RESULTS / result_name(result["path"]), json.dumps(result, ensure_ascii=False))
    _count(stats, result)


def _count(stats: BatchStats, result: dict[str, Any]) -> None:
    stats.done += 1
    if "error" in result:
        stats.failed += 1
        stats.errors.append((result["path"], result["error"]))
    else:
        stats.findings += len(result.get("findings", []))
