"""Reviewing findings: one key per decision, saved the moment it is made.

Decisions live in ``REPORT_DIR/review.json`` keyed by the finding id, a
hash of the input's content, the rule and the offsets. The same text
flagged by the same rule in a later run has the same id, so decisions
survive re-running the batch; a finding whose text changed is new.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

REVIEW_FILE = "review.json"
KEYS = "[c]onfirm  [d]ismiss  [n]ote  [s]kip  [b]ack  [q]uit"


class Decisions:
    def __init__(self, path: Path, data: dict[str, dict[str, Any]]) -> None:
        self.path = path
        self.data = data

    @classmethod
    def load(cls, out_dir: Path) -> "Decisions":
        path = Path(out_dir) / REVIEW_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8")).get("decisions", {})
        except (OSError, ValueError, AttributeError):
            data = {}
        return cls(path, data)

    def get(self, finding_id: str) -> dict[str, Any]:
        return self.data.get(finding_id, {})

    def set(self, finding: dict[str, Any], path: str, decision: str | None = None, note: str | None = None) -> None:
        entry = dict(self.data.get(finding["id"], {}))
        if decision:
            entry["decision"] = decision
        if note is not None:
            entry["note"] = note
        entry.update(path=path, rule_id=finding["rule_id"], category=finding["category"], quote=finding["quote"],
                     line=finding["line"], at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.data[finding["id"]] = entry
        self.save()

    def clear(self, finding_id: str) -> None:
        self.data.pop(finding_id, None)
        self.save()

    def save(self) -> None:
        from ..batch import write_atomic

        write_atomic(self.path, json.dumps({"schema": 1, "decisions": self.data}, ensure_ascii=False, indent=1))

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["finding_id", "decision", "note", "path", "line", "category", "rule_id", "quote", "at"])
        for fid, d in sorted(self.data.items(), key=lambda kv: (kv[1].get("path", ""), kv[1].get("line", 0))):
            writer.writerow([fid, d.get("decision", ""), d.get("note", ""), d.get("path", ""), d.get("line", ""),
                             d.get("category", ""), d.get("rule_id", ""), d.get("quote", ""), d.get("at", "")])
        return buffer.getvalue()


def _show(position: int, total: int, path: str, f: dict[str, Any], current: dict[str, Any]) -> None:
    context, quote = f["context"], f["quote"]
    at = context.find(quote)
    shown = (context[:at] + click.style(quote, fg="yellow", bold=True, underline=True) + context[at + len(quote):]
             if at >= 0 else click.style(quote, bold=True))
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
