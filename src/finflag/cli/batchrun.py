"""``analyze --out``: a batch run from the command line, with progress and a closing line."""

from __future__ import annotations

import sys

import click

from ..batch import BatchError, BatchRequest, BatchStats, run_batch
from ..result import EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERRUPTED
from .options import CommandError


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


def run_batch_command(request: BatchRequest, quiet: bool, fail_on: str | None) -> None:
    from ..reportdir import load_results
    from ..rules.pack import SEVERITY_RANK

    try:
        stats = run_batch(request, _progress_printer(quiet))
    except BatchError as exc:
        raise CommandError(str(exc)) from None
    except KeyboardInterrupt:
        click.echo(f"\nfinflag: interrupted; finished results are kept in {request.out_dir} (rerun to resume)",
                   err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        if request.summarizer is not None:
            request.summarizer.close()
    for path, error in stats.errors:
        click.echo(f"finflag: error: {path}: {error}", err=True)
    click.echo(f"finflag: {stats.total} inputs, {stats.done - stats.failed - stats.skipped} analysed, "
               f"{stats.skipped} unchanged (skipped), {stats.failed} failed, {stats.findings} findings; "
               f"results in {request.out_dir}", err=True)
    if stats.failed:
        sys.exit(EXIT_ERROR)
    if fail_on:
        floor = SEVERITY_RANK[fail_on]
        if any(SEVERITY_RANK[f["severity"]] >= floor for r in load_results(request.out_dir) for f in r.get("findings", [])):
            sys.exit(EXIT_FINDINGS)
