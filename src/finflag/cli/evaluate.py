"""``finflag eval``: the rule layer scored against labelled posts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..result import EXIT_ERROR
from .options import CommandError, load_pack, rule_options, source_options


@click.command("eval", epilog="\b\nExamples:\n  finflag eval samples/labels.yaml\n"
                              "  finflag eval tests/real/labels.yaml --misses 20\n"
                              "  finflag eval corpus/labels.yaml --format json\n"
                              "  finflag eval tests/real/labels.yaml --scorer")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a table per category and the misses; json: the same as one object.")
@click.option("--misses", type=click.IntRange(min=0), default=None,
              help="List at most N of each kind of miss in the text output (default: all).")
@rule_options
@source_options
def eval_command(labels, fmt, misses, rule_paths, no_default_rules, scorer):
    """Precision, recall and F1 per category against a labelled corpus."""
    from ..evaluate import evaluate, evaluation_dict, format_evaluation
    from ..labels import LabelError
    from ..pipeline import FlagOptions
    from ..rules.sources import enabled

    pack = load_pack(rule_paths, no_default_rules)
    try:
        result = evaluate(labels, pack, FlagOptions(sources=enabled(scorer)))
    except LabelError as exc:
        raise CommandError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(evaluation_dict(result), ensure_ascii=False, indent=2))
    else:
        click.echo(format_evaluation(result, misses))
    if result.errors:
        sys.exit(EXIT_ERROR)
