"""The journal's SQLite schema, its migrations, and the checks made before a file is trusted.

``PRAGMA user_version`` is the schema version: migration *n* (1-based) takes a database from
version n-1 to n, in one SQLite transaction. A file whose version is newer than ``SCHEMA_VERSION``
was written by a newer program and is refused, never downgraded.
"""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from kiosk.journal.models import DiskFull, JournalCorrupt, JournalError, journal_instance

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"

_V1 = """
CREATE TABLE kiosk_seq (
    kiosk_id TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
);
CREATE TABLE transactions (
    id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    local_day TEXT NOT NULL,
    state TEXT NOT NULL,
    method TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    list_price_cents INTEGER NOT NULL CHECK (list_price_cents >= 0),
    msisdn TEXT,
    msisdn_masked TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    quote_id TEXT NOT NULL,
    plan_name_json TEXT NOT NULL,
    language TEXT NOT NULL,
    -- The keys derive from id and ecr_ref (both unique), so only those two carry an index.
    out_trade_no TEXT NOT NULL CHECK (out_trade_no = id),
    credit_key TEXT NOT NULL CHECK (credit_key = id || '-C'),
    refund_key TEXT NOT NULL CHECK (refund_key = id || '-R'),
    ecr_ref TEXT NOT NULL UNIQUE,
    void_ecr_ref TEXT NOT NULL CHECK (void_ecr_ref = ecr_ref || 'V'),
    refund_ecr_ref TEXT NOT NULL CHECK (refund_ecr_ref = ecr_ref || 'F'),
    batch_no INTEGER,
    card_last4 TEXT,
    card_brand TEXT,
    auth_code TEXT,
    rrn TEXT,
    entry TEXT,
    topup_id TEXT,
    balance_json TEXT,
    attention_reason TEXT,
    receipt_status TEXT NOT NULL DEFAULT 'none',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (kiosk_id, seq)
);
-- The day's report reads only this index (covering): per day, method, state, amount.
CREATE INDEX transactions_report ON transactions (local_day, method, state, amount_cents);
CREATE INDEX transactions_day_seq ON transactions (local_day, seq);
CREATE INDEX transactions_state ON transactions (state);
CREATE INDEX transactions_number_kept ON transactions (created_at) WHERE msisdn IS NOT NULL;
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    txn_id TEXT NOT NULL REFERENCES transactions (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    detail_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_txn ON events (txn_id, id);
CREATE TABLE batches (
    batch_no INTEGER PRIMARY KEY,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    detail_json TEXT
);
INSERT INTO batches (batch_no, opened_at) VALUES (1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END;
CREATE TRIGGER transactions_no_delete BEFORE DELETE ON transactions
BEGIN SELECT RAISE(ABORT, 'journal transactions are never deleted'); END;
CREATE TRIGGER transactions_keys_fixed BEFORE UPDATE OF
    id, kiosk_id, seq, local_day, method, amount_cents, list_price_cents, out_trade_no,
    credit_key, refund_key, ecr_ref, void_ecr_ref, refund_ecr_ref, created_at ON transactions
BEGIN SELECT RAISE(ABORT, 'journal ids, keys and amounts are fixed at creation'); END;
CREATE TRIGGER kiosk_seq_no_rewind BEFORE UPDATE ON kiosk_seq
WHEN NEW.last_seq != OLD.last_seq + 1
BEGIN SELECT RAISE(ABORT, 'sequence numbers only move forward by one'); END;
"""

# Version 2: retrying rows (an ambiguous outside call retried with backoff until definite) and
# the journal's own facts (its instance name, which keeps terminal references unique).
_V2 = """
ALTER TABLE transactions ADD COLUMN retry_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN retry_at TEXT;
ALTER TABLE transactions ADD COLUMN retry_error TEXT;
CREATE INDEX transactions_retry ON transactions (retry_at) WHERE retry_at IS NOT NULL;
CREATE TABLE journal_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TRIGGER journal_meta_fixed BEFORE UPDATE ON journal_meta
BEGIN SELECT RAISE(ABORT, 'journal facts are fixed once written'); END;
"""

# Version 3: holds before money. hold_key is committed before the hold is asked for; hold_id is
# the backend's answer; hold_state follows the hold (``kiosk.money.holds``). Rows of older
# versions have NULL there: no hold.
_V3 = """
ALTER TABLE transactions ADD COLUMN hold_key TEXT;
ALTER TABLE transactions ADD COLUMN hold_id TEXT;
ALTER TABLE transactions ADD COLUMN hold_state TEXT;
CREATE INDEX transactions_hold_release ON transactions (hold_state)
    WHERE hold_state = 'release_pending';
"""

# Index i holds the script that takes the schema from version i to version i + 1.
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)


