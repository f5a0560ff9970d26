"""Fault switches of the simulator: the next ``count`` calls of a route fail in a given way.

Modes: ``http_500`` (answer 500, nothing done), ``timeout`` (hold the request unanswered for
``hold_s``, then close; nothing done), ``drop_after_commit`` (do the work, then close the
connection without an answer), ``reject`` (a definite 422 for that route).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

MODES = ("http_500", "timeout", "drop_after_commit", "reject")
DEFAULT_HOLD_S = 30.0


@dataclass(frozen=True)
class Fault:
    mode: str
    hold_s: float = DEFAULT_HOLD_S


class Faults:
    """Armed faults by route template (``"POST /v1/topups"``), each with a remaining count."""

    def __init__(self):
        self._lock = threading.Lock()
        self._armed: dict[str, tuple[Fault, int]] = {}

    def arm(self, route: str, mode: str, count: int = 1, hold_s: float = DEFAULT_HOLD_S) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}; one of {', '.join(MODES)}")
        with self._lock:
            if count <= 0:
                self._armed.pop(route, None)
            else:
                self._armed[route] = (Fault(mode, hold_s), count)

    def take(self, route: str) -> Fault | None:
        """The fault for this call of *route*, if one is armed (its count goes down by one)."""
        with self._lock:
            armed = self._armed.get(route)
            if armed is None:
                return None
            fault, left = armed
            if left <= 1:
                del self._armed[route]
            else:
                self._armed[route] = (fault, left - 1)
            return fault

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()
