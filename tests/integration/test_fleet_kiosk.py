"""The kiosk core with its operations, as the composition root builds it, on the backend
simulator: it serves metrics with its service state and backend latency, writes its health
state, answers the heartbeat's ``support_bundle`` command with a path in the next heartbeat;
and with the metrics port taken or the textfile directory unwritable it still sells."""

from __future__ import annotations

import json
import socket
import tarfile
import time
import urllib.request

from app.robot.run import Robot, RobotOptions
from contract.clock import SystemClock
from kiosk import composition
from kiosk.flow.post_queue import PostQueue
from kiosk.hardware.handle import DeviceHandle
from kiosk.settings import load
from simulators.backend.control import SimulatorControl
from tests.integration.conftest import SECRET
from tests.integration.test_robot import robot_config

WAIT_S = 20.0


def wait_for(what: str, probe):
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"waited {WAIT_S} s for {what}")


def scrape(port: int) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        return answer.read().decode()


def test_running_kiosk_serves_metrics_writes_health_and_sends_a_bundle(tmp_path,
                                                                        backend_simulator):
    settings = load(None, {
        "kiosk.id": "K01", "kiosk.data_dir": str(tmp_path), "backend.url": backend_simulator.url,
        "backend.secret": SECRET, "backend.secret_env": "", "backend.retry_deadline_s": 1.0,
        "maintenance.heartbeat_interval_s": 3600.0, "metrics.listen": "127.0.0.1:0",
        "metrics.refresh_s": 0.2})
    control = SimulatorControl(backend_simulator.url)
    kiosk = composition.build(settings, PostQueue(), SystemClock(), overrides=composition.Overrides(
        terminal=DeviceHandle(), printer=DeviceHandle(), closers=(control.close,)))
    try:
        wait_for("the first heartbeat", lambda: "K01" in control.ledger()["heartbeats"])
        port = kiosk.fleet.metrics.port
        text = wait_for("the heartbeat's latency in the metrics", lambda: (
            t := scrape(port)) and 'route="POST /v1/kiosks/:id/heartbeat"' in t and t)
        assert 'kiosk_service_state{state="degraded"} 1.0' in text  # no card terminal, no printer
        assert "kiosk_backend_reachable 1.0" in text
        assert "kiosk_build_info{" in text and "kiosk_transactions_total" in text
        health = json.loads(settings.resolve(settings.fleet.health_path).read_text())
        assert health["selling"] is True and health["state"] == "degraded"

        control.queue_command("K01", "support_bundle")
        beat = kiosk.operations.heartbeat
        assert [c.kind for c in beat.beat()] == ["support_bundle"]
        path = kiosk.fleet.last_bundle
        assert path and tarfile.is_tarfile(path)
        beat.beat()
        assert control.ledger()["heartbeats"]["K01"]["support_bundle"] == path
        beat.beat()
        assert "support_bundle" not in control.ledger()["heartbeats"]["K01"]
    finally:
        kiosk.close()


def test_metrics_port_taken_and_textfile_unwritable_the_kiosk_still_sells(
        tmp_path, backend_simulator, caplog):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        config = robot_config(tmp_path, backend_simulator.url)
        with open(config, "a", encoding="utf-8") as f:
            f.write(f'[metrics]\nlisten = "127.0.0.1:{holder.getsockname()[1]}"\n'
                    f'textfile_dir = "{tmp_path / "not-a-dir"}"\n')
        (tmp_path / "not-a-dir").write_text("a file where the textfile directory should be")
        summary = Robot(load(config), RobotOptions(8, seed=2,
                                                   backend_url=backend_simulator.url)).run()
    assert summary["states"].get("credited", 0) > 0
    assert "metrics endpoint NOT served" in caplog.text
    assert "cannot be written" in caplog.text