def check_file(path: Path) -> None:
    """Refuse a file that exists but is not an SQLite database, before SQLite opens it."""
    try:
        if not path.exists() or path.stat().st_size == 0:
            return
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as e:  # a directory, or a file this user may not read
        raise JournalError(f"journal {path} cannot be read: {e.strerror or e}") from None
    if header != SQLITE_HEADER:
        raise JournalCorrupt(str(path), "not an SQLite database")


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), shared by threads."""
    if readonly:
        uri = f"file:{quote(str(path))}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA query_only = ON")
        return conn
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    return conn


def verify(conn: sqlite3.Connection, path: Path, full_check: bool = True) -> int:
    """Check integrity and version before anything is written; returns the schema version."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        known = len(MIGRATIONS)
        if version > known:
            raise JournalCorrupt(str(path), f"schema version {version} is newer than this "
                                            f"program knows ({known})")
        if full_check:
            problems = [line for r in conn.execute("PRAGMA quick_check(5)")
                        for line in r[0].splitlines() if not line.startswith("***")]
            if problems != ["ok"]:
                raise JournalCorrupt(str(path), "integrity check failed: " + "; ".join(problems))
    except sqlite3.DatabaseError as e:  # corrupt, or a disk/permission failure: say which
        mapped = map_error(e, path)
        if type(mapped) is JournalError and getattr(e, "sqlite_errorcode", None) is None:
            mapped = JournalCorrupt(str(path), f"SQLite says: {e}")
        raise mapped from None
    return version


def prepare(conn: sqlite3.Connection, path: Path) -> None:
    """Durability pragmas, then the migrations this file has not had yet."""
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal":
        raise JournalCorrupt(str(path), f"cannot switch to WAL mode (got {mode})")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    migrate(conn, path)


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Run the migrations this file has not had yet, each in one SQLite transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for target in range(version + 1, len(MIGRATIONS) + 1):
        script = MIGRATIONS[target - 1]
        with _transaction(conn, path):
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
        log.info("journal schema migrated to version %d", target)


@contextmanager
def _transaction(conn: sqlite3.Connection, path: Path) -> Iterator[None]:
    """One SQLite transaction of the set-up; a failure rolls it back and comes out mapped
    (a full disk as DiskFull, a broken file as JournalCorrupt)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
        conn.execute("COMMIT")
    except BaseException as e:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        mapped = map_error(e, path)
        if mapped is e:
            raise
        raise mapped from e


def _statements(script: str) -> list[str]:
    """Split a script into statements (``executescript`` would commit on its own)."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out


def map_error(e: BaseException, path: Path | str = "") -> BaseException:
    """SQLite failures as journal errors: SQLITE_FULL / ENOSPC → DiskFull, SQLITE_CORRUPT /
    NOTADB → JournalCorrupt, any other SQLite error → JournalError; anything else unchanged."""
    if isinstance(e, OSError) and e.errno == errno.ENOSPC:
        return DiskFull(disk_full_message(path))
    if not isinstance(e, sqlite3.Error):
        return e
    code = (getattr(e, "sqlite_errorcode", 0) or 0) & 0xFF
    if code == sqlite3.SQLITE_FULL or "disk is full" in str(e):
        return DiskFull(disk_full_message(path))
    if code == sqlite3.SQLITE_IOERR and path and free_bytes(path) < NEARLY_FULL_BYTES:
        return DiskFull(disk_full_message(path))  # a full disk often shows as an I/O error
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return JournalCorrupt(str(path), f"SQLite says: {e}")
    if code == sqlite3.SQLITE_READONLY:
        return JournalError(f"journal {path} cannot be written: {e} (a read-only file system, "
                            "or a file or folder of another user)")
    if code == sqlite3.SQLITE_CANTOPEN:
        return JournalError(f"journal {path} cannot be opened: {e} (check that its folder "
                            "exists and this user may write it)")
    return JournalError(f"journal {path}: {e}")


# Below this much free space, an SQLite I/O error is taken for a full disk.
NEARLY_FULL_BYTES = 4 * 1024 * 1024


def free_bytes(path: Path | str) -> int:
    """Free bytes on the file system of *path* (its nearest existing folder); -1 unknown."""
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return shutil.disk_usage(p).free
    except OSError:
        return -1


def disk_full_message(path: Path | str) -> str:
    """What a full disk means for the journal, and how much is free."""
    free = free_bytes(path)
    where = Path(path).parent if path else Path(".")
    left = f"{free / 1048576:.1f} MB free in {where}" if free >= 0 else "free space unknown"
    return (f"journal {path}: the disk is full ({left}); the write was refused and nothing "
            "of it kept: free some space")


def instance(conn: sqlite3.Connection, path: Path, created_s: float) -> str:
    """The journal's instance name, written once when the file is new (or first migrated)."""
    row = conn.execute("SELECT value FROM journal_meta WHERE key = 'instance'").fetchone()
    if row is not None:
        return row[0]
    value = journal_instance(created_s)
    with _transaction(conn, path):
        conn.execute("INSERT INTO journal_meta (key, value) VALUES ('instance', ?)", (value,))
    return value
