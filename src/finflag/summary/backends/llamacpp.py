"""llama.cpp through xllamacpp: the default backend on CPU.

xllamacpp ships a prebuilt 34 MB wheel with no dependencies (llama-cpp-python
has only an sdist that compiles for ~5 minutes here) and measured 19-27
generated tokens/s for the default model on 2 cores. Its Server runs the
llama.cpp server in-process: chat requests are plain dicts, and the
tokenizer endpoint on its loopback address gives exact token counts.
"""

from __future__ import annotations

import json
import time
import urllib.request

from .base import BackendError, Generation, Messages

SEED = 42


class LlamaCppBackend:
    name = "llama-cpp"

    def __init__(self, model: str, n_ctx: int = 4096, threads: int = 2) -> None:
        try:
            import xllamacpp
        except ImportError:
            raise BackendError("the llama-cpp backend needs xllamacpp: pip install 'finflag[model]'") from None
        params = xllamacpp.CommonParams()
        params.model.path = model
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.verbosity = -1
        params.warmup = False
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.sampling.temp = 0.0
        params.sampling.seed = SEED
        start = time.perf_counter()
        try:
            self._server = xllamacpp.Server(params)
        except Exception as exc:  # the C++ side raises RuntimeError with its own text
            raise BackendError(f"llama.cpp could not load {model}: {exc}") from None
        self.load_s = time.perf_counter() - start
        self.model = model
        self.n_ctx = n_ctx
        self.threads = threads

    def generate(self, messages: Messages, max_tokens: int) -> Generation:
        request = {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "seed": SEED,
            "repeat_penalty": 1.05,
            "cache_prompt": True,  # the constant system prefix stays in the KV cache between calls
        }
        start = time.perf_counter()
        answer = self._server.handle_chat_completions(request)
        wall = time.perf_counter() - start
        if not isinstance(answer, dict) or "error" in answer:
            raise BackendError(f"llama.cpp failed: {answer.get('error') if isinstance(answer, dict) else answer}")
        choice = answer["choices"][0]
        usage, timings = answer.get("usage", {}), answer.get("timings", {})
        prompt_s = timings.get("prompt_ms", 0.0) / 1000
        gen_s = timings.get("predicted_ms", 0.0) / 1000 or max(wall - prompt_s, 0.0)
        return Generation(
            text=choice["message"].get("content") or "",
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            gen_tokens=int(usage.get("completion_tokens", 0)),
            prompt_s=prompt_s,
            gen_s=gen_s,
            finish_reason="length" if choice.get("finish_reason") == "length" else "stop",
            cached_tokens=int(timings.get("cache_n", 0)),
        )

    def count_tokens(self, text: str) -> int:
        address = self._server.listening_address.rstrip("/")
        request = urllib.request.Request(
            address + "/tokenize", data=json.dumps({"content": text}).encode("utf-8"),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return len(json.loads(response.read())["tokens"])

    def close(self) -> None:
        self._server = None
