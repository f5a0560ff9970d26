"""The operator's actions, each audited, each safe whatever the state and however often repeated.

Transactions needing attention are never deleted or rewritten: a retry credit or refund goes
through the purchase service with the transaction's own stored key (a repeat is answered with
the first outcome), and "resolved" is a final state with the operator's note in the history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from contract.clock import Clock
from kiosk.maintenance import cash_refund, printouts
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.operator_session import MaintenanceSession
from kiosk.ops.health import HealthMonitor

log = logging.getLogger(__name__)

ATTENTION = "needs_attention"


@dataclass(frozen=True)
class ActionResult:
    action: str
    ok: bool
    outcome: str  # a short code the screen translates: credited, already_credited, refused…
    detail: dict = field(default_factory=dict)


class ActionRefused(Exception):
    """The action is not safe for this transaction's state; ``outcome`` says why."""

    def __init__(self, outcome: str):
        super().__init__(outcome)
        self.outcome = outcome


@dataclass(frozen=True)
class Devices:
    """What actions reach besides the journal; any may be None when not configured."""

    terminal: object | None = None
    printer: object | None = None
    backend: object | None = None  # for get_topup(credit_key): is a credit already done?


def was_paid(events) -> bool:
    return any(e.to_state == "paid" for e in events)


class MaintenanceActions:
    """Every method takes the operator's session, touches it, runs, and audits the outcome."""

    def __init__(self, journal, audit: AuditLog, health: HealthMonitor, clock: Clock, *,
                 kiosk_id: str, location: str = "", devices: Devices = Devices(),
                 retry_credit: Callable[[str], object] | None = None,
                 retry_refund: Callable[[str], object] | None = None,
                 request_restart: Callable[[], None] | None = None):
        self.journal = journal
        self._audit = audit
        self._health = health
        self._clock = clock
        self._kiosk_id = kiosk_id
        self._location = location
        self._dev = devices
        self._retry_credit = retry_credit
        self._retry_refund = retry_refund
        self._restart = request_restart

    def set_restart(self, request_restart: Callable[[], None]) -> None:
        """Who restarts the app (the UI stops its loop; systemd's Restart=always starts it)."""
        self._restart = request_restart

    @property
    def can_restart(self) -> bool:
        return self._restart is not None

    # Transactions ------------------------------------------------------------------------

    def needing_attention(self) -> list:
        return self.journal.needing_attention()

    def retrying(self) -> list:
        """Rows the kiosk is retrying by itself (not a person's case, shown apart)."""
        return self.journal.retrying()

    def safe_actions(self, txn) -> tuple[str, ...]:
        """What may be done to this row: credit/refund only when money was taken; a retrying
        row may only be retried now (its outcome is still the money engine's)."""
        if txn.retrying:
            return ("retry_now",)
        if txn.state != ATTENTION:
            return ()
        if txn.method == "octopus":  # never reversible at the terminal: cash, by a person
            return cash_refund.safe_actions(txn, self.journal.events(txn.id))
        if was_paid(self.journal.events(txn.id)):
            return ("retry_credit", "refund", "resolve")
        return ("resolve",)

    def retry_credit(self, session: MaintenanceSession, txn_id: str) -> ActionResult:
        return self._run(session, "retry_credit", lambda: self._do_retry_credit(txn_id), txn=txn_id)

    def retry_now(self, session: MaintenanceSession, txn_id: str) -> ActionResult:
        """Make a retrying row due at once; the reconciler's next pass retries it."""
        def work() -> tuple[str, dict]:
            txn = self.journal.retry_now(txn_id, who=session.operator_id)
            return ("ok" if txn.retrying else "not_retrying"), {}
        return self._run(session, "retry_now", work, txn=txn_id)

    def refund(self, session: MaintenanceSession, txn_id: str) -> ActionResult:
        return self._run(session, "refund", lambda: self._do_refund(txn_id), txn=txn_id)

    def resolve(self, session: MaintenanceSession, txn_id: str, note: str) -> ActionResult:
        return self._run(session, "resolve", lambda: self._do_resolve(session, txn_id, note),
                         txn=txn_id, note=note)

    def refunded_in_cash(self, session: MaintenanceSession, txn_id: str, amount_cents: int,
                         note: str) -> ActionResult:
        """An operator gave an Octopus payment back in cash (``cash_refund``): the row ends
        ``refunded_manually`` with who, how much and why in its history; audited."""
        return self._run(session, "refunded_in_cash",
                         lambda: cash_refund.record(self, session, txn_id, amount_cents, note),
                         txn=txn_id, amount_cents=amount_cents, note=note)

    def _do_retry_credit(self, txn_id: str) -> tuple[str, dict]:
        txn = self.journal.get(txn_id)
        if txn.state == "credited":
            return "already_credited", {"topup_id": txn.topup_id}
        self._require(txn, "retry_credit")
        already = self._credit_done_at_backend(txn)
        after = self._retry_credit(txn_id)
        if after.state == "credited":
            return ("already_credited" if already else "credited"), {"topup_id": after.topup_id}
        return after.state, {"reason": after.attention_reason or ""}

    def _do_refund(self, txn_id: str) -> tuple[str, dict]:
        txn = self.journal.get(txn_id)
        if txn.state == "refunded":
            return "already_refunded", {}
        if txn.state == "credited":
            raise ActionRefused("already_credited")
        self._require(txn, "refund")
        if self._credit_done_at_backend(txn):
            # The plan was credited after all (the answer had been lost): a refund would pay twice.
            raise ActionRefused("already_credited")
        after = self._retry_refund(txn_id)
        return after.state, {"reason": after.attention_reason or ""}

    def _do_resolve(self, session, txn_id: str, note: str) -> tuple[str, dict]:
        note = (note or "").strip()
        if not note:
            raise ActionRefused("note_required")
        txn = self.journal.get(txn_id)
        if txn.state == "resolved":
            return "already_resolved", {}
        self._require(txn, "resolve")
        detail = {"operator_id": session.operator_id, "note": note}
        self.journal.note(txn_id, "operator_note", detail)
        self.journal.advance(txn_id, "resolved", detail=detail)
        return "resolved", {}

    def _require(self, txn, action: str) -> None:
        if action not in self.safe_actions(txn):
            raise ActionRefused(f"not_allowed_in_{txn.state}")
        if (action == "retry_credit" and self._retry_credit is None) or \
                (action == "refund" and self._retry_refund is None):
            raise ActionRefused("not_available")

    def _credit_done_at_backend(self, txn) -> bool:
        backend = self._dev.backend
        if backend is None:
            return False
        topup = backend.get_topup(txn.credit_key)
        return topup is not None and topup.status == "credited"

    # Devices and service ----------------------------------------------------------------

    def test_print(self, session: MaintenanceSession) -> ActionResult:
        def work():
            printer = self._need(self._dev.printer, "no_printer")
            printer.print_receipt(printouts.test_page(self._kiosk_id, self._location,
                                                      self._clock.now()))
            return "printed", {}
        return self._run(session, "test_print", work)

    def terminal_status(self, session: MaintenanceSession) -> ActionResult:
        def work():
            status = self._need(self._dev.terminal, "no_terminal").status()
            self._health.set_device_status("card_terminal", status)
            return status.state.value, {"detail": status.detail}
        return self._run(session, "terminal_status", work)

    def settle(self, session: MaintenanceSession) -> ActionResult:
        """SETTLE at the terminal, then close the journal's batch (a repeat replays the answer)."""
        def work():
            terminal = self._need(self._dev.terminal, "no_terminal")
            batch = self.journal.current_batch()
            result = terminal.settle(f"{self._kiosk_id}-S{batch:05d}")
            if result.result != "APPROVED":
                return f"terminal_{result.result.lower()}", {"batch_no": batch, "rc": result.rc}
            self.journal.close_batch({"ecr_ref": result.ecr_ref, "rc": result.rc})
            return "settled", {"batch_no": batch}
        return self._run(session, "settle", work)

    def print_settlement(self, session: MaintenanceSession, day=None) -> ActionResult:
        def work():
            report = self.journal.report(day or self.journal.today())
            printer = self._need(self._dev.printer, "no_printer")
            printer.print_receipt(printouts.settlement_page(report, self._kiosk_id))
            return "printed", {"day": report.day.isoformat(), "count": report.count}
        return self._run(session, "print_settlement", work)

    def paper_replaced(self, session: MaintenanceSession) -> ActionResult:
        def work():
            self._health.paper_replaced()
            return "alert_cleared", {}
        return self._run(session, "paper_replaced", work)

    def take_out_of_service(self, session: MaintenanceSession) -> ActionResult:
        def work():
            self._health.switch_off("operator")
            return "out_of_service", {}
        return self._run(session, "take_out_of_service", work)

    def put_in_service(self, session: MaintenanceSession) -> ActionResult:
        def work():
            self._health.switch_on()
            return self._health.snapshot().state, {}
        return self._run(session, "put_in_service", work)

    def restart_app(self, session: MaintenanceSession) -> ActionResult:
        def work():
            self._need(self._restart, "not_available")()
            return "restarting", {}
        return self._run(session, "restart_app", work)

    # Plumbing ----------------------------------------------------------------------------

    @staticmethod
    def _need(thing, missing: str):
        if thing is None:
            raise ActionRefused(missing)
        return thing

    def _run(self, session: MaintenanceSession, action: str, work, **detail) -> ActionResult:
        session.touch()
        try:
            outcome, extra = work()
            ok = True
        except ActionRefused as e:
            outcome, extra, ok = e.outcome, {}, False
        except Exception as e:  # a device or backend error: shown, audited, nothing half-done
            log.warning("maintenance action %s failed: %s", action, e)
            outcome, extra, ok = "failed", {"error": type(e).__name__, "message": str(e)}, False
        self._audit.record(session.operator_id, action, outcome, **detail, **extra)
        return ActionResult(action, ok, outcome, extra)
