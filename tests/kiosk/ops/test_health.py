"""Health: device status, backend reachability and disk space → in service / degraded / out."""

import pytest

from contract.clock import FakeClock
from devices.interfaces import DeviceState, DeviceStatus, PaperState, StatusChanged
from kiosk.ops.disk import DiskGuard
from kiosk.ops.health import DEGRADED, IN_SERVICE, OUT_OF_SERVICE, HealthMonitor, feed_controller
from tests.fakes.controller import FakeController

ONLINE = DeviceStatus(DeviceState.ONLINE)
PAPER_OK = DeviceStatus(DeviceState.ONLINE, paper=PaperState.OK)
GB = 1024**3


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def monitor(clock):
    m = HealthMonitor(clock, min_free_disk_mb=50, backend_grace_s=60)
    m.set_device_status("card_terminal", ONLINE)
    m.set_device_status("printer", PAPER_OK)
    m.backend_ok(40)
    m.disk(10_000)
    return m


def test_all_well_is_in_service(monitor):
    h = monitor.snapshot()
    assert (h.state, h.reasons) == (IN_SERVICE, ())
    assert h.card_available and h.wallets_available and h.printer_available
    assert h.device_summary() == {"card_terminal": "online", "printer": "online"}


def test_paper_out_means_e_receipts_only_and_back_when_paper_returns(monitor):
    seen = []
    monitor.subscribe(lambda h: seen.append(h.state))
    monitor.on_device_event(StatusChanged("printer", DeviceStatus(DeviceState.ONLINE, PaperState.OUT)))
    h = monitor.snapshot()
    assert (h.state, h.reasons, h.e_receipt_only) == (DEGRADED, ("e_receipt_only",), True)
    assert h.device_summary()["printer"] == "paper_out"
    monitor.on_device_event(StatusChanged("printer", PAPER_OK))
    assert monitor.snapshot().state == IN_SERVICE
    assert seen == [DEGRADED, IN_SERVICE]


def test_no_terminal_means_qr_only(monitor):
    monitor.set_device_status("card_terminal", DeviceStatus(DeviceState.OFFLINE))
    h = monitor.snapshot()
    assert (h.state, h.reasons, h.card_available, h.wallets_available) == (
        DEGRADED, ("qr_only",), False, True)


def test_backend_down_goes_out_only_after_the_grace_time_and_recovers(monitor, clock):
    monitor.backend_failed()
    assert monitor.snapshot().state == IN_SERVICE
    assert monitor.snapshot().backend_reachable is False
    clock.advance(30)
    monitor.backend_failed()  # a second failure does not restart the grace time
    clock.advance(31)
    monitor.tick()
    assert monitor.snapshot().state == OUT_OF_SERVICE
    assert "backend_unreachable" in monitor.snapshot().reasons
    monitor.backend_ok(55)
    assert monitor.snapshot().state == IN_SERVICE
    assert monitor.snapshot().backend_latency_ms == 55


def test_no_way_to_pay_is_out_of_service(monitor, clock):
    monitor.set_device_status("card_terminal", DeviceStatus(DeviceState.HARDWARE_ERROR))
    monitor.backend_failed()
    clock.advance(61)
    monitor.tick()
    h = monitor.snapshot()
    assert h.state == OUT_OF_SERVICE
    assert h.reasons[:2] == ("backend_unreachable", "no_payment_method")


def test_disk_at_99_percent_stops_selling(monitor):
    # A 4 GiB card at 99 % used has 40 MiB left: below journal.min_free_disk_mb = 50.
    guard = DiskGuard("/nowhere/journal.sqlite3", 50,
                      usage=lambda _p: (4 * GB, int(4 * GB * 0.99), int(4 * GB * 0.01)))
    space = guard.check()
    assert space.used_percent == pytest.approx(99, abs=0.1) and not space.enough
    monitor.disk(space.free_mb)
    h = monitor.snapshot()
    assert (h.state, h.selling, h.reasons) == (OUT_OF_SERVICE, False, ("disk_low",))
    monitor.disk(500)
    assert monitor.snapshot().state == IN_SERVICE


def test_operator_switch_wins_and_is_undone_only_by_switching_on(monitor):
    monitor.switch_off("operator")
    assert monitor.snapshot().reasons == ("switched_off_by_operator",)
    monitor.switch_on()
    assert monitor.snapshot().state == IN_SERVICE


def test_paper_replaced_clears_the_low_paper_alert_until_it_comes_back(monitor):
    low = DeviceStatus(DeviceState.ONLINE, PaperState.LOW)
    monitor.set_device_status("printer", low)
    assert monitor.snapshot().paper_alert and monitor.snapshot().state == IN_SERVICE
    monitor.paper_replaced()
    assert not monitor.snapshot().paper_alert and monitor.snapshot().paper == "ok"
    monitor.set_device_status("printer", low)  # the same near-end reading: still cleared
    assert not monitor.snapshot().paper_alert
    monitor.set_device_status("printer", PAPER_OK)
    monitor.set_device_status("printer", low)  # a new roll running low again
    assert monitor.snapshot().paper_alert


def test_cover_open_means_no_printing(monitor):
    monitor.set_device_status("printer", DeviceStatus(DeviceState.ONLINE, PaperState.OK, cover_open=True))
    assert monitor.snapshot().reasons == ("e_receipt_only",)


def test_a_kiosk_without_a_terminal_configured_is_not_degraded(clock):
    m = HealthMonitor(clock, min_free_disk_mb=50, backend_grace_s=60, card_configured=False)
    m.set_device_status("printer", PAPER_OK)
    assert m.snapshot().state == IN_SERVICE


def test_a_failing_subscriber_does_not_stop_the_others(monitor):
    seen = []
    monitor.subscribe(lambda h: 1 / 0)
    monitor.subscribe(lambda h: seen.append(h.state))
    monitor.switch_off("operator")
    assert seen == [OUT_OF_SERVICE]


def test_controller_hears_the_usable_methods_and_the_reason(monitor, clock):
    controller = FakeController()
    configured = ("wechatpay", "fps", "card")
    feed_controller(monitor, controller, configured)
    assert controller.health[-1] == (configured, True, "")
    monitor.set_device_status("card_terminal", DeviceStatus(DeviceState.OFFLINE))
    assert controller.health[-1] == (("wechatpay", "fps"), True, "")
    monitor.backend_failed()
    clock.advance(61)
    monitor.tick()
    assert controller.health[-1] == ((), False, "backend_unreachable")
    monitor.backend_ok(30)
    monitor.set_device_status("card_terminal", ONLINE)
    assert controller.health[-1] == (configured, True, "")
