"""The kiosk's metrics: names and labels, state sets, counters from a real journal, scrapes
that answer from the last values while the journal is busy, a taken port, a textfile."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from contract.clock import FakeClock
from devices.interfaces import DeviceState, DeviceStatus, PaperState
from kiosk.journal.store import Journal
from kiosk.ops.health import HealthMonitor
from kiosk.ops.metrics import NAMES, MetricsState, Snapshot, exposition, registry_for, route_of
from kiosk.ops.metrics_check import check_metrics, check_textfile
from kiosk.ops.metrics_exporter import ListenError, MetricsExporter, parse_listen
from kiosk.ops.metrics_figures import JournalFigures, read_figures
from kiosk.settings import load

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$")


def samples(text: str) -> list[tuple[str, str, float]]:
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample without timestamp: {line!r}"
        out.append((m.group(1), m.group(2) or "", float(m.group(3))))
    return out


def value(text: str, name: str, labels: str = "") -> float:
    found = [v for n, lab, v in samples(text) if n == name and labels in lab]
    assert len(found) == 1, f"{name}{labels}: {found}"
    return found[0]


def settings_for(tmp_path: Path, **metrics) -> object:
    over = {"kiosk.data_dir": str(tmp_path), "metrics.listen": "127.0.0.1:0"}
    over.update({f"metrics.{k}": v for k, v in metrics.items()})
    return load(None, over)


def sold_journal(tmp_path: Path) -> Journal:
    journal = Journal.open(tmp_path / "journal.sqlite3", "K01", tz="Asia/Hong_Kong")
    plan = {"en": "Plan"}
    for method, amount, final in (("fps", 9800, "credited"), ("fps", 4800, "credited"),
                                  ("card", 16800, "credited"), ("payme", 9800, None)):
        t = journal.create(method, "91234567", "P1", "Q1", plan, amount, amount, "en")
        if final is None:
            continue
        path = {"fps": ("order_pending", "awaiting_payment", "paid", "credit_pending", final),
                "card": ("sale_pending", "paid", "credit_pending", final)}[method]
        for state in path:
            journal.advance(t.id, state)
    return journal


def test_read_figures_counts_final_states_and_open_rows(tmp_path):
    with sold_journal(tmp_path) as journal:
        f = read_figures(journal._read, journal.path)
    assert f.final_counts() == {("fps", "credited"): (2, 14600), ("card", "credited"): (1, 16800)}
    assert f.in_flight == 1 and f.needs_attention == 0 and f.retrying == 0
    assert f.oldest_unsettled_s is not None and f.last_credited_s is not None
    assert f.journal_bytes > 0


def test_exposition_names_labels_and_state_sets():
    health = {"state": "degraded", "devices": {"card_terminal": "online", "printer": "offline"},
              "paper": "low", "paper_alert": True, "backend_reachable": True}
    figures = JournalFigures({("fps", "credited"): (3, 29400), ("fps", "paid"): (1, 9800)},
                             in_flight=1, needs_attention=2, retrying=1,
                             oldest_unsettled_s=1000.0, last_credited_s=900.0, journal_bytes=4096)
    state = MetricsState(Snapshot("K01", "1.2.3", 100.0, figures, 1100.0, health,
                                  ("card_terminal", "printer"), 123456))
    registry, backend = registry_for(state, now=lambda: 1060.0)
    backend.observe("GET", "/v1/subscribers/91234567/plans", 0.2, None)
    text = exposition(registry)
    names = {re.sub(r"_(bucket|count|sum)$", "", n) for n, _l, _v in samples(text)}
    assert names <= set(NAMES) | {"kiosk_backend_request_duration_seconds"}
    assert all(n.startswith("kiosk_") for n in names)
    assert not re.search(r"\d{8}", "".join(lab for _n, lab, _v in samples(text)))
    assert value(text, "kiosk_transactions_total", 'state="credited"') == 3
    assert "paid" not in text.split("kiosk_transactions_total")[2]  # only final states count
    assert value(text, "kiosk_money_hkd_cents_total", 'method="fps"') == 29400
    assert [v for n, lab, v in samples(text) if n == "kiosk_service_state"].count(1.0) == 1
    assert value(text, "kiosk_service_state", 'state="degraded"') == 1
    assert value(text, "kiosk_device_up", 'device="printer"') == 0
    assert value(text, "kiosk_device_status", 'device="printer",status="offline"') == 1
    assert value(text, "kiosk_printer_paper_state", 'state="low"') == 1
    assert value(text, "kiosk_oldest_unsettled_age_seconds") == 60
    assert value(text, "kiosk_needs_attention_rows") == 2
    assert value(text, "kiosk_backend_request_duration_seconds_count",
                 'route="GET /v1/subscribers/:id/plans"') == 1


def test_route_of_cuts_every_id():
    assert route_of("post", "/v1/kiosks/K01/heartbeat") == "POST /v1/kiosks/:id/heartbeat"
    assert route_of("GET", "/v1/orders/K01-20261203-0001?x=91234567") == "GET /v1/orders/:id"


@pytest.mark.parametrize("listen, ok", [("127.0.0.1:9464", True), ("[::1]:9464", True),
                                        ("localhost:1", True), ("0.0.0.0:9464", False),
                                        ("9464", False), ("127.0.0.1:x", False)])
def test_listen_must_be_loopback_unless_allowed(listen, ok):
    if ok:
        assert parse_listen(listen) is not None
    else:
        with pytest.raises(ListenError):
            parse_listen(listen)
    assert parse_listen("0.0.0.0:9464", allow_remote=True) == ("0.0.0.0", 9464)
    assert parse_listen("") is None


def scrape(port: int, timeout_s: float = 2.0) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://127.0.0.1:{port}/metrics", timeout=timeout_s) as answer:
        return answer.read().decode()


def test_a_scrape_answers_from_last_values_while_the_journal_is_busy(tmp_path):
    busy, released = threading.Event(), threading.Event()
    calls = []

    def figures():
        calls.append(1)
        if len(calls) > 1:  # the second reading waits for a journal that is busy
            busy.set()
            released.wait(30)
        return JournalFigures({("fps", "credited"): (len(calls), 100)})

    exporter = MetricsExporter(settings_for(tmp_path, refresh_s=0.01), figures=figures,
                               disk_path=tmp_path, version="t")
    exporter.start()
    try:
        assert busy.wait(10), "the refresher never read again"
        started = time.monotonic()
        text = scrape(exporter.port)
        assert time.monotonic() - started < 1.5
        assert value(text, "kiosk_transactions_total", 'method="fps"') == 1
    finally:
        released.set()
        exporter.close()


def test_a_taken_port_is_a_clear_error_and_doctor_fails_it(tmp_path, caplog):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        settings = settings_for(tmp_path)
        settings = load(None, {"kiosk.data_dir": str(tmp_path),
                               "metrics.listen": f"127.0.0.1:{port}"})
        exporter = MetricsExporter(settings, figures=None, disk_path=None, version="t")
        assert exporter.serve() is False
        assert str(port) in exporter.listen_error
        assert "NOT served" in caplog.text and "goes on selling" in caplog.text
        verdicts = check_metrics(settings, timeout_s=0.5)
        assert verdicts[0].level == "FAIL" and "taken" in verdicts[0].message


def test_doctor_says_ok_when_the_running_kiosk_serves_it(tmp_path):
    exporter = MetricsExporter(settings_for(tmp_path), figures=None, disk_path=None,
                               version="t")
    exporter.start()
    try:
        settings = load(None, {"kiosk.data_dir": str(tmp_path),
                               "metrics.listen": f"127.0.0.1:{exporter.port}"})
        (verdict,) = check_metrics(settings)
        assert verdict.level == "OK" and "running kiosk" in verdict.message
    finally:
        exporter.close()


def test_textfile_is_written_whole_and_an_unwritable_one_warns(tmp_path, caplog):
    exporter = MetricsExporter(settings_for(tmp_path, listen="", textfile_dir="tf"),
                               figures=lambda: JournalFigures({("fps", "credited"): (2, 200)}),
                               disk_path=tmp_path, version="t")
    (tmp_path / "tf").mkdir()
    assert exporter.refresh()
    text = (tmp_path / "tf" / "kiosk.prom").read_text()
    assert value(text, "kiosk_transactions_total", 'method="fps"') == 2
    assert [p.name for p in (tmp_path / "tf").iterdir()] == ["kiosk.prom"]

    (tmp_path / "blocked").write_text("a file where the directory should be")
    bad = MetricsExporter(settings_for(tmp_path, listen="", textfile_dir="blocked"),
                          figures=lambda: JournalFigures(), disk_path=tmp_path, version="t")
    assert bad.refresh() is False and bad.textfile_error
    assert "cannot be written" in caplog.text
    assert check_textfile(tmp_path / "blocked").level == "WARN"


def test_health_changes_reach_the_metrics(tmp_path):
    clock = FakeClock()
    monitor = HealthMonitor(clock, min_free_disk_mb=1, backend_grace_s=60)
    exporter = MetricsExporter(settings_for(tmp_path, listen=""), figures=None, disk_path=None,
                               version="t", devices=("card_terminal", "printer"))
    exporter.attach_health(monitor, lambda h: h.state)
    monitor.set_device_status("card_terminal", DeviceStatus(DeviceState.ONLINE))
    monitor.set_device_status("printer", DeviceStatus(DeviceState.ONLINE, paper=PaperState.OUT))
    text = exposition(exporter.registry)
    assert value(text, "kiosk_device_up", 'device="card_terminal"') == 1
    assert value(text, "kiosk_printer_paper_state", 'state="out"') == 1
    assert value(text, "kiosk_service_state", 'state="degraded"') == 1


def test_maintenance_shows_at_the_next_refresh_without_a_health_change(tmp_path):
    from kiosk.ops.fleet_wiring import Fleet

    monitor = HealthMonitor(FakeClock(), min_free_disk_mb=1, backend_grace_s=60)
    controller = type("C", (), {"state": "idle"})()
    settings = settings_for(tmp_path, listen="")
    exporter = MetricsExporter(settings, figures=None, disk_path=None, version="t")
    fleet = Fleet(metrics=exporter)
    ops = type("Ops", (), {"health": monitor, "heartbeat": None})()
    fleet.attach_operations(settings, type("K", (), {"controller": controller})(), ops)
    assert value(exposition(exporter.registry), "kiosk_service_state",
                 'state="maintenance"') == 0
    controller.state = "maintenance"
    exporter.refresh()
    assert value(exposition(exporter.registry), "kiosk_service_state",
                 'state="maintenance"') == 1
    assert json.loads((tmp_path / "health.json").read_text())["state"] == "maintenance"
