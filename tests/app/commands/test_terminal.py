"""``kiosk terminal sale``: an APPROVED for another amount or currency (or none) is no payment:
the answer is printed with the mismatch and the command exits 1."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.commands import terminal as terminal_cmd
from kiosk.hardware.handle import DeviceHandle
from tests.fakes.card_terminal import FakeTerminal


@pytest.fixture
def fake(monkeypatch):
    term = FakeTerminal()
    monkeypatch.setattr(terminal_cmd, "_open", lambda settings, port: DeviceHandle(term))
    return term


def sale(capsys, amount="100"):
    code = main(["terminal", "sale", "--port", "socket://fake:1", "--amount-cents", amount,
                 "--ref", "CLI-1"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_an_approved_sale_for_the_amount_asked_exits_0(fake, capsys):
    code, out, err = sale(capsys)
    assert code == 0 and out["result"] == "APPROVED" and "mismatch" not in out and err == ""


@pytest.mark.parametrize("plan, why", [
    ({"amount_cents": 1}, "another amount"),
    ({"amount_cents": None}, "no amount"),
    ({"amount_cents": 0}, "an amount of 0"),
    ({"currency": "156"}, "another currency"),
])
def test_an_approval_of_something_else_prints_the_mismatch_and_exits_1(fake, capsys, plan, why):
    fake.plan = {"result": "APPROVED", "rc": "00", **plan}
    code, out, err = sale(capsys)
    assert code == 1
    assert out["result"] == "APPROVED" and why in out["mismatch"]
    assert "asked 100 cents in 344" in out["mismatch"]
    assert "not a payment of 100 cents" in err and "VOID" in err and "CLI-1" in err


@pytest.mark.slow
def test_a_silent_terminal_ends_the_cli_sale_within_the_customer_bound(tmp_path):
    """The real command with the default timers, against a TCP 'terminal' that accepts the
    connection and never sends a byte: OutcomeUnknown, exit 1, well under 20 s + start-up."""
    import socket
    import subprocess
    import sys
    import threading
    import time

    from tests.child_env import ROOT, child_env

    server = socket.create_server(("127.0.0.1", 0))
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])  # kept open, never read from or written to
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    port = server.getsockname()[1]
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "app", "terminal", "sale", "--port",
             f"socket://127.0.0.1:{port}", "--amount-cents", "100", "--timeout-s", "10"],
            env=child_env(), cwd=ROOT, capture_output=True, text=True, timeout=60)
    finally:
        took = time.monotonic() - started
        stop.set()
        server.close()
        for conn in held:
            conn.close()
    assert done.returncode == 1, done.stderr[-2000:]
    assert "OutcomeUnknown" in done.stdout and "query it later" in done.stdout
    assert took < 20 + 5, f"{took:.1f} s"  # 2 s connect wait + 15 s bound + Python start-up
