"""The append-only audit log: every operator action and login attempt, who, when, what, result.

Rows go to SQLite, where triggers refuse UPDATE and DELETE, and a line goes to the ``audit``
logger, so the record survives in two places.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from contract.clock import Clock, utc_from
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


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str  # RFC 3339 UTC
    operator_id: str
    action: str
    result: str
    detail: dict


class AuditLog:
    """Append-only: ``record`` adds a row; nothing changes or removes one."""

    def __init__(self, path: Path | str, clock: Clock):
        self._db = Locked(path)
        self._clock = clock
        with self._db.lock:
            self._db.conn.executescript(_SCHEMA)

    def record(self, operator_id: str, action: str, result: str, **detail) -> AuditEntry:
        """Append one entry (committed before returning) and log it."""
        at = utc_from(self._clock.now()).isoformat(timespec="seconds").replace("+00:00", "Z")
        text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
        with self._db.lock:
            cur = self._db.conn.execute(
                "INSERT INTO audit (at, operator_id, action, result, detail) VALUES (?, ?, ?, ?, ?)",
                (at, operator_id or "-", action, result, text))
            row_id = cur.lastrowid
        log.info("audit operator=%s action=%s result=%s %s", operator_id or "-", action, result, text)
        return AuditEntry(row_id, at, operator_id or "-", action, result, detail)

    def entries(self, limit: int = 100) -> list[AuditEntry]:
        """The latest entries, newest first."""
        with self._db.lock:
            rows = self._db.conn.execute(
                "SELECT id, at, operator_id, action, result, detail FROM audit "
                "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def close(self) -> None:
        self._db.close()
