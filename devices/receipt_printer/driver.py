"""The ESC/POS receipt printer driver: status by DLE EOT, receipts as raster images, a cut.

Before and after every receipt the driver asks DLE EOT 1, 2 and 4 (and 3 when an error is
flagged). A receipt is refused before a single byte of it is sent when the paper is out, the
cover open, or the status unknown or bad. While idle, a light poll (the link's probe) asks the
same status every ``poll_interval_s``, so a change (paper low/out, cover, offline, a printer that
stops answering) reaches subscribers within about a second; the link reopens the port by itself
when it comes back. Every byte goes through the wire log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from devices.interfaces import (
    CoverOpen,
    DeviceEvent,
    DeviceState,
    DeviceStatus,
    LinkError,
    PaperOut,
    PaperState,
    StatusChanged,
    Subscribers,
)
from devices.receipt_printer import escpos
from devices.receipt_printer.document import ReceiptDocument
from devices.receipt_printer.status import ERROR_OCCURRED, RawStatus, decode, is_valid
from devices.transport import DeviceLink, Port, open_port
from devices.wirelog import WireFrame, WireLog

log = logging.getLogger(__name__)

WRITE_CHUNK_BYTES = 1024
FIRST_OPEN_WAIT_S = 2.0
RECENT_FRAMES = 200


class SerialReceiptPrinter:
    """``ReceiptPrinter`` over a pyserial URL (serial device, pty, ``socket://host:9100``).

    Args:
        port_url: device path or pyserial URL.
        font_path: the CJK font every receipt is rendered with (``kiosk.fonts.font_path``).
        paper_width_dots: printable width (576 for 80 mm paper at 203 dpi, 384 for 58 mm).
        bold_font_path: a bold face for bold lines (else bold is drawn with a stroke).
        font_for: ``(language, bold) -> path``: a face per receipt language (Simplified
            receipts in the SC face); when given, it wins over the two paths above.
        draw_qr: draw the QR code into the raster (for printers without GS ( k) instead of
            sending the native QR commands (the default: sharper and far fewer bytes).
        status_timeout_s: how long one DLE EOT may take to answer before the status is unknown.
        poll_interval_s: idle status poll period.
        opener: opens the port (tests inject one); default ``open_port(port_url, baudrate)``.
    """

    def __init__(self, port_url: str, font_path: str | Path, paper_width_dots: int = 576, *,
                 bold_font_path: str | Path | None = None, baudrate: int = 19200,
                 name: str = "printer", draw_qr: bool = False, qr_module_dots: int = 6,
                 status_timeout_s: float = 0.5, poll_interval_s: float = 1.0,
                 opener: Callable[[], Port] | None = None,
                 font_for: Callable[[str, bool], Path] | None = None):
        self.name, self.port_url = name, port_url
        self._font = Path(font_path)
        self._bold_font = Path(bold_font_path) if bold_font_path else None
        self._font_for = font_for
        self._width, self._draw_qr, self._qr_dots = paper_width_dots, draw_qr, qr_module_dots
        self._status_timeout_s = status_timeout_s
        self._wire = WireLog(name)
        # The idle poll's bytes go to the same wire logger but a short ring of their own, so the
        # maintenance screen's recent frames keep the last receipt instead of only polls.
        self._poll_wire = WireLog(name, size=12)
        self._subscribers = Subscribers()
        self._io = threading.Lock()  # one conversation with the printer at a time
        self._state_lock = threading.Condition()
        self._last = DeviceStatus(DeviceState.NO_DEVICE, detail=f"opening {port_url}")
        self._opener = opener or (lambda: open_port(port_url, baudrate))
        self._first_open = threading.Event()  # the link has tried the port once
        self._link = DeviceLink(self._open, name=name, on_change=self._link_changed,
                                probe=self._poll, probe_interval_s=poll_interval_s)
        self._link.start()

    # -- ReceiptPrinter -------------------------------------------------------------------
    def subscribe(self, callback: Callable[[DeviceEvent], None]) -> None:
        """Add a callback; it gets the current status at once, then every change."""
        self._subscribers.add(callback)
        callback(StatusChanged(self.name, self.last_status))

    def status(self) -> DeviceStatus:
        """Ask the printer now (DLE EOT 1, 2, 4); UNKNOWN paper when it cannot tell."""
        self._first_open.wait(FIRST_OPEN_WAIT_S)  # right after construction: the port opens
        with self._io:
            status = self._query()
        self._publish(status)
        return status

    def print_receipt(self, doc: ReceiptDocument) -> None:
        """Print *doc* and cut. Raises PaperOut, CoverOpen or LinkError (nothing sent if before)."""
        frames = self._encode(doc)
        self._first_open.wait(FIRST_OPEN_WAIT_S)
        with self._io:
            before = self._query()
            self._publish(before)
            _refuse_unless_printable(before)
            for data, note in frames:
                self._send(data, note)
            after = self._query()
        self._publish(after)
        if after.paper is PaperState.OUT:
            raise PaperOut(f"{self.name}: paper ran out while printing")
        if after.state is DeviceState.NO_DEVICE:
            raise LinkError(f"{self.name}: printer stopped answering after the receipt "
                            f"({after.detail})")
        log.info("%s: receipt printed (%s, %d frames)", self.name, doc.language, len(frames))

    def close(self) -> None:
        self._link.close()

    # -- extras -----------------------------------------------------------------------------
    @property
    def last_status(self) -> DeviceStatus:
        with self._state_lock:
            return self._last

    def wait_ready(self, timeout_s: float) -> bool:
        """Wait until the port is open and the printer has answered a status poll."""
        # Our own published status, not only the link's flag: it is set by an answer that came
        # over the port open now, never by a port that is being dropped.
        with self._state_lock:
            return self._state_lock.wait_for(
                lambda: self._last.state is not DeviceState.NO_DEVICE and self._link.is_open,
                timeout_s)

    def recent_frames(self) -> tuple[WireFrame, ...]:
        """The last frames to and from the printer, oldest first (for the maintenance screen)."""
        frames = self._wire.recent() + self._poll_wire.recent()
        return tuple(sorted(frames, key=lambda f: f.at))[-RECENT_FRAMES:]

    # -- internals --------------------------------------------------------------------------
    def _encode(self, doc: ReceiptDocument) -> list[tuple[bytes, str]]:
        regular, bold = self._font, self._bold_font
        if self._font_for is not None:
            regular, bold = self._font_for(doc.language, False), self._font_for(doc.language, True)
        # imported with the first receipt: the renderer brings Pillow's font engine (~4 MB),
        # which a kiosk does not need to start (bench/README.md, start-up)
        from devices.receipt_printer.render import render

        image = render(doc, regular, self._width, bold, draw_qr=self._draw_qr)
        bands = escpos.raster_bands(image)
        frames = [(escpos.initialise(), "ESC @")]
        frames += [(band, f"GS v 0 band {i + 1}/{len(bands)}") for i, band in enumerate(bands)]
        if doc.qr_data and not self._draw_qr:
            frames.append((escpos.align("center") + escpos.qr_code(doc.qr_data, self._qr_dots)
                           + escpos.align("left"), "QR"))
        frames.append((escpos.feed(4) + escpos.cut(), "feed, cut"))
        return frames

    def _send(self, data: bytes, note: str, wire: WireLog | None = None) -> None:
        (wire or self._wire).sent(data, note)
        try:
            # Pieces small enough for the port's write timeout at 19200 baud (1 KB = 0.5 s);
            # a raster band is ~18 KB.
            for start in range(0, len(data), WRITE_CHUNK_BYTES):
                self._link.write(data[start:start + WRITE_CHUNK_BYTES])
        except (TypeError, AttributeError) as e:
            # pyserial's posix write() when the reader thread closed the port under it (unplug)
            raise LinkError(f"{self.name}: port closed while writing ({e})") from None

    def _query(self, wire: WireLog | None = None) -> DeviceStatus:
        """DLE EOT 1, 2, 4 (3 after an error flag); stops at the first missing answer."""
        if not self._link.is_open:
            last = self.last_status
            if last.state is DeviceState.NO_DEVICE:
                return last
            return DeviceStatus(DeviceState.NO_DEVICE, detail=f"{self.port_url} is not open")
        answers: dict[int, int | None] = {}
        for n in (1, 2, 4):
            answers[n] = self._ask(n, wire)
            if answers[n] is None:
                break
        error = None
        second = answers.get(2)
        if is_valid(second) and second & ERROR_OCCURRED:
            error = self._ask(3, wire)
        return decode(RawStatus(answers.get(1), answers.get(2), answers.get(4), error))

    def _ask(self, n: int, wire: WireLog | None = None) -> int | None:
        wire = wire or self._wire
        try:
            self._link.clear_input()
            self._send(escpos.status_request(n), f"DLE EOT {n}", wire)
            deadline = time.monotonic() + self._status_timeout_s
            while (left := deadline - time.monotonic()) > 0:
                data = self._link.read(1, left)
                if data:
                    wire.received(data, f"status {n}")
                    return data[0]
        except LinkError as e:
            log.debug("%s: status %d: %s", self.name, n, e)
        return None

    def _poll(self) -> bool:
        """The link's probe: the idle status poll. True when the printer answers."""
        if not self._io.acquire(blocking=False):
            return True  # a receipt or a status request is talking to it right now
        try:
            status = self._query(self._poll_wire)
        finally:
            self._io.release()
        self._publish(status)
        return status.state is not DeviceState.NO_DEVICE

    def _open(self) -> Port:
        try:
            return self._opener()
        except LinkError as e:
            self._publish(DeviceStatus(DeviceState.NO_DEVICE, detail=str(e)))
            raise
        finally:
            self._first_open.set()

    def _link_changed(self, up: bool, detail: str) -> None:
        if not up:
            self._publish(DeviceStatus(DeviceState.NO_DEVICE, detail=f"link down: {detail}"),
                          only_state=True)

    def _publish(self, status: DeviceStatus, only_state: bool = False) -> None:
        """Remember *status*; tell subscribers when it differs (by state alone if asked)."""
        with self._state_lock:
            old = self._last
            same = old.state == status.state if only_state else old == status
            if not same:
                self._last = status
                self._state_lock.notify_all()
        if not same:
            log.info("%s: %s (%s) paper %s", self.name, status.state, status.detail, status.paper)
            self._subscribers.emit(StatusChanged(self.name, status))


def _refuse_unless_printable(status: DeviceStatus) -> None:
    if status.paper is PaperState.OUT:
        raise PaperOut(f"printer: paper out ({status.detail})")
    if status.cover_open:
        raise CoverOpen(f"printer: cover open ({status.detail})")
    if status.state is not DeviceState.ONLINE or status.paper is PaperState.UNKNOWN:
        raise LinkError(f"printer not ready: {status.state} ({status.detail or 'status unknown'})")
