"""The Ray engine: a batch spread over a Ray cluster, stored exactly as a local run stores it.

What runs where:

- the **driver** (this process) lists and reads the inputs (they are its
  local files), skips unchanged ones, and writes every result through the
  batch plan (``finflag.batch``), so resume, ``index.json`` and
  ``results.jsonl`` are those of a local run;
- the **rule layer** runs as cheap Ray tasks (a quarter of a CPU each); the
  rule pack is put in the object store once and kept by each worker process;
- **summaries** run in model actors (one per node, or ``--model-actors N``),
  each loading the model once, after checking its GGUF file's SHA-256 on its
  node, and serving many posts. A rule task's result goes straight to an
  actor; the driver only sees the finished post.

A dead worker or actor is retried by Ray (tasks ``max_retries``, actors
``max_restarts`` / ``max_task_retries``); a post that still fails is stored
as a failed result, so it is reported and retried by the next run, never lost
and never written twice. Only a bounded window of posts is in flight, so a
large corpus is never held in memory at once. Ctrl-C cancels the outstanding
tasks and kills the actors before the usual exit 130.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import ray
from ray.exceptions import RayError

from ..batch import BatchError, BatchPlan, BatchRequest, BatchStats, Progress, plan_batch
from ..input.ingest import InputError, Source, load_document
from ..pipeline import FlagOptions, add_summary, flag_document
from ..result import FlagResult
from ..rules.pack import RulePack

if TYPE_CHECKING:
    from ..summary.glossary import Glossary
    from ..summary.model import ModelChoice
    from ..summary.summarize import Summarizer, SummaryOptions
    from . import EngineSettings

#: CPU share of one rule-layer task: they take milliseconds, so several share a core.
RULE_TASK_CPUS = 0.25
#: Ray retries of a task or actor call whose worker died (an exception raised by finflag is not retried).
TASK_RETRIES = 2
#: Posts waiting in each model actor's queue beside the one it is summarising.
ACTOR_QUEUE = 2
#: A local cluster started by the driver. Its own processes share the machine's cores with the
#: model actor, whose threads wait for each other at every step, so each of their wake-ups costs
#: summary time: no dashboard; workers at normal priority (Ray's default niceness 15 starves the
#: model actor on a machine shared with other work); no idle workers started ahead (each idle
#: Python worker wakes 100 times a second and costs about 1 % of a core); no metrics collection
#: or event-loop statistics (nobody reads them); the raylet's memory check once a second, not
#: four times. Only for a cluster finflag starts: a user's cluster (``--address``) is left as it is.
LOCAL_CLUSTER: dict[str, Any] = {
    "include_dashboard": False,
    "_system_config": {"worker_niceness": 0, "agent_register_timeout_ms": 300_000,
                       "enable_worker_prestart": False, "prestart_worker_first_driver": False,
                       "enable_metrics_collection": False, "event_stats": False,
                       "memory_monitor_refresh_ms": 1000},
}
#: Environment of the local cluster's processes: Ray's log monitor lists the log folder every
#: 0.1 s while it holds under this many files; at 0 it does so every 0.5 s (the logs are not
#: shown anyway: ``log_to_driver=False``).
LOCAL_CLUSTER_ENV = {"RAY_LOG_MONITOR_MANY_FILES_THRESHOLD": "0"}
#: Model actors are named with this prefix (and the driver's process id), so a cluster's operator can find them.
ACTOR_PREFIX = "finflag-model-"


def _node() -> str:
    """The node a task ran on, as the per-node counts name it."""
    return ray.util.get_node_ip_address()


# -- remote side ---------------------------------------------------------------
_PACKS: dict[str, tuple[RulePack, FlagOptions]] = {}


def _pack(shared: list[Any], key: str) -> tuple[RulePack, FlagOptions]:
    """This run's rule pack and options. ``shared`` wraps their reference in a list so Ray does not
    resolve it per task: each worker process fetches and unpickles it once per run."""
    if key not in _PACKS:
        _PACKS.clear()
        _PACKS[key] = ray.get(shared[0])
    return _PACKS[key]


@ray.remote(num_cpus=RULE_TASK_CPUS, max_retries=TASK_RETRIES)
def flag_task(shared: list[Any], key: str, doc: Any) -> tuple[FlagResult, str]:
    """The rule layer for one document."""
    pack, options = _pack(shared, key)
    return flag_document(doc, pack, options), _node()


@ray.remote(num_cpus=RULE_TASK_CPUS)
def warm_task(shared: list[Any], key: str) -> None:
    """Start a worker for the rule tasks and load the pack in it while the model actors load
    their model, so the first post does not wait for a worker process to start."""
    _pack(shared, key)


@ray.remote(max_restarts=-1, max_task_retries=TASK_RETRIES)
class ModelActor:
    """Holds one loaded model and summarises the posts sent to it.

    The model file is verified (SHA-256) and the model loaded on first use, so
    an actor restarted by Ray after a crash checks and loads it again by itself.
    """

    def __init__(self, choice: ModelChoice, options: SummaryOptions, glossary: Glossary,
                 expected_sha256: str | None) -> None:
        self.choice, self.options, self.glossary, self.expected = choice, options, glossary, expected_sha256
        self._summarizer: Summarizer | None = None

    def _ready(self) -> Summarizer:
        if self._summarizer is None:
            from ..summary.backends import physical_cores
            from ..summary.model import verified_model_path
            from ..summary.summarize import Summarizer

            verified_model_path(self.choice, self.expected, where=f"node {_node()}")
            threads = min(self.options.threads or physical_cores(), physical_cores())
            self._summarizer = Summarizer(self.choice, replace(self.options, threads=threads), self.glossary)
        return self._summarizer

    def check(self) -> str:
        """Verify the model on this node (a ModelError says what is wrong); returns the node."""
        self._ready()
        return _node()

    def summarize(self, flagged: tuple[FlagResult, str]) -> tuple[FlagResult, str]:
        result, _ = flagged
        return add_summary(result, self._ready()), _node()


# -- driver side ---------------------------------------------------------------
def _connect(address: str | None) -> bool:
    """Join the cluster at ``address`` (or RAY_ADDRESS), else start a local one; True when started here."""
    if ray.is_initialized():  # an embedding program (or a test) already joined a cluster
        return False
    address = address or os.environ.get("RAY_ADDRESS") or None
    try:
        if address:
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
        else:
            start_local_cluster(logging_level=logging.ERROR, log_to_driver=False)
    except Exception as exc:  # Ray raises bare Exception when a node does not start: one line, not a traceback
        doing = f"join the Ray cluster at {address}" if address else "start a local Ray cluster"
        raise BatchError(f"cannot {doing}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    return True


def start_local_cluster(**init: Any) -> None:
    """Start a new local cluster of this process's own (never one that happens to run on the
    machine) with the settings above and join it; ``init`` goes to ``ray.init``."""
    with _environment(LOCAL_CLUSTER_ENV):
        ray.init(address="local", **LOCAL_CLUSTER, **init)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in the environment while the block runs (the processes it starts inherit them)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _reason(exc: BaseException) -> str:
    """One line for a post whose remote work failed (Ray's own text carries a traceback)."""
    cause = getattr(exc, "cause", None) or exc
    text = str(cause).strip().splitlines()
    return f"failed on the Ray cluster: {type(cause).__name__}: {text[-1] if text else ''}".rstrip(": ")


@dataclass
class _Job:
    index: int
    path: str
    refs: list[Any]      # every task of the post (rule task, then summary), for cancelling
    actor: int | None    # which model actor has it


class _Dispatcher:
    """Feeds posts to the cluster in a bounded window and stores each one as it comes back."""

    def __init__(self, plan: BatchPlan, settings: EngineSettings) -> None:
        self.plan = plan
        request = plan.request
        self.options = request.options
        self.shared = [ray.put((request.pack, request.options))]
        self.key = uuid.uuid4().hex
        if request.summarizer is not None:  # its result is not needed: a failure shows in the rule tasks
            warm_task.remote(self.shared, self.key)
        self.actors = self._start_actors(request, settings) if request.summarizer is not None else []
        self.load = [0] * len(self.actors)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.window = len(self.actors) * (1 + ACTOR_QUEUE) if self.actors else max(4, int(cpus / RULE_TASK_CPUS))
        self.queue = iter(plan.todo)
        self.pending: dict[Any, _Job] = {}

    def _start_actors(self, request: BatchRequest, settings: EngineSettings) -> list[Any]:
        from ..summary.model import ModelError, expected_sha256

        summarizer = request.summarizer
        assert summarizer is not None
        nodes = [n for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU", 0) >= 1]
        if not nodes:
            raise BatchError("the Ray cluster has no node with a CPU")
        count = settings.model_actors or len(nodes)
        total = sum(int(n["Resources"]["CPU"]) for n in nodes)
        share = max(1, min(total // count, max(int(n["Resources"]["CPU"]) for n in nodes)))
        # Each actor reserves its share less one CPU, which stays free for the rule tasks.
        reserve = share - 1 if share >= 2 else 0.5
        options = replace(summarizer.options, threads=summarizer.options.threads or share)
        try:
            expected = expected_sha256(summarizer.choice)
        except (ModelError, OSError) as exc:
            raise BatchError(str(exc)) from None
        actors = [ModelActor.options(num_cpus=reserve, name=f"{ACTOR_PREFIX}{os.getpid()}-{i}",
                                     scheduling_strategy="SPREAD").remote(summarizer.choice, options,
                                                                          summarizer.glossary, expected)
                  for i in range(count)]
        try:
            ray.get([actor.check.remote() for actor in actors])
        except RayError as exc:
            for actor in actors:
                ray.kill(actor, no_restart=True)
            cause = getattr(exc, "cause", None) or exc
            raise BatchError(str(cause).strip().splitlines()[-1]) from None
        return actors

    def _submit(self) -> None:
        while len(self.pending) < self.window:
            try:
                index, path = next(self.queue)
            except StopIteration:
                return
            try:  # inputs are the driver's files: read here, shipped with the task
                doc = load_document(Source(path), self.options.encoding, self.options.max_bytes)
            except InputError as error:
                self.plan.store(index, error)
                continue
            flagged = flag_task.remote(self.shared, self.key, doc)
            if not self.actors:
                self.pending[flagged] = _Job(index, path, [flagged], None)
                continue
            slot = min(range(len(self.actors)), key=self.load.__getitem__)
            self.load[slot] += 1
            summary = self.actors[slot].summarize.remote(flagged)
            self.pending[summary] = _Job(index, path, [flagged, summary], slot)

    def _collect(self, ref: Any) -> None:
        job = self.pending.pop(ref)
        if job.actor is not None:
            self.load[job.actor] -= 1
        try:
            result, node = ray.get(ref)
        except RayError as exc:
            self.plan.store_failure(job.path, _reason(exc))
            return
        nodes = self.plan.stats.nodes
        nodes[node] = nodes.get(node, 0) + 1
        self.plan.store(job.index, result)

    def run(self) -> None:
        try:
            self._submit()
            while self.pending:
                ready, _ = ray.wait(list(self.pending), num_returns=1, timeout=0.5)
                for ref in ready:
                    self._collect(ref)
                self._submit()
        except KeyboardInterrupt:
            self.cancel()
            raise
        finally:
            for actor in self.actors:
                ray.kill(actor, no_restart=True)

    def cancel(self) -> None:
        """Ctrl-C: nothing outstanding keeps running on the cluster."""
        for job in self.pending.values():
            for ref in job.refs:
                try:
                    ray.cancel(ref)
                except (RayError, ValueError, TypeError):
                    pass  # already finished
        for actor in self.actors:  # a summary in progress stops with its actor
            ray.kill(actor, no_restart=True)
        self.actors = []


def run(request: BatchRequest, progress: Progress | None, settings: EngineSettings) -> BatchStats:
    plan = plan_batch(request, progress)
    try:
        if plan.todo:
            started_here = _connect(settings.address)
            try:
                _Dispatcher(plan, settings).run()
            finally:
                if started_here:
                    ray.shutdown()
    finally:
        plan.finish()
    return plan.stats
