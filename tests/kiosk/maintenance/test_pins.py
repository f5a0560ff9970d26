"""Operator PINs: scrypt with salt and pepper, lockout that survives a restart, audit of attempts."""

import hashlib
import sqlite3

import pytest

from contract.clock import FakeClock
from kiosk import settings as settings_mod
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.lockout import Lockout
from kiosk.maintenance.login import MaintenanceLogin
from kiosk.maintenance.pins import (
    DEFAULT_PARAMS,
    DEMO_PEPPER,
    PinError,
    PinStore,
    ScryptParams,
    hash_pin,
    pepper_from_settings,
)
from kiosk.settings import SettingsError

FAST = ScryptParams(n=2**10, r=8, p=1)  # cheap cost for the tests that are not about the cost


def test_default_scrypt_cost_is_at_least_16384_with_r8():
    assert DEFAULT_PARAMS.n >= 2**14 and DEFAULT_PARAMS.r == 8 and DEFAULT_PARAMS.p >= 1
    assert DEFAULT_PARAMS.dklen == 32


def test_hash_is_scrypt_of_pin_and_pepper_with_the_salt():
    salt = b"s" * 16
    expected = hashlib.scrypt(b"123456\x00pep", salt=salt, n=2**10, r=8, p=1, dklen=32)
    assert hash_pin("123456", salt, b"pep", FAST) == expected
    assert hash_pin("123456", salt, b"other-pepper", FAST) != expected


def test_stored_row_has_salt_hash_and_parameters_never_the_pin(tmp_path):
    store = PinStore(tmp_path / "ops.sqlite3", b"pepper", DEFAULT_PARAMS)
    store.set_pin("1001", "24681357", now=0)
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"24681357" not in raw
    row = sqlite3.connect(tmp_path / "ops.sqlite3").execute(
        "SELECT salt, hash, n, r, p FROM operators WHERE operator_id='1001'").fetchone()
    assert len(row[0]) == 16 and len(row[1]) == 32 and row[2:] == (2**14, 8, 1)


def test_verify_needs_the_same_pepper(tmp_path):
    store = PinStore(tmp_path / "ops.sqlite3", b"pepper-A", FAST)
    store.set_pin("1001", "24681357", now=0)
    assert store.verify("1001", "24681357")
    assert not store.verify("1001", "24681358")
    assert not store.verify("9999", "24681357")
    store.close()
    other = PinStore(tmp_path / "ops.sqlite3", b"pepper-B", FAST)
    assert not other.verify("1001", "24681357")


def test_two_operators_with_the_same_pin_get_different_hashes(tmp_path):
    store = PinStore(tmp_path / "ops.sqlite3", b"pepper", FAST)
    store.set_pin("1001", "582039", now=0)
    store.set_pin("1002", "582039", now=0)
    hashes = store.db.conn.execute("SELECT hash FROM operators").fetchall()
    assert hashes[0] != hashes[1]


@pytest.mark.parametrize("pin", ["12345", "1234567890123", "12a456", "", "12 3456"])
def test_pin_must_be_6_to_12_digits(tmp_path, pin):
    store = PinStore(tmp_path / "ops.sqlite3", b"pepper", FAST)
    with pytest.raises(PinError, match="6 to 12 digits"):
        store.set_pin("1001", pin, now=0)


def test_operator_id_is_digits(tmp_path):
    store = PinStore(tmp_path / "ops.sqlite3", b"pepper", FAST)
    with pytest.raises(PinError, match="operator id"):
        store.set_pin("alice", "123456", now=0)


def test_pepper_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("KIOSK_PIN_PEPPER", "site-pepper-xyz")
    assert pepper_from_settings(settings_mod.load()) == b"site-pepper-xyz"


def test_demo_pepper_only_on_the_demo_profile(monkeypatch):
    monkeypatch.delenv("KIOSK_PIN_PEPPER", raising=False)
    assert pepper_from_settings(settings_mod.load()) == DEMO_PEPPER.encode()
    monkeypatch.setenv("KIOSK_BACKEND_SECRET", "x" * 16)
    site = settings_mod.load(settings_mod.CONFIG_DIR / "site.example.toml")
    with pytest.raises(SettingsError, match="KIOSK_PIN_PEPPER.*not set"):
        pepper_from_settings(site)


