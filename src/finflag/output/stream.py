"""Printing results as they arrive, in one ``--format``, and keeping score for the exit code.

``flag``, ``summarize`` and ``analyze`` all print through :class:`ResultWriter`,
so they treat formats, unreadable inputs, input warnings and exit codes alike.
"""

from __future__ import annotations

import click

from ..input.ingest import InputError
from ..result import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, FlagResult, error_dict
from ..rules.findings import at_or_above
from . import FORMATS
from .view import View


class ResultWriter:
    def __init__(self, fmt: str, view: View = View(), fail_on: str | None = None) -> None:
        self.fmt, self.view, self.fail_on = fmt, view, fail_on
        self.renderer = FORMATS[fmt].load()
        self.failed = 0  # inputs that could not be read
        self.failing = 0  # results with a finding at or above fail_on
        self._collected: list[dict] = []  # json: printed together at the end
        self._printed = 0

    def add(self, item: FlagResult | InputError) -> None:
        if isinstance(item, InputError):
            self.failed += 1
            click.echo(f"finflag: error: {item}", err=True)
            data = error_dict(item)
        else:
            if self.fail_on and at_or_above(item.findings, self.fail_on):
                self.failing += 1
            for warning in item.doc.warnings:
                click.echo(f"finflag: warning: {item.doc.path}: {warning}", err=True)
            data = item.to_dict()
        if self.fmt == "json":
            self._collected.append(data if "error" in data else self.renderer.render_object(data, self.view))
            return
        shown = self.renderer.render_error(data) if "error" in data else self.renderer.render_result(data, self.view)
        if shown is None:
            return
        if self._printed and self.fmt == "text":
            click.echo()
        click.echo(shown)
        self._printed += 1

    def finish(self) -> int:
        """Print what waits for the end (one JSON document, the failure count); return the exit code."""
        if self.fmt == "json":
            click.echo(self.renderer.render_collected(self._collected))
        if self.failed:
            click.echo(f"finflag: {self.failed} input(s) could not be read", err=True)
            return EXIT_ERROR
        return EXIT_FINDINGS if self.failing else EXIT_OK
