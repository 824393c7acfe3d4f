"""transformers + torch: the declared stack, for GPUs and transformers models.

It loads a transformers folder, a hub id (when the user has network), or a
GGUF file. GGUF weights are dequantised by transformers, which takes 60-80 s
for the default model; the result is saved once under the cache
(``hf/<fingerprint>-<dtype>``) and loaded from there afterwards.

Decoding is greedy with a mild repetition penalty, and a stopping criterion
ends generation as soon as the output starts looping (the bf16 default model
was measured falling into a repetition loop).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from .base import BackendError, Generation, Messages

DTYPES = ("auto", "float32", "bfloat16", "float16")
_LOOP_WINDOW = 24  # tokens; a repeated window this long is a loop, not style


def _dequantised_dir(gguf: Path, dtype: str) -> Path:
    from ..model import cache_dir

    stat = gguf.stat()
    key = hashlib.sha256(f"{gguf.resolve()}:{stat.st_size}:{int(stat.st_mtime)}".encode()).hexdigest()[:16]
    return cache_dir() / "hf" / f"{gguf.stem}-{key}-{dtype}"


def _has_loop(ids: list[int], window: int = _LOOP_WINDOW) -> bool:
    """True when the last ``window`` tokens already occurred twice before (any period)."""
    if len(ids) < 3 * window:
        return False
    tail = ids[-window:]
    first = tail[0]
    seen = 0
    for i in range(len(ids) - 2 * window + 1):
        if ids[i] == first and ids[i : i + window] == tail:
            seen += 1
            if seen >= 2:
                return True
    return False


class TransformersBackend:
    name = "transformers"

    def __init__(self, model: str, n_ctx: int = 4096, threads: int = 2, dtype: str | None = None) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise BackendError("the transformers backend needs torch and transformers: pip install 'finflag[model]'") from None
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self._torch = torch
        torch.set_num_threads(threads)
        dtype = dtype or os.environ.get("FINFLAG_DTYPE") or "auto"
        if dtype not in DTYPES:
            raise BackendError(f"unknown dtype {dtype!r}: choose one of {', '.join(DTYPES)}")
        gpu = torch.cuda.is_available()
        if dtype == "auto":
            dtype = "bfloat16" if gpu else "float32"
        torch_dtype = getattr(torch, dtype)
        kwargs: dict[str, object] = {"dtype": torch_dtype}
        if gpu:
            kwargs["device_map"] = "auto"
        start = time.perf_counter()
        path = Path(model).expanduser()
        try:
            if path.suffix.lower() == ".gguf":
                saved = _dequantised_dir(path, dtype)
                if (saved / "config.json").is_file():
                    self._model = AutoModelForCausalLM.from_pretrained(saved, **kwargs)
                    self._tokenizer = AutoTokenizer.from_pretrained(saved)
                else:
                    self._model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, **kwargs)
                    self._tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
                    self._save_dequantised(saved)
            else:
                self._model = AutoModelForCausalLM.from_pretrained(model, **kwargs)
                self._tokenizer = AutoTokenizer.from_pretrained(model)
        except (OSError, ValueError, ImportError) as exc:
            raise BackendError(f"transformers could not load {model}: {exc}") from None
        self._model.eval()
        self.load_s = time.perf_counter() - start
        self.model = model
        self.dtype = dtype
        self.threads = threads
        limit = getattr(self._model.config, "max_position_embeddings", None) or n_ctx
        self.n_ctx = min(n_ctx, int(limit))

    def _save_dequantised(self, target: Path) -> None:
        """Keep the dequantised weights so the next load skips the conversion.

        The weights are plain tensors of ``dtype`` by now; only the GGUF
        marker on the config stops ``save_pretrained``, so it is dropped.
        Written to a temporary folder and renamed, so a crash leaves no half copy.
        """
        import shutil
        import tempfile

        self._model.hf_quantizer = None
        if hasattr(self._model.config, "quantization_config"):
            del self._model.config.quantization_config
        self._model.is_quantized = False
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=target.parent))
        try:
            self._model.save_pretrained(tmp)
            self._tokenizer.save_pretrained(tmp)
            os.replace(tmp, target)
        except OSError:
            pass  # no cache then; the model itself loaded fine
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _stopping(self, prompt_len: int, first_token_at: list[float]):
        from transformers import StoppingCriteria, StoppingCriteriaList

        class StopOnLoop(StoppingCriteria):
            """Ends generation on a loop; also notes when the first token arrived."""

            def __call__(self, input_ids, scores, **kwargs):  # noqa: ANN001
                if not first_token_at:
                    first_token_at.append(time.perf_counter())
                return _has_loop(input_ids[0, prompt_len:].tolist())

        return StoppingCriteriaList([StopOnLoop()])

    def generate(self, messages: Messages, max_tokens: int) -> Generation:
        torch = self._torch
        encoded = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        encoded = {k: v.to(self._model.device) for k, v in encoded.items()}
        prompt_len = int(encoded["input_ids"].shape[1])
        first_token_at: list[float] = []
        with torch.inference_mode():
            start = time.perf_counter()
            output = self._model.generate(
                **encoded,
                max_new_tokens=max_tokens,
                do_sample=False,
                repetition_penalty=1.05,
                stopping_criteria=self._stopping(prompt_len, first_token_at),
                pad_token_id=self._tokenizer.pad_token_id or self._tokenizer.eos_token_id,
            )
            end = time.perf_counter()
        new = output[0, prompt_len:].tolist()
        # Prefill ends with the first token; the rest is generation.
        prompt_s = (first_token_at[0] if first_token_at else end) - start
        ended = bool(new) and new[-1] in self._eos_ids()
        text = self._tokenizer.decode(new, skip_special_tokens=True)
        return Generation(
            text=text,
            prompt_tokens=prompt_len,
            gen_tokens=len(new),
            prompt_s=prompt_s,
            gen_s=max(end - start - prompt_s, 1e-6),
            finish_reason="length" if len(new) >= max_tokens and not ended else "stop",
        )

    def _eos_ids(self) -> set[int]:
        ids: set[int] = set()
        for value in (self._tokenizer.eos_token_id, getattr(self._model.generation_config, "eos_token_id", None)):
            if isinstance(value, int):
                ids.add(value)
            elif isinstance(value, (list, tuple)):
                ids.update(v for v in value if isinstance(v, int))
        return ids

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))

    def close(self) -> None:
        self._model = None
