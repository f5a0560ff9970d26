"""The backend simulator in a process of its own, so its growing ledger is not in the figures.

``python -m bench.sim_process``: starts a simulator on a free loopback port with no state file,
prints ``url <url>`` and serves until its stdin closes. ``SimulatorProcess`` runs it.
"""

from __future__ import annotations

import subprocess
import sys

from bench.procs import ROOT

SECRET = "demo-kiosk-secret"


class SimulatorProcess:
    """``with SimulatorProcess() as url:`` a backend simulator for kiosk K01 in a child process."""

    def __init__(self, kiosk_id: str = "K01"):
        self.kiosk_id = kiosk_id
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> str:
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.sim_process", self.kiosk_id],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=ROOT, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("url "):
            self.__exit__()
            raise RuntimeError("the backend simulator process did not start")
        return line.split()[1]

    def requests(self) -> int:
        """How many requests the simulator has answered so far (its /_sim control ones too)."""
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("requests\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line.startswith("requests "):
            raise RuntimeError(f"the backend simulator process answered {line!r}")
        return int(line.split()[1])

    def __exit__(self, *_exc) -> None:
        if self.proc is None:
            return
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def lift_caps(sim) -> None:
    """Soaks sell thousands of top-ups to the same few demo numbers: every credit must go
    through (the cap-refusing number keeps its cap), so the soak stays in one steady state."""
    with sim.store.lock:
        for sub in sim.store.data["subscribers"].values():
            if sub["limits"]["monthly_cap_cents"] > sub["limits"]["monthly_used_cents"]:
                sub["limits"]["monthly_cap_cents"] = 10**12


def main() -> None:
    import logging
    import threading

    from simulators.backend import BackendSimulator

    class Counting(BackendSimulator):
        answered = 0
        lock = threading.Lock()

        def handle(self, *args, **kwargs):
            with self.lock:
                type(self).answered += 1
            return super().handle(*args, **kwargs)

    logging.basicConfig(level=logging.ERROR)
    kiosk_id = sys.argv[1] if len(sys.argv) > 1 else "K01"
    sim = Counting(port=0, secrets={kiosk_id: SECRET}).start()
    lift_caps(sim)
    try:
        print(f"url {sim.url}", flush=True)
        for line in sys.stdin:  # until the parent closes our stdin (or dies)
            if line.strip() == "requests":
                print(f"requests {Counting.answered}", flush=True)
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
