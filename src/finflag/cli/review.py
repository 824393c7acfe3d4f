"""``finflag review``: the terminal walk-through, one key per decision, saved the moment it is made.

Decisions are stored by :class:`finflag.reportdir.Decisions` (``review.json``,
keyed by the stable finding id).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..output.text import split_context
from ..reportdir import Decisions

KEYS = "[c]onfirm  [d]ismiss  [n]ote  [s]kip  [b]ack  [q]uit"


def _show(position: int, total: int, path: str, f: dict[str, Any], current: dict[str, Any]) -> None:
    before, quote, after = split_context(f)  # by offset: the words may occur twice in the sentence
    shown = before + click.style(quote, fg="yellow", bold=True, underline=True) + after
    click.echo()
    click.echo(click.style(f"[{position}/{total}] {path}:{f['line']}:{f['column']}", bold=True)
               + f"  {f['severity']}  {f['category']}  ({f['rule_id']})")
    click.echo(f"  {shown}")
    if f["gloss"]:
        click.echo(f"  = {f['gloss']}")
    click.echo(f"  {f['message']}. {f['explanation']}")
    if current:
        click.echo(f"  current: {current.get('decision', 'no decision')}" + (f", note: {current['note']}" if current.get("note") else ""))


def walk(out_dir: Path, results: list[dict[str, Any]], include_reviewed: bool = False) -> dict[str, int]:
    """The interactive walk-through; returns counts of what was decided."""
    decisions = Decisions.load(out_dir)
    queue = [(r["path"], f) for r in results if "error" not in r for f in r["findings"]
             if include_reviewed or "decision" not in decisions.get(f["id"])]
    counts = {"confirmed": 0, "dismissed": 0, "noted": 0, "skipped": 0}
    if not queue:
        click.echo("finflag: nothing to review: every finding has a decision.")
        return counts
    click.echo(f"{len(queue)} finding(s) to review.  Keys: {KEYS}")
    i = 0
    while 0 <= i < len(queue):
        path, f = queue[i]
        _show(i + 1, len(queue), path, f, decisions.get(f["id"]))
        click.echo(f"  {KEYS} > ", nl=False)
        key = click.getchar().lower()
        click.echo(key)
        if key == "c":
            decisions.set(f, path, "confirmed")
            counts["confirmed"] += 1
            i += 1
        elif key == "d":
            decisions.set(f, path, "dismissed")
            counts["dismissed"] += 1
            i += 1
        elif key == "n":
            note = click.prompt("  note", default=decisions.get(f["id"]).get("note", ""), show_default=False)
            decisions.set(f, path, note=note)
            counts["noted"] += 1
        elif key == "s":
            counts["skipped"] += 1
            i += 1
        elif key == "b":
            i = max(i - 1, 0)
        elif key in ("q", "\x03", "\x04"):
            break
        else:
            click.echo(f"  unknown key {key!r}; {KEYS}")
    click.echo(f"finflag: {counts['confirmed']} confirmed, {counts['dismissed']} dismissed, {counts['noted']} noted, "
               f"{counts['skipped']} skipped; saved in {decisions.path}")
    return counts
