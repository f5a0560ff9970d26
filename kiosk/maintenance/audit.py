"""The append-only audit log: every operator action and login attempt, who, when, what, result.

Rows go to SQLite, where triggers refuse UPDATE and DELETE, and a line goes to the ``audit``
logger, so the record survives in two places. The triggers stop mistakes, not the kiosk user
(who can rewrite the file): for that each row carries an HMAC chained to the previous row's,
with a key derived from the PIN pepper (see ``audit_chain``); ``kiosk audit verify`` checks it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from contract.clock import Clock, utc_from
from kiosk.maintenance.audit_chain import (
    CHAIN_STARTED,
    ChainReport,
    entry_mac,
    unchained_digest,
    verify_rows,
)
from kiosk.maintenance.db import Locked

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    operator_id TEXT NOT NULL,
    action TEXT NOT NULL,
    result TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
_ROWS = "SELECT id, at, operator_id, action, result, detail, hmac FROM audit ORDER BY id"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str  # RFC 3339 UTC
    operator_id: str
    action: str
    result: str
    detail: dict


class AuditLog:
    """Append-only: ``record`` adds a row; nothing changes or removes one.

    With *key* (``audit_chain.chain_key(pepper)``) every new row is chained; without one (tests,
    a kiosk whose pepper is missing) rows are written unchained and ``verify`` will say so.
    """

    def __init__(self, path: Path | str, clock: Clock, key: bytes | None = None):
        self._db = Locked(path)
        self._clock = clock
        self._key = key
        self._path = path
        with self._db.lock:
            self._db.conn.executescript(_SCHEMA)
            columns = {r[1] for r in self._db.conn.execute("PRAGMA table_info(audit)")}
            if "hmac" not in columns:
                try:
                    self._db.conn.execute("ALTER TABLE audit ADD COLUMN hmac TEXT")
                except sqlite3.OperationalError as e:  # another process added it just now
                    if "duplicate column" not in str(e):
                        raise
        if key is not None:
            self._start_chain()

    def _start_chain(self) -> None:
        """An audit file from before the chain: one entry starts the chain and covers the rest."""
        with self._db.lock:
            chained = self._db.conn.execute(
                "SELECT 1 FROM audit WHERE hmac IS NOT NULL LIMIT 1").fetchone()
            if chained:
                return
            legacy = self._db.conn.execute(_ROWS).fetchall()
            if not legacy:
                return
            entry = self.record("-", CHAIN_STARTED, "ok", unchained_entries=len(legacy),
                                unchained_sha256=unchained_digest(legacy))
        log.warning("audit log %s: %d entries were written before the HMAC chain; the chain "
                    "starts at entry %d, which covers them with a SHA-256",
                    self._path, len(legacy), entry.id)

    def record(self, operator_id: str, action: str, result: str, **detail) -> AuditEntry:
        """Append one entry (committed before returning, chained when there is a key) and log it."""
        at = utc_from(self._clock.now()).isoformat(timespec="seconds").replace("+00:00", "Z")
        text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
        operator_id = operator_id or "-"
        with self._db.lock:
            conn = self._db.conn
            conn.execute("BEGIN IMMEDIATE")  # another process (set-pin) may append as well
            try:
                row_id = conn.execute(
                    "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0),"
                    " COALESCE((SELECT MAX(id) FROM audit), 0)) + 1").fetchone()[0]
                mac = None
                if self._key is not None:
                    previous = conn.execute(
                        "SELECT hmac FROM audit WHERE hmac IS NOT NULL ORDER BY id DESC LIMIT 1"
                    ).fetchone()
                    mac = entry_mac(self._key, previous[0] if previous else "",
                                    (row_id, at, operator_id, action, result, text))
                conn.execute(
                    "INSERT INTO audit (id, at, operator_id, action, result, detail, hmac) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (row_id, at, operator_id, action, result, text, mac))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        log.info("audit operator=%s action=%s result=%s %s", operator_id, action, result, text)
        return AuditEntry(row_id, at, operator_id, action, result, detail)

    def head(self) -> str | None:
        """The latest entry's HMAC (the chain head), or None when nothing is chained."""
        with self._db.lock:
            row = self._db.conn.execute(
                "SELECT hmac FROM audit WHERE hmac IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def entries(self, limit: int = 100) -> list[AuditEntry]:
        """The latest entries, newest first."""
        with self._db.lock:
            rows = self._db.conn.execute(
                "SELECT id, at, operator_id, action, result, detail FROM audit "
                "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def close(self) -> None:
        self._db.close()


def verify_file(path: Path | str, key: bytes) -> ChainReport:
    """Check the chain of the audit file at *path*, read-only (nothing created or migrated).

    Raises FileNotFoundError when there is no file, sqlite3.DatabaseError when it is not one.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no audit log at {path}")
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    try:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(audit)")}
        if not columns:
            raise sqlite3.DatabaseError("no audit table in the file")
        if "hmac" in columns:
            rows = conn.execute(_ROWS).fetchall()
        else:
            rows = [(*r, None) for r in conn.execute(_ROWS.replace(", hmac", ""))]
    finally:
        conn.close()
    return verify_rows(key, rows)
