"""The one composition root: settings in, a running kiosk core out (everything but the UI).

``build(settings, post, clock)`` starts the backend simulator when the settings ask for it,
opens the journal (taking its lock), connects the backend and the devices, runs recovery before
the first sale, starts the reconciler, and wires the purchase service, receipts, controller and
operations (health, heartbeat, maintenance). The Kivy app and the demo call it; ``Kiosk.close()``
stops everything it started, in reverse order.
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from contract.clock import Clock, SystemClock
from kiosk.flow.controller import Controller, start_thread
from kiosk.hardware.handle import DeviceHandle
from kiosk.receipts import ReceiptService

log = logging.getLogger(__name__)


class CompositionError(RuntimeError):
    """The kiosk cannot be put together as configured; the message says what to change."""


@dataclass
class Kiosk:
    """Every long-lived part of a running kiosk core, and how to stop them."""

    settings: object
    clock: Clock
    journal: object
    backend: object
    terminal: DeviceHandle
    printer: DeviceHandle
    purchases: object
    reconciler: object
    recovery: object  # the start-up RecoveryReport
    receipts: ReceiptService
    controller: Controller
    operations: object = None  # kiosk.maintenance.wiring.Operations
    backend_simulator: object = None
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def close(self) -> None:
        """Stop background work, then close devices, backend, journal and simulators."""
        while self._closers:
            closer = self._closers.pop()
            try:
                closer()
            except Exception:
                log.exception("closing %r failed", closer)


def build(settings, post: Callable[[Callable[[], None]], None], clock: Clock | None = None, *,
          run_in_worker: Callable[[Callable[[], None]], None] = start_thread,
          operations: bool = True) -> Kiosk:
    """Put the kiosk together from *settings*; on any failure what was started is stopped again.

    Args:
        post: runs a callable on the UI thread (Kivy's ``Clock.schedule_once``; ``PostQueue``).
        clock: the kiosk's clock (``SystemClock`` by default).
        operations: also wire health, heartbeat and maintenance (``kiosk.maintenance.wiring``).
    Raises:
        CompositionError: the backend simulator's port is taken, or a part cannot start.
        JournalLocked: another kiosk process owns the journal.
    """
    clock = clock or SystemClock()
    closers: list[Callable[[], None]] = []
    try:
        return _build(settings, post, clock, run_in_worker, operations, closers)
    except BaseException:
        for closer in reversed(closers):
            try:
                closer()
            except Exception:
                log.exception("cleaning up after a failed start: %r failed", closer)
        raise


def _build(settings, post, clock, run_in_worker, with_operations, closers) -> Kiosk:
    from kiosk.backend.client import BackendClient
    from kiosk.journal.store import Journal
    from kiosk.money.purchases import PurchaseService
    from kiosk.money.recovery import Reconciler, recover

    simulator = start_backend_simulator(settings, clock)
    if simulator is not None:
        closers.append(simulator.stop)
    journal = Journal.from_settings(settings, clock)
    closers.append(journal.close)
    backend = BackendClient.from_settings(settings, clock)
    closers.append(backend.close)
    terminal = _device(settings, "card_terminal")
    closers.append(terminal.close)
    printer = _device(settings, "printer")
    closers.append(printer.close)

    relay = _EventRelay()
    purchases = PurchaseService(journal, backend, terminal.device, settings, relay, clock)
    report = recover(journal, backend, terminal.device, settings, clock)
    log.info("start-up recovery: %d settled, %d still open, %d need attention",
             len(report.settled), len(report.still_open), len(report.needs_attention))
    reconciler = Reconciler(journal, backend, terminal.device, settings, clock, skip=purchases.owns)
    receipts = ReceiptService(printer.device, journal, settings, run_in_worker)
    controller = Controller(settings, backend.get_subscriber, purchases, post, clock,
                            receipts=receipts, journal=journal, run_in_worker=run_in_worker)
    relay.target = controller.on_purchase_event
    closers.append(lambda: purchases.join(10.0))  # let a running purchase reach a safe point
    reconciler.start()
    closers.append(reconciler.stop)
    kiosk = Kiosk(settings, clock, journal, backend, terminal, printer, purchases, reconciler,
                  report, receipts, controller, backend_simulator=simulator, _closers=closers)
    if with_operations:
        kiosk.operations = _operations(settings, kiosk, closers)
    return kiosk


def start_backend_simulator(settings, clock: Clock):
    """The backend simulator on ``backend.url``'s loopback port, when ``simulator.backend.enabled``."""
    if not settings.simulator.backend.enabled:
        return None
    from simulators.backend.server import BackendSimulator

    url = urlsplit(settings.backend.url)
    if url.hostname not in ("127.0.0.1", "localhost") or url.port is None:
        raise CompositionError(
            f"simulator.backend.enabled needs backend.url on 127.0.0.1 with a port, got {settings.backend.url}")
    cfg = settings.simulator.backend
    simulator = BackendSimulator(
        "127.0.0.1", url.port, secrets={settings.kiosk.id: settings.backend_secret()},
        state_path=settings.resolve(cfg.state_path) if cfg.state_path else None,
        auto_pay_after_s=cfg.auto_pay_after_s, clock=clock)
    try:
        return simulator.start()
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise CompositionError(
                f"the backend simulator cannot listen on 127.0.0.1:{url.port}: the port is already "
                "in use (another kiosk running?); stop it or change backend.url") from None
        raise CompositionError(f"the backend simulator cannot start: {e}") from None


def _device(settings, name: str) -> DeviceHandle:
    """A device from its factory; a device that cannot be opened is left out (the health
    monitor then hides what needs it) rather than keeping the kiosk from starting."""
    from kiosk.hardware.card_terminal import build_card_terminal
    from kiosk.hardware.printer import build_printer

    factory = build_card_terminal if name == "card_terminal" else build_printer
    try:
        return factory(settings)
    except Exception as e:
        log.error("%s could not be opened (%s): running without it", name, e)
        return DeviceHandle()


def _operations(settings, kiosk: Kiosk, closers: list):
    from kiosk.maintenance.wiring import build_operations

    ops = build_operations(settings, controller=kiosk.controller, journal=kiosk.journal,
                           clock=kiosk.clock, backend=kiosk.backend,
                           terminal=kiosk.terminal.device, printer=kiosk.printer.device,
                           purchases=kiosk.purchases)
    closers.append(ops.close)
    ops.start()
    for name, handle in (("card_terminal", kiosk.terminal), ("printer", kiosk.printer)):
        if handle.device is not None:  # events before the subscription were missed: ask once
            _ask_status(name, handle.device, ops.health)
    return ops


def _ask_status(name: str, device, health) -> None:
    def ask() -> None:
        try:
            health.set_device_status(name, device.status())
        except Exception as e:
            log.warning("%s status at start-up unknown: %s", name, e)

    threading.Thread(target=ask, name=f"{name}-status", daemon=True).start()


class _EventRelay:
    """The purchase service's ``on_event`` before the controller exists (it is built later)."""

    def __init__(self):
        self.target: Callable[[object], None] | None = None

    def __call__(self, event) -> None:
        if self.target is None:
            log.warning("purchase event %s before the controller was ready", type(event).__name__)
            return
        self.target(event)
