"""Readiness: device status, backend reachability and disk space folded into one service state.

``in_service``: everything sells. ``degraded``: it still sells, with less (no printer or no
paper: e-receipts only; no card terminal: QR wallets only). ``out_of_service``: it does not sell
(backend unreachable past the grace time, no way to pay, disk nearly full, or switched off by an
operator or the backend). The state follows its causes: when they clear, the kiosk is back in
service by itself. Subscribers (the controller's health input) hear every change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from contract.clock import Clock
from contract.methods import TERMINAL_METHODS
from devices.interfaces import DeviceState, DeviceStatus, PaperState, StatusChanged

log = logging.getLogger(__name__)

IN_SERVICE, DEGRADED, OUT_OF_SERVICE = "in_service", "degraded", "out_of_service"
TERMINAL, PRINTER = "card_terminal", "printer"
SCANNER = "scanner"  # the 2D scanner: never changes the service state, only ``scan_available``
_UNKNOWN = DeviceStatus(DeviceState.OFFLINE, detail="not reported yet")


@dataclass(frozen=True)
class Health:
    """One snapshot of readiness; ``reasons`` name every cause, most serious first."""

    state: str
    reasons: tuple[str, ...]
    card_available: bool
    wallets_available: bool
    printer_available: bool
    paper: str
    paper_alert: bool
    backend_reachable: bool
    backend_latency_ms: int | None
    disk_free_mb: int | None
    terminal: DeviceStatus
    printer: DeviceStatus
    scanner: DeviceStatus = _UNKNOWN  # no scanner, or not reported yet: offline
    scan_available: bool = False  # a wallet code can be scanned now (scanner usable, backend up)

    @property
    def selling(self) -> bool:
        return self.state != OUT_OF_SERVICE

    @property
    def e_receipt_only(self) -> bool:
        return not self.printer_available

    def device_summary(self) -> dict[str, str]:
        """Device states as the heartbeat reports them (``printer: paper_low`` …)."""
        printer = self.printer.state.value
        if self.printer.state == DeviceState.ONLINE and self.paper in (PaperState.LOW, PaperState.OUT):
            printer = f"paper_{self.paper}"
        summary = {TERMINAL: self.terminal.state.value, PRINTER: printer}
        if self.scanner is not _UNKNOWN:  # a scanner reported itself: it is part of this kiosk
            summary[SCANNER] = self.scanner.state.value
        return summary


@dataclass(frozen=True)
class _Inputs:
    terminal: DeviceStatus = _UNKNOWN
    printer: DeviceStatus = _UNKNOWN
    scanner: DeviceStatus = _UNKNOWN
    paper_alert_cleared: bool = False
    backend_failing_since: float | None = None
    backend_latency_ms: int | None = None
    disk_free_mb: int | None = None
    switched_off_by: str = ""  # "" | "operator" | "backend"


class HealthMonitor:
    """Fold inputs into a ``Health``; thread-safe (device readers and workers feed it)."""

    def __init__(self, clock: Clock, *, min_free_disk_mb: int, backend_grace_s: float,
                 card_configured: bool = True, wallets_configured: bool = True,
                 printer_configured: bool = True):
        self._clock = clock
        self._min_free_mb = min_free_disk_mb
        self._grace_s = backend_grace_s
        self._card = card_configured
        self._wallets = wallets_configured
        self._printer = printer_configured
        self._inputs = _Inputs()
        self._lock = threading.RLock()
        self._subscribers: list[Callable[[Health], None]] = []
        self._last: Health = self._fold(self._inputs)

    def subscribe(self, callback: Callable[[Health], None]) -> None:
        with self._lock:
            self._subscribers.append(callback)

    def snapshot(self) -> Health:
        with self._lock:
            return self._fold(self._inputs)

    # Inputs -------------------------------------------------------------------------------

    def on_device_event(self, event) -> None:
        """A device callback: ``StatusChanged`` updates that device; other events are ignored."""
        if isinstance(event, StatusChanged):
            self.set_device_status(event.device, event.status)

    def set_device_status(self, device: str, status: DeviceStatus) -> None:
        if device == TERMINAL:
            self._change(terminal=status)
        elif device == PRINTER:
            cleared = self._inputs.paper_alert_cleared and status.paper == PaperState.LOW
            self._change(printer=status, paper_alert_cleared=cleared)
        elif device == SCANNER:
            self._change(scanner=status)
        else:
            log.warning("status of an unknown device %r ignored", device)

    def backend_ok(self, latency_ms: int) -> None:
        self._change(backend_failing_since=None, backend_latency_ms=int(latency_ms))

    def backend_failed(self) -> None:
        with self._lock:
            since = self._inputs.backend_failing_since
            self._change(backend_failing_since=since if since is not None else self._clock.monotonic())

    def disk(self, free_mb: int) -> None:
        self._change(disk_free_mb=int(free_mb))

    def switch_off(self, by: str) -> None:
        """Take the kiosk out of service (``by`` is ``operator`` or ``backend``)."""
        self._change(switched_off_by=by)

    def switch_on(self) -> None:
        self._change(switched_off_by="")

    def paper_replaced(self) -> None:
        """An operator put in a new roll: clear the low-paper alert.

        The alert stays cleared while the printer keeps reporting LOW (a conservative near-end
        sensor); it is raised again after the printer has reported something else first.
        """
        with self._lock:
            printer = self._inputs.printer
            if printer.paper in (PaperState.LOW, PaperState.OUT):
                printer = replace(printer, paper=PaperState.OK)
            self._change(printer=printer, paper_alert_cleared=True)

    def tick(self) -> None:
        """Re-evaluate time-based causes (the backend grace time)."""
        self._change()

    # Folding ------------------------------------------------------------------------------

    def _change(self, **fields) -> None:
        with self._lock:
            self._inputs = replace(self._inputs, **fields)
            health = self._fold(self._inputs)
            if health == self._last:
                return
            previous, self._last = self._last, health
            callbacks = list(self._subscribers)
        if health.state != previous.state or health.reasons != previous.reasons:
            log.info("health %s -> %s %s", previous.state, health.state, ",".join(health.reasons))
        for callback in callbacks:
            try:
                callback(health)
            except Exception:
                log.exception("health subscriber failed")

    def _fold(self, i: _Inputs) -> Health:
        backend_up = i.backend_failing_since is None
        backend_usable = backend_up or self._clock.monotonic() - i.backend_failing_since < self._grace_s
        card = self._card and i.terminal.usable
        wallets = self._wallets and backend_usable
        printer_ok = self._printer and i.printer.usable and i.printer.paper != PaperState.OUT \
            and not i.printer.cover_open
        out, degraded = [], []
        if i.switched_off_by:
            out.append(f"switched_off_by_{i.switched_off_by}")
        if i.disk_free_mb is not None and i.disk_free_mb < self._min_free_mb:
            out.append("disk_low")
        if not backend_usable:
            out.append("backend_unreachable")
        if not (card or wallets):
            out.append("no_payment_method")
        if self._card and not card:
            degraded.append("qr_only")
        if not printer_ok:
            degraded.append("e_receipt_only")
        state = OUT_OF_SERVICE if out else DEGRADED if degraded else IN_SERVICE
        return Health(
            state=state, reasons=tuple(out + degraded), card_available=card,
            wallets_available=wallets, printer_available=printer_ok, paper=i.printer.paper.value,
            paper_alert=i.printer.paper == PaperState.LOW and not i.paper_alert_cleared,
            backend_reachable=backend_up, backend_latency_ms=i.backend_latency_ms,
            disk_free_mb=i.disk_free_mb, terminal=i.terminal, printer=i.printer,
            scanner=i.scanner, scan_available=i.scanner.usable and backend_usable)


def available_methods(health: Health, configured: tuple[str, ...]) -> tuple[str, ...]:
    """The configured payment methods usable now, in their configured order."""
    return tuple(m for m in configured
                 if (m in TERMINAL_METHODS and health.card_available)
                 or (m not in TERMINAL_METHODS and health.wallets_available))


def feed_controller(monitor: HealthMonitor, controller, configured: tuple[str, ...]) -> None:
    """Wire the monitor to the controller's health input (``set_health``), now and on change."""
    def push(health: Health) -> None:
        reason = "" if health.selling else health.reasons[0]
        methods = available_methods(health, configured)
        if health.scan_available:  # "Show your payment code" (kiosk.flow.scan_desk.SCAN)
            methods += ("scan",)
        controller.set_health(methods, health.selling, reason)
    monitor.subscribe(push)
    push(monitor.snapshot())
