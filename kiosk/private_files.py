"""Files only the kiosk user may read: created 0600 (data) or 0640 (logs) whatever the umask.

``os.open(..., mode)`` is filtered by the umask, so a permissive umask (0000 or 0022 outside
systemd) would leave the journal, the operators' PIN hashes, the audit log and the logs readable
by every local user. ``fchmod`` is not filtered: the file is created, then set to the mode.
An existing file with wider bits is narrowed too (a file made by an older version).

SQLite creates its ``-wal``, ``-shm`` and ``-journal`` files with the main file's mode, so
setting the main file before SQLite opens it is enough.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DATA_MODE = 0o600  # the journal, operators.sqlite3, the audit log, lock files
LOG_MODE = 0o640  # logs: the kiosk group may read them
DIR_MODE = 0o750


def make_dirs(path: Path | str) -> None:
    """``mkdir -p`` with the folders made 0750 (existing ones are left alone)."""
    missing = []
    p = Path(path)
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
            os.chmod(folder, DIR_MODE)
        except FileExistsError:
            pass


def open_private(path: Path | str, flags: int, mode: int = DATA_MODE) -> int:
    """``os.open`` with O_CREAT, the file then set to *mode* if it has any wider bit."""
    fd = os.open(path, flags | os.O_CREAT | os.O_CLOEXEC, mode)
    try:
        narrow(fd, mode, path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def narrow(fd: int, mode: int, path: Path | str = "") -> None:
    """Clear any permission bit of the open file *fd* that *mode* does not have."""
    current = stat.S_IMODE(os.fstat(fd).st_mode)
    if current & ~mode:
        try:
            os.fchmod(fd, current & mode)
        except PermissionError as e:  # not our file (e.g. root reading the kiosk's): say so
            log.warning("cannot narrow %s from %o to %o: %s", path, current, mode, e)


def ensure_private(path: Path | str, mode: int = DATA_MODE) -> None:
    """Create *path* empty with *mode* (or narrow it) before another library opens it.

    Best effort: a path that cannot be opened (a folder, no permission, a missing parent) is
    left for the caller's own open to report in its words.
    """
    if str(path) == ":memory:":
        return
    try:
        os.close(open_private(path, os.O_RDONLY, mode))
    except OSError:
        return
