"""The last health state on disk, and a short history of its changes.

Every change of the health monitor (and the start) rewrites ``fleet.health_path`` atomically
(a temporary file renamed over it) and appends one line to ``health-history.jsonl`` beside it,
kept to ``fleet.health_history_lines`` lines. ``kiosk metrics`` reads the last state from it,
a support bundle carries both, and ``deploy/kiosk-update`` takes ``"selling": true`` with the
new version (written after the switch) as "ready to sell".

No phone number, card number or secret is ever in a health state: only states and reasons.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.ops.health import Health

log = logging.getLogger(__name__)

HISTORY_NAME = "health-history.jsonl"


def health_dict(health: Health, state: str, *, version: str, started_at: float,
                at: float) -> dict:
    """One health state as JSON-ready data (what the file and the metrics hold)."""
    devices = {"card_terminal": health.terminal.state.value, "printer": health.printer.state.value}
    return {
        "version": version, "pid": os.getpid(), "started_at": started_at, "at": at,
        "state": state, "selling": health.selling, "reasons": list(health.reasons),
        "devices": devices, "paper": health.paper, "paper_alert": health.paper_alert,
        "backend_reachable": health.backend_reachable,
        "backend_latency_ms": health.backend_latency_ms, "disk_free_mb": health.disk_free_mb,
    }


def write_atomically(path: Path, text: str, sync: bool = True) -> None:
    """Write *text* to a temporary file beside *path*, then rename it over *path* (*sync*:
    flushed to the disk first; the metrics textfile, rewritten every few seconds, skips it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_last(path: Path) -> dict | None:
    """The last health state written at *path*; None when there is none or it is unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_history(path: Path) -> list[dict]:
    """The health changes kept beside *path*, oldest first (unreadable lines skipped)."""
    out = []
    try:
        lines = (Path(path).parent / HISTORY_NAME).read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


class HealthRecord:
    """Subscribe to a ``HealthMonitor``; writes the state file and its history on each change."""

    def __init__(self, path: Path, history_lines: int, *, version: str,
                 state_name: Callable[[Health], str], wall: Callable[[], float] = time.time):
        self.path = Path(path)
        self._history = self.path.parent / HISTORY_NAME
        self._keep = max(1, history_lines)
        self._version = version
        self._state_name = state_name
        self._wall = wall
        self.started_at = wall()
        self._lock = threading.Lock()
        self._failed = False
        self.last: dict | None = None

    def attach(self, monitor) -> None:
        monitor.subscribe(self.record)
        self.record(monitor.snapshot())

    def record(self, health: Health) -> dict:
        entry = health_dict(health, self._state_name(health), version=self._version,
                            started_at=self.started_at, at=self._wall())
        with self._lock:
            self.last = entry
            try:
                write_atomically(self.path, json.dumps(entry, indent=1, sort_keys=True))
                self._append(json.dumps(entry, sort_keys=True))
                self._failed = False
            except OSError as e:
                if not self._failed:
                    log.warning("cannot write the health state to %s: %s", self.path, e)
                self._failed = True
        return entry

    def recheck(self, monitor) -> None:
        """Record again when the state name changed without a health change (maintenance)."""
        health = monitor.snapshot()
        last = self.last
        if last is None or last.get("state") != self._state_name(health):
            self.record(health)

    def _append(self, line: str) -> None:
        with open(self._history, "a", encoding="utf-8") as f:
            f.write(line + "\n")
        if self._history.stat().st_size > self._keep * 1024:  # trim now and then, not each time
            lines = self._history.read_text(encoding="utf-8").splitlines()
            if len(lines) > self._keep:
                write_atomically(self._history, "\n".join(lines[-self._keep:]) + "\n")
