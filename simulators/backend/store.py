"""The simulator's state: one JSON document under a lock, saved atomically after changes.

Saves are coalesced: a change marks the document dirty and a writer thread writes it (temp file,
rename) at most every ``WRITE_INTERVAL_S``; stopping the simulator writes the last state. So a
restart finds everything a stopped simulator answered, and a busy simulator does not rewrite a
growing document on every request (that made 500 robot sales take 104 s instead of 30 s).
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
import time
from collections.abc import Callable
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


def fresh_state(now: float) -> dict:
    """The seeded state, its dates counted from *now* (the simulator's clock)."""
    return {"subscribers": seed.subscribers(now), "quotes": {}, "orders": {}, "refunds": {},
            "topups": {}, "holds": {}, "idempotency": {}, "heartbeats": {}, "commands": {}, "counter": 0}


WRITE_INTERVAL_S = 0.2


class Store:
    """The state document, its lock and its file; *now* is the clock that dates a fresh seed."""

    def __init__(self, path: str | os.PathLike | None = None,
                 now: Callable[[], float] = time.time):
        self.lock = threading.RLock()
        self.path = Path(path) if path else None
        self._now = now
        self.data = self._load()
        self._dirty = threading.Event()
        self._closing = threading.Event()
        self._writer: threading.Thread | None = None

    def _load(self) -> dict:
        if self.path and self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                log.info("backend simulator state loaded from %s", self.path)
                return {**fresh_state(self._now()), **data}
            except (OSError, ValueError) as e:
                log.warning("backend simulator state %s unreadable (%s): starting fresh",
                            self.path, e)
        return fresh_state(self._now())

    def save(self) -> None:
        """Mark the document changed: the writer thread writes it within WRITE_INTERVAL_S."""
        if not self.path or self._closing.is_set():
            return
        self._dirty.set()
        with self.lock:
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, daemon=True,
                                                name="backend-simulator-store")
                self._writer.start()

    def flush(self) -> None:
        """Write the document now, atomically (temp file, rename)."""
        if not self.path:
            return
        with self.lock:
            self._dirty.clear()
            text = json.dumps(self.data, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        """Stop the writer and write the last state."""
        self._closing.set()
        self._dirty.set()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.join(timeout=10)
        self.flush()
        self._closing.clear()

    def _write_loop(self) -> None:
        while not self._closing.is_set():
            self._dirty.wait()
            if self._closing.is_set():
                return
            try:
                self.flush()
            except OSError:
                log.exception("backend simulator state %s not written; will retry", self.path)
            self._closing.wait(WRITE_INTERVAL_S)

    def next_id(self, prefix: str) -> str:
        self.data["counter"] += 1
        return f"{prefix}-{self.data['counter']:06d}"

    def reset(self) -> None:
        with self.lock:
            self.data = fresh_state(self._now())
        self.flush()

    def snapshot(self) -> dict:
        with self.lock:
            return copy.deepcopy(self.data)
