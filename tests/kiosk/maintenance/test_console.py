"""The maintenance console without a UI: PIN entry, pages, actions, and the auto exit."""

import pytest

from contract.clock import FakeClock
from devices.interfaces import DeviceState, DeviceStatus, PaperState
from kiosk.journal.store import Journal
from kiosk.maintenance.actions import MaintenanceActions
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.console import MaintenanceConsole
from kiosk.maintenance.lockout import Lockout
from kiosk.maintenance.login import MaintenanceLogin
from kiosk.maintenance.pins import PinStore, ScryptParams
from kiosk.ops.disk import DiskGuard
from kiosk.ops.health import HealthMonitor
from tests.fakes.controller import FakeController

MB = 1024 * 1024


@pytest.fixture
def console(tmp_path):
    clock = FakeClock()
    pins = PinStore(tmp_path / "ops.sqlite3", b"pepper", ScryptParams(n=2**10))
    pins.set_pin("1001", "24681357", now=clock.now())
    audit = AuditLog(tmp_path / "audit.sqlite3", clock)
    login = MaintenanceLogin(pins, Lockout(pins.db, clock, 5, 900), audit, clock, 5, 300)
    journal = Journal.open(tmp_path / "journal.sqlite3", "K01", clock)
    health = HealthMonitor(clock, min_free_disk_mb=50, backend_grace_s=60)
    health.set_device_status("printer", DeviceStatus(DeviceState.ONLINE, PaperState.LOW))
    actions = MaintenanceActions(journal, audit, health, clock, kiosk_id="K01")
    controller = FakeController()
    c = MaintenanceConsole(login, actions, health, controller, clock,
                           journal_path=tmp_path / "journal.sqlite3",
                           disk=DiskGuard(tmp_path, 50, usage=lambda _p: (1000 * MB, 0, 400 * MB)))
    c.open()
    yield c, clock, controller, audit
    journal.close()
    audit.close()
    pins.close()


def type_in(console, digits):
    for d in digits:
        console.press_digit(d)
    console.submit()


def test_operator_then_pin_opens_the_status_page(console):
    c, *_ = console
    type_in(c, "1001")
    assert c.view().entry == "pin" and c.view().operator_digits == "1001"
    for d in "24681357":
        c.press_digit(d)
    assert c.view().pin_length == 8
    c.submit()
    view = c.view()
    assert (view.page, view.operator_id) == ("status", "1001")
    status = c.status()
    assert status.paper == "low" and status.paper_alert
    assert status.disk == "400 MB free (60% used)" and status.journal_kb > 0


def test_wrong_pin_says_how_many_tries_are_left_then_locked(console):
    c, *_ = console
    type_in(c, "1001")
    for _ in range(4):
        type_in(c, "000000")
    assert (c.view().message, c.view().message_args["attempts"]) == ("wrong", 1)
    type_in(c, "000000")
    assert (c.view().message, c.view().message_args["minutes"]) == ("locked", 15)
    type_in(c, "24681357")
    assert c.view().page == "pin" and c.view().message == "locked"


def test_auto_exit_after_5_minutes_without_a_touch(console):
    c, clock, controller, audit = console
    type_in(c, "1001")
    type_in(c, "24681357")
    clock.advance(200)
    c.go("attention")  # a touch
    clock.advance(299)
    assert c.tick() is False and c.view().seconds_left == 1
    clock.advance(1)
    assert c.tick() is True
    assert c.session is None and c.view().page == "pin" and controller.closed == 1
    assert (audit.entries()[0].action, audit.entries()[0].result) == ("logout", "auto_exit")


def test_an_abandoned_pin_pad_returns_to_the_customers(console):
    c, clock, controller, audit = console
    c.press_digit("1")
    clock.advance(61)
    assert c.tick() is True and controller.closed == 1


def test_actions_need_a_login_and_show_their_outcome(console):
    c, *_ = console
    assert c.run("paper_replaced") is None
    type_in(c, "1001")
    type_in(c, "24681357")
    c.run("paper_replaced")
    assert c.view().message == "paper_replaced.alert_cleared"
    assert c.status().paper_alert is False
    c.run("test_print")
    assert c.view().message == "test_print.no_printer"
    assert c.settlement()[-1] == ("TOTAL transactions", "0")


def test_no_session_outlives_the_maintenance_state(console):
    c, _clock, _controller, audit = console
    type_in(c, "1001")
    type_in(c, "24681357")
    c.closed_by_flow()  # the flow left maintenance some other way
    assert c.session is None and audit.entries()[0].result == "flow_left"
    c.open()
    assert c.view().page == "pin" and c.view().operator_id == ""


def test_a_too_short_pin_is_not_counted_as_a_guess(console):
    c, _clock, _controller, audit = console
    type_in(c, "1001")
    type_in(c, "123")
    assert c.view().message == "short_pin" and audit.entries() == []
    type_in(c, "24681357")
    assert c.view().page == "status"


def test_status_counts_the_rows_still_holding_a_full_number(console):
    """The same count as ``kiosk privacy report``: an unfinished row holds it, a final one not."""
    c, clock, *_ = console
    journal = c.actions.journal
    assert (c.status().numbers_kept, c.status().numbers_oldest_s) == (0, None)
    waiting = journal.create("fps", "85291234567", "P", "Q", {}, 1800, 1800, "en")
    journal.advance(waiting.id, "order_pending")
    done = journal.create("fps", "85291234568", "P", "Q", {}, 1800, 1800, "en")
    journal.advance(done.id, "order_pending")
    journal.advance(done.id, "cancelled")
    clock.advance(300)
    status = c.status()
    assert (status.numbers_kept, status.numbers_oldest_s, status.retention_days) == (1, 300, 7)
    assert status.numbers_kept == journal.numbers_kept().count
