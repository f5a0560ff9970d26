"""Money through a long outage: the backend away for longer than any watch window, purchases in
flight, the power cut twice during the outage; once the backend is back, every paid purchase
is credited or refunded exactly once, and nothing a retry could settle is left for a person.

The robot runs as a separate process (SIGKILL is a power cut) on its compressed clock: a few
real seconds of outage are hours of the kiosk's clock. The backend simulator runs in this
process, so it outlives every kill, and is stopped and started again on the same port with the
same ledger, as a backend that went down and came back.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.journal.store import Journal, JournalError
from kiosk.money.retrying import retryable_attention
from simulators.backend import BackendSimulator
from simulators.backend.control import SimulatorControl
from tests.child_env import child_env
from tests.integration.ledger_checks import attention_refs, check, terminal_outcomes

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SECRET = "demo-kiosk-secret"
WAIT_S = 60.0  # the bound on every wait for a condition (a busy machine is slow)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Kiosk:
    """The robot's settings, journal and terminal state in a folder, against one backend URL."""

    def __init__(self, folder: Path, url: str):
        self.folder, self.url = folder, url
        self.config = folder / "robot.toml"
        self.config.write_text(
            f'[kiosk]\nid = "K01"\ndata_dir = "{folder / "data"}"\n'
            f'[backend]\nurl = "{url}"\nsecret = "{SECRET}"\nsecret_env = ""\n'
            '[log]\nlevel = "WARNING"\nwire = false\n'
            '[simulator.backend]\nenabled = false\n', encoding="utf-8")

    @property
    def journal_path(self) -> Path:
        return self.folder / "data" / "journal.sqlite3"

    def robot(self, transactions: int, seed: int, faults: float = 0.0,
              settle_s: float = 60.0) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "app", "robot", "--config", str(self.config), "--backend-url",
             self.url, "--transactions", str(transactions), "--seed", str(seed),
             "--faults", str(faults), "--settle-timeout-s", str(settle_s)],
            env=child_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def rows(self) -> list:
        try:
            journal = Journal.open_readonly(self.journal_path)
        except JournalError:  # not created yet
            return []
        try:
            return journal.list(limit=10**6)
        finally:
            journal.close()


def wait_for(condition, what: str) -> None:
    end = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.05)


def power_cut(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(WAIT_S)


@pytest.mark.parametrize("faults", [0.3, 0.5])
def test_a_long_outage_with_power_cuts_ends_with_every_payment_settled_once(tmp_path, faults):
    port = free_port()
    backend = BackendSimulator(port=port, secrets={"K01": SECRET},
                               state_path=tmp_path / "backend.json").start()
    kiosk = Kiosk(tmp_path, backend.url)
    try:
        # Customers buy while the backend fails now and then.
        first = kiosk.robot(30, seed=int(faults * 100), faults=faults)
        _out, err = first.communicate(timeout=300)
        assert first.returncode == 0, err[-2000:]
        # Then the backend stops answering credits (held past the client's timeout, then 5xx
        # to queries), so purchases are surely in flight when it goes away altogether; the
        # power goes once a row is retrying by itself.
        control = SimulatorControl(backend.url)
        try:
            control.fault("POST /v1/topups", "timeout", count=10_000, hold_s=30)
            control.fault("GET /v1/topups/{credit_key}", "http_500", count=10_000)
        finally:
            control.close()
        selling = kiosk.robot(30, seed=int(faults * 100) + 1)
        wait_for(lambda: any(t.retrying for t in kiosk.rows()), "a row retrying")
        backend.stop()
        power_cut(selling)
        # It starts again during the outage: recovery cannot reach the backend either; the
        # power goes again once recovery has scheduled its retries.
        before = sum(t.retry_attempts for t in kiosk.rows())
        recovering = kiosk.robot(0, seed=0)
        wait_for(lambda: sum(t.retry_attempts for t in kiosk.rows()) > before,
                 "recovery retrying during the outage")
        power_cut(recovering)
        # The backend comes back with its ledger (and its faults gone); the kiosk starts again.
        backend.faults.clear()
        backend.start()
        done = kiosk.robot(0, seed=0)
        out, err = done.communicate(timeout=300)
        assert done.returncode == 0, err[-2000:]
        journal = Journal.open_readonly(kiosk.journal_path)
        try:
            unfinished = [(t.id, t.state) for t in journal.unfinished()]
            retryable = [(t.id, t.attention_reason) for t in journal.needing_attention()
                         if retryable_attention(t.attention_reason)]
            control = SimulatorControl(backend.url)
            try:
                verdict = check(control.ledger(),
                                terminal_outcomes(tmp_path / "data" / "card-terminal-simulator.json"),
                                attention_refs(journal))
            finally:
                control.close()
        finally:
            journal.close()
        assert unfinished == [] and retryable == []
        assert verdict.violations == []
        assert verdict.paid_orders + verdict.card_sales > 0
    finally:
        backend.stop()
