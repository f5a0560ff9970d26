"""The receipt printer contract (``devices.interfaces.ReceiptPrinter``), run over every
implementation: the real driver against the ESC/POS simulator over a pty, and the tests'
FakePrinter.

Each test takes a ``part``: the printer, the status events its subscriber heard, and the
printer's switches (paper, cover, offline), which the simulator and the fake name alike.
Driver-only matters (bytes, rasters, reconnects) are in tests/devices/receipt_printer/.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from devices.interfaces import (
    CoverOpen,
    DeviceState,
    DeviceStatus,
    LinkError,
    PaperOut,
    PaperState,
    ReceiptPrinter,
    StatusChanged,
)
from devices.receipt_printer.driver import SerialReceiptPrinter
from devices.receipt_printer.simulator import PrinterSimulator
from kiosk import fonts
from tests.devices.receipt_printer.conftest import Events, receipt
from tests.fakes.printer import FakePrinter
from tests.interfaces.signatures import interface_gaps

WAIT_S = 10.0  # a bound on waiting for a status, never a sleep

pytestmark = pytest.mark.timeout(60)


class Part:
    """A printer under the contract; ``switches`` is the simulator, or the fake itself."""

    def __init__(self, printer, switches):
        self.printer, self.switches = printer, switches
        self.events = Events()
        printer.subscribe(self.events)

    def printed(self) -> int:
        """Receipts printed so far."""
        return len(self.printer.printed)

    def wait_printed(self, count: int) -> bool:
        return self.printed() >= count

    def wait_status(self, predicate) -> None:
        assert self.events.wait_for(predicate, WAIT_S), f"no such status; last {self.events.last}"

    def close(self) -> None:
        self.printer.close()


class RealPart(Part):
    def __init__(self, tmp_path):
        self.sim = PrinterSimulator(tmp_path / "printed")
        driver = SerialReceiptPrinter(self.sim.start("pty"), fonts.font_path("zh-Hant"), 576,
                                      bold_font_path=fonts.font_path("zh-Hant", bold=True),
                                      status_timeout_s=0.2, poll_interval_s=0.2)
        assert driver.wait_ready(WAIT_S)
        super().__init__(driver, self.sim)

    def printed(self) -> int:
        return len(self.sim.printed)

    def wait_printed(self, count: int) -> bool:
        return self.sim.wait_printed(count, WAIT_S)  # the simulator saves the image after

    def close(self) -> None:
        super().close()
        self.sim.stop()


@pytest.fixture(params=["real", "fake"])
def part(request, tmp_path):
    if request.param == "real":
        made = RealPart(tmp_path)
    else:
        fake = FakePrinter()
        made = Part(fake, fake)
    yield made
    made.close()


def test_has_every_method_of_the_interface_with_its_signature(part):
    assert interface_gaps(part.printer, ReceiptPrinter) == []
    assert isinstance(part.printer, ReceiptPrinter)


def test_a_subscriber_hears_the_status_at_once(part):
    first = part.events.items[0]
    assert type(first) is StatusChanged and first.device == "printer"
    assert isinstance(first.status, DeviceStatus)


def test_a_healthy_printer_is_online_and_prints(part):
    status = part.printer.status()
    assert type(status) is DeviceStatus
    assert (status.state, status.paper, status.cover_open) == (DeviceState.ONLINE, PaperState.OK,
                                                               False)
    assert part.printer.print_receipt(receipt("zh-Hant")) is None
    assert part.wait_printed(1) and part.printed() == 1


def test_paper_low_is_reported_and_still_prints(part):
    part.switches.set_paper("low")
    part.wait_status(lambda s: s.paper is PaperState.LOW)
    assert part.printer.status().state is DeviceState.ONLINE
    part.printer.print_receipt(receipt("en", qr=None))
    assert part.wait_printed(1) and part.printed() == 1


def test_paper_out_refuses_to_print_with_paper_out(part):
    part.switches.set_paper("out")
    part.wait_status(lambda s: s.paper is PaperState.OUT)
    with pytest.raises(PaperOut):
        part.printer.print_receipt(receipt())
    assert part.printed() == 0
    status = part.printer.status()
    assert status.paper is PaperState.OUT and not status.usable


def test_a_cover_open_refuses_to_print_with_cover_open(part):
    part.switches.set_cover_open(True)
    part.wait_status(lambda s: s.cover_open is True)
    with pytest.raises(CoverOpen):
        part.printer.print_receipt(receipt())
    assert part.printed() == 0
    part.switches.set_cover_open(False)
    part.wait_status(lambda s: s.state is DeviceState.ONLINE and s.cover_open is False)


def test_an_offline_printer_refuses_with_a_link_error(part):
    part.switches.set_offline(True)
    part.wait_status(lambda s: s.state is DeviceState.OFFLINE)
    with pytest.raises(LinkError):
        part.printer.print_receipt(receipt())
    assert part.printed() == 0


# --- the suite catches a fake that drifted --------------------------------------------------

PrinterWithoutStatus = type("PrinterWithoutStatus", (), {
    k: v for k, v in vars(FakePrinter).items() if k not in ("status", "__dict__", "__weakref__")})


def test_a_fake_that_lacks_a_method_fails_the_suite():
    part = SimpleNamespace(printer=PrinterWithoutStatus())
    with pytest.raises(AssertionError, match="status: missing"):
        test_has_every_method_of_the_interface_with_its_signature(part)
