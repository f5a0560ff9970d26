"""Opening the maintenance SQLite files (operators, audit): durable, one connection per object."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from kiosk.private_files import ensure_private, make_dirs


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection in autocommit mode with WAL and synchronous=FULL, shared across threads.

    Callers serialise their use with their own lock (see ``Locked``). The file is made 0600
    (whatever the umask) before SQLite opens it; its -wal and -shm files take that mode.
    """
    if str(path) != ":memory:":
        make_dirs(Path(path).parent)
        ensure_private(path)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=5.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


class Locked:
    """A connection plus the lock every use of it takes."""

    def __init__(self, path: Path | str):
        self.conn = connect(path)
        self.lock = threading.RLock()

    def close(self) -> None:
        with self.lock:
            self.conn.close()
