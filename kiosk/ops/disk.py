"""Disk space: stop selling before the journal cannot write.

Below ``journal.min_free_disk_mb`` free on the journal's file system the health monitor takes
the kiosk out of service; a sale in progress still finishes (its few journal rows fit in the
margin), and the kiosk comes back by itself once space is freed.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MB = 1024 * 1024


@dataclass(frozen=True)
class DiskSpace:
    total_mb: int
    free_mb: int
    min_free_mb: int

    @property
    def used_percent(self) -> float:
        return 100.0 * (self.total_mb - self.free_mb) / self.total_mb if self.total_mb else 100.0

    @property
    def enough(self) -> bool:
        return self.free_mb >= self.min_free_mb


def _existing(path: Path) -> Path:
    """The path, or its nearest existing parent (the journal may not exist yet)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


class DiskGuard:
    """Measures free space where the journal lives; ``usage`` is injectable for tests."""

    def __init__(self, path: Path, min_free_mb: int,
                 usage: Callable[[Path], tuple[int, int, int]] = shutil.disk_usage):
        self._path = Path(path)
        self._min_free_mb = min_free_mb
        self._usage = usage

    def check(self) -> DiskSpace:
        total, _used, free = self._usage(_existing(self._path))
        space = DiskSpace(total // MB, free // MB, self._min_free_mb)
        if not space.enough:
            log.warning("disk nearly full: %d MB free (%.0f%% used), below %d MB: not selling",
                        space.free_mb, space.used_percent, self._min_free_mb)
        return space
