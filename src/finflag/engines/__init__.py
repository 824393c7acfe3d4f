"""Batch engines: where the work of ``analyze --out`` runs.

One module per engine, registered in ``ENGINES`` and imported only when
chosen, so a local run never imports Ray. Every engine starts from the same
plan (:func:`finflag.batch.plan_batch`) and stores through it, so resume,
``index.json`` and ``results.jsonl`` do not depend on the engine.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..batch import BatchRequest, BatchStats, Progress

#: engine name -> module in this package (each has ``run(request, progress, settings) -> BatchStats``).
ENGINES = {
    "local": "local",  # worker processes for the rule layer, the model in the main process
    "ray": "ray",      # a Ray cluster: rule tasks and model actors, results written here
}
DEFAULT_ENGINE = "local"


@dataclass(frozen=True)
class EngineSettings:
    """Settings only some engines use (the local engine ignores them)."""

    address: str | None = None        # Ray: the cluster to join (None: RAY_ADDRESS, else a local cluster)
    model_actors: int | None = None   # Ray: model actors (None: one per node)


def run(engine: str, request: BatchRequest, progress: Progress | None = None,
        settings: EngineSettings | None = None) -> BatchStats:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    module = importlib.import_module(f"{__name__}.{ENGINES[engine]}")
    return module.run(request, progress, settings or EngineSettings())
