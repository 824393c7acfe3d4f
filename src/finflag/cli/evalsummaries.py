"""``finflag eval-summaries``: summaries scored for faithfulness against labelled posts."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from .analyze import make_summarizer, model_options, running_model
from .options import CommandError, load_pack


@click.command("eval-summaries", epilog="\b\nExamples:\n  finflag eval-summaries tests/summaries/labels.yaml\n"
                                        "  finflag eval-summaries tests/summaries/labels.yaml --format json")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a row per post, its problems, then the totals; json: the same as one object.")
@model_options
def eval_summaries(labels, fmt, model, backend, max_words, max_chars, threads, n_ctx, dtype, glossary_paths, quiet):
    """Linked and checked sentences, attribution errors, invented names, coverage of labelled
    facts and claims stated as fact, for the summaries of a labelled set of posts."""
    from ..summary_eval import LabelError, evaluate, load_labels, report_text, totals

    try:
        labelled = load_labels(labels)
    except LabelError as exc:
        raise CommandError(str(exc)) from None
    pack = load_pack((), False)
    summarizer = make_summarizer(model, backend, max_words, max_chars, threads, n_ctx, dtype, glossary_paths, quiet)
    progress = (lambda message: None) if quiet else (lambda message: click.echo(f"finflag: {message}", err=True))
    with running_model(summarizer):
        figures = evaluate(labelled, summarizer, pack, progress=progress)
    if fmt == "json":
        click.echo(json.dumps({"totals": totals(figures), "posts": [asdict(f) for f in figures]},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(report_text(figures))
