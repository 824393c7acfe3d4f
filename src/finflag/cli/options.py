"""Options and set-up shared by the commands, declared once.

Every command that reads posts takes :func:`input_options`; every command
that applies rules takes :func:`rule_options`, and those that flag posts
:func:`source_options`; commands that report findings take
:func:`finding_options`. Expected problems (a bad rule pack, allow-list,
glossary, prompt file or model setting) become :class:`CommandError`: one
line on stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click

from ..input.ingest import DEFAULT_GLOBS, MAX_BYTES
from ..output import FORMATS, RESULT_FORMATS
from ..result import EXIT_ERROR
from ..rules.pack import SEVERITIES

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


class CommandError(click.ClickException):
    """An expected error: printed as one line, exit 2."""

    exit_code = EXIT_ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        message = " ".join(line.strip() for line in self.format_message().splitlines() if line.strip())
        click.echo(f"finflag: error: {message}", err=True, file=file)


def _apply(options: list[Decorator]) -> Decorator:
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            func = option(func)
        return func
    return decorate


def input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """PATHS and how to read them: --glob, --exclude, --encoding, --max-size."""
    return _apply([
        click.argument("paths", nargs=-1),
        click.option("--glob", "globs", multiple=True,
                     help=f"File name pattern inside folders; repeatable (default: {' '.join(DEFAULT_GLOBS)})."),
        click.option("--exclude", "excludes", multiple=True,
                     help="Skip files matching this pattern inside folders (like .gitignore: drafts/*, *.bak)."),
        click.option("--encoding", default=None, help="Force the input encoding (e.g. gb18030, big5)."),
        click.option("--max-size", type=click.FloatRange(min=0, min_open=True), default=MAX_BYTES / 2**20,
                     show_default=True, help="Largest input in MB."),
    ])(func)


def format_option(help_suffix: str = "") -> Decorator:
    lines = "; ".join(f"{name}: {FORMATS[name].help}" for name in RESULT_FORMATS)
    return click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default="text", show_default=True,
                        help=f"Output format ({lines}){help_suffix}.")


def rule_options(func: Callable[..., Any]) -> Callable[..., Any]:
    return _apply([
        click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
                     help="Extra rule pack (YAML file or folder); repeatable. Same ids replace default rules."),
        click.option("--no-default-rules", is_flag=True, help="Use only the packs given with --rules."),
    ])(func)


def source_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--scorer/--no-scorer: the learned scorer as a second rule source beside the packs (flag, analyze, eval)."""
    return click.option("--scorer/--no-scorer", "scorer", default=None,
                        help="Also run the learned sentence scorer (rule ids scorer.*) beside the rule packs "
                             "(default: off; README, 'Learned scorer').")(func)


def finding_options(func: Callable[..., Any]) -> Callable[..., Any]:
    return _apply([
        click.option("--min-severity", type=click.Choice(SEVERITIES), default="info", show_default=True,
                     help="Hide findings below this severity."),
        click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
                     help="Exit 1 if any finding is at or above this severity."),
        click.option("--allow", "allow_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Allow-list YAML of phrases / rule ids (per path glob) to suppress."),
    ])(func)


def read_paths(paths: tuple[str, ...] | list[str]) -> list[str]:
    """The inputs: the paths given, or standard input when it is piped."""
    if paths:
        return list(paths)
    if not sys.stdin.isatty():
        return ["-"]
    raise click.UsageError("give one or more files or folders, or '-' to read standard input")


def load_pack(rule_paths: tuple[Path, ...] | list[Path], no_default_rules: bool):
    from ..rules.pack import RulePackError, load_packs

    try:
        return load_packs(list(rule_paths), include_default=not no_default_rules)
    except RulePackError as exc:
        raise CommandError(f"rule pack: {exc}") from None


def flag_options(pack, min_severity: str, allow_path: Path | None, encoding: str | None, max_size: float,
                 scorer: bool | None = None):
    """The rule layer's options, the allow-list loaded (a bad one is a CommandError) and checked
    against the pack (an entry naming no rule suppresses nothing: a warning says so); ``scorer``
    is the --scorer/--no-scorer switch (None: the default sources)."""
    from ..pipeline import FlagOptions
    from ..rules.allowlist import AllowListError, load_allowlist, unknown_rules
    from ..rules.sources import enabled

    try:
        allow = load_allowlist(allow_path) if allow_path else []
    except AllowListError as exc:
        raise CommandError(str(exc)) from None
    for warning in unknown_rules(allow, pack):
        click.echo(f"finflag: warning: {warning}", err=True)
    return FlagOptions(min_severity, allow, encoding, int(max_size * 2**20), enabled(scorer))


def colour_for(stream: IO[str], forced: bool | None = None) -> bool:
    return stream.isatty() if forced is None else forced
