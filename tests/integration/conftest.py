"""Fixtures for tests over real HTTP: a backend simulator on loopback and a client for it.

``backend_simulator``: a started ``BackendSimulator`` on 127.0.0.1:0 (kiosk ``K01``, secret
``demo-kiosk-secret``) with a state file in the test's temp dir, stopped after the test; it runs
on the real clock. ``backend_sim``: one such simulator for a whole module (no state file).
``backend_client``: a ``BackendClient`` for it whose retries do not wait
(its clock reads real time but its ``sleep`` only moves a virtual monotonic clock).
"""

from __future__ import annotations

import json
import time

import pytest
import requests

from contract import signing
from kiosk.backend.client import BackendClient
from simulators.backend import BackendSimulator
from simulators.backend.control import SimulatorControl

CRASH_NOTE = "crash tests"  # the crash tests' counts, printed after the run
_crash_counts: dict = {}
KIOSK_ID = "K01"
SECRET = "demo-kiosk-secret"


class NoWaitClock:
    """Real wall-clock time (so signatures are fresh); ``sleep`` advances a virtual clock."""

    def __init__(self):
        self._mono = 1000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return self._mono

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self._mono += max(0.0, seconds)


@pytest.fixture
def backend_simulator(tmp_path):
    sim = BackendSimulator(host="127.0.0.1", port=0, secrets={KIOSK_ID: SECRET},
                           state_path=tmp_path / "backend-simulator.json")
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture(scope="module")
def backend_sim():
    """One backend simulator for a whole test module (the flow tests reset it per test)."""
    sim = BackendSimulator(secrets={KIOSK_ID: SECRET}).start()
    yield sim
    sim.stop()


@pytest.fixture
def backend_client(backend_simulator):
    client = BackendClient(backend_simulator.url, KIOSK_ID, SECRET, connect_timeout_s=2.0,
                           read_timeout_s=2.0, retry_deadline_s=5.0, clock=NoWaitClock())
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def simulator_control(backend_simulator):
    control = SimulatorControl(backend_simulator.url)
    try:
        yield control
    finally:
        control.close()


@pytest.fixture
def signed_request(backend_simulator):
    """Send one signed request by hand (status codes, headers and bodies as they are)."""

    def send(method: str, path: str, body=None, key: str | None = None, *,
             kiosk_id: str = KIOSK_ID, secret: str = SECRET, timestamp: int | None = None,
             timeout_s: float = 5.0) -> requests.Response:
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        headers = signing.signed_headers(kiosk_id, secret, method, path,
                                         int(time.time()) if timestamp is None else timestamp,
                                         data)
        if key is not None:
            headers[signing.HEADER_IDEMPOTENCY] = key
        return requests.request(method, backend_simulator.url + path, data=data,
                                headers=headers, timeout=timeout_s)

    return send


def pytest_runtest_logreport(report):
    """Keep the crash tests' latest counts (their reports carry them, from any xdist worker)."""
    for name, value in report.user_properties:
        if name == CRASH_NOTE:
            _crash_counts.update(value)


def pytest_terminal_summary(terminalreporter):
    if _crash_counts:
        terminalreporter.write_line(f"{CRASH_NOTE}: {_crash_counts}")
