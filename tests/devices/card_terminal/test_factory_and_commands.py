"""The terminal from settings, and the operator commands, against the simulator on a pty."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.simulators import card_terminal as build_card_terminal
from devices.card_terminal import protocol as p
from devices.card_terminal.driver import SerialCardTerminal
from devices.card_terminal.simulator import CardTerminalSimulator, Delays
from devices.interfaces import DeviceState
from kiosk import settings as settings_mod
from tests.child_env import child_env

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.timeout(60)


def settings_with(tmp_path, **terminal):
    overrides = {"kiosk.data_dir": str(tmp_path)}
    overrides.update({f"devices.card_terminal.{k}": v for k, v in terminal.items()})
    return settings_mod.load(None, overrides)


@pytest.mark.parametrize("link", ["pty", "tcp"])
def test_simulator_kind_starts_the_emulator_and_connects_the_real_driver(tmp_path, link):
    handle = build_card_terminal(settings_with(tmp_path, kind="simulator", link=link,
                                               scenario="decline_51"))
    try:
        assert isinstance(handle.device, SerialCardTerminal)
        assert isinstance(handle.simulator, CardTerminalSimulator)
        assert handle.simulator.scenario == "decline_51"
        assert handle.simulator.store.path == tmp_path / "card-terminal-simulator.json"
        assert handle.device.status().state is DeviceState.ONLINE
    finally:
        handle.close()


def test_serial_kind_opens_the_configured_port_and_none_is_no_device(tmp_path):
    sim = CardTerminalSimulator(delays=Delays.none())
    port = sim.start("pty")
    handle = build_card_terminal(settings_with(tmp_path, kind="serial", port=port))
    try:
        assert handle.simulator is None
        assert handle.device.status().state is DeviceState.ONLINE
    finally:
        handle.close()
        sim.stop()
    assert build_card_terminal(settings_with(tmp_path, kind="none")).device is None


@pytest.fixture
def simulator():
    sim = CardTerminalSimulator(delays=Delays.none())
    sim.start("pty")
    yield sim
    sim.stop()


def run_cli(capsys, *argv) -> tuple[int, dict]:
    code = main(["terminal", *argv])
    return code, json.loads(capsys.readouterr().out)


def test_terminal_sale_prints_the_answer_with_the_spec_names(simulator, capsys):
    code, out = run_cli(capsys, "sale", "--port", simulator.port, "--amount-cents", "100",
                        "--ref", "K01-000001")
    assert code == 0
    assert out["result"] == "APPROVED" and out["cmd"] == "SALE" and out["ecr_ref"] == "K01-000001"
    assert out["amount_cents"] == 100 and out["currency"] == "344" and out["rc"] == "00"
    code, out = run_cli(capsys, "query", "--port", simulator.port, "--target", "K01-000001")
    assert code == 0 and out["result"] == "APPROVED" and simulator.charges == 1


def test_terminal_status_and_settle(simulator, capsys):
    code, out = run_cli(capsys, "status", "--port", simulator.port)
    assert code == 0 and out["result"] == "READY"
    code, out = run_cli(capsys, "settle", "--port", simulator.port, "--ref", "K01-S0001")
    assert code == 0 and out["cmd"] == "SETTLE" and out["result"] == "APPROVED"


def test_a_declined_sale_exits_non_zero(simulator, capsys):
    simulator.set_scenario("decline_05")
    code, out = run_cli(capsys, "sale", "--port", simulator.port, "--amount-cents", "100")
    assert code == 1 and out["result"] == "DECLINED" and out["rc"] == "05"


def test_abort_of_a_sale_left_running_by_another_process_prints_its_cancelled_answer(capsys):
    """GIVEN a sale started by a kiosk process that then went away WHEN the operator aborts it
    THEN the command prints that sale's own answer: CANCELLED."""
    sim = CardTerminalSimulator(delays=Delays(stage_s=5.0))
    sim.start("pty")
    try:
        gone = SerialCardTerminal(sim.port)
        gone._frames.send(p.Sale("K01-000009", 100))  # the sale's frame only, then it goes
        gone.close()
        code, out = run_cli(capsys, "abort", "--port", sim.port, "--target", "K01-000009")
        assert code == 0 and out["result"] == "CANCELLED" and out["ecr_ref"] == "K01-000009"
        assert sim.charges == 0
    finally:
        sim.stop()


def test_a_missing_port_is_a_link_error_with_non_zero_exit(capsys):
    code, out = run_cli(capsys, "status", "--port", "/dev/ttyNOPE3")
    assert code == 1 and "/dev/ttyNOPE3" in out["error"]


def test_sale_without_an_amount_is_a_usage_error(capsys):
    assert main(["terminal", "sale", "--port", "loop://"]) == 2


def test_device_simulator_prints_its_port_answers_and_stops_on_sigterm(tmp_path):
    env = child_env()
    proc = subprocess.Popen([sys.executable, "-m", "app", "device-simulator", "card-terminal",
                             "--link", "tcp", "--state", str(tmp_path / "t.json")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("port socket://127.0.0.1:")
        driver = SerialCardTerminal(line.split(" ", 1)[1])
        try:
            assert driver.status().state is DeviceState.ONLINE
        finally:
            driver.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
