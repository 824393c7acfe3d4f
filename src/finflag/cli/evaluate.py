"""``finflag eval``: the rule layer scored against labelled posts."""

from __future__ import annotations

import json
import sys
from importlib.util import find_spec
from pathlib import Path

import click

from ..result import EXIT_ERROR
from .options import CommandError, load_pack, rule_options, source_options


@click.command("eval", epilog="\b\nExamples:\n  finflag eval samples/labels.yaml\n"
                              "  finflag eval tests/real/labels.yaml --misses 20\n"
                              "  finflag eval corpus/labels.yaml --format json\n"
                              "  finflag eval tests/real/labels.yaml --scorer\n"
                              "  finflag eval tests/real/labels.yaml --loso")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a table per category and the misses; json: the same as one object.")
@click.option("--misses", type=click.IntRange(min=0), default=None,
              help="List at most N of each kind of miss in the text output (default: all).")
@click.option("--loso", is_flag=True,
              help="Also leave one source out: per source, recall with everything vs. without the rules written "
                   "from it (their origin); with --scorer, also the scorer retrained without it (needs numpy).")
@rule_options
@source_options
def eval_command(labels, fmt, misses, loso, rule_paths, no_default_rules, scorer):
    """Precision, recall and F1 per category against a labelled corpus."""
    from ..evaluate import evaluate_documents, evaluation_dict, format_evaluation
    from ..labels import LabelError, load_label_set
    from ..pipeline import FlagOptions, flag_document
    from ..rules.sources import enabled

    pack = load_pack(rule_paths, no_default_rules)
    options = FlagOptions(sources=enabled(scorer))
    try:
        docs, errors = load_label_set(labels)
        result = evaluate_documents(docs, pack, lambda doc: flag_document(doc, pack, options).findings, errors)
    except LabelError as exc:
        raise CommandError(str(exc)) from None
    rows = _loso(docs, pack, bool(scorer)) if loso else None
    if fmt == "json":
        data = evaluation_dict(result)
        if rows is not None:
            from ..loso import loso_dict

            data["leave_one_source_out"] = loso_dict(rows)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(format_evaluation(result, misses))
        if rows is not None:
            from ..loso import format_loso

            click.echo(format_loso(rows, pack))
    if result.errors:
        sys.exit(EXIT_ERROR)


def _loso(docs, pack, scorer: bool):
    """Leave-one-source-out rows; retraining the scorer needs numpy (installed with the model extra)."""
    from ..loso import loso

    if scorer and find_spec("numpy") is None:
        raise CommandError("--loso with --scorer retrains the scorer and needs numpy (pip install numpy)")
    return loso(docs, pack, scorer)
