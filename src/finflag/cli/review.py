"""``finflag review``: the terminal walk-through, one key per decision, saved the moment it is made.

Decisions are stored by :class:`finflag.reviewstore.Decisions` (``review.db``,
SQLite, keyed by the stable finding id): the same store ``finflag serve`` writes,
so a browser tab and this walk-through can run at once and lose nothing.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import click

from ..output.text import split_context
from ..reportdir import Decisions
from ..rules.pack import SEVERITY_RANK
from .options import CommandError

KEYS = "[c]onfirm  [d]ismiss  [n]ote  [s]kip  [b]ack  [q]uit"


def _wrap(text: str, indent: str = "  ") -> str:
    """Wrapped on words to the terminal's width (explanations are long)."""
    width = max(40, shutil.get_terminal_size((100, 24)).columns - 1)
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent)


def _show(position: int, total: int, path: str, f: dict[str, Any], current: dict[str, Any]) -> None:
    before, quote, after = split_context(f)  # by offset: the words may occur twice in the sentence
    shown = before + click.style(quote, fg="yellow", bold=True, underline=True) + after
    click.echo()
    click.echo(click.style(f"[{position}/{total}] {path}:{f['line']}:{f['column']}", bold=True)
               + f"  {f['severity']}  {f['category']}  ({f['rule_id']})")
    click.echo(f"  {shown}")
    if f["gloss"]:
        click.echo(f"  = {f['gloss']}")
    click.echo(_wrap(f"{f['message']}. {f['explanation']}"))
    if current:
        click.echo(f"  current: {current.get('decision', 'no decision')}" + (f", note: {current['note']}" if current.get("note") else ""))


def _key() -> str:
    try:
        return click.getchar().lower()
    except OSError:  # no terminal to read keys from: stdin is a pipe or /dev/null and there is no /dev/tty
        raise CommandError("finflag review needs a terminal to read keys from; "
                           "use 'finflag review DIR --export decisions.csv' or 'finflag report DIR'") from None


def walk(out_dir: Path, results: list[dict[str, Any]], include_reviewed: bool = False) -> dict[str, int]:
    """The interactive walk-through, most severe findings first; returns what the store holds for them."""
    decisions = Decisions.load(out_dir)
    queue = [(r["path"], f) for r in results if "error" not in r for f in r["findings"]
             if include_reviewed or "decision" not in decisions.get(f["id"])]
    # Most severe first; within a severity, in reading order (input order, then offset).
    queue.sort(key=lambda item: -SEVERITY_RANK.get(item[1]["severity"], 0))
    if not queue:
        click.echo("finflag: nothing to review: every finding has a decision.")
        return {"confirmed": 0, "dismissed": 0, "noted": 0, "undecided": 0}
    click.echo(f"{len(queue)} finding(s) to review.  Keys: {KEYS}")
    i, shown = 0, -1
    while 0 <= i < len(queue):
        path, f = queue[i]
        if i != shown:  # an unknown key asks again without reprinting the card
            _show(i + 1, len(queue), path, f, decisions.get(f["id"]))
            shown = i
        click.echo(f"  {KEYS} > ", nl=False)
        key = _key()
        click.echo(key)
        if key == "c":
            decisions.set(f, path, "confirmed")
            i += 1
        elif key == "d":
            decisions.set(f, path, "dismissed")
            i += 1
        elif key == "n":
            note = click.prompt("  note", default=decisions.get(f["id"]).get("note", ""), show_default=False)
            decisions.set(f, path, note=note)
        elif key == "s":
            i += 1
        elif key == "b":
            i = max(i - 1, 0)
        elif key in ("q", "\x03", "\x04"):
            break
        else:
            click.echo(f"  unknown key {key!r}; {KEYS}")
    # Outcomes, not key presses: a decision changed twice counts once, as it stands
    # (read again: a browser tab on `finflag serve` may have decided some meanwhile).
    decisions.refresh()
    states = [decisions.get(f["id"]) for _, f in queue]
    counts = {"confirmed": sum(s.get("decision") == "confirmed" for s in states),
              "dismissed": sum(s.get("decision") == "dismissed" for s in states),
              "noted": sum(bool(s.get("note")) for s in states),
              "undecided": sum("decision" not in s for s in states)}
    click.echo(f"finflag: {counts['confirmed']} confirmed, {counts['dismissed']} dismissed, {counts['noted']} with a note, "
               f"{counts['undecided']} undecided of {len(queue)}; saved in {decisions.path}")
    return counts
