"""The heartbeat carries the audit chain's head, so the backend sees the log only ever grow."""

from contract.clock import FakeClock
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.audit_chain import chain_key
from kiosk.ops.health import HealthMonitor
from kiosk.ops.heartbeat import Heartbeat
from tests.fakes.backend import FakeBackend


def beat_with(audit, clock):
    backend = FakeBackend()
    beat = Heartbeat(backend, HealthMonitor(clock, min_free_disk_mb=50, backend_grace_s=60),
                     audit, clock, interval_s=60, app_version="0.1.0", pending_count=lambda: 0,
                     counts=lambda: {"needs_attention": 0})
    return beat, backend


def test_heartbeat_sends_the_latest_audit_hmac(tmp_path):
    clock = FakeClock()
    audit = AuditLog(tmp_path / "audit.sqlite3", clock, chain_key(b"pepper"))
    try:
        audit.record("1001", "login", "ok")
        beat, backend = beat_with(audit, clock)
        beat.beat()
        first = backend.heartbeat_counts[0]
        assert first == {"needs_attention": 0, "audit_head": audit.head()}
        audit.record("1001", "logout", "operator")
        beat.beat()
        assert backend.heartbeat_counts[1]["audit_head"] == audit.head() != first["audit_head"]
    finally:
        audit.close()


def test_no_audit_head_when_nothing_is_chained(tmp_path):
    clock = FakeClock()
    audit = AuditLog(tmp_path / "audit.sqlite3", clock)
    try:
        beat, backend = beat_with(audit, clock)
        beat.beat()
        assert backend.heartbeat_counts == [{"needs_attention": 0}]
    finally:
        audit.close()
