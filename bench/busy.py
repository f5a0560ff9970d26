"""Two CPU-bound background processes, so the busy figures see a machine doing other work.

``with Busy(2):`` starts *n* child Python processes that spin on the CPU (a pure-Python loop,
no I/O, no memory growth) and stops them, by their own pid, when the block ends (or when this
process dies: each child also watches its parent). On a 2-core machine two of them take every
core the bench does not: the kiosk's frames, workers and backend simulator then compete for CPU
as on a kiosk that is also printing, polling and logging.
"""

from __future__ import annotations

import subprocess
import sys

SPIN = (
    "import os, sys\n"
    "parent = os.getppid()\n"
    "n = 0\n"
    "while True:\n"
    "    n += 1\n"
    "    if n % 2_000_000 == 0 and os.getppid() != parent:\n"
    "        sys.exit(0)\n"
)


class Busy:
    """Context manager: *n* CPU-bound processes beside this one while the block runs."""

    def __init__(self, n: int = 2, env: dict | None = None):
        self.n, self.env = n, env
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> Busy:
        for _ in range(self.n):
            self.procs.append(subprocess.Popen([sys.executable, "-c", SPIN],
                                               stdin=subprocess.DEVNULL,
                                               stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL, env=self.env))
        return self

    def __exit__(self, *_exc) -> None:
        for proc in self.procs:
            proc.kill()
        for proc in self.procs:
            proc.wait()
        self.procs.clear()

    @property
    def running(self) -> int:
        return sum(1 for p in self.procs if p.poll() is None)


def main() -> None:
    """``python -m bench.busy [N]``: spin N processes until interrupted (to load a machine by
    hand while a single part runs)."""
    import time

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    with Busy(n):
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
