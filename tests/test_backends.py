"""Both backends on a real (tiny) model: load, chat, count tokens, timings."""

from __future__ import annotations

import pytest

from finflag.summary.backends import load_backend

MESSAGES = [
    {"role": "system", "content": "You always write English."},
    {"role": "user", "content": "Summarise in one sentence: Stocks rose 2% today as the Fed signalled a rate cut."},
]


@pytest.mark.parametrize("name", ["llama-cpp", "transformers"])
def test_backend_generates_deterministically(name, smollm2_gguf, model_cache):
    backend = load_backend(name, smollm2_gguf, n_ctx=1024, threads=2)
    try:
        first = backend.generate(MESSAGES, max_tokens=32)
        second = backend.generate(MESSAGES, max_tokens=32)
        assert first.text.strip() and first.text == second.text  # greedy: same answer twice
        assert 20 < first.prompt_tokens < 120 and 0 < first.gen_tokens <= 32
        assert first.prompt_s > 0 and first.gen_s > 0 and first.gen_tok_s > 0
        assert first.finish_reason in ("stop", "length")
        assert backend.count_tokens("hello world") >= 2
        assert backend.count_tokens("hello world " * 50) > backend.count_tokens("hello world")
        assert backend.load_s > 0
    finally:
        backend.close()


def test_transformers_keeps_the_dequantised_weights(smollm2_gguf, model_cache):
    load_backend("transformers", smollm2_gguf, n_ctx=512).close()
    saved = list((model_cache / "hf").iterdir())
    assert len(saved) == 1 and (saved[0] / "config.json").is_file() and (saved[0] / "model.safetensors").is_file()
    again = load_backend("transformers", smollm2_gguf, n_ctx=512)
    assert again.generate(MESSAGES, max_tokens=8).gen_tokens > 0
    again.close()


def test_loop_detector():
    from finflag.summary.backends.hf import _has_loop

    assert _has_loop(list(range(10)) + list(range(30)) * 3, window=24)
    assert not _has_loop(list(range(200)), window=24)
