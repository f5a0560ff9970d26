"""The journal's files: the owner lock (``flock`` on ``<journal>.lock``) and free disk space.

The lock file holds the owner's pid, so a second opener can say who has the journal. The lock
is tied to the open file, so it goes away with the process however that ends (even SIGKILL).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from pathlib import Path

from kiosk.journal.models import JournalLocked
from kiosk.private_files import open_private

log = logging.getLogger(__name__)


class FileLock:
    """Held from ``acquire`` until ``release`` (or the process's end)."""

    def __init__(self, fd: int, path: Path):
        self._fd = fd
        self.path = path

    @classmethod
    def acquire(cls, db_path: Path) -> FileLock:
        """Take the lock of *db_path* or raise JournalLocked naming the holder's pid."""
        lock_path = Path(f"{db_path}.lock")
        fd = open_private(lock_path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise JournalLocked(str(db_path), pid) from None
        try:  # the pid is only for the message a second opener gets
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as e:
            log.warning("could not write the pid to %s: %s", lock_path, e)
        return cls(fd, lock_path)

    def release(self) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    except OSError:
        return None


def free_space_ok(path: str | Path, min_free_mb: int) -> bool:
    """True when the file system holding *path* has at least *min_free_mb* MiB free."""
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    return shutil.disk_usage(p).free >= min_free_mb * 1024 * 1024
