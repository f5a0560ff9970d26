"""The transaction journal: one SQLite row per purchase, an append-only event history beside it.

Every write (``create``, ``advance``, ``update``, ``note``, …) is one SQLite transaction,
committed (WAL, ``synchronous=FULL``) before the method returns, so the caller commits a state
*before* the outside call it leads to. One process owns a journal (``flock`` on
``<path>.lock``); reading commands use ``open_readonly`` and take no lock.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from contract.clock import Clock, SystemClock
from contract.redact import mask_phone
from kiosk.journal import schema
from kiosk.journal.files import FileLock, free_space_ok
from kiosk.journal.models import (
    ATTENTION,
    UNFINISHED_STATES,
    DiskFull,
    Event,
    IllegalTransition,
    JournalCorrupt,
    JournalError,
    JournalLocked,
    JournalMissing,
    JournalReadOnly,
    Report,
    Txn,
    TxnNotFound,
    allowed_moves,
    check_fields,
    check_new,
    is_final,
    iso_utc,
    make_keys,
)
from kiosk.journal.views import JournalView
from kiosk.private_files import ensure_private

log = logging.getLogger(__name__)

__all__ = [
    "Journal", "Txn", "Event", "Report", "JournalError", "JournalLocked", "JournalCorrupt",
    "JournalMissing", "JournalReadOnly", "DiskFull", "IllegalTransition", "TxnNotFound",
    "free_space_ok", "DEFAULT_TZ",
]

DEFAULT_TZ = "Asia/Hong_Kong"


class Journal(JournalView):
    """The journal of one kiosk. Thread-safe: calls are serialised on one connection."""

    # ----- opening and closing -----

    @classmethod
    def open(cls, path: str | Path, kiosk_id: str, clock: Clock | None = None, *,
             tz: str | tzinfo = DEFAULT_TZ, phone_retention_days: int = 7) -> Journal:
        """Open (creating or migrating) the journal and take its lock.

        Raises:
            JournalLocked: another process holds the journal (the message names its pid).
            JournalCorrupt: not a database, failed quick_check, or a newer schema; file untouched.
            DiskFull: the schema could not be written.
        """
        if not (kiosk_id and kiosk_id.isalnum()):
            raise ValueError(f"kiosk id must be letters and digits, got {kiosk_id!r}")
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock.acquire(path)
        except OSError as e:  # a missing parent that cannot be made, no permission, read-only
            raise _os_error(e, path) from None
        conn = None
        try:
            schema.check_file(path)
            ensure_private(path)  # 0600 whatever the umask; SQLite's -wal/-shm follow it
            conn = schema.connect(path)
            schema.verify(conn, path)
            schema.prepare(conn, path)
            clock = clock or SystemClock()
            instance = schema.instance(conn, path, clock.now())
        except BaseException as e:
            if conn is not None:
                conn.close()
            lock.release()
            if isinstance(e, sqlite3.Error):
                raise schema.map_error(e, path) from None
            if isinstance(e, OSError):
                raise _os_error(e, path) from None
            raise
        log.info("journal %s (instance %s) opened for kiosk %s", path, instance, kiosk_id)
        journal = cls(conn, path, kiosk_id, clock, _zone(tz), phone_retention_days, lock)
        journal.instance = instance
        return journal

    @classmethod
    def open_readonly(cls, path: str | Path, tz: str | tzinfo = DEFAULT_TZ) -> Journal:
        """Open for reading only, without the lock (works while the kiosk runs).

        Never creates the file. Raises:
            JournalMissing: no file at *path*, or one without the journal's tables yet.
            JournalCorrupt: not a journal this program can read; JournalError: unreadable.
        """
        path = Path(path)
        schema.check_file(path)
        if not path.exists():
            raise JournalMissing(f"no journal at {path}: the kiosk has not run with this journal"
                                 " path yet (check --journal or journal.path)")
        try:
            conn = schema.connect(path, readonly=True)
        except sqlite3.Error as e:
            raise JournalCorrupt(str(path), f"cannot open read-only: {e}") from None
        try:
            version = schema.verify(conn, path, full_check=False)
            if version == 0:  # created but never set up (the kiosk is creating it, or it died)
                raise JournalMissing(f"no journal at {path}: the file has no journal tables yet")
        except BaseException:
            conn.close()
            raise
        return cls(conn, path, "", SystemClock(), _zone(tz), 0, None)

    @classmethod
    def from_settings(cls, settings, clock: Clock | None = None) -> Journal:
        """The kiosk's journal as the settings describe it (path, kiosk id, zone, retention)."""
        return cls.open(settings.resolve(settings.journal.path), settings.kiosk.id, clock,
                        tz=settings.journal.timezone,
                        phone_retention_days=settings.journal.phone_retention_days)

    # ----- writing -----

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One committed SQLite transaction; on any failure nothing of it is kept."""
        with self._mutex:
            if self._file_lock is None:
                raise JournalReadOnly(f"journal {self.path} is open read-only")
            if self._conn is None:
                raise JournalError(f"journal {self.path} is closed")
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except BaseException as e:
                _rollback(conn)
                mapped = schema.map_error(e, self.path)
                if mapped is e:
                    raise
                log.error("journal write failed: %s", mapped)
                raise mapped from e

    def create(self, method: str, msisdn: str, plan_id: str, quote_id: str, plan_name: dict,
               amount_cents: int, list_price_cents: int, language: str,
               then: str | None = None,
               then_fields: Callable[[Txn], dict] | None = None) -> Txn:
        """A new transaction in state ``created`` with every key assigned, committed; with
        *then*, moved on to that state in the same commit (both steps in its history).

        *then_fields*, called with the new row (its id and keys known by then), gives the
        fields set with the move to *then* (a hold's key, ``<id>-H``, with ``hold_pending``)."""
        if then_fields is not None and then is None:
            raise ValueError("then_fields needs a state to move to (then)")
        check_new(method, msisdn, amount_cents, list_price_cents)
        now = self._clock.now()
        day = datetime.fromtimestamp(now, self.tz).date()
        at = iso_utc(now)
        with self._write() as conn:
            seq = conn.execute(
                "INSERT INTO kiosk_seq (kiosk_id, last_seq) VALUES (?, 1) ON CONFLICT (kiosk_id)"
                " DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq",
                (self.kiosk_id,)).fetchone()[0]
            keys = make_keys(self.kiosk_id, day, seq, self.instance)
            conn.execute(
                "INSERT INTO transactions (id, kiosk_id, seq, local_day, state, method,"
                " amount_cents, list_price_cents, msisdn, msisdn_masked, plan_id, quote_id,"
                " plan_name_json, language, out_trade_no, credit_key, refund_key, ecr_ref,"
                " void_ecr_ref, refund_ecr_ref, created_at, updated_at) VALUES"
                " (?, ?, ?, ?, 'created', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (keys["id"], self.kiosk_id, seq, day.isoformat(), method, amount_cents,
                 list_price_cents, msisdn, mask_phone(msisdn), plan_id, quote_id,
                 json.dumps(plan_name, ensure_ascii=False), language, keys["out_trade_no"],
                 keys["credit_key"], keys["refund_key"], keys["ecr_ref"], keys["void_ecr_ref"],
                 keys["refund_ecr_ref"], at, at))
            self._event(conn, keys["id"], at, "created", None, "created",
                        {"method": method, "amount_cents": amount_cents, "plan_id": plan_id})
            txn = self._get(conn, keys["id"])
            if then is not None:
                fields = then_fields(txn) if then_fields is not None else {}
                txn = self._move(conn, txn, then, check_fields(fields), dict(fields), at)
        log.info("txn %s created: %s %d cents%s", txn.id, method, amount_cents,
                 f" -> {then}" if then else "")
        return txn

    def advance(self, txn_id: str, new_state: str, *, detail: dict | None = None,
                **fields) -> Txn:
        """Move to *new_state* (IllegalTransition if the table forbids it), set *fields*."""
        values = check_fields(fields)
        at = iso_utc(self._clock.now())
        with self._write() as conn:
            old = self._get(conn, txn_id)
            txn = self._move(conn, old, new_state, values, dict(fields) | (detail or {}), at)
        log.info("txn %s %s -> %s", txn_id, old.state, new_state)
        return txn

    def advance_through(self, txn_id: str, states: tuple[str, ...], *,
                        detail: dict | None = None, **fields) -> Txn:
        """Move through *states* in order, each move checked (as ``advance``) and in the history,
        in ONE commit (one fsync); *fields* and *detail* go with the first move (``paid`` with
        the card's details, then ``credit_pending``)."""
        values = check_fields(fields)
        at = iso_utc(self._clock.now())
        with self._write() as conn:
            txn = first = self._get(conn, txn_id)
            for i, new_state in enumerate(states):
                txn = self._move(conn, txn, new_state, {} if i else dict(values),
                                 None if i else dict(fields) | (detail or {}), at)
        log.info("txn %s %s -> %s", txn_id, first.state, " -> ".join(states))
        return txn

    def _move(self, conn: sqlite3.Connection, old: Txn, new_state: str, values: dict,
              info: dict | None, at: str) -> Txn:
        """One state move inside an open write (``advance``, ``advance_through``, ``create``'s
        *then*): checked against the table, settled rows lose their retry time and final ones
        the full number, and the move goes into the history."""
        if new_state not in allowed_moves(old.method, old.state):
            raise IllegalTransition(old.id, old.method, old.state, new_state)
        values["state"] = new_state
        if new_state not in UNFINISHED_STATES:
            values["retry_at"] = None  # settled, or a person's now: no automatic retry
        if is_final(new_state):
            values["msisdn"] = None  # the full number is no longer needed
        self._set(conn, old, values, at)
        self._event(conn, old.id, at, "state", old.state, new_state, info or {}, old.msisdn)
        return self._get(conn, old.id)

    def update(self, txn_id: str, **fields) -> Txn:
        """Set fields (receipt status, card details, …) without changing the state."""
        values = check_fields(fields)
        if not values:
            return self.get(txn_id)
        at = iso_utc(self._clock.now())
        with self._write() as conn:
            old = self._get(conn, txn_id)
            self._set(conn, old, values, at)
            self._event(conn, txn_id, at, "updated", None, None, dict(fields), old.msisdn)
            return self._get(conn, txn_id)

    def retry_later(self, txn_id: str, error: str, delay_s: float) -> Txn:
        """An unsettled row waits *delay_s* for its next automatic retry (state unchanged)."""
        now = self._clock.now()
        at, due = iso_utc(now), iso_utc(now + max(0.0, delay_s))
        with self._write() as conn:
            old = self._get(conn, txn_id)
            attempt = old.retry_attempts + 1
            self._set(conn, old, {"retry_attempts": attempt, "retry_at": due,
                                  "retry_error": error}, at)
            self._event(conn, txn_id, at, "retry_scheduled", None, None,
                        {"attempt": attempt, "due": due, "error": error}, old.msisdn)
            return self._get(conn, txn_id)

    def retry_now(self, txn_id: str, who: str = "") -> Txn:
        """Make a retrying row due at once (an operator's "retry now", or start-up)."""
        at = iso_utc(self._clock.now())
        with self._write() as conn:
            old = self._get(conn, txn_id)
            if not old.retrying:
                return old
            self._set(conn, old, {"retry_at": at}, at)
            self._event(conn, txn_id, at, "retry_now", None, None, {"by": who}, old.msisdn)
            return self._get(conn, txn_id)

    def revive(self, txn_id: str, why: str) -> Txn:
        """Take a needs_attention row back to the pending state it left, due for a retry at
        once: its reason turned out to be an ambiguity a retry settles, not a person's case.

        Raises:
            IllegalTransition: the row is not in needs_attention, or it came from no pending state.
        """
        at = iso_utc(self._clock.now())
        with self._write() as conn:
            old = self._get(conn, txn_id)
            row = conn.execute(
                "SELECT from_state FROM events WHERE txn_id = ? AND kind = 'state' AND to_state = ?"
                " ORDER BY id DESC LIMIT 1", (txn_id, ATTENTION)).fetchone()
            back = row[0] if row else None
            if old.state != ATTENTION or back not in UNFINISHED_STATES:
                raise IllegalTransition(txn_id, old.method, old.state, back or "?")
            self._set(conn, old, {"state": back, "attention_reason": None, "retry_at": at}, at)
            self._event(conn, txn_id, at, "state", ATTENTION, back, {"revived": why}, old.msisdn)
            txn = self._get(conn, txn_id)
        log.info("txn %s revived: %s -> %s (%s)", txn_id, ATTENTION, back, why)
        return txn

    def note(self, txn_id: str, kind: str, detail: dict | None = None) -> None:
        """Append an event (an outside call's answer, a retry, …) without changing the row."""
        at = iso_utc(self._clock.now())
        with self._write() as conn:
            old = self._get(conn, txn_id)
            self._event(conn, txn_id, at, kind, None, None, detail or {}, old.msisdn)

    def mask_expired_numbers(self, now: float | datetime | None = None) -> int:
        """Clear full numbers kept longer than the retention, whatever the state; the count."""
        if now is None:
            now = self._clock.now()
        ts = now.timestamp() if isinstance(now, datetime) else float(now)
        cutoff = iso_utc(ts - self._retention_days * 86400)
        at = iso_utc(self._clock.now())
        with self._write() as conn:
            ids = [r[0] for r in conn.execute(
                "UPDATE transactions SET msisdn = NULL, updated_at = ? WHERE msisdn IS NOT NULL"
                " AND created_at < ? RETURNING id", (at, cutoff))]
            for txn_id in ids:
                self._event(conn, txn_id, at, "number_masked", None, None,
                            {"retention_days": self._retention_days})
        if ids:
            log.info("masked %d phone numbers older than %d days", len(ids), self._retention_days)
        return len(ids)

    def close_batch(self, detail: dict | None = None) -> int:
        """Record a SETTLE: close the open batch, open the next; returns the closed number."""
        at = iso_utc(self._clock.now())
        with self._write() as conn:
            closed = conn.execute(
                "SELECT MAX(batch_no) FROM batches WHERE closed_at IS NULL").fetchone()[0]
            conn.execute("UPDATE batches SET closed_at = ?, detail_json = ? WHERE batch_no = ?",
                         (at, json.dumps(detail or {}, ensure_ascii=False), closed))
            conn.execute("INSERT INTO batches (batch_no, opened_at) VALUES (?, ?)",
                         (closed + 1, at))
        log.info("card batch %d closed", closed)
        return int(closed)

    def _set(self, conn: sqlite3.Connection, old: Txn, values: dict, at: str) -> None:
        if old.msisdn:  # a reason or note must not keep the full number either
            values = {k: v.replace(old.msisdn, old.msisdn_masked) if isinstance(v, str) else v
                      for k, v in values.items()}
        values = dict(values, updated_at=at)
        assignments = ", ".join(f"{k} = ?" for k in values)
        conn.execute(f"UPDATE transactions SET {assignments} WHERE id = ?",
                     (*values.values(), old.id))

    @staticmethod
    def _event(conn: sqlite3.Connection, txn_id: str, at: str, kind: str,
               from_state: str | None, to_state: str | None, detail: dict,
               msisdn: str | None = None) -> None:
        text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
        if msisdn:  # never keep the full number in the history
            text = text.replace(msisdn, mask_phone(msisdn))
        conn.execute("INSERT INTO events (txn_id, at, kind, from_state, to_state, detail_json)"
                     " VALUES (?, ?, ?, ?, ?, ?)", (txn_id, at, kind, from_state, to_state, text))


def _os_error(e: OSError, path: Path) -> JournalError:
    """An operating system error on the journal's files as one line naming the file."""
    mapped = schema.map_error(e, path)
    if mapped is not e:
        return mapped
    where = e.filename or path
    return JournalError(f"journal {path} cannot be opened: {where}: {e.strerror or e}")


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _rollback(conn: sqlite3.Connection) -> None:
    """Undo the open transaction; a failing rollback must not hide the original error."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error as e:
        log.error("journal rollback failed: %s", e)
