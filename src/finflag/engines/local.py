"""The local engine: today's batch run on this machine (rule-layer worker processes, the model here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..batch import BatchRequest, BatchStats, Progress, run_batch

if TYPE_CHECKING:
    from . import EngineSettings


def run(request: BatchRequest, progress: Progress | None, settings: EngineSettings) -> BatchStats:
    return run_batch(request, progress)
