"""Test-only crash points: SIGKILL this process at a named step of the money engine.

The engine calls ``hit(name)`` at each journal commit ("<state>:commit") and on both sides of each
outside call ("<state>:<operation>:before|after"). Nothing happens unless the environment asks:

- ``KIOSK_CRASH_AT="<name>#<n>"`` kills the process with SIGKILL at the n-th hit of that name
  (n defaults to 1), as a power cut would: no cleanup, no flush beyond what is committed.
- ``KIOSK_CRASH_TRACE=<file>`` appends every name hit to that file, one a line, so a test can
  list the crash points a run passes through.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections import Counter

log = logging.getLogger(__name__)

ENV_AT = "KIOSK_CRASH_AT"
ENV_TRACE = "KIOSK_CRASH_TRACE"


class CrashPoints:
    """Counts named points; kills the process at the one asked for (or records them)."""

    def __init__(self, at: str = "", trace_path: str = ""):
        name, _, nth = at.partition("#")
        self._target = name
        self._nth = int(nth or "1") if name else 0
        self._trace_path = trace_path
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> CrashPoints:
        return cls(os.environ.get(ENV_AT, ""), os.environ.get(ENV_TRACE, ""))

    @property
    def active(self) -> bool:
        return bool(self._target or self._trace_path)

    def hit(self, name: str) -> None:
        if not self.active:
            return
        with self._lock:
            self._counts[name] += 1
            count = self._counts[name]
            if self._trace_path:
                with open(self._trace_path, "a", encoding="utf-8") as f:
                    f.write(name + "\n")
        if name == self._target and count == self._nth:
            log.warning("crash point %s#%d reached: killing the process", name, count)
            os.kill(os.getpid(), signal.SIGKILL)


NO_CRASH = CrashPoints()
