"""Batch runs, run-level reports and review from the command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..batch import BatchError, BatchStats, run_batch
from ..output.formats import FORMATS


def _progress_printer(quiet: bool):
    """Progress on stderr: files done / total, findings so far, ETA. Quiet when not a terminal."""
    if quiet or not sys.stderr.isatty():
        return None

    def show(stats: BatchStats, elapsed: float) -> None:
        left = stats.total - stats.done
        rate = (stats.done - stats.skipped) / elapsed if elapsed > 0 and stats.done > stats.skipped else 0
        eta = f"{int(left / rate // 60)}:{int(left / rate % 60):02d}" if rate else "--:--"
        width = 24
        filled = int(width * stats.done / stats.total) if stats.total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {stats.done}/{stats.total} files, "
                         f"{stats.findings} findings, {stats.failed} failed, ETA {eta}   ")
        sys.stderr.flush()
        if stats.done == stats.total:
            sys.stderr.write("\n")

    return show


def run_batch_command(paths, out_dir: Path, rule_paths, options, summarizer, jobs, globs, excludes, force, quiet,
                      fail_on) -> None:
    from .main import _read_paths
    from ..result import EXIT_ERROR, EXIT_FINDINGS

    if not jobs:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        stats = run_batch(_read_paths(tuple(paths)), out_dir, rule_paths, True, options, summarizer, jobs, globs,
                          excludes, force, _progress_printer(quiet))
    except BatchError as exc:
        raise click.UsageError(str(exc)) from None
    except KeyboardInterrupt:
        click.echo(f"\nfinflag: interrupted; finished results are kept in {out_dir} (rerun to resume)", err=True)
        sys.exit(130)
    finally:
        if summarizer is not None:
            summarizer.close()
    for path, error in stats.errors:
        click.echo(f"finflag: error: {path}: {error}", err=True)
    click.echo(f"finflag: {stats.total} inputs, {stats.done - stats.failed - stats.skipped} analysed, "
               f"{stats.skipped} unchanged (skipped), {stats.failed} failed, {stats.findings} findings; "
               f"results in {out_dir}", err=True)
    if stats.failed:
        sys.exit(EXIT_ERROR)
    if fail_on:
        from ..batch import load_results
        from ..rules.pack import SEVERITY_RANK

        floor = SEVERITY_RANK[fail_on]
        if any(SEVERITY_RANK[f["severity"]] >= floor for r in load_results(out_dir) for f in r.get("findings", [])):
            sys.exit(EXIT_FINDINGS)


def _report_dir(path: Path) -> Path:
    if not (path / "index.json").is_file() and not (path / "results").is_dir():
        raise click.UsageError(f"{path} is not a report folder (made by 'finflag analyze ... --out {path}')")
    return path


@click.command("report", epilog="\b\nExamples:\n  finflag report report/ --format html\n"
                                "  finflag report report/ --format sarif > findings.sarif\n"
                                "  finflag report report/ --format csv --output findings.csv")
@click.argument("report_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="File to write (html: a folder; default REPORT_DIR/html). Other formats default to stdout.")
def report_command(report_dir, fmt, output):
    """Render a report from stored results, without re-running anything."""
    from ..batch import rebuild_outputs, write_atomic
    from ..output.formats import render

    _report_dir(report_dir)
    rebuild_outputs(report_dir)
    rendered = render(report_dir, fmt)
    if fmt == "html":
        target = output or report_dir / "html"
        for name, page in rendered.items():
            write_atomic(target / name, page)
        click.echo(f"finflag: HTML report: {target / 'index.html'} ({len(rendered) - 1} post pages)", err=True)
    elif output:
        write_atomic(output, rendered)
        click.echo(f"finflag: wrote {output}", err=True)
    else:
        click.echo(rendered, nl=False)


@click.command("review", epilog="\b\nExamples:\n  finflag review report/\n  finflag review report/ --export decisions.csv")
@click.argument("report_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write all decisions as CSV and exit.")
@click.option("--all", "include_reviewed", is_flag=True, help="Also walk through findings already decided.")
def review_command(report_dir, export_path, include_reviewed):
    """Walk through unreviewed findings: c confirm, d dismiss, n note, s skip, b back, q quit."""
    from ..batch import load_results, write_atomic
    from .review import Decisions, walk

    _report_dir(report_dir)
    if export_path:
        decisions = Decisions.load(report_dir)
        write_atomic(export_path, decisions.to_csv())
        click.echo(f"finflag: {len(decisions.data)} decisions written to {export_path}", err=True)
        return
    walk(report_dir, load_results(report_dir), include_reviewed)
