"""Reading the journal: look-ups, lists and reports, shared by the owner and read-only openers."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from datetime import date, datetime, tzinfo
from pathlib import Path

from contract.clock import Clock
from kiosk.journal import reports, retention, schema
from kiosk.journal.files import FileLock, free_space_ok
from kiosk.journal.models import (
    ATTENTION,
    COLUMNS,
    UNFINISHED_STATES,
    Event,
    JournalError,
    Report,
    Txn,
    TxnNotFound,
    columns_for,
    txn_from_row,
)

log = logging.getLogger(__name__)


class JournalView:
    """The reading half of ``Journal``; calls are serialised on one shared connection."""

    def __init__(self, conn: sqlite3.Connection, path: Path, kiosk_id: str, clock: Clock,
                 tz: tzinfo, phone_retention_days: int, lock: FileLock | None):
        self._conn = conn
        self.path = path
        self.kiosk_id = kiosk_id
        self._clock = clock
        self.tz = tz
        self._retention_days = phone_retention_days
        self._file_lock = lock
        self._mutex = threading.RLock()
        self.instance = ""  # the journal's instance name (``models.journal_instance``)
        self._columns = COLUMNS
        self._has_holds = True
        if lock is None:  # read-only: an older schema is read as it is, never migrated
            present = {r[1] for r in conn.execute("PRAGMA table_info(transactions)")}
            if present:
                self._columns = columns_for(present)
                self._has_holds = "hold_state" in present

    @property
    def readonly(self) -> bool:
        return self._file_lock is None

    def close(self) -> None:
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            if self._file_lock is not None:
                self._file_lock.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def free_space_ok(self, min_free_mb: int) -> bool:
        return free_space_ok(self.path, min_free_mb)

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._mutex:
            if self._conn is None:
                raise JournalError(f"journal {self.path} is closed")
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as e:
                raise schema.map_error(e, self.path) from e

    @staticmethod
    def _get(conn: sqlite3.Connection, txn_id: str) -> Txn:
        row = conn.execute(f"SELECT {COLUMNS} FROM transactions WHERE id = ?",
                           (txn_id,)).fetchone()
        if row is None:
            raise TxnNotFound(txn_id)
        return txn_from_row(row)

    def get(self, txn_id: str) -> Txn:
        rows = self._read(f"SELECT {self._columns} FROM transactions WHERE id = ?", (txn_id,))
        if not rows:
            raise TxnNotFound(txn_id)
        return txn_from_row(rows[0])

    def find(self, ref: str) -> Txn | None:
        """A transaction by its id or any of its keys/terminal refs (case-insensitive)."""
        ref = ref.strip().upper()
        candidates = [("id", ref), ("ecr_ref", ref)]
        if ref.endswith(("-C", "-R")):
            candidates.append(("id", ref[:-2]))  # a credit or refund key
        if ref.endswith(("V", "F")):
            candidates.append(("ecr_ref", ref[:-1]))  # a void or refund terminal ref
        for column, value in candidates:
            rows = self._read(f"SELECT {self._columns} FROM transactions WHERE {column} = ?",
                              (value,))
            if rows:
                return txn_from_row(rows[0])
        return None

    def events(self, txn_id: str) -> list[Event]:
        rows = self._read("SELECT id, txn_id, at, kind, from_state, to_state, detail_json"
                          " FROM events WHERE txn_id = ? ORDER BY id", (txn_id,))
        return [Event(*r[:6], json.loads(r[6])) for r in rows]

    def _in_states(self, states: tuple[str, ...]) -> list[Txn]:
        marks = ", ".join("?" * len(states))
        rows = self._read(f"SELECT {self._columns} FROM transactions WHERE state IN ({marks})"
                          " ORDER BY seq", states)
        return [txn_from_row(r) for r in rows]

    def unfinished(self) -> list[Txn]:
        """Rows a recovery pass must drive forward (not needs_attention), oldest first."""
        return self._in_states(UNFINISHED_STATES)

    def retrying(self) -> list[Txn]:
        """Unfinished rows waiting for an automatic retry (an ambiguous answer), oldest first."""
        marks = ", ".join("?" * len(UNFINISHED_STATES))
        rows = self._read(f"SELECT {self._columns} FROM transactions WHERE retry_at IS NOT NULL"
                          f" AND state IN ({marks}) ORDER BY seq", UNFINISHED_STATES)
        return [txn_from_row(r) for r in rows]

    def needing_attention(self) -> list[Txn]:
        return self._in_states((ATTENTION,))

    def holds_to_release(self) -> list[Txn]:
        """Rows whose hold must still be released (best effort, in the background), oldest
        first; none on a journal older than holds."""
        if not self._has_holds:
            return []
        rows = self._read(f"SELECT {self._columns} FROM transactions"
                          " WHERE hold_state = 'release_pending' ORDER BY seq")
        return [txn_from_row(r) for r in rows]

    def list(self, day: date | None = None, limit: int = 50) -> list[Txn]:
        """The newest transactions first, of one local day or of all."""
        if day is None:
            rows = self._read(f"SELECT {self._columns} FROM transactions ORDER BY seq DESC LIMIT ?",
                              (limit,))
        else:
            rows = self._read(f"SELECT {self._columns} FROM transactions WHERE local_day = ?"
                              " ORDER BY seq DESC LIMIT ?", (day.isoformat(), limit))
        return [txn_from_row(r) for r in rows]

    def report(self, day: date) -> Report:
        """Counts and HKD sums per method and state of one local day."""
        return reports.build(self._read, day)

    def today(self) -> date:
        return datetime.fromtimestamp(self._clock.now(), self.tz).date()

    def integrity_problems(self, limit: int = 5) -> list[str]:
        """SQLite's ``quick_check``: [] when the file is sound, else its first *limit* problems.

        Raises:
            JournalCorrupt: the check itself could not read the file.
        """
        rows = self._read(f"PRAGMA quick_check({int(limit)})")
        lines = [line for r in rows for line in str(r[0]).splitlines() if not line.startswith("***")]
        return [] if lines == ["ok"] else lines

    def current_batch(self) -> int:
        """The card terminal batch now open (sales in it can still be VOIDed)."""
        row = self._read("SELECT MAX(batch_no) FROM batches WHERE closed_at IS NULL")
        return int(row[0][0])

    def numbers_kept(self, retention_days: int | None = None,
                     at: float | None = None) -> retention.NumbersKept:
        """The rows still holding a full phone number, by state and age (``retention.py``);
        *retention_days* defaults to the journal's own (a read-only opener must give it)."""
        days = self._retention_days if retention_days is None else retention_days
        return retention.build(self._read, self._clock.now() if at is None else at, days)
