"""``kiosk device-simulator scanner`` and ``kiosk scanner read``, as separate processes; and
``kiosk terminal sale --tender octopus`` printing the remaining value."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devices.card_terminal.simulator import CardTerminalSimulator, Delays
from tests.child_env import child_env

ROOT = Path(__file__).resolve().parents[3]
WECHAT = "134567890123456789"
EAN13 = "4006381333931"
pytestmark = [pytest.mark.timeout(60), pytest.mark.slow]


def kiosk(*argv, timeout=30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *argv], cwd=ROOT, env=child_env(),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(params=["pty", "tcp"])
def scanner_sim(request):
    proc = subprocess.Popen([sys.executable, "-m", "app", "device-simulator", "scanner", "--link",
                             request.param, "--scan", WECHAT, "--scan", EAN13],
                            cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("port "), line
        yield line.split(" ", 1)[1]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_scanner_read_prints_each_whole_code_once_then_times_out(scanner_sim):
    first = kiosk("scanner", "read", "--port", scanner_sim, "--timeout-s", "10")
    assert (first.returncode, first.stdout) == (0, WECHAT + "\n")
    assert "wechatpay" in first.stderr
    second = kiosk("scanner", "read", "--port", scanner_sim, "--timeout-s", "10")
    assert (second.returncode, second.stdout) == (0, EAN13 + "\n")
    assert "not a wallet code" in second.stderr and "product barcode" in second.stderr
    third = kiosk("scanner", "read", "--port", scanner_sim, "--timeout-s", "0.5")
    assert third.returncode == 1 and third.stdout == "" and "no code read" in third.stderr


def test_scanner_read_on_a_missing_port_or_a_bad_timeout_is_a_clear_message(tmp_path):
    missing = kiosk("scanner", "read", "--port", str(tmp_path / "ttyACM0"), "--timeout-s", "1")
    assert missing.returncode == 1 and "cannot open port" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad = kiosk("scanner", "read", "--port", "loop://", "--timeout-s", "0")
    assert bad.returncode == 2 and "--timeout-s" in bad.stderr


def test_the_scanner_simulator_refuses_a_scenario():
    result = kiosk("device-simulator", "scanner", "--scenario", "approve")
    assert result.returncode == 2 and "--scan" in result.stderr


def test_terminal_sale_octopus_prints_the_remaining_value(tmp_path):
    sim = CardTerminalSimulator(state_path=tmp_path / "t.json", delays=Delays.none(),
                                octopus_value_cents=10_000)
    port = sim.start("pty")
    try:
        result = kiosk("terminal", "sale", "--port", port, "--amount-cents", "8820", "--tender",
                       "octopus", "--ref", "K01-000200")
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert (out["result"], out["brand"], out["remaining_value_cents"]) == (
            "APPROVED", "OCTOPUS", 10_000 - 8820)
        sim.set_scenario("decline_iv")
        declined = kiosk("terminal", "sale", "--port", port, "--amount-cents", "100", "--tender",
                         "octopus")
        assert declined.returncode == 1 and json.loads(declined.stdout)["rc"] == "IV"
    finally:
        sim.stop()
