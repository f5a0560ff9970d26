"""Heartbeat: what it reports, and the remote commands it acts on (audited), unknown ones ignored."""

import pytest

from contract.clock import FakeClock
from devices.interfaces import DeviceState, DeviceStatus, PaperState
from kiosk.backend.errors import Ambiguous
from kiosk.backend.models import Command
from kiosk.maintenance.audit import AuditLog
from kiosk.ops.disk import DiskGuard
from kiosk.ops.health import OUT_OF_SERVICE, HealthMonitor
from kiosk.ops.heartbeat import Heartbeat
from tests.fakes.backend import FakeBackend

MB = 1024 * 1024


@pytest.fixture
def parts(tmp_path):
    clock = FakeClock()
    health = HealthMonitor(clock, min_free_disk_mb=50, backend_grace_s=60)
    health.set_device_status("card_terminal", DeviceStatus(DeviceState.ONLINE))
    health.set_device_status("printer", DeviceStatus(DeviceState.ONLINE, PaperState.LOW))
    audit = AuditLog(tmp_path / "audit.sqlite3", clock)
    backend = FakeBackend()
    reloads = []
    beat = Heartbeat(backend, health, audit, clock, interval_s=60, app_version="0.1.0",
                     pending_count=lambda: 2, on_reload_offers=lambda: reloads.append(1),
                     counts=lambda: {"retrying_transactions": 1, "needs_attention": 0},
                     disk=DiskGuard(tmp_path, 50, usage=lambda _p: (1000 * MB, 0, 900 * MB)))
    yield beat, backend, health, audit, reloads
    audit.close()


def test_reports_state_version_devices_and_pending(parts):
    beat, backend, health, _audit, _ = parts
    beat.beat()
    assert backend.heartbeats == [("in_service", "0.1.0",
                              {"card_terminal": "online", "printer": "paper_low"}, 2)]
    assert backend.heartbeat_counts == [{"retrying_transactions": 1, "needs_attention": 0}]
    assert health.snapshot().disk_free_mb == 900


def test_remote_out_of_service_then_in_service_are_acted_on_and_audited(parts):
    beat, backend, health, audit, _ = parts
    backend.commands = [(Command("c1", "out_of_service"),), (Command("c2", "in_service"),)]
    beat.beat()
    assert health.snapshot().state == OUT_OF_SERVICE
    beat.beat()
    assert health.snapshot().state == "in_service"
    assert backend.heartbeats[1][0] == OUT_OF_SERVICE
    assert [(e.operator_id, e.action, e.result, e.detail["command_id"])
            for e in reversed(audit.entries())] == [
        ("backend", "remote_out_of_service", "done", "c1"),
        ("backend", "remote_in_service", "done", "c2")]


def test_remote_in_service_does_not_override_an_operator_on_site(parts):
    beat, backend, health, audit, _ = parts
    health.switch_off("operator")
    backend.commands = [(Command("c3", "in_service"),)]
    beat.beat()
    assert health.snapshot().state == OUT_OF_SERVICE
    assert audit.entries()[0].result == "kept_out_by_operator"


def test_reload_offers_calls_the_hook(parts):
    beat, backend, _health, audit, reloads = parts
    backend.commands = [(Command("c4", "reload_offers"),)]
    beat.beat()
    assert reloads == [1] and audit.entries()[0].action == "remote_reload_offers"


def test_unknown_command_kind_is_ignored_logged_and_audited(parts, caplog):
    beat, backend, health, audit, _ = parts
    backend.commands = [(Command("c5", "format_disk"), Command("c6", "out_of_service"))]
    beat.beat()
    assert "unknown kind 'format_disk' ignored" in caplog.text
    assert [(e.action, e.result) for e in reversed(audit.entries())] == [
        ("remote_format_disk", "ignored_unknown_kind"), ("remote_out_of_service", "done")]
    assert health.snapshot().state == OUT_OF_SERVICE  # the known command after it still ran


def test_failed_heartbeats_mark_the_backend_unreachable(parts):
    beat, backend, health, _audit, _ = parts
    backend.commands = [Ambiguous("timeout")]
    assert beat.beat() == ()
    assert health.snapshot().backend_reachable is False
    beat.beat()
    assert health.snapshot().backend_reachable is True


def test_worker_beats_at_once_and_stops(parts):
    beat, backend, *_ = parts
    beat.start()
    try:
        assert backend.heartbeat_seen.wait(5)
    finally:
        beat.stop()
    assert len(backend.heartbeats) == 1 and beat._thread is None  # the next one is 60 s away
