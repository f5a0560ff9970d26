"""Serving commands (simulators) run until SIGTERM or SIGINT; this is where they wait."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT (install before starting what must be stopped)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def serve_until_stopped(stop: threading.Event, close: Callable[[], None]) -> None:
    """Wait until *stop* is set (SIGTERM, SIGINT), then *close* what was served."""
    try:
        wait_until_set(stop)
    finally:
        close()


def wait_until_set(stop: threading.Event, poll_s: float = 0.2) -> None:
    """Block until *stop* is set; polling keeps the main thread responsive to signals."""
    while not stop.wait(poll_s):
        pass
