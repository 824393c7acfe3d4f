"""Model backends behind one small interface.

A backend loads a model once and then answers chat requests
deterministically (greedy decoding). Adding a third backend is one module
with a class that has ``generate``, ``count_tokens`` and ``close`` and a
``load_s`` attribute, plus one line in :func:`load_backend`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

Messages = list[dict[str, str]]


@dataclass
class Generation:
    """One model answer and what it cost."""

    text: str
    prompt_tokens: int
    gen_tokens: int
    prompt_s: float
    gen_s: float
    finish_reason: str  # "stop" or "length"

    @property
    def prompt_tok_s(self) -> float:
        return self.prompt_tokens / self.prompt_s if self.prompt_s else 0.0

    @property
    def gen_tok_s(self) -> float:
        return self.gen_tokens / self.gen_s if self.gen_s else 0.0


class Backend(Protocol):
    name: str
    model: str
    n_ctx: int
    load_s: float

    def generate(self, messages: Messages, max_tokens: int) -> Generation: ...

    def count_tokens(self, text: str) -> int: ...

    def close(self) -> None: ...


class BackendError(RuntimeError):
    """A backend that cannot load or run; the message says what to install or change."""


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
