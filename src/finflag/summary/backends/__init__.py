"""Model backends behind one small interface.

A backend loads a model once and then answers chat requests
deterministically (greedy decoding). Adding a third backend is one module
with a class that has ``generate``, ``count_tokens`` and ``close`` and a
``load_s`` attribute, plus one line in :func:`load_backend`.
"""

from __future__ import annotations

import os
from pathlib import Path

from .base import Backend, BackendError, Generation, Messages

__all__ = ["Backend", "BackendError", "Generation", "Messages", "load_backend", "physical_cores"]


def physical_cores() -> int:
    """Physical cores available to this process (hyper-threads do not help llama.cpp)."""
    try:
        cpus = os.sched_getaffinity(0)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
    cores = set()
    for cpu in cpus:
        topology = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            cores.add(((topology / "physical_package_id").read_text().strip(), (topology / "core_id").read_text().strip()))
        except OSError:
            cores.add(("?", str(cpu)))
    return max(len(cores), 1)


def load_backend(name: str, model: str, n_ctx: int = 4096, threads: int | None = None,
                 dtype: str | None = None) -> Backend:
    threads = threads or physical_cores()
    if name == "llama-cpp":
        from .llamacpp import LlamaCppBackend

        return LlamaCppBackend(model, n_ctx=n_ctx, threads=threads)
    if name == "transformers":
        from .hf import TransformersBackend

        return TransformersBackend(model, n_ctx=n_ctx, threads=threads, dtype=dtype)
    raise BackendError(f"unknown backend {name!r}")
