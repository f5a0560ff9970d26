"""The maintenance console's logic, without Kivy: PIN entry, pages, auto exit, status, actions.

The maintenance screen renders ``console.view()`` and calls these methods; tests drive the same
object without a UI. Entering happens through the flow (``controller.open_maintenance()`` after
the hidden gesture); leaving (operator, wrong PIN given up, or auto exit) closes the flow's
maintenance state again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from contract.clock import Clock
from kiosk.maintenance.actions import ActionResult, MaintenanceActions
from kiosk.maintenance.login import MaintenanceLogin
from kiosk.maintenance.operator_session import MaintenanceSession
from kiosk.maintenance.printouts import settlement_lines
from kiosk.ops.disk import DiskGuard
from kiosk.ops.health import HealthMonitor

log = logging.getLogger(__name__)

PAGES = ("pin", "status", "attention", "settlement")
NOTES = ("refunded_by_hand", "customer_contacted", "no_payment_found", "checked_with_backend")
PIN_IDLE_S = 60.0  # the PIN pad, left alone, goes back to the customers sooner


@dataclass(frozen=True)
class StatusView:
    state: str
    reasons: tuple[str, ...]
    terminal: str
    printer: str
    paper: str
    paper_alert: bool
    backend: str
    disk: str
    journal_kb: int
    attention_count: int
    retrying_count: int
    frames: dict = field(default_factory=dict)  # device -> ("tx 02 53 … ACK", …), newest last
    # Journal rows still holding a full phone number (``kiosk privacy report`` has the detail).
    numbers_kept: int = 0
    numbers_oldest_s: float | None = None
    retention_days: int = 0


@dataclass(frozen=True)
class ConsoleView:
    page: str
    operator_id: str = ""
    entry: str = "operator"  # PIN page: which field the keypad types into
    operator_digits: str = ""
    pin_length: int = 0
    message: str = ""  # a message code (wrong_pin, locked, printed, already_credited…)
    message_args: dict = field(default_factory=dict)
    seconds_left: int = 0


class MaintenanceConsole:
    """One per app; ``open()`` when the flow enters maintenance, ``tick()`` every ~second."""

    def __init__(self, login: MaintenanceLogin, actions: MaintenanceActions,
                 health: HealthMonitor, controller, clock: Clock, *, journal_path: Path,
                 disk: DiskGuard | None = None, devices: dict | None = None,
                 auto_exit_s: float = 300.0):
        self.login, self.actions, self.health = login, actions, health
        self._controller, self._clock = controller, clock
        self._journal_path = Path(journal_path)
        self._disk = disk
        self._devices = dict(devices or {})  # name -> driver with recent_frames()
        self._auto_exit_s = auto_exit_s
        self.session: MaintenanceSession | None = None
        self._reset_entry()
        self.page = "pin"
        self.selected: str | None = None
        self.last: ActionResult | None = None

    # Entry ------------------------------------------------------------------------------

    def open(self) -> None:
        """The flow entered maintenance: a fresh PIN pad (no session carried over)."""
        self.closed_by_flow()
        self._reset_entry()
        self.page, self.selected, self.last = "pin", None, None
        self._entry_started = self._clock.monotonic()

    def _reset_entry(self) -> None:
        self._entry, self._operator, self._pin = "operator", "", ""
        self._message, self._message_args = "", {}
        self._entry_started = self._clock.monotonic()

    def press_digit(self, digit: str) -> None:
        self._entry_started = self._clock.monotonic()
        if self._entry == "operator" and len(self._operator) < 8:
            self._operator += digit
        elif self._entry == "pin" and len(self._pin) < 12:
            self._pin += digit

    def backspace(self) -> None:
        if self._entry == "pin" and self._pin:
            self._pin = self._pin[:-1]
        elif self._entry == "pin":
            self._entry = "operator"
        else:
            self._operator = self._operator[:-1]

    def submit(self) -> None:
        """Operator id → PIN field; PIN → login."""
        if self._entry == "operator":
            if self._operator:
                self._entry, self._message = "pin", ""
            return
        if len(self._pin) < 6:  # a slip of the finger, not a guess: not counted
            self._pin, self._message, self._message_args = "", "short_pin", {}
            return
        result = self.login.login(self._operator, self._pin)
        self._pin = ""
        if result.outcome == "ok":
            self.session = result.session
            self.page, self._message = "status", ""
            return
        self._message = result.outcome
        self._message_args = {"minutes": -(-int(result.lock_seconds_left) // 60),
                              "attempts": result.attempts_left}

    def leave(self, reason: str = "operator") -> None:
        if self.session is not None:
            self.login.logout(self.session, reason)
            self.session = None
        self._reset_entry()
        self.page = "pin"
        self._controller.close_maintenance()

    def closed_by_flow(self) -> None:
        """The flow left maintenance without the console (or re-entered it): end the session."""
        if self.session is not None:
            self.login.logout(self.session, "flow_left")
            self.session = None

    def tick(self) -> bool:
        """Auto exit: True when maintenance was left because nobody touched it."""
        if self.session is not None and self.session.expired():
            self.leave("auto_exit")
            return True
        if self.session is None and self._clock.monotonic() - self._entry_started > PIN_IDLE_S:
            self.leave("pin_abandoned")
            return True
        return False

    def touch(self) -> None:
        if self.session is not None:
            self.session.touch()
        else:
            self._entry_started = self._clock.monotonic()

    # Pages and actions -----------------------------------------------------------------------

    def go(self, page: str) -> None:
        if self.session is None or page not in PAGES[1:]:
            return
        self.touch()
        self.page, self.last = page, None

    def select(self, txn_id: str | None) -> None:
        self.touch()
        self.selected = txn_id

    def run(self, action: str, *args) -> ActionResult | None:
        """Run an action by name (``test_print``, ``retry_credit``…) as the logged-in operator."""
        if self.session is None:
            return None
        self.last = getattr(self.actions, action)(self.session, *args)
        return self.last

    def view(self) -> ConsoleView:
        message, args = self._message, self._message_args
        if self.last is not None:
            message, args = f"{self.last.action}.{self.last.outcome}", dict(self.last.detail)
        left = self.session.seconds_left if self.session else \
            max(0.0, PIN_IDLE_S - (self._clock.monotonic() - self._entry_started))
        return ConsoleView(self.page, self.session.operator_id if self.session else "",
                           self._entry, self._operator, len(self._pin), message, args, int(left))

    def status(self) -> StatusView:
        h = self.health.snapshot()
        backend = (f"reachable, {h.backend_latency_ms} ms" if h.backend_reachable
                   and h.backend_latency_ms is not None else
                   "reachable" if h.backend_reachable else "unreachable")
        disk = "unknown"
        if self._disk is not None:
            space = self._disk.check()
            disk = f"{space.free_mb} MB free ({space.used_percent:.0f}% used)"
        kept = self.actions.journal.numbers_kept()
        return StatusView(
            h.state, h.reasons, _device_text(h.terminal), _device_text(h.printer), h.paper,
            h.paper_alert, backend, disk, self._journal_kb(),
            len(self.actions.needing_attention()), len(self.actions.retrying()), self._frames(),
            kept.count, kept.oldest.age_s if kept.oldest else None, kept.retention_days)

    def attention(self) -> list[tuple[object, tuple[str, ...]]]:
        """Rows needing attention, then rows retrying by themselves, each with its safe actions."""
        rows = self.actions.needing_attention() + self.actions.retrying()
        return [(t, self.actions.safe_actions(t)) for t in rows]

    def history(self, txn_id: str) -> list:
        return self.actions.journal.events(txn_id)

    def settlement(self) -> list[tuple[str, str]]:
        return settlement_lines(self.actions.journal.report(self.actions.journal.today()))

    def _journal_kb(self) -> int:
        folder, name = self._journal_path.parent, self._journal_path.name
        return sum(p.stat().st_size for p in folder.glob(name + "*") if p.is_file()) // 1024

    def _frames(self, count: int = 6) -> dict:
        out = {}
        for name, device in self._devices.items():
            recent = getattr(device, "recent_frames", None)
            frames = recent()[-count:] if recent else ()
            out[name] = tuple(f"{f.direction} {f.hex[:47]} {f.note}".rstrip() for f in frames)
        return out


def _device_text(status) -> str:
    text = status.state.value
    if status.cover_open:
        text += ", cover open"
    return f"{text} ({status.detail})" if status.detail else text
