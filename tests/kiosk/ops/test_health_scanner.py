"""Health and the barcode scanner: ``scan_available`` follows it; it never takes the kiosk out of
service (an unplugged scanner only hides the scan choice)."""

from contract.clock import FakeClock
from devices.interfaces import DeviceState, DeviceStatus, PaperState, ScannedCode, StatusChanged
from kiosk.ops.health import IN_SERVICE, SCANNER, HealthMonitor


def monitor(clock=None) -> HealthMonitor:
    m = HealthMonitor(clock or FakeClock(), min_free_disk_mb=50, backend_grace_s=60)
    m.set_device_status("card_terminal", DeviceStatus(DeviceState.ONLINE))
    m.set_device_status("printer", DeviceStatus(DeviceState.ONLINE, paper=PaperState.OK))
    m.backend_ok(40)
    m.disk(10_000)
    return m


def test_without_a_scanner_nothing_can_be_scanned_and_the_kiosk_is_in_service():
    h = monitor().snapshot()
    assert (h.state, h.scan_available, h.scanner.state) == (IN_SERVICE, False, DeviceState.OFFLINE)


def test_the_scan_choice_follows_the_scanner_status_events():
    m = monitor()
    seen = []
    m.subscribe(lambda h: seen.append(h.scan_available))
    m.on_device_event(StatusChanged(SCANNER, DeviceStatus(DeviceState.ONLINE)))
    assert m.snapshot().scan_available
    m.on_device_event(ScannedCode(SCANNER, "134567890123456789"))  # not a status: ignored
    m.on_device_event(StatusChanged(SCANNER, DeviceStatus(DeviceState.NO_DEVICE, detail="gone")))
    h = m.snapshot()
    assert not h.scan_available and h.state == IN_SERVICE and h.reasons == ()
    assert h.scanner.state is DeviceState.NO_DEVICE and seen == [True, False]


def test_no_scanning_once_the_backend_is_unreachable_past_its_grace_time():
    clock = FakeClock()
    m = monitor(clock)
    m.set_device_status(SCANNER, DeviceStatus(DeviceState.ONLINE))
    m.backend_failed()
    assert m.snapshot().scan_available  # within the grace time
    clock.advance(61)
    assert not m.snapshot().scan_available
