"""The simulator's state: one JSON document under a lock, saved atomically after each change.

Times are kept as epoch seconds and formatted as RFC 3339 only in answers. A restart with the
same state file finds every order, top-up, refund and idempotency record where it was.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from simulators.backend import seed

log = logging.getLogger(__name__)


def rfc3339(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Answer:
    """An HTTP answer of the contract: status and JSON body."""
    status: int
    body: dict = field(default_factory=dict)


class ApiError(Exception):
    """Raised by a route to answer with an error object."""

    def __init__(self, http_status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.answer = Answer(http_status, {"error": code, "message": message, **extra})


def fresh_state() -> dict:
    return {"subscribers": seed.subscribers(), "quotes": {}, "orders": {}, "refunds": {},
            "topups": {}, "idempotency": {}, "heartbeats": {}, "commands": {}, "counter": 0}


class Store:
    """The state document, its lock and its file."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.lock = threading.RLock()
        self.path = Path(path) if path else None
        self.data = self._load()

    def _load(self) -> dict:
        if self.path and self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                log.info("backend simulator state loaded from %s", self.path)
                return {**fresh_state(), **data}
            except (OSError, ValueError) as e:
                log.warning("backend simulator state %s unreadable (%s): starting fresh",
                            self.path, e)
        return fresh_state()

    def save(self) -> None:
        """Write the document atomically (temp file, fsync, rename)."""
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.data, f, ensure_ascii=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def next_id(self, prefix: str) -> str:
        self.data["counter"] += 1
        return f"{prefix}-{self.data['counter']:06d}"

    def reset(self) -> None:
        with self.lock:
            self.data = fresh_state()
            self.save()

    def snapshot(self) -> dict:
        with self.lock:
            return copy.deepcopy(self.data)
