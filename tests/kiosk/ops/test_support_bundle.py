"""Support bundles: everything an engineer needs, nothing secret (full numbers, secrets, PINs,
auth codes grepped for in every file), and the heartbeat command that builds one and reports
its path in the next heartbeat only."""

from __future__ import annotations

import json
import tarfile
from types import SimpleNamespace

from contract.clock import FakeClock
from devices.interfaces import DeviceState, DeviceStatus
from kiosk.backend.models import Command
from kiosk.journal.store import Journal
from kiosk.maintenance.audit import AuditLog
from kiosk.ops.fleet_wiring import Fleet, _wire_heartbeat, rolled_back_from
from kiosk.ops.health import HealthMonitor
from kiosk.ops.health_record import HealthRecord
from kiosk.ops.heartbeat import Heartbeat
from kiosk.ops.support_bundle import build_bundle
from kiosk.settings import load
from tests.fakes.backend import FakeBackend

SECRET = "backend-secret-Zq81xW"
PEPPER = "pepper-Kx77aa9Lm"
PHONE = "91234567"
CARD = "4111111111111111"
AUTH = "A9X7Q1"


def make_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_BUNDLE_PEPPER", PEPPER)
    return load(None, {"kiosk.data_dir": str(tmp_path), "backend.secret": SECRET,
                       "backend.secret_env": "", "maintenance.pepper_env": "TEST_BUNDLE_PEPPER",
                       "fleet.bundle_log_lines": 3})


def seed(tmp_path, settings) -> Journal:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "kiosk.log").write_text(
        "old line that falls out of the tail\n"
        f"sale for {PHONE} with card {CARD}\n"
        f"signed with secret={SECRET} pepper {PEPPER}\n"
        "operator typed pin=482913\n", encoding="utf-8")
    (logs / "wire.log").write_text(f"ECR frame 02 30 31 card {CARD} auth {AUTH}\n")
    monitor = HealthMonitor(FakeClock(), min_free_disk_mb=1, backend_grace_s=60)
    record = HealthRecord(settings.resolve(settings.fleet.health_path), 10, version="9.9",
                          state_name=lambda h: h.state)
    record.attach(monitor)
    monitor.set_device_status("card_terminal", DeviceStatus(DeviceState.ONLINE))
    journal = Journal.open(settings.resolve(settings.journal.path), "K00")
    t = journal.create("card", PHONE, "P1", "Q1", {"en": "Plan"}, 9800, 9800, "en")
    journal.advance(t.id, "sale_pending")
    journal.update(t.id, auth_code=AUTH, card_last4="1111")
    return journal


def read_bundle(path) -> dict[str, str]:
    with tarfile.open(path) as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode()
                for m in tar.getmembers() if m.isfile()}


def test_bundle_has_what_an_engineer_needs_and_nothing_secret(tmp_path, monkeypatch):
    settings = make_settings(tmp_path, monkeypatch)
    with seed(tmp_path, settings) as journal:
        path = build_bundle(settings, doctor=f"OK    backend  secret {SECRET}\n", journal=journal,
                            out=tmp_path / "out" / "b.tar.gz")
    files = read_bundle(path)
    assert {"doctor.txt", "health.json", "health-history.jsonl", "journal-pending.json",
            "versions.json", "settings.json", "logs/kiosk.log", "logs/wire.log",
            "update-state.json", "MANIFEST.txt"} <= set(files)
    everything = "\n".join(files.values())
    for secret in (PHONE, CARD, SECRET, PEPPER, "482913", AUTH):
        assert secret not in everything, secret
    assert "old line" not in files["logs/kiosk.log"]  # only the last N lines
    assert "4567" in files["logs/kiosk.log"]  # masked, last four kept
    rows = json.loads(files["journal-pending.json"])
    assert [r["state"] for r in rows] == ["sale_pending"] and rows[0]["msisdn_masked"]
    assert json.loads(files["health.json"])["devices"]["card_terminal"] == "online"
    assert json.loads(files["settings.json"])["backend"]["secret"] in ("<removed>", "***")
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_heartbeat_command_builds_a_bundle_and_reports_it_once(tmp_path, monkeypatch):
    settings = make_settings(tmp_path, monkeypatch)
    clock = FakeClock()
    health = HealthMonitor(clock, min_free_disk_mb=1, backend_grace_s=60)
    audit = AuditLog(tmp_path / "audit.sqlite3", clock)
    backend = FakeBackend()
    beat = Heartbeat(backend, health, audit, clock, interval_s=60, app_version="0.1.0",
                     pending_count=lambda: 0)
    with seed(tmp_path, settings) as journal:
        kiosk = SimpleNamespace(journal=journal, operations=SimpleNamespace(health=health))
        fleet = Fleet()
        _wire_heartbeat(settings, kiosk, fleet, beat, health)
        backend.commands = [(Command("c1", "support_bundle"),)]
        beat.beat()
        beat.beat()
        beat.beat()
    sent = [c.get("support_bundle") for c in backend.heartbeat_counts]
    assert sent[0] is None and sent[1] == fleet.last_bundle and sent[2] is None
    files = read_bundle(fleet.last_bundle)
    assert PHONE not in "\n".join(files.values())
    assert "health now:" in files["doctor.txt"] and "metrics" in files["doctor.txt"]
    assert audit.entries()[0].action == "remote_support_bundle"
    assert audit.entries()[0].result == "done"
    audit.close()


def test_rolled_back_from_is_reported_while_running_the_version_rolled_back_to(tmp_path,
                                                                              monkeypatch):
    from kiosk import __version__

    settings = make_settings(tmp_path, monkeypatch)
    state = settings.resolve(settings.fleet.update_state_path)
    assert rolled_back_from(settings) == {}
    state.write_text(json.dumps({"rolled_back_from": "9.0.0", "rolled_back_to": __version__}))
    assert rolled_back_from(settings) == {"rolled_back_from": "9.0.0"}
    state.write_text(json.dumps({"rolled_back_from": "9.0.0", "rolled_back_to": "0.0.1"}))
    assert rolled_back_from(settings) == {}
