"""A fake receipt printer (``devices.interfaces.ReceiptPrinter``) that keeps what it printed.

Its status follows the same rules as the real driver's (``devices/receipt_printer/status.py``):
paper out or a cover open make it OFFLINE and refuse to print with ``PaperOut`` / ``CoverOpen``,
switched off it refuses with ``LinkError``; a subscriber hears the status at once and on every
change. tests/interfaces/test_receipt_printer.py holds it to the real driver on the simulator.
``fail``: an error every print raises (a printer broken in a way the status does not show).
"""

from __future__ import annotations

from devices.interfaces import (
    CoverOpen,
    DeviceState,
    DeviceStatus,
    LinkError,
    PaperOut,
    PaperState,
    StatusChanged,
    Subscribers,
)
from devices.wirelog import WireFrame


class FakePrinter:
    name = "printer"

    def __init__(self, fail: Exception | None = None):
        self.printed: list = []
        self.fail = fail
        self._subs = Subscribers()
        self._paper, self._cover_open, self._offline = PaperState.OK, False, False

    # -- ReceiptPrinter ---------------------------------------------------------------------
    def subscribe(self, callback):
        self._subs.add(callback)
        callback(StatusChanged(self.name, self.status()))

    def status(self):
        reasons = [why for flag, why in ((self._cover_open, "cover open"),
                                         (self._paper is PaperState.OUT, "paper out"),
                                         (self._offline, "offline")) if flag]
        if reasons:
            return DeviceStatus(DeviceState.OFFLINE, self._paper, self._cover_open,
                                ", ".join(reasons))
        return DeviceStatus(DeviceState.ONLINE, self._paper, self._cover_open,
                            "paper low" if self._paper is PaperState.LOW else "")

    def print_receipt(self, doc):
        status = self.status()
        if status.paper is PaperState.OUT:
            raise PaperOut(f"printer: paper out ({status.detail})")
        if status.cover_open:
            raise CoverOpen(f"printer: cover open ({status.detail})")
        if status.state is not DeviceState.ONLINE:
            raise LinkError(f"printer not ready: {status.state} ({status.detail})")
        if self.fail:
            raise self.fail
        self.printed.append(doc)

    def close(self):
        pass

    # -- what the real driver has too, for maintenance ------------------------------------------
    def recent_frames(self):
        return (WireFrame("tx", 0.0, "10 04 01", "DLE EOT 1"), WireFrame("rx", 0.0, "16", "online"))

    # -- what a test changes, as on the simulator ---------------------------------------------
    def set_paper(self, paper: str) -> None:
        self._change(paper=PaperState(paper))

    def set_cover_open(self, cover_open: bool) -> None:
        self._change(cover_open=cover_open)

    def set_offline(self, offline: bool) -> None:
        self._change(offline=offline)

    def _change(self, paper=None, cover_open=None, offline=None) -> None:
        before = self.status()
        self._paper = self._paper if paper is None else paper
        self._cover_open = self._cover_open if cover_open is None else cover_open
        self._offline = self._offline if offline is None else offline
        if self.status() != before:
            self._subs.emit(StatusChanged(self.name, self.status()))
