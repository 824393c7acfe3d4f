"""What every backend shares: the interface, one answer and its cost, and the error type."""

from __future__ import annotations

from dataclasses import dataclass
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
    #: Prompt tokens reused from the KV cache (llama.cpp's ``cache_prompt``: the constant system
    #: message), part of ``prompt_tokens`` but not evaluated again; 0 where a backend keeps no cache.
    cached_tokens: int = 0

    @property
    def evaluated_tokens(self) -> int:
        """Prompt tokens the model actually read in this call."""
        return self.prompt_tokens - self.cached_tokens

    @property
    def prompt_tok_s(self) -> float:
        return self.evaluated_tokens / self.prompt_s if self.prompt_s else 0.0

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
