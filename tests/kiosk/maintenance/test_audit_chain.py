"""The audit log's HMAC chain: any changed, inserted or removed entry is found and named."""

import sqlite3

import pytest

from contract.clock import FakeClock
from kiosk.maintenance.audit import AuditLog, verify_file
from kiosk.maintenance.audit_chain import CHAIN_STARTED, chain_key

KEY = chain_key(b"site-pepper")


@pytest.fixture
def audit_path(tmp_path):
    clock = FakeClock()
    audit = AuditLog(tmp_path / "audit.sqlite3", clock, KEY)
    for i in range(5):
        clock.advance(60)
        audit.record(f"100{i}", "login", "ok" if i % 2 else "wrong_pin", attempt=i)
    audit.close()
    return tmp_path / "audit.sqlite3"


def tamper(path, sql, *args):
    """What someone with write access to the file can do: drop the triggers, then edit."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def test_an_untouched_log_verifies_and_its_head_is_the_last_hmac(audit_path):
    report = verify_file(audit_path, KEY)
    assert report.ok and report.entries == 5 and report.unchained == 0
    audit = AuditLog(audit_path, FakeClock(), KEY)
    assert audit.head() == report.head and len(report.head) == 64
    audit.record("1001", "logout", "operator")
    assert audit.head() != report.head
    assert verify_file(audit_path, KEY).ok
    audit.close()


@pytest.mark.parametrize("sql, args, broken", [
    ("UPDATE audit SET result = ? WHERE id = 3", ("ok",), 3),
    ("UPDATE audit SET detail = ? WHERE id = 2", ('{"attempt": 9}',), 2),
    ("UPDATE audit SET at = ? WHERE id = 4", ("2020-01-01T00:00:00Z",), 4),
    ("DELETE FROM audit WHERE id = 2", (), 3),
    ("UPDATE audit SET hmac = NULL WHERE id = 5", (), 5),
    ("INSERT INTO audit (id, at, operator_id, action, result, detail, hmac) "
     "VALUES (6, '2026-01-01T00:00:00Z', '1001', 'login', 'ok', '{}', ?)", ("0" * 64,), 6),
])
def test_an_edited_row_is_named(audit_path, sql, args, broken):
    tamper(audit_path, sql, *args)
    report = verify_file(audit_path, KEY)
    assert not report.ok and report.broken_id == broken


def test_the_chain_needs_the_key(audit_path):
    report = verify_file(audit_path, chain_key(b"another-pepper"))
    assert not report.ok and report.broken_id == 1


def test_an_old_unchained_log_gets_a_chain_start_covering_its_entries(tmp_path, caplog):
    path = tmp_path / "audit.sqlite3"
    old = AuditLog(path, FakeClock())  # as the older version wrote it: no key, no HMAC column
    old.record("1001", "login", "ok")
    old.record("1001", "logout", "operator")
    old.close()
    report = verify_file(path, KEY)
    assert not report.ok and "no entry is chained yet" in report.problem

    caplog.set_level("WARNING")
    audit = AuditLog(path, FakeClock(), KEY)
    audit.record("1002", "login", "ok")
    start = audit.entries()[1]
    audit.close()
    assert start.action == CHAIN_STARTED and start.detail["unchained_entries"] == 2
    assert "2 entries were written before the HMAC chain" in caplog.text
    report = verify_file(path, KEY)
    assert report.ok and report.entries == 4 and report.unchained == 2

    tamper(path, "UPDATE audit SET result = 'wrong_pin' WHERE id = 1")
    report = verify_file(path, KEY)
    assert not report.ok and report.broken_id == 1 and "not covered" in report.problem


def test_entries_written_without_the_key_are_named(audit_path):
    keyless = AuditLog(audit_path, FakeClock())  # a kiosk running without its pepper
    entry = keyless.record("backend", "remote_in_service", "done")
    keyless.close()
    report = verify_file(audit_path, KEY)
    assert report.broken_id == entry.id and "no HMAC" in report.problem
