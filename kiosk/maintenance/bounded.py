"""Checks run side by side, each with its own time bound (``kiosk doctor``).

Each check runs in a daemon thread: one that hangs (a backend that drips bytes, a device that
never answers) is given up at its bound and reported as a FAIL, and its thread cannot keep the
process alive. A check that raises is a FAIL naming the exception; the others still run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.maintenance.checks import FAIL, Verdict


@dataclass
class Check:
    """*run* returns the check's verdicts; after *bound_s* seconds it is *item* FAIL."""

    item: str
    run: Callable[[], list[Verdict]]
    bound_s: float
    _result: list[Verdict] | None = field(default=None, init=False)
    _error: BaseException | None = field(default=None, init=False)

    def _body(self) -> None:
        try:
            self._result = list(self.run())
        except Exception as e:  # the verdict is the failure; the other checks go on
            self._error = e


def run_all(checks: list[Check], monotonic: Callable[[], float] = time.monotonic) -> list[Verdict]:
    """Start every check at once; their verdicts in the order given, each within its bound."""
    started = monotonic()
    threads = []
    for check in checks:
        thread = threading.Thread(target=check._body, name=f"check {check.item}", daemon=True)
        thread.start()
        threads.append(thread)
    out: list[Verdict] = []
    for check, thread in zip(checks, threads, strict=True):
        thread.join(max(0.0, started + check.bound_s - monotonic()))
        if thread.is_alive():
            out.append(Verdict(check.item, FAIL, f"no answer within {check.bound_s:g} s"))
        elif check._error is not None:
            e = check._error
            out.append(Verdict(check.item, FAIL, f"check failed: {type(e).__name__}: {e}"))
        else:
            out.extend(check._result or [])
    return out
