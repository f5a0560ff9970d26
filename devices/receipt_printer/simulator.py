"""A receipt printer emulator speaking ESC/POS on a pty or TCP link, with fault switches.

It parses the command stream (``parser.EscPosParser``), answers DLE EOT from its current state,
and saves each cut receipt as a PNG plus a text log in ``output_dir``. Switches, at any time:
``set_paper("ok"|"low"|"out")``, ``set_cover_open``, ``set_offline``, ``set_error`` (cutter /
unrecoverable), ``set_status_garbage`` (status bytes that break the fixed bits),
``set_silent`` (answers nothing, prints nothing), ``unplug_after(n_bytes)`` (closes the link
mid-stream, like a pulled cable) and ``paper_ends_after(n_bytes)``. While the paper is out, the
cover open or the printer offline, print data is discarded: nothing is printed.

A demo kiosk runs for months on this simulator: only the newest ``keep`` receipts stay in
``printed`` and on disk (older files are deleted as new ones come), and the next receipt's
number is read from ``output_dir`` once, not on every cut.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from devices.links import LinkServer, serve
from devices.receipt_printer.paper import Page, PrintedReceipt, receipt_files
from devices.receipt_printer.parser import Command, EscPosParser
from devices.receipt_printer.status import (
    COVER_OPEN,
    CUTTER_ERROR,
    ERROR_OCCURRED,
    FIXED_VALUE,
    NEAR_END,
    OFFLINE,
    PAPER_END_STOP,
    PAPER_OUT,
    UNRECOVERABLE,
)

log = logging.getLogger(__name__)

PAPER = ("ok", "low", "out")
ERRORS = {None: 0, "cutter": CUTTER_ERROR, "unrecoverable": UNRECOVERABLE}
KEEP = 100  # receipts kept in memory and on disk


class PrinterSimulator:
    def __init__(self, output_dir: str | Path, paper: str = "ok", cover_open: bool = False,
                 offline: bool = False, paper_width_dots: int = 576, keep: int = KEEP):
        self.output_dir = Path(output_dir)
        self.paper_width_dots = paper_width_dots
        self._lock = threading.Condition()
        self._paper = "ok"
        self.set_paper(paper)
        self._cover_open, self._offline = cover_open, offline
        self._error: str | None = None
        self._garbage = self._silent = False
        self._unplug_after: int | None = None
        self._paper_ends_after: int | None = None
        self._received = 0
        self.status_queries = 0
        self.printed: list[PrintedReceipt] = []  # the newest ``keep``, oldest first
        self.printed_count = 0  # every receipt this simulator saved
        self._keep = keep
        self._number: int | None = None  # the last receipt number used in output_dir
        self._server: LinkServer | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._parser = EscPosParser()
        self._page = Page(paper_width_dots)

    # -- switches ---------------------------------------------------------------------------
    def set_paper(self, paper: str) -> None:
        if paper not in PAPER:
            raise ValueError(f"paper must be one of {PAPER}, got {paper!r}")
        with self._lock:
            self._paper = paper

    def set_cover_open(self, open_: bool) -> None:
        with self._lock:
            self._cover_open = open_

    def set_offline(self, offline: bool) -> None:
        with self._lock:
            self._offline = offline

    def set_error(self, error: str | None) -> None:
        if error not in ERRORS:
            raise ValueError(f"error must be one of {tuple(ERRORS)}")
        with self._lock:
            self._error = error

    def set_status_garbage(self, on: bool) -> None:
        with self._lock:
            self._garbage = on

    def set_silent(self, on: bool) -> None:
        with self._lock:
            self._silent = on

    def unplug_after(self, n_bytes: int | None) -> None:
        """Close the link once this many more bytes have arrived (None: never)."""
        with self._lock:
            self._unplug_after = None if n_bytes is None else self._received + n_bytes

    def paper_ends_after(self, n_bytes: int | None) -> None:
        """Run out of paper once this many more bytes have arrived (mid-receipt)."""
        with self._lock:
            self._paper_ends_after = None if n_bytes is None else self._received + n_bytes

    # -- life cycle -------------------------------------------------------------------------
    def start(self, link: str = "pty", port: int = 0, symlink: str | Path | None = None) -> str:
        """Serve on a pty (optionally behind a stable *symlink*) or TCP; returns the port URL."""
        if self._thread is not None:
            raise RuntimeError("printer simulator already started")
        return self.attach(serve(link, port, symlink))

    def attach(self, server: LinkServer) -> str:
        """Serve on a link end opened elsewhere (tests: a loopback with faults)."""
        if self._thread is not None:
            raise RuntimeError("printer simulator already started")
        self._server = server
        self._stop.clear()
        self._parser, self._page = EscPosParser(), Page(self.paper_width_dots)
        self._thread = threading.Thread(target=self._run, args=(self._server,),
                                        name="printer-simulator", daemon=True)
        self._thread.start()
        log.info("printer simulator on %s", self._server.port)
        return self._server.port

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None
        if self._server is not None:
            self._server.close()

    @property
    def port(self) -> str | None:
        return self._server.port if self._server else None

    def wait_status_queries(self, count: int, timeout_s: float = 5.0) -> bool:
        """Wait until *count* DLE EOT requests in all have been answered."""
        with self._lock:
            return self._lock.wait_for(lambda: self.status_queries >= count, timeout_s)

    def wait_printed(self, count: int, timeout_s: float = 5.0) -> bool:
        """Wait until *count* receipts in all have been saved."""
        with self._lock:
            return self._lock.wait_for(lambda: self.printed_count >= count, timeout_s)

    # -- the device -------------------------------------------------------------------------
    def _run(self, server: LinkServer) -> None:
        while not self._stop.is_set():
            data = server.read(0.05)
            if not data:
                continue
            data = self._take(data, server)
            with self._lock:
                silent = self._silent
            if silent:
                continue
            for command in self._parser.feed(data):
                self._handle(command, server)

    def _take(self, data: bytes, server: LinkServer) -> bytes:
        with self._lock:
            self._received += len(data)
            limit = self._unplug_after
            if self._paper_ends_after is not None and self._received >= self._paper_ends_after:
                self._paper, self._paper_ends_after = "out", None
        if limit is not None and self._received >= limit:
            log.info("printer simulator: unplugged after %d bytes", limit)
            self._stop.set()
            server.close()
            return data[: len(data) - (self._received - limit)]
        return data

    def _handle(self, command: Command, server: LinkServer) -> None:
        if command.name == "status":
            reply = self.status_byte(command.args[0])
            with self._lock:
                self.status_queries += 1
                self._lock.notify_all()
            server.write(bytes((reply,)))
            return
        if not self._printable():
            return  # paper out, cover open, offline: the data is lost, nothing printed
        self._print(command)

    def _print(self, command: Command) -> None:
        page = self._page
        if command.name == "init":
            page.align = 0
        elif command.name == "align":
            page.align = command.args[0] % 48 if command.args[0] >= 48 else command.args[0]
        elif command.name == "line":
            page.add_line(command.data.decode("utf-8", "replace"))
        elif command.name == "raster":
            page.add_raster(command.args[0], command.args[1], command.data)
        elif command.name == "qr":
            page.qr_command(command.args[0], command.data)
        elif command.name == "feed":
            page.feed(command.args[0])
        elif command.name == "cut":
            self._cut()

    def _cut(self) -> None:
        if self._page.empty:
            return
        with self._lock:
            number = self._next_number()
        receipt = self._page.save(self.output_dir, number)
        self._page = Page(self.paper_width_dots)
        self._forget(number - self._keep)
        with self._lock:
            self.printed.append(receipt)
            del self.printed[:-self._keep]
            self.printed_count += 1
            self._lock.notify_all()

    def _next_number(self) -> int:
        """After the last receipt saved in output_dir, so a restarted simulator overwrites none."""
        if self._number is None:
            numbers = [int(p.stem.split("-")[1]) for p in self.output_dir.glob("receipt-*.png")
                       if p.stem.split("-")[1].isdigit()]
            self._number = max(numbers, default=0)
        self._number += 1
        return self._number

    def _forget(self, number: int) -> None:
        """Delete receipt *number*'s files (it fell out of the newest ``keep``)."""
        if number >= 1:
            for path in receipt_files(self.output_dir, number):
                path.unlink(missing_ok=True)

    def _printable(self) -> bool:
        with self._lock:
            return (self._paper != "out" and not self._cover_open and not self._offline
                    and self._error is None)

    def status_byte(self, n: int) -> int:
        """The byte this printer answers to DLE EOT *n* in its current state."""
        with self._lock:
            paper_out = self._paper == "out"
            stopped = paper_out or self._cover_open or self._error is not None
            bits = {
                1: OFFLINE if (stopped or self._offline) else 0,
                2: ((COVER_OPEN if self._cover_open else 0) | (PAPER_END_STOP if paper_out else 0)
                    | (ERROR_OCCURRED if self._error else 0)),
                3: ERRORS[self._error],
                4: (NEAR_END if self._paper in ("low", "out") else 0) | (PAPER_OUT if paper_out else 0),
            }.get(n, 0)
            byte = FIXED_VALUE | bits
            return byte & ~0x02 if self._garbage else byte  # bit1 cleared breaks the fixed bits
