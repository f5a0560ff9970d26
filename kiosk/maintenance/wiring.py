"""Operations wired from settings: health, heartbeat, audit, login, actions, console, gesture.

The composition root calls ``build_operations`` once, after the journal, devices, backend client,
purchase service and controller exist, then ``ops.start()``; ``ops.close()`` on shutdown.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from devices.interfaces import StatusChanged
from kiosk import __version__
from kiosk.maintenance.actions import Devices, MaintenanceActions
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.audit_chain import chain_key
from kiosk.maintenance.console import MaintenanceConsole
from kiosk.maintenance.gesture import CornerGesture
from kiosk.maintenance.lockout import Lockout
from kiosk.maintenance.login import MaintenanceLogin
from kiosk.maintenance.pins import PinStore, pepper_from_settings
from kiosk.maintenance.retry import OperatorRetries
from kiosk.money.octopus_payment import offered_methods
from kiosk.ops.disk import DiskGuard
from kiosk.ops.health import HealthMonitor, feed_controller
from kiosk.ops.heartbeat import Heartbeat
from kiosk.settings import SettingsError

log = logging.getLogger(__name__)


@dataclass
class Operations:
    health: HealthMonitor
    audit: AuditLog
    pins: PinStore
    console: MaintenanceConsole
    gesture: CornerGesture
    heartbeat: Heartbeat | None

    def start(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.start()

    def close(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.stop()
        self.audit.close()
        self.pins.close()


def build_operations(settings, *, controller, journal, clock, backend=None, terminal=None,
                     printer=None, purchases=None,
                     request_restart: Callable[[], None] | None = None,
                     on_reload_offers: Callable[[], None] | None = None) -> Operations:
    """Everything operators use, wired to the kiosk's parts (any device may be None)."""
    m = settings.maintenance
    health = _health(settings, clock, controller, terminal, printer)
    journal_path = settings.resolve(settings.journal.path)
    disk = DiskGuard(journal_path, settings.journal.min_free_disk_mb)
    health.disk(disk.check().free_mb)
    pepper, unavailable = _pepper(settings)
    pins = PinStore(settings.resolve(m.pins_path), pepper)
    # The chain key comes from the pepper; without a pepper entries are written unchained
    # (and `kiosk audit verify` names them) rather than with a key nobody can check.
    audit = AuditLog(settings.resolve(m.audit_path), clock,
                     None if unavailable else chain_key(pepper))
    login = MaintenanceLogin(pins, Lockout(pins.db, clock, m.max_failures, m.lockout_s), audit,
                             clock, m.max_failures, m.auto_exit_s, unavailable)
    credit, refund = _retries(settings, clock, journal, backend, terminal, purchases)
    actions = MaintenanceActions(
        journal, audit, health, clock, kiosk_id=settings.kiosk.id, location=settings.kiosk.location,
        devices=Devices(terminal, printer, backend), retry_credit=credit, retry_refund=refund,
        request_restart=request_restart)
    devices = {n: d for n, d in (("card_terminal", terminal), ("printer", printer)) if d is not None}
    console = MaintenanceConsole(login, actions, health, controller, clock,
                                 journal_path=journal_path, disk=disk, devices=devices,
                                 auto_exit_s=m.auto_exit_s)
    gesture = CornerGesture(clock, m.gesture_window_s,
                            money_moving=lambda: bool(getattr(purchases, "busy", False)))
    heartbeat = None
    if backend is not None:
        heartbeat = Heartbeat(
            backend, health, audit, clock, interval_s=m.heartbeat_interval_s,
            app_version=__version__, pending_count=lambda: len(journal.unfinished()),
            counts=lambda: {"retrying_transactions": len(journal.retrying()),
                            "needs_attention": len(journal.needing_attention())},
            state_name=lambda: "maintenance" if controller.state == "maintenance"
            else health.snapshot().state,
            on_reload_offers=on_reload_offers, disk=disk)
    return Operations(health, audit, pins, console, gesture, heartbeat)


def _health(settings, clock, controller, terminal, printer) -> HealthMonitor:
    """The monitor, hearing both devices and feeding the controller's health input."""
    methods = offered_methods(settings)
    health = HealthMonitor(
        clock, min_free_disk_mb=settings.journal.min_free_disk_mb,
        backend_grace_s=settings.maintenance.backend_grace_s,
        card_configured="card" in methods and terminal is not None,
        wallets_configured=any(x not in ("card", "octopus") for x in methods), printer_configured=printer is not None)
    for name, device in (("card_terminal", terminal), ("printer", printer)):
        if device is not None:
            device.subscribe(_as_device(name, health))
    feed_controller(health, controller, methods)
    return health


def _retries(settings, clock, journal, backend, terminal, purchases):
    """The purchase service's retry entry points, else the money engine's steps on the row."""
    credit = getattr(purchases, "retry_credit", None)
    refund = getattr(purchases, "retry_refund", None)
    if backend is not None and journal is not None and not (credit and refund):
        retries = OperatorRetries(journal, backend, terminal, settings, clock)
        credit = credit or retries.retry_credit
        refund = refund or retries.retry_refund
    return credit, refund


def _pepper(settings) -> tuple[bytes, str]:
    """The PIN pepper; without one the kiosk still sells, but nobody can sign in (said why)."""
    try:
        return pepper_from_settings(settings), ""
    except SettingsError as e:
        log.error("maintenance sign-in disabled: %s", e)
        return secrets.token_bytes(32), "pin_pepper_missing"


def _as_device(name: str, health: HealthMonitor) -> Callable[[object], None]:
    """A device callback that reports status under the health monitor's name for the device."""
    def forward(event) -> None:
        if isinstance(event, StatusChanged):
            health.set_device_status(name, event.status)
    return forward
