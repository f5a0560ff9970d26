"""The customer flow, declared once: the states a customer passes through and the facts that move them.

The machine knows no screen, backend or device. Side effects (the screen router, the purchase
service, the audit log) are listeners; guards look only at the arguments of the event.

Money-moving states (``paying_qr``, ``paying_card``, ``paying_octopus``, ``crediting``,
``refunding``) have no way
back to ``attract``: a timeout or a Cancel there is an internal transition that stays on the
screen (the controller asks the purchase service to cancel safely) until the purchase service
reports a definite outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

log = logging.getLogger(__name__)

__all__ = ["CustomerFlow", "FlowAudit", "JournalLink", "TransitionNotAllowed", "MONEY_STATES",
           "IDLE_STATES", "RESULT_STATES", "CUSTOMER_STATES"]

MONEY_STATES = frozenset({"paying_qr", "paying_card", "crediting", "refunding"})
MONEY_STATES |= {"paying_octopus"}  # Octopus: tap, retap; never times out to attract
MONEY_STATES |= {"paying_scan"}  # scan to pay: the customer shows a wallet code
# Screens waiting for the customer's next step: idle timeout with the "still there?" warning.
IDLE_STATES = frozenset({"entering_number", "looking_up", "card_shown", "confirming"})
# Screens saying how it ended: they return to attract after the result time.
RESULT_STATES = frozenset({"done", "refunded", "needs_attention", "retrying", "payment_failed",
                           "lookup_failed"})
# States a customer can walk away from: a timeout or Cancel returns to attract and wipes the session.
CUSTOMER_STATES = IDLE_STATES | RESULT_STATES


class CustomerFlow(StateMachine):
    """The customer flow (see the README); strict: an event not allowed in a state raises.

    Event names are past-tense facts; three differ from the state they lead to because a state
    and an event cannot share a name: ``lookup_went_wrong`` → ``lookup_failed``,
    ``refund_completed`` → ``refunded``, ``attention_needed`` → ``needs_attention``;
    ``retry_scheduled`` → ``retrying`` (the payment is safe, the kiosk settles it by itself).
    """

    attract = State(initial=True)
    entering_number = State()
    looking_up = State()
    card_shown = State()
    lookup_failed = State()
    confirming = State()
    paying_qr = State()
    paying_card = State()
    paying_octopus = State()
    crediting = State()
    done = State()
    refunding = State()
    refunded = State()
    needs_attention = State()
    retrying = State()
    payment_failed = State()
    out_of_service = State()
    maintenance = State()

    # The customer's way forward.
    started = attract.to(entering_number)
    number_entered = entering_number.to(looking_up, cond="number_is_valid")
    subscriber_found = looking_up.to(card_shown)
    lookup_went_wrong = looking_up.to(lookup_failed)
    offer_chosen = card_shown.to(confirming)
    method_chosen = confirming.to(paying_card, cond="is_card") | confirming.to(
        paying_octopus, cond="is_octopus"
    ) | confirming.to(
        paying_qr, unless=["is_card", "is_octopus"]
    )
    went_back = (
        confirming.to(card_shown)
        | card_shown.to(entering_number)
        | lookup_failed.to(entering_number)
        | payment_failed.to(confirming)
    )

    # What the purchase service reports.
    qr_ready = paying_qr.to.itself(internal=True)
    card_progressed = paying_card.to.itself(internal=True) | paying_octopus.to.itself(
        internal=True)
    paid = paying_qr.to(crediting) | paying_card.to(crediting) | paying_octopus.to(crediting)
    card_declined = paying_card.to(payment_failed) | paying_octopus.to(payment_failed)
    payment_cancelled = (paying_qr.to(payment_failed) | paying_card.to(payment_failed)
                         | paying_octopus.to(payment_failed))
    credited = (crediting.to(done) | paying_qr.to(done) | paying_card.to(done)
                | paying_octopus.to(done))
    credit_rejected = crediting.to(refunding)
    refund_completed = refunding.to(refunded) | crediting.to(refunded)
    attention_needed = (
        paying_qr.to(needs_attention)
        | paying_card.to(needs_attention)
        | paying_octopus.to(needs_attention)
        | crediting.to(needs_attention)
        | refunding.to(needs_attention)
    )
    retry_scheduled = (
        paying_qr.to(retrying)
        | paying_card.to(retrying)
        | paying_octopus.to(retrying)
        | crediting.to(retrying)
        | refunding.to(retrying)
    )

    # The customer walks away or taps Cancel: wipe and restart, except while money moves.
    # One set of transitions, two events: listeners tell them apart by the event's name.
    timed_out = cancelled = (
        entering_number.to(attract)
        | looking_up.to(attract)
        | card_shown.to(attract)
        | confirming.to(attract)
        | lookup_failed.to(attract)
        | done.to(attract)
        | refunded.to(attract)
        | needs_attention.to(attract)
        | retrying.to(attract)
        | payment_failed.to(attract)
        | paying_qr.to.itself(internal=True)
        | paying_card.to.itself(internal=True)
        | paying_octopus.to.itself(internal=True)
    )

    # Scan to pay (the customer shows a wallet payment code): the scanner is on while
    # paying_scan is shown; each code read starts a scan order (code_read); a definite failure
    # stays on the screen for another code (scan_failed); "confirm on your phone"
    # (confirm_on_phone); the outcomes are the purchase service's, as for the other methods.
    paying_scan = State()
    scan_chosen = confirming.to(paying_scan)
    code_read = paying_scan.to.itself(internal=True)
    confirm_on_phone = paying_scan.to.itself(internal=True)
    scan_failed = paying_scan.to.itself(internal=True)
    paid = paid | paying_scan.to(crediting)
    payment_cancelled = payment_cancelled | paying_scan.to(payment_failed)
    credited = credited | paying_scan.to(done)
    refund_completed = refund_completed | paying_scan.to(refunded)
    attention_needed = attention_needed | paying_scan.to(needs_attention)
    retry_scheduled = retry_scheduled | paying_scan.to(retrying)
    timed_out = cancelled = timed_out | paying_scan.to.itself(internal=True)

    # Service state and operators.
    went_out_of_service = attract.to(out_of_service)
    came_back = out_of_service.to(attract)
    maintenance_opened = (
        attract.to(maintenance)
        | out_of_service.to(maintenance)
        | entering_number.to(maintenance)
        | card_shown.to(maintenance)
        | confirming.to(maintenance)
        | lookup_failed.to(maintenance)
        | done.to(maintenance)
        | refunded.to(maintenance)
        | needs_attention.to(maintenance)
        | retrying.to(maintenance)
        | payment_failed.to(maintenance)
    )
    maintenance_closed = maintenance.to(attract)

    # Guards: pure looks at the event's arguments.
    def number_is_valid(self, number=None) -> bool:
        return number is not None

    def is_card(self, method: str = "") -> bool:
        return method == "card"

    def is_octopus(self, method: str = "") -> bool:
        return method == "octopus"

    @property
    def state(self) -> str:
        """The current state's name."""
        return str(self.current_state_value)

    def can(self, event: str) -> bool:
        """Whether *event* has a transition from the current state (guards not evaluated)."""
        return any(e.id == event for e in self.allowed_events)


class FlowAudit:
    """A listener that logs every transition (the audit trail of the customer flow)."""

    def after_transition(self, event: str, source, target) -> None:
        log.info("flow: %s --%s--> %s", source.id, event, target.id)


class JournalLink:
    """A listener that writes the customer's side of a purchase into the journal's event table:
    a Cancel or a screen deadline while money moves (the outcome itself is the money engine's)."""

    def __init__(self, journal, txn_id: Callable[[], str | None]):
        self._journal = journal
        self._txn_id = txn_id

    def after_transition(self, event: str, source, target) -> None:
        if event not in ("cancelled", "timed_out") or source.id not in MONEY_STATES:
            return
        txn_id = self._txn_id()
        if txn_id is None:
            return
        kind = "customer_cancel" if event == "cancelled" else "screen_deadline"
        try:
            self._journal.note(txn_id, kind, {"state": source.id})
        except Exception:  # a note is a record, not a step: the payment's safety does not hang on it
            log.exception("%s: %s not noted in the journal", txn_id, kind)
