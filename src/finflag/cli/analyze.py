"""``finflag summarize`` and ``finflag analyze``: the commands that use the local model.

``analyze --out`` runs a batch into a report folder (resumable, with progress);
without it both commands print each result as it is done.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path

import click

from ..engines import DEFAULT_ENGINE, ENGINES, EngineSettings
from ..summary.backends.hf import DTYPES
from ..summary.prepare import DEFAULT_MAX_CHARS
from ..summary.model import BACKENDS
from ..result import EXIT_INTERRUPTED
from .options import (CommandError, colour_for, finding_options, flag_options, format_option, input_options,
                      load_pack, read_paths, rule_options, source_options)

SUMMARY_EXAMPLES = """
\b
Examples:
  finflag summarize post.txt
  cat post.txt | finflag summarize - --format json
  finflag summarize post.txt --model ~/models/qwen2.5-7b-instruct-q4_k_m.gguf
  finflag summarize post.txt --backend transformers --model Qwen/Qwen2.5-1.5B-Instruct
"""
ANALYZE_EXAMPLES = """
\b
Examples:
  cat post.txt | finflag analyze -
  finflag analyze post.txt --format json > report.json
  finflag analyze saved_posts/ --out report/            # batch: resumable, one result per post
  finflag analyze saved_posts/ --out report/ --no-summary --jobs 2
  finflag analyze saved_posts/ --out report/ --engine ray --address 10.0.0.5:6379
  finflag report report/ --format html && finflag review report/