def make_login(path, clock):
    store = PinStore(path, b"pepper", FAST)
    audit = AuditLog(path.parent / "audit.sqlite3", clock)
    lockout = Lockout(store.db, clock, max_failures=5, lockout_s=900)
    return store, audit, MaintenanceLogin(store, lockout, audit, clock, 5, 300)


def test_five_wrong_pins_lock_entry_and_the_lock_survives_a_restart(tmp_path):
    clock = FakeClock()
    store, audit, login = make_login(tmp_path / "ops.sqlite3", clock)
    store.set_pin("1001", "24681357", now=clock.now())
    results = [login.login("1001", "000000").outcome for _ in range(5)]
    assert results == ["wrong"] * 4 + ["locked"]
    store.close()
    audit.close()

    # The kiosk restarts: a new process opens the same files.
    clock.advance(60)
    store, audit, login = make_login(tmp_path / "ops.sqlite3", clock)
    refused = login.login("1001", "24681357")
    assert refused.outcome == "locked" and refused.session is None
    assert 839 <= refused.lock_seconds_left <= 840

    clock.advance(841)
    ok = login.login("1001", "24681357")
    assert ok.outcome == "ok" and ok.session.operator_id == "1001"
    actions = [(e.operator_id, e.result) for e in reversed(audit.entries())]
    assert actions == [("1001", "wrong_pin")] * 4 + [("1001", "wrong_pin_locked"),
                                                     ("1001", "locked"), ("1001", "ok")]


def test_a_good_pin_resets_the_failure_count(tmp_path):
    clock = FakeClock()
    store, _audit, login = make_login(tmp_path / "ops.sqlite3", clock)
    store.set_pin("1001", "24681357", now=0)
    for _ in range(4):
        login.login("1001", "000000")
    assert login.login("1001", "24681357").outcome == "ok"
    wrong = login.login("1001", "000000")
    assert wrong.outcome == "wrong" and wrong.attempts_left == 4


def test_lockout_counts_across_operator_ids(tmp_path):
    clock = FakeClock()
    _store, _audit, login = make_login(tmp_path / "ops.sqlite3", clock)
    outcomes = [login.login(f"10{i:02d}", "123456").outcome for i in range(5)]
    assert outcomes[-1] == "locked"


def test_without_a_pepper_the_kiosk_runs_but_nobody_signs_in(tmp_path, monkeypatch):
    from contract.clock import FakeClock
    from kiosk.maintenance.wiring import build_operations

    class Controller:
        state = "attract"

        def set_health(self, *a, **k):
            pass

    monkeypatch.delenv("KIOSK_PIN_PEPPER", raising=False)
    monkeypatch.setenv("KIOSK_BACKEND_SECRET", "x" * 16)
    site = settings_mod.load(settings_mod.CONFIG_DIR / "site.example.toml",
                             {"kiosk.data_dir": str(tmp_path), "log.dir": str(tmp_path)})
    ops = build_operations(site, controller=Controller(), journal=None, clock=FakeClock())
    try:
        assert ops.console.login.login("1001", "123456").outcome == "unavailable"
        assert ops.audit.entries()[0].result == "unavailable"
    finally:
        ops.close()


def test_no_pin_in_logs_or_audit(tmp_path, caplog):
    caplog.set_level("DEBUG")
    clock = FakeClock()
    store, audit, login = make_login(tmp_path / "ops.sqlite3", clock)
    store.set_pin("1001", "24681357", now=0)
    login.login("1001", "97531246")
    login.login("1001", "24681357")
    assert "24681357" not in caplog.text and "97531246" not in caplog.text
    stored = " ".join(f"{e.action} {e.result} {e.detail}" for e in audit.entries())
    assert "24681357" not in stored and "97531246" not in stored


def test_sign_in_locks_escalate_and_a_good_pin_resets_them(tmp_path):
    clock = FakeClock()
    store, audit, login = make_login(tmp_path / "ops.sqlite3", clock)
    store.set_pin("1001", "24681357", now=0)
    lengths = []
    for _ in range(3):
        locked = [login.login("1001", "000000") for _ in range(5)][-1]
        lengths.append(locked.lock_seconds_left)
        clock.advance(locked.lock_seconds_left)
    assert lengths == [900, 1800, 3600]
    assert login.login("1001", "24681357").outcome == "ok"
    assert [login.login("1001", "000000") for _ in range(5)][-1].lock_seconds_left == 900
    locks = [e.detail["lockout"] for e in reversed(audit.entries()) if e.result == "wrong_pin_locked"]
    assert locks == [1, 2, 3, 1]
