"""Maintenance on the real app, off-screen: hidden gesture, PIN pad, live status, safe actions,
settlement, refusal while money moves, and the auto exit."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from devices.interfaces import DeviceState, DeviceStatus, PaperState
from tests.fakes.printer import FakePrinter

pytestmark = [pytest.mark.ui, pytest.mark.slow]


@dataclass
class Maint:
    kiosk: object
    ops: object
    journal: object
    printer: FakePrinter
    screen: object
    restarts: list


@pytest.fixture
def maint(kiosk, tmp_path, monkeypatch):
    from kiosk.journal.store import Journal
    from kiosk.maintenance.wiring import build_operations
    from screens.maintenance.demo import ensure_demo_operator
    from screens.maintenance.gesture import GestureListener
    from screens.maintenance.screen import MaintenanceScreen

    monkeypatch.setenv("KIOSK_PIN_PEPPER", "ui-test-pepper")
    settings = kiosk.settings.__class__(**{
        **kiosk.settings.__dict__,
        "kiosk": kiosk.settings.kiosk.__class__(**{**kiosk.settings.kiosk.__dict__,
                                                   "data_dir": str(tmp_path)})})
    journal = Journal.open(tmp_path / "journal.sqlite3", "K01", kiosk.clock)
    printer = FakePrinter()
    ops = build_operations(settings, controller=kiosk.controller, journal=journal,
                           clock=kiosk.clock, printer=printer, purchases=kiosk.purchases)
    ops.health.set_device_status("printer", DeviceStatus(DeviceState.ONLINE, PaperState.LOW))
    ops.health.backend_ok(42)
    ensure_demo_operator(ops.pins, kiosk.clock.now())
    restarts = []
    ops.console.actions.set_restart(lambda: restarts.append(1))
    manager = kiosk.driver.app.router.manager
    if not manager.has_screen("maintenance"):
        manager.add_widget(MaintenanceScreen(name="maintenance", console=ops.console))
    screen = manager.get_screen("maintenance")
    screen.console = ops.console
    screen._pages, screen._shown = {}, ""
    listener = GestureListener(kiosk.driver.app, ops.gesture)
    listener.install()
    yield Maint(kiosk, ops, journal, printer, screen, restarts)
    listener.uninstall()
    if kiosk.controller.state == "maintenance":
        kiosk.controller.close_maintenance()
    kiosk.driver.wait_for(lambda: kiosk.driver.state != "maintenance", what="maintenance closed")
    kiosk.driver.frames(3)  # the screen's on_leave (NoTransition) runs on a later frame
    ops.close()
    journal.close()


def stuck_paid(journal):
    txn = journal.create("fps", "85291234567", "HK-30D-10GB", "q-1", {"en": "10 GB"}, 8820, 9800, "en")
    for state in ("order_pending", "awaiting_payment", "paid", "credit_pending"):
        journal.advance(txn.id, state)
    return journal.advance(txn.id, "needs_attention", attention_reason="credit_unsettled")


def tap_action(driver, text):
    from screens.maintenance.demo import tap_action as tap
    tap(driver, text)


def assert_dark_text(driver):
    """Every label of the page body is dark on the light background (contrast)."""
    from kivy.uix.label import Label

    body = driver.app.router.manager.get_screen("maintenance").ids.body
    light = [w.text for w in body.walk(restrict=True) if isinstance(w, Label)
             and w.text and w.__class__.__name__ not in ("KioskButton",) and
             not hasattr(w, "kind") and max(w.color[:3]) > 0.5]
    assert light == []


def labels(driver):
    from tests.ui.steps import texts_on_screen
    return texts_on_screen(driver)


def test_gesture_pin_and_every_page_with_screenshots(maint):
    """GIVEN attract WHEN the four corners are tapped and the PIN typed THEN the live status
    shows paper low and the frames; each page renders; Exit goes back to the customers."""
    from screens.maintenance.demo import walk

    stuck_paid(maint.journal)
    out = Path(os.environ.get("KIOSK_UI_SHOTS", "") or maint.kiosk.settings.resolve("shots"))
    driver = maint.kiosk.driver
    shots = walk(driver, maint.ops.console, out)
    assert [p.name for p in shots] == ["maintenance-1-pin.png", "maintenance-2-status.png",
                                       "maintenance-3-attention.png", "maintenance-4-settlement.png"]
    assert maint.printer.printed and maint.printer.printed[0].lines[0].text == "PRINTER TEST"
    actions = [(e.action, e.result) for e in reversed(maint.ops.audit.entries())]
    assert actions[:2] == [("login", "ok"), ("test_print", "printed")]
    assert actions[-1] == ("logout", "operator")
    assert driver.state == "attract"


def test_retry_credit_twice_shows_already_credited(maint):
    from screens.maintenance.demo import corner_taps, sign_in

    txn = stuck_paid(maint.journal)
    calls = []

    def retry_credit(txn_id):
        calls.append(txn_id)
        maint.journal.advance(txn_id, "credit_pending")
        return maint.journal.advance(txn_id, "credited", topup_id="T1")
    maint.ops.console.actions._retry_credit = retry_credit
    driver = maint.kiosk.driver
    corner_taps(driver)
    driver.wait_state("maintenance")
    sign_in(driver)
    driver.tap(driver.find(lambda w: getattr(w, "text", "") == "Needs attention (1)"))
    driver.tap(driver.find(lambda w: getattr(w, "text", "").startswith(txn.id)))
    assert "Refund" in labels(driver) and "Resolve: refunded by hand" in labels(driver)
    assert_dark_text(driver)
    tap_action(driver, "Retry credit")
    assert "Credited." in labels(driver)
    assert "Needs attention (0)" in labels(driver)
    result = maint.ops.console.run("retry_credit", txn.id)  # a stale second tap
    assert result.outcome == "already_credited" and calls == [txn.id]


def test_status_page_is_live_and_paper_replaced_clears_the_alert(maint):
    from screens.maintenance.demo import corner_taps, sign_in

    driver = maint.kiosk.driver
    corner_taps(driver)
    sign_in(driver)
    assert "low  (LOW: replace soon)" in labels(driver)
    assert_dark_text(driver)
    assert "reachable, 42 ms" in labels(driver)
    assert "Full phone numbers kept" in labels(driver)
    assert "0 (limit 7 d)" in labels(driver)  # the count of kiosk privacy report
    maint.ops.health.set_device_status("card_terminal", DeviceStatus(DeviceState.OFFLINE))
    maint.screen._tick(0)
    assert "offline" in labels(driver)
    tap_action(driver, "Paper replaced")
    assert "Low-paper alert cleared." in labels(driver) and "ok" in labels(driver)
    tap_action(driver, "Take out of service")
    assert maint.ops.health.snapshot().state == "out_of_service"
    tap_action(driver, "Put back in service")
    assert "switched_off_by_operator" not in maint.ops.health.snapshot().reasons


def test_auto_exit_after_five_minutes_without_a_touch(maint):
    from screens.maintenance.demo import corner_taps, sign_in

    driver = maint.kiosk.driver
    corner_taps(driver)
    sign_in(driver)
    maint.kiosk.clock.advance(299)
    maint.screen._tick(0)
    assert driver.state == "maintenance" and "auto exit in 0:01" in labels(driver)
    maint.kiosk.clock.advance(1)
    maint.screen._tick(0)
    driver.wait_state("attract")
    assert maint.ops.audit.entries()[0].result == "auto_exit"


def test_gesture_is_ignored_while_money_is_moving(maint):
    from screens.maintenance.demo import corner_taps

    maint.kiosk.purchases.busy = True
    corner_taps(maint.kiosk.driver)
    assert maint.kiosk.driver.state == "attract"
    maint.kiosk.purchases.busy = False
    corner_taps(maint.kiosk.driver)
    maint.kiosk.driver.wait_state("maintenance")


def test_wrong_pins_lock_the_pad(maint):
    from screens.maintenance.demo import corner_taps, sign_in

    driver = maint.kiosk.driver
    corner_taps(driver)
    assert_dark_text(driver)
    sign_in(driver, pin="000000")
    assert any("4 tries left" in t for t in labels(driver))
    for _ in range(4):
        type_pin(driver, "000000")
    assert any("locked for 15 more minutes" in t for t in labels(driver))
    type_pin(driver, "246813")
    assert maint.ops.console.session is None and driver.state == "maintenance"


def type_pin(driver, pin):
    from tests.ui.steps import digit_key

    for d in pin:
        driver.tap(digit_key(driver, d))
    driver.tap(driver.button("Sign in"))


def test_restart_button_asks_for_a_restart_and_says_so(maint):
    from screens.maintenance.demo import corner_taps, sign_in

    driver = maint.kiosk.driver
    corner_taps(driver)
    sign_in(driver)
    tap_action(driver, "Restart the app")
    assert maint.restarts == [1] and "Restarting…" in labels(driver)


def test_watchdog_is_fed_from_the_ui_loop(maint, tmp_path):
    import socket

    from kiosk.ops.watchdog import Watchdog
    from screens.maintenance.watchdog_feed import WatchdogFeed

    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    try:
        env = {"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "30000000"}
        feed = WatchdogFeed(maint.kiosk.driver.app, Watchdog(maint.kiosk.clock, env))
        feed.install()
        assert sock.recv(100).startswith(b"READY=1")
        feed._ping(0)
        assert sock.recv(100) == b"WATCHDOG=1"
        feed._stop()
        assert sock.recv(100) == b"STOPPING=1"
    finally:
        sock.close()


def test_empty_attention_page_is_readable(maint, tmp_path):
    from screens.maintenance.demo import corner_taps, sign_in

    driver = maint.kiosk.driver
    corner_taps(driver)
    sign_in(driver)
    driver.tap(driver.find(lambda w: getattr(w, "text", "") == "Needs attention (0)"))
    from kivy.uix.label import Label
    screen = driver.app.router.manager.current_screen
    shown = {w.text: (w.color, w.disabled) for w in screen.walk(restrict=True)
             if isinstance(w, Label) and w.text in ("Nothing needs attention.", "Choose a transaction.")}
    driver.screenshot(tmp_path / "empty.png")
    assert set(shown) == {"Nothing needs attention.", "Choose a transaction."}
    for colour, disabled in shown.values():
        assert not disabled and colour[0] < 0.3, shown  # dark text on the light background


def octopus_to_refund_in_cash(journal):
    txn = journal.create("octopus", "85291234567", "HK-30D-10GB", "q-1", {"en": "10 GB"}, 8820,
                         9800, "en")
    for state in ("hold_pending", "sale_pending", "paid", "credit_pending", "refund_pending"):
        journal.advance(txn.id, state)
    return journal.advance(txn.id, "needs_attention",
                           attention_reason="refund in cash: the credit was refused (hold_expired)")


def test_an_octopus_payment_is_recorded_refunded_in_cash(maint):
    """GIVEN an Octopus payment whose credit was refused WHEN the operator pays the customer in
    cash and taps "Refunded in cash" THEN the row ends refunded_manually, audited, and leaves
    the list; card-style Refund is not offered for it."""
    from screens.maintenance.demo import corner_taps, sign_in

    txn = octopus_to_refund_in_cash(maint.journal)
    driver = maint.kiosk.driver
    corner_taps(driver)
    driver.wait_state("maintenance")
    sign_in(driver)
    driver.tap(driver.find(lambda w: getattr(w, "text", "") == "Needs attention (1)"))
    driver.tap(driver.find(lambda w: getattr(w, "text", "").startswith(txn.id)))
    shown = labels(driver)
    assert "Refunded in cash: HK$88.20" in shown and "Refund" not in shown
    tap_action(driver, "Refunded in cash: HK$88.20")
    assert "Needs attention (0)" in labels(driver)
    assert maint.journal.get(txn.id).state == "refunded_manually"
    entry = maint.ops.audit.entries()[0]
    assert (entry.action, entry.result, entry.operator_id) == (
        "refunded_in_cash", "refunded_in_cash", "1001")
