"""Reviewers' decisions on findings: one SQLite file per report folder (``review.db``).

Why SQLite and not a JSON file: the terminal review, two browser tabs of
``finflag serve`` and a teammate may decide at the same moment. A JSON file
rewritten whole by each of them loses whatever the others wrote in between;
SQLite in WAL mode makes each decision one small transaction on one row
(an upsert that touches only the fields given), readers never block the
writer, and ``busy_timeout`` makes a second writer wait its turn instead of
failing. Decisions are keyed by the stable finding id, with who made them
and when, so they survive re-running a batch.

A ``review.json`` left by finflag 0.1 (``{"schema": 1, "decisions": {...}}``)
is imported once, the first time the database is created; it is left in
place but no longer read.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import sqlite3
import time
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

DB_FILE = "review.db"
LEGACY_FILE = "review.json"
#: The states a finding can be in; "unreviewed" is the absence of a decision.
DECISIONS = ("confirmed", "dismissed")
#: How long a writer waits for another one to finish its transaction.
BUSY_TIMEOUT_MS = 10_000
#: Fields of an entry besides the finding id, in the CSV export's order.
FIELDS = ("decision", "note", "path", "line", "category", "rule_id", "quote", "who", "at")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    finding_id TEXT PRIMARY KEY,
    decision   TEXT CHECK (decision IS NULL OR decision IN ('confirmed', 'dismissed')),
    note       TEXT,
    path       TEXT,
    line       INTEGER,
    category   TEXT,
    rule_id    TEXT,
    quote      TEXT,
    who        TEXT,
    at         TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""

# Only the fields given change: a note typed in the terminal never undoes a
# decision made in the browser a moment earlier, and vice versa.
_UPSERT = """
INSERT INTO decisions (finding_id, decision, note, path, line, category, rule_id, quote, who, at)
VALUES (:finding_id, :decision, :note, :path, :line, :category, :rule_id, :quote, :who, :at)
ON CONFLICT (finding_id) DO UPDATE SET
    decision = COALESCE(excluded.decision, decisions.decision),
    note = COALESCE(excluded.note, decisions.note),
    path = excluded.path, line = excluded.line, category = excluded.category, rule_id = excluded.rule_id,
    quote = excluded.quote, who = excluded.who, at = excluded.at
"""

_IMPORT = _UPSERT.split("ON CONFLICT")[0] + "ON CONFLICT (finding_id) DO NOTHING"


def reviewer() -> str:
    """Who is deciding: the login name of the process (the app and the terminal run as the reviewer)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _entry(row: sqlite3.Row) -> dict[str, Any]:
    return {k: row[k] for k in FIELDS if row[k] is not None}


