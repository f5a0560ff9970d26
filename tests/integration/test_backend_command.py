"""``kiosk backend-simulator``: prints one ready line, serves the contract, stops on SIGTERM."""

import os
import selectors
import signal
import subprocess
import sys
from pathlib import Path

from kiosk.backend.client import BackendClient

ROOT = Path(__file__).resolve().parents[2]


def read_line(proc: subprocess.Popen, timeout_s: float) -> str:
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout_s):
            return ""
    return proc.stdout.readline()


def test_command_prints_its_url_serves_and_stops_on_sigterm(tmp_path):
    state = tmp_path / "state.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "backend-simulator", "--port", "0", "--state", str(state),
         "--auto-pay-after-s", "3"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = read_line(proc, 20)
        assert line.startswith("listening on http://127.0.0.1:"), line + proc.stderr.read()
        url = line.split()[-1]
        client = BackendClient(url, "K01", "demo-kiosk-secret", retry_deadline_s=0)
        assert client.get_subscriber("85291234567").status == "active"
        client.create_payment("K01-CMD-1", "fps", 100, "x", 120)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert "demo-kiosk-secret" not in proc.stderr.read()
        assert "K01-CMD-1" in state.read_text(), "the order was kept in the state file"
        assert proc.stdout.read() == "", "stdout carries exactly one line"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
