"""The kiosk core put together from settings: everything but the UI and the simulators.

``build(settings, post, clock, overrides=...)`` opens the journal (taking its lock), connects the
backend and the devices, runs recovery before the first sale, starts the reconciler, and wires
the purchase service, receipts, controller and operations (health, heartbeat, maintenance).
Everyone who needs a kiosk core builds it here: ``kiosk run`` and ``kiosk demo`` (through
``app.simulators.build_kiosk``), the robot, the benchmarks and the tests; what differs between them (a clock, a
backend URL, device handles on simulators, crash points, the reconciler's pace, no UI) comes in
``Overrides``. Simulators are never started here: ``app.simulators`` starts them and passes
their handles in. ``Kiosk.close()`` stops everything, in reverse order.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from contract.clock import Clock, SystemClock
from kiosk.flow.controller import Controller, start_thread
from kiosk.hardware.handle import DeviceHandle, SimulatedDevice, open_or_leave_out
from kiosk.money.crash_points import NO_CRASH, CrashPoints
from kiosk.receipts.service import ReceiptService

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
    receipts: ReceiptService | None
    controller: Controller | None  # None when built headless (the robot)
    operations: object = None  # kiosk.maintenance.wiring.Operations
    # the 2D barcode scanner for wallet payment codes (devices.interfaces.BarcodeScanner):
    # scanner.device is None when there is none; health.scan_available says if it is usable
    scanner: DeviceHandle = field(default_factory=DeviceHandle)
    fleet: object = None  # kiosk.ops.fleet_wiring.Fleet: metrics, health record, bundles
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def close(self) -> None:
        """Stop background work, then close devices, backend, journal and simulators."""
        while self._closers:
            closer = self._closers.pop()
            try:
                closer()
            except Exception:
                log.exception("closing %r failed", closer)


@dataclass(frozen=True)
class Overrides:
    """What a caller changes in the kiosk the settings describe.

    Attributes:
        backend_url: talk to this backend instead of ``backend.url`` (a simulator's port).
        backend: a ready backend client (the robot's, with its own short timings).
        journal_path: the journal file instead of ``journal.path``.
        terminal / printer / scanner: device handles already opened (on simulators started
            by ``app.simulators``); None builds them from settings.
        crash: test-only crash points in the money engine (``kiosk.money.crash_points``).
        reconciler_interval_s: the reconciler's pace (the robot's compressed clock).
        headless: no controller, receipts or operations: the money engine alone (the robot).
        flow_clock: the controller's clock, when it differs from the money engine's (a test
            that walks away from a screen at once while payments poll in real time).
        closers: run last on ``Kiosk.close()`` (stop what the caller started for this kiosk).
    """

    backend_url: str | None = None
    backend: object | None = None
    journal_path: str | None = None
    terminal: DeviceHandle | None = None
    printer: DeviceHandle | None = None
    scanner: DeviceHandle | None = None
    crash: CrashPoints = NO_CRASH
    reconciler_interval_s: float | None = None
    headless: bool = False
    flow_clock: Clock | None = None
    closers: tuple[Callable[[], None], ...] = ()


def build(settings, post: Callable[[Callable[[], None]], None], clock: Clock | None = None, *,
          overrides: Overrides = Overrides(),
          run_in_worker: Callable[[Callable[[], None]], None] = start_thread,
          operations: bool = True) -> Kiosk:
    """Put the kiosk together from *settings*; on any failure what was started is stopped again.

    Args:
        post: runs a callable on the UI thread (Kivy's ``Clock.schedule_once``; ``PostQueue``).
        clock: the kiosk's clock (``SystemClock`` by default).
        overrides: what differs from the settings (see ``Overrides``).
        operations: also wire health, heartbeat and maintenance (``kiosk.maintenance.wiring``).
    Raises:
        CompositionError: a part cannot start as configured.
        JournalLocked: another kiosk process owns the journal.
    """
    clock = clock or SystemClock()
    closers: list[Callable[[], None]] = list(overrides.closers)
    try:
        return _build(settings, post, clock, overrides, run_in_worker,
                      operations and not overrides.headless, closers)
    except BaseException:
        for closer in reversed(closers):
            try:
                closer()
            except Exception:
                log.exception("cleaning up after a failed start: %r failed", closer)
        raise


def _build(settings, post, clock, over: Overrides, run_in_worker, with_operations,
           closers) -> Kiosk:
    from kiosk.money.purchases import PurchaseService
    from kiosk.money.recovery import Reconciler, recover

    for handle in (over.terminal, over.printer, over.scanner):  # the caller's: closed with the kiosk
        if handle is not None:
            closers.append(handle.close)
    journal = _journal(settings, clock, over, closers)
    backend = _backend(settings, clock, over, closers)
    terminal = over.terminal or _device(settings, "card_terminal", closers)
    printer = over.printer or _device(settings, "printer", closers)
    scanner = over.scanner or _scanner(settings, closers)

    purchases = PurchaseService(journal, backend, terminal.device, settings, clock, over.crash)
    report = recover(journal, backend, terminal.device, settings, clock, crash=over.crash)
    log.info("start-up recovery: %d settled, %d still open, %d need attention",
             len(report.settled), len(report.still_open), len(report.needs_attention))
    pace = {} if over.reconciler_interval_s is None else {"interval_s": over.reconciler_interval_s}
    reconciler = Reconciler(journal, backend, terminal.device, settings, clock,
                            skip=purchases.owns, crash=over.crash, **pace)
    receipts = controller = None
    if not over.headless:
        receipts = ReceiptService(printer.device, journal, settings, run_in_worker)
        controller = Controller(settings, backend.get_subscriber, purchases, post,
                                over.flow_clock or clock,
                                receipts=receipts, journal=journal, run_in_worker=run_in_worker,
                                scanner=scanner.device)
    closers.append(lambda: purchases.join(10.0))  # let a running purchase reach a safe point
    reconciler.start()
    closers.append(reconciler.stop)
    kiosk = Kiosk(settings, clock, journal, backend, terminal, printer, purchases, reconciler,
                  report, receipts, controller, scanner=scanner, _closers=closers)
    kiosk.fleet = _fleet(settings, kiosk, closers)
    if with_operations:
        kiosk.operations = _operations(settings, kiosk, closers)
    kiosk.fleet.start()
    return kiosk


def _fleet(settings, kiosk: Kiosk, closers: list):
    from kiosk.ops.fleet_wiring import wire_fleet

    fleet = wire_fleet(settings, kiosk)  # metrics and the health record (kiosk/ops/fleet_wiring)
    closers.append(fleet.close)
    return fleet


def _journal(settings, clock, over: Overrides, closers: list):
    from kiosk.journal.store import Journal

    if over.journal_path is None:
        journal = Journal.from_settings(settings, clock)
    else:
        s = settings.journal
        journal = Journal.open(over.journal_path, settings.kiosk.id, clock, tz=s.timezone,
                               phone_retention_days=s.phone_retention_days)
    closers.append(journal.close)
    return journal


def _backend(settings, clock, over: Overrides, closers: list):
    from kiosk.backend.client import BackendClient

    if over.backend is not None:
        return over.backend  # the caller's: the caller closes it
    if over.backend_url is not None:
        settings = dataclasses.replace(
            settings, backend=dataclasses.replace(settings.backend, url=over.backend_url))
    backend = BackendClient.from_settings(settings, clock)
    closers.append(backend.close)
    return backend


def _device(settings, name: str, closers: list) -> DeviceHandle:
    from kiosk.hardware.card_terminal import build_card_terminal
    from kiosk.hardware.printer import build_printer
    from kiosk.hardware.scanner import build_scanner

    factory = {"card_terminal": build_card_terminal, "printer": build_printer,
               "scanner": build_scanner}[name]
    try:
        handle = open_or_leave_out(name, factory, settings)
    except SimulatedDevice as e:
        raise CompositionError(str(e)) from None
    closers.append(handle.close)
    return handle


def _scanner(settings, closers: list) -> DeviceHandle:
    """The scanner from settings; a simulated one nobody started (the caller gave terminal and
    printer but no scanner: the robot, tests) is left out: the scanner is optional."""
    try:
        return _device(settings, "scanner", closers)
    except CompositionError as e:
        log.info("no barcode scanner: %s", e)
        return DeviceHandle()


def _operations(settings, kiosk: Kiosk, closers: list):
    from kiosk.maintenance.wiring import build_operations

    ops = build_operations(settings, controller=kiosk.controller, journal=kiosk.journal,
                           clock=kiosk.clock, backend=kiosk.backend,
                           terminal=kiosk.terminal.device, printer=kiosk.printer.device,
                           purchases=kiosk.purchases)
    closers.append(ops.close)
    if kiosk.fleet is not None:
        kiosk.fleet.attach_operations(settings, kiosk, ops)
    ops.start()
    for name, handle in (("card_terminal", kiosk.terminal), ("printer", kiosk.printer)):
        if handle.device is not None:  # events before the subscription were missed: ask once
            _ask_status(name, handle.device, ops.health)
    if kiosk.scanner.device is not None:  # its status feeds health.scan_available
        kiosk.scanner.device.subscribe(ops.health.on_device_event)
        _ask_status("scanner", kiosk.scanner.device, ops.health)
    return ops


def _ask_status(name: str, device, health) -> None:
    def ask() -> None:
        try:
            health.set_device_status(name, device.status())
        except Exception as e:
            log.warning("%s status at start-up unknown: %s", name, e)

    threading.Thread(target=ask, name=f"{name}-status", daemon=True).start()
