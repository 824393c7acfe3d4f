"""``analyze --out``: a batch run from the command line, with progress and a closing line."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..batch import BatchError, BatchRequest, BatchStats
from ..engines import DEFAULT_ENGINE, EngineSettings, run
from ..result import EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERRUPTED
from .options import CommandError


class BatchProgress:
    """Progress of a batch on stderr: a bar with files done / total, findings, failures and ETA.

    Drawn with rich, whose console prints log lines (the summarizer's messages)
    above the bar, never on its line. The ETA comes from the work done in this
    run: inputs skipped as unchanged are counted before the bar starts.
    Without a terminal (or with --quiet) there is no bar, and log lines go to
    stderr as plain lines unless quiet.
    """

    def __init__(self, quiet: bool, console: Any = None) -> None:
        self.quiet = quiet
        self.console = console
        self.enabled = not quiet and (console is not None or sys.stderr.isatty())
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> "BatchProgress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.console = self.console or Console(stderr=True)
            self._progress = Progress(
                TextColumn("analysing"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[findings]} findings, {task.fields[failed]} failed, ETA"),
                TimeRemainingColumn(), console=self.console)
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, stats: BatchStats, elapsed: float) -> None:
        if self._progress is None:
            return
        fields = {"findings": stats.findings, "failed": stats.failed}
        if self._task is None:  # the first call comes after the skip scan: skipped inputs are not speed
            self._task = self._progress.add_task("batch", total=stats.total, completed=stats.done, **fields)
        else:
            self._progress.update(self._task, completed=stats.done, **fields)

    def log(self, message: str) -> None:
        if self._progress is not None:
            self._progress.console.print(f"finflag: {message}", markup=False, highlight=False)
        elif not self.quiet:
            click.echo(f"finflag: {message}", err=True)


def run_batch_command(request: BatchRequest, quiet: bool, fail_on: str | None, engine: str = DEFAULT_ENGINE,
                      settings: EngineSettings | None = None) -> None:
    from ..reportdir import load_results
    from ..rules.pack import at_least

    try:
        with BatchProgress(quiet) as progress:
            if request.summarizer is not None:
                request.summarizer.progress = progress.log  # above the bar, not on its line
            stats = run(engine, request, progress.update, settings)
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
    if stats.nodes:
        click.echo("finflag: posts per node: " + ", ".join(f"{node} {count}" for node, count in
                                                            sorted(stats.nodes.items())), err=True)
    if stats.failed:
        sys.exit(EXIT_ERROR)
    if fail_on and any(at_least(f["severity"], fail_on)
                       for r in load_results(request.out_dir) for f in r.get("findings", [])):
        sys.exit(EXIT_FINDINGS)