def _legacy(folder: Path) -> dict[str, dict[str, Any]]:
    """Decisions of a finflag 0.1 ``review.json``; nothing when it is absent or damaged."""
    try:
        data = json.loads((folder / LEGACY_FILE).read_text(encoding="utf-8")).get("decisions", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def _use_wal(connection: sqlite3.Connection) -> None:
    """Switch the file to WAL (persistent: once per file), waiting for another first opener.

    SQLite answers a journal-mode change with "database is locked" at once, without its busy
    handler, while a second process is opening the same new file; so wait here instead.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class Decisions:
    """The decisions of one report folder, read once and written through at once.

    ``data`` is a snapshot (finding id -> entry) taken when the store is
    loaded and kept up to date with this object's own writes; ``refresh()``
    takes a new one. Every write goes straight to the database in its own
    transaction. A folder that has never been reviewed gets no ``review.db``
    until the first decision, so rendering a report writes nothing.
    """

    def __init__(self, folder: Path, data: dict[str, dict[str, Any]] | None = None) -> None:
        self.folder = Path(folder)
        self.path = self.folder / DB_FILE
        self.data: dict[str, dict[str, Any]] = dict(data) if data is not None else {}
        self._ready = False  # schema created and legacy file imported (once per object, not per write)

    @classmethod
    def load(cls, folder: Path) -> "Decisions":
        store = cls(folder)
        store.refresh()
        return store

    # -- the database ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return connection

    def _open(self) -> sqlite3.Connection:
        """A connection to an initialised database (created, WAL, legacy file imported)."""
        connection = self._connect()
        if self._ready:
            return connection
        try:  # an initialised database answers this without taking the write lock
            if connection.execute("SELECT 1 FROM meta WHERE key = 'legacy_imported'").fetchone() is not None:
                self._ready = True
                return connection
        except sqlite3.OperationalError:  # no table yet: a new database
            pass
        try:
            _use_wal(connection)
            connection.execute("BEGIN IMMEDIATE")  # two first openers: one creates and imports, the other waits
            for statement in filter(str.strip, _SCHEMA.split(";")):
                connection.execute(statement)
            if connection.execute("SELECT 1 FROM meta WHERE key = 'legacy_imported'").fetchone() is None:
                for fid, entry in _legacy(self.folder).items():
                    row = {k: entry.get(k) for k in FIELDS}
                    if row["decision"] not in DECISIONS:
                        row["decision"] = None
                    connection.execute(_IMPORT, {"finding_id": fid, **row})
                connection.execute("INSERT INTO meta VALUES ('legacy_imported', ?)", (now(),))
            connection.execute("COMMIT")
            self._ready = True
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            connection.close()
            raise
        return connection

    def _rows(self) -> Iterator[sqlite3.Row]:
        with closing(self._open()) as connection:
            yield from connection.execute("SELECT * FROM decisions ORDER BY path, line, rowid").fetchall()

    def refresh(self) -> "Decisions":
        """Read every decision again (another reviewer may have written since)."""
        if not self.path.exists() and not (self.folder / LEGACY_FILE).exists():
            self.data = {}  # never reviewed: create nothing
        else:
            self.data = {row["finding_id"]: _entry(row) for row in self._rows()}
        return self

    # -- reading ---------------------------------------------------------------------------------
    def get(self, finding_id: str) -> dict[str, Any]:
        return self.data.get(finding_id, {})

    def state(self, finding_id: str) -> str:
        """confirmed, dismissed or unreviewed."""
        return self.get(finding_id).get("decision", "unreviewed")

    # -- writing ---------------------------------------------------------------------------------
    def set(self, finding: dict[str, Any], path: str, decision: str | None = None, note: str | None = None,
            who: str | None = None) -> dict[str, Any]:
        """Record a decision and/or a note on a finding at once; returns the finding's entry as stored."""
        if decision is not None and decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r}: one of {', '.join(DECISIONS)}")
        row = {"finding_id": finding["id"], "decision": decision, "note": note, "path": path,
               "line": finding["line"], "category": finding["category"], "rule_id": finding["rule_id"],
               "quote": finding["quote"], "who": who or reviewer(), "at": now()}
        with closing(self._open()) as connection:
            connection.execute(_UPSERT, row)
            stored = connection.execute("SELECT * FROM decisions WHERE finding_id = ?", (finding["id"],)).fetchone()
        self.data[finding["id"]] = entry = _entry(stored)
        return entry

    def clear(self, finding_id: str) -> None:
        """Forget a finding's decision and note (it is unreviewed again)."""
        if self.path.exists() or (self.folder / LEGACY_FILE).exists():
            with closing(self._open()) as connection:
                connection.execute("DELETE FROM decisions WHERE finding_id = ?", (finding_id,))
        self.data.pop(finding_id, None)

    # -- export ----------------------------------------------------------------------------------
    def to_csv(self) -> str:
        """Every decision in the store (read now, not the snapshot), by path and line."""
        self.refresh()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["finding_id", *FIELDS])
        for fid, d in sorted(self.data.items(), key=lambda kv: (kv[1].get("path", ""), kv[1].get("line", 0))):
            writer.writerow([fid, *(d.get(k, "") for k in FIELDS)])
        return buffer.getvalue()
