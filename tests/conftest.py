"""Shared fixtures: the default rule pack (loaded once) and document builders."""

from __future__ import annotations

from pathlib import Path

import pytest

from finflag.document import Document
from finflag.lang import detect_language
from finflag.rulepack import RulePack, load_packs

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_packs()


def make_doc(text: str, path: str = "<test>") -> Document:
    return Document(path=path, text=text, language=detect_language(text))
