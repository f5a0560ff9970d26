"""The heartbeat over real HTTP against the backend simulator: reports, then remote commands."""

import pytest

from contract.clock import SystemClock
from devices.interfaces import DeviceState, DeviceStatus, PaperState
from kiosk.backend.client import BackendClient
from kiosk.maintenance.audit import AuditLog
from kiosk.ops.health import IN_SERVICE, OUT_OF_SERVICE, HealthMonitor
from kiosk.ops.heartbeat import Heartbeat
from simulators.backend import BackendSimulator
from simulators.backend.control import SimulatorControl


@pytest.fixture
def fleet(tmp_path):
    sim = BackendSimulator(port=0, secrets={"K01": "demo-kiosk-secret"}).start()
    client = BackendClient(sim.url, "K01", "demo-kiosk-secret", retry_deadline_s=2)
    control = SimulatorControl(sim.url)
    clock = SystemClock()
    health = HealthMonitor(clock, min_free_disk_mb=50, backend_grace_s=60)
    health.set_device_status("card_terminal", DeviceStatus(DeviceState.ONLINE))
    health.set_device_status("printer", DeviceStatus(DeviceState.ONLINE, PaperState.OUT))
    audit = AuditLog(tmp_path / "audit.sqlite3", clock)
    reloads = []
    beat = Heartbeat(client, health, audit, clock, interval_s=60, app_version="0.1.0",
                     pending_count=lambda: 3, on_reload_offers=lambda: reloads.append(1))
    yield beat, control, health, audit, reloads
    beat.stop()
    control.close()
    client.close()
    audit.close()
    sim.stop()


def test_the_backend_receives_state_devices_and_pending(fleet):
    beat, control, health, *_ = fleet
    assert beat.beat() == ()
    seen = control.ledger()["heartbeats"]["K01"]
    assert (seen["state"], seen["app_version"], seen["pending_transactions"]) == (
        "degraded", "0.1.0", 3)
    assert seen["devices"] == {"card_terminal": "online", "printer": "paper_out"}
    assert health.snapshot().backend_reachable and health.snapshot().backend_latency_ms is not None


def test_queued_commands_are_received_once_acted_on_and_audited(fleet):
    beat, control, health, audit, reloads = fleet
    control.queue_command("K01", "out_of_service")
    control.queue_command("K01", "self_destruct")
    control.queue_command("K01", "reload_offers")
    kinds = [c.kind for c in beat.beat()]
    assert kinds == ["out_of_service", "self_destruct", "reload_offers"]
    assert health.snapshot().state == OUT_OF_SERVICE and reloads == [1]
    assert [(e.action, e.result) for e in reversed(audit.entries())] == [
        ("remote_out_of_service", "done"), ("remote_self_destruct", "ignored_unknown_kind"),
        ("remote_reload_offers", "done")]
    assert beat.beat() == ()  # delivered once
    assert control.ledger()["heartbeats"]["K01"]["state"] == OUT_OF_SERVICE

    control.queue_command("K01", "in_service")
    beat.beat()
    health.set_device_status("printer", DeviceStatus(DeviceState.ONLINE, PaperState.OK))
    assert health.snapshot().state == IN_SERVICE


def test_the_backend_receives_the_audit_chain_head(tmp_path):
    from kiosk.maintenance.audit_chain import chain_key
    sim = BackendSimulator(port=0, secrets={"K01": "demo-kiosk-secret"}).start()
    client = BackendClient(sim.url, "K01", "demo-kiosk-secret", retry_deadline_s=2)
    control = SimulatorControl(sim.url)
    clock = SystemClock()
    audit = AuditLog(tmp_path / "chained.sqlite3", clock, chain_key(b"pepper"))
    try:
        audit.record("1001", "login", "ok")
        beat = Heartbeat(client, HealthMonitor(clock, min_free_disk_mb=50, backend_grace_s=60),
                         audit, clock, interval_s=60, app_version="0.1.0", pending_count=lambda: 0)
        beat.beat()
        assert control.ledger()["heartbeats"]["K01"]["audit_head"] == audit.head()
    finally:
        control.close()
        client.close()
        audit.close()
        sim.stop()
