"""Audit log append-only, maintenance auto exit, and the hidden corner gesture."""

import sqlite3

import pytest

from contract.clock import FakeClock
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.gesture import CornerGesture, corner_of
from kiosk.maintenance.operator_session import MaintenanceSession

W, H = 1920, 1080
CORNERS = {"top_left": (10, H - 10), "top_right": (W - 10, H - 10),
           "bottom_right": (W - 10, 10), "bottom_left": (10, 10)}


def test_audit_rows_cannot_be_changed_or_deleted(tmp_path, caplog):
    caplog.set_level("INFO", logger="kiosk.maintenance.audit")
    audit = AuditLog(tmp_path / "audit.sqlite3", FakeClock(0))
    entry = audit.record("1001", "test_print", "ok", paper="ok")
    assert entry.at == "1970-01-01T00:00:00Z"
    assert "operator=1001 action=test_print result=ok" in caplog.text
    conn = sqlite3.connect(tmp_path / "audit.sqlite3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit SET result='fail'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit")
    assert [(e.action, e.result, e.detail) for e in audit.entries()] == [
        ("test_print", "ok", {"paper": "ok"})]


def test_maintenance_exits_after_5_minutes_without_a_touch():
    clock = FakeClock()
    session = MaintenanceSession("1001", clock, auto_exit_s=300)
    clock.advance(299)
    session.touch()
    clock.advance(299)
    assert not session.expired() and session.seconds_left == pytest.approx(1)
    clock.advance(1)
    assert session.expired()


def tap_all(gesture, names):
    return [gesture.tap(*CORNERS[n], W, H) for n in names]


def test_corners_are_found_with_y_up():
    assert corner_of(5, H - 5, W, H) == "top_left"
    assert corner_of(W - 5, 5, W, H) == "bottom_right"
    assert corner_of(W / 2, H / 2, W, H) is None
    assert corner_of(5, H / 2, W, H) is None


def test_four_corners_clockwise_open_the_pin_pad():
    gesture = CornerGesture(FakeClock(), window_s=4)
    assert tap_all(gesture, ["top_left", "top_right", "bottom_right", "bottom_left"]) == [
        False, False, False, True]


def test_wrong_order_or_a_tap_elsewhere_starts_over():
    gesture = CornerGesture(FakeClock(), window_s=4)
    assert not any(tap_all(gesture, ["top_left", "bottom_right", "top_right", "bottom_left"]))
    tap_all(gesture, ["top_left", "top_right"])
    assert not gesture.tap(W / 2, H / 2, W, H)
    assert not any(tap_all(gesture, ["bottom_right", "bottom_left"]))


def test_too_slow_does_not_count():
    clock = FakeClock()
    gesture = CornerGesture(clock, window_s=4)
    tap_all(gesture, ["top_left", "top_right", "bottom_right"])
    clock.advance(5)
    assert not gesture.tap(*CORNERS["bottom_left"], W, H)


def test_gesture_is_refused_while_money_is_moving():
    refused = []
    moving = [True]
    gesture = CornerGesture(FakeClock(), money_moving=lambda: moving[0],
                            on_refused=lambda: refused.append(1))
    sequence = ["top_left", "top_right", "bottom_right", "bottom_left"]
    assert not any(tap_all(gesture, sequence))
    assert refused == [1]
    moving[0] = False
    assert tap_all(gesture, sequence)[-1] is True