"""


def model_options(func):
    for option in reversed([
        click.option("--model", "model", default=None,
                     help="GGUF file, transformers model folder or hub id (default: the bundled Qwen2.5 1.5B; "
                          "env FINFLAG_MODEL)."),
        click.option("--backend", type=click.Choice(BACKENDS), default=None,
                     help="Inference backend (env FINFLAG_BACKEND; default llama-cpp on CPU)."),
        click.option("--max-words", type=click.IntRange(20, 1000), default=150, show_default=True,
                     help="Longest summary, in words."),
        click.option("--max-chars", type=click.IntRange(min=1000), default=DEFAULT_MAX_CHARS, show_default=True,
                     help="Summarise at most this many characters of a post; the rest is reported as dropped."),
        click.option("--threads", type=click.IntRange(1, 256), default=None, help="CPU threads (default: physical cores)."),
        click.option("--ctx", "n_ctx", type=click.IntRange(512, 131072), default=None,
                     help="Context size in tokens (default: sized to the input, 2048-4096)."),
        click.option("--dtype", type=click.Choice(DTYPES), default=None,
                     help="transformers backend weights type (default: float32 on CPU, bfloat16 on GPU)."),
        click.option("--glossary", "glossary_paths", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Extra glossary TSV (Chinese, English, kind, ticker); repeatable."),
        click.option("-q", "--quiet", is_flag=True, help="No progress messages on stderr."),
    ]):
        func = option(func)
    return func


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def make_summarizer(model, backend, max_words, max_chars, threads, n_ctx, dtype, glossary_paths, quiet):
    """The summarizer (the model itself loads on first use); bad settings are a CommandError."""
    from ..summary.glossary import Glossary, GlossaryError
    from ..summary.model import ModelError, resolve
    from ..summary.prompts import PromptError
    from ..summary.summarize import Summarizer, SummaryOptions

    progress = (lambda message: None) if quiet else (lambda message: click.echo(f"finflag: {message}", err=True))
    try:
        return Summarizer(resolve(model, backend), SummaryOptions(max_words, n_ctx, threads, dtype, max_chars),
                          Glossary.load(list(glossary_paths)), progress)
    except (ModelError, GlossaryError, PromptError) as exc:
        raise CommandError(str(exc)) from None


@contextmanager
def running_model(summarizer):
    """Around model work: its errors as one-line usage errors, Ctrl-C as exit 130, the model closed either way."""
    from ..summary.backends import BackendError
    from ..summary.model import ModelError
    from ..summary.prompts import PromptError

    try:
        yield
    except (ModelError, BackendError, PromptError) as exc:
        raise CommandError(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("\nfinflag: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        summarizer.close()


def _print_results(paths, globs, excludes, fmt, view, summarizer, pack, options, fail_on=None) -> None:
    from ..output.stream import ResultWriter
    from ..pipeline import flag_paths

    writer = ResultWriter(fmt, view, fail_on)
    with running_model(summarizer):
        for item in flag_paths(paths, pack, options, globs, excludes, summarizer):
            writer.add(item)
    sys.exit(writer.finish())


@click.command(epilog=SUMMARY_EXAMPLES)
@input_options
@format_option()
@model_options
def summarize(paths, globs, excludes, encoding, max_size, fmt, model, backend, max_words, max_chars, threads, n_ctx,
              dtype, glossary_paths, quiet):
    """Faithful English summary of each post, written by a local model and checked against the source."""
    from ..output import View

    summarizer = make_summarizer(model, backend, max_words, max_chars, threads, n_ctx, dtype, glossary_paths, quiet)
    pack = load_pack((), False)  # the default rules find promotional footers, which the summary leaves out
    options = flag_options(pack, "info", None, encoding, max_size)
    view = View(colour=colour_for(sys.stdout), findings=False)
    _print_results(read_paths(paths), globs, excludes, fmt, view, summarizer, pack, options)


@click.command(epilog=ANALYZE_EXAMPLES)
@input_options
@format_option()
@finding_options
@rule_options
@source_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Batch mode: write one result per input, results.jsonl and index.json into this folder "
                   "(resumable; never inside an input folder).")
@click.option("--no-summary", is_flag=True, help="Batch mode: rule layer only (no model).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes for the rule layer in batch mode (default: cores).")
@click.option("--force", is_flag=True, help="Batch mode: redo inputs whose stored result is still valid.")
@click.option("--engine", type=click.Choice(list(ENGINES)), default=DEFAULT_ENGINE, envvar="FINFLAG_ENGINE",
              show_default=True, help="Batch mode: run here, or on a Ray cluster (pip install 'finflag[ray]'; "
                                      "env FINFLAG_ENGINE).")
@click.option("--address", default=None, envvar="RAY_ADDRESS",
              help="--engine ray: the cluster's head (host:port; env RAY_ADDRESS; default: a new local cluster).")
@click.option("--model-actors", type=click.IntRange(1, 1024), default=None,
              help="--engine ray: model actors, each loading the model once (default: one per node).")
@model_options
def analyze(paths, globs, excludes, encoding, max_size, fmt, min_severity, fail_on, allow_path, rule_paths,
            no_default_rules, scorer, out_dir, no_summary, jobs, force, engine, address, model_actors, model, backend,
            max_words, max_chars, threads, n_ctx, dtype, glossary_paths, quiet):
    """Flagged claims and an English summary in one report (the flag JSON plus "summary")."""
    from ..output import View

    pack = load_pack(rule_paths, no_default_rules)
    options = flag_options(pack, min_severity, allow_path, encoding, max_size, scorer)
    if out_dir is None and no_summary:
        raise click.UsageError("--no-summary is for batch runs (--out); use 'finflag flag' for the rule layer alone")
    if out_dir is None and engine != DEFAULT_ENGINE:
        raise click.UsageError(f"--engine {engine} is for batch runs (--out REPORT_DIR)")
    if engine == "ray" and find_spec("ray") is None:
        raise CommandError("--engine ray needs Ray: pip install 'finflag[ray]'")
    summarizer = None if no_summary else make_summarizer(model, backend, max_words, max_chars, threads, n_ctx,
                                                          dtype, glossary_paths, quiet)
    if out_dir is not None:
        from ..batch import BatchRequest
        from .batchrun import run_batch_command

        request = BatchRequest(read_paths(paths), out_dir, pack, options, summarizer, jobs or _cores(),
                               tuple(globs), tuple(excludes), force)
        run_batch_command(request, quiet, fail_on, engine, EngineSettings(address, model_actors))
        return
    _print_results(read_paths(paths), globs, excludes, fmt, View(colour=colour_for(sys.stdout)), summarizer,
                   pack, options, fail_on)
