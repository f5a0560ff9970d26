"""A real Prometheus scrapes a kiosk: the robot sells through the money engine, then the kiosk
core (as the composition root builds it, headless) serves its metrics on loopback; the real
``prometheus`` server scrapes it (with the fleet's alert rules loaded), and its HTTP API answers
what the journal says: credited sales and money by method; every rule evaluates without error. Skipped only where the prometheus binary is not installed."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from app.robot.run import Robot, RobotOptions
from kiosk import composition
from kiosk.backend.client import BackendClient
from kiosk.hardware.handle import DeviceHandle
from kiosk.journal.store import Journal
from kiosk.settings import load
from tests.child_env import child_env
from tests.integration.conftest import SECRET
from tests.integration.test_robot import robot_config

PROMETHEUS = shutil.which("prometheus")
RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "kiosk-alerts.yml"
WAIT_S = 60.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(PROMETHEUS is None, reason="the prometheus binary is not installed: run "
                       "scripts/setup-system.sh as root (Debian package 'prometheus')"),
]

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str) -> dict:
    with _OPENER.open(url, timeout=5) as answer:
        return json.loads(answer.read())


def wait_for(what: str, probe):
    """Poll *probe* (None or an exception = not yet) until it answers, at most WAIT_S."""
    deadline, last = time.monotonic() + WAIT_S, None
    while time.monotonic() < deadline:
        try:
            result = probe()
        except OSError as e:
            result, last = None, e
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"waited {WAIT_S} s for {what} (last error: {last})")


def query(base: str, promql: str) -> list[dict]:
    answer = get_json(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


@pytest.fixture
def prometheus(tmp_path):
    """Start the real server on loopback with a config made by *configure(target)*."""
    procs = []

    def start(target: str) -> str:
        port = free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            f"rule_files: ['{RULES}']\n"
            "scrape_configs:\n  - job_name: kiosk\n    static_configs:\n"
            f"      - targets: ['{target}']\n", encoding="utf-8")
        proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "prometheus.log", "wb"),
            env=child_env())
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"

        def ready():
            if proc.poll() is not None:
                pytest.fail("prometheus exited: "
                            + (tmp_path / "prometheus.log").read_text(errors="replace")[-2000:])
            with _OPENER.open(f"{base}/-/ready", timeout=2) as answer:
                return answer.status == 200
        wait_for("prometheus to be ready", ready)
        return base

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_prometheus_scrapes_the_kiosk_and_agrees_with_the_journal(
        tmp_path, backend_simulator, prometheus):
    config = robot_config(tmp_path, backend_simulator.url)
    with open(config, "a", encoding="utf-8") as f:
        f.write('[metrics]\nlisten = "127.0.0.1:0"\nrefresh_s = 0.5\n')
    settings = load(config)
    Robot(settings, RobotOptions(25, seed=7, backend_url=backend_simulator.url)).run()

    client = BackendClient(backend_simulator.url, settings.kiosk.id, SECRET)
    kiosk = composition.build(settings, lambda fn: fn(), overrides=composition.Overrides(
        backend=client, terminal=DeviceHandle(), printer=DeviceHandle(), headless=True,
        closers=(client.close,)))
    try:
        exporter = kiosk.fleet.metrics
        assert exporter is not None and exporter.port, exporter and exporter.listen_error
        base = prometheus(f"127.0.0.1:{exporter.port}")
        wait_for("a successful scrape", lambda: query(base, 'up{job="kiosk"} == 1'))
        credited = wait_for("the credited sales", lambda: query(
            base, 'kiosk_transactions_total{job="kiosk",state="credited"}'))
        cents = query(base, 'sum by (method) (kiosk_money_hkd_cents_total{state="credited"})')
        attention = query(base, "kiosk_needs_attention_rows")
        build = query(base, "kiosk_build_info")
        rules = wait_for("the alert rules to be evaluated", lambda: (r := [
            rule for g in get_json(f"{base}/api/v1/rules")["data"]["groups"]
            for rule in g["rules"]]) and all(x.get("evaluationTime", 0) for x in r) and r)
        firing = query(base, 'ALERTS{alertstate="firing"}')
    finally:
        kiosk.close()

    with Journal.open_readonly(settings.resolve(settings.journal.path)) as journal:
        report = journal.report(journal.today())
        waiting = len(journal.needing_attention())
    expected_counts = {m: report.cell(m, "credited")[0] for m in report.methods
                       if report.cell(m, "credited")[0]}
    expected_cents = {m: report.cell(m, "credited")[1] for m in expected_counts}
    assert expected_counts, "the robot credited nothing: nothing to compare"
    assert {r["metric"]["method"]: int(float(r["value"][1])) for r in credited} == expected_counts
    assert {r["metric"]["method"]: int(float(r["value"][1])) for r in cents} == expected_cents
    assert int(float(attention[0]["value"][1])) == waiting
    assert build[0]["metric"]["kiosk_id"] == settings.kiosk.id
    assert len(rules) >= 9 and all(r["health"] == "ok" for r in rules), rules
    assert firing == []  # a healthy kiosk that just sold: nothing fires
