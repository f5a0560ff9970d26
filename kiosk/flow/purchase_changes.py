"""Purchase events → flow events and view changes: the one place they are mapped."""

from __future__ import annotations

from kiosk.money import events as ev

# Hold refusals the customer is told apart (docs/backend-contract.md "Holds"); others read as
# "hold.other".
HOLD_REASONS = ("monthly_cap_exceeded", "plan_not_eligible", "quote_expired")


def hold_failure(reason: str) -> str:
    """The view's ``failure`` for a refused hold: ``hold.<reason>`` (a known one) or
    ``hold.other``."""
    return f"hold.{reason if reason in HOLD_REASONS else 'other'}"


OCTOPUS_DECLINES = ("IV", "BL", "LM")  # not enough value, card blocked, over the limit


def decline_failure(event) -> str:
    """The view's ``failure`` for a decline: ``octopus.<rc>`` for the Octopus codes the
    customer can act on, else ``declined``."""
    if event.reason == "octopus" and event.rc in OCTOPUS_DECLINES:
        return f"octopus.{event.rc}"
    return "declined"


def purchase_changes(event) -> tuple[str | None, dict]:
    """The flow event and the view changes a purchase event brings; (None, {}) for an unknown one."""
    if isinstance(event, ev.QrReady):
        return "qr_ready", {"qr_payload": event.qr_payload, "qr_expires_at": event.expires_at,
                            "amount_cents": event.amount_cents}
    if isinstance(event, ev.CardProgress):
        return "card_progressed", {"terminal_stage": event.stage}
    if isinstance(event, ev.Paid):
        return "paid", {"cancelling": False, "remaining_value_cents": event.remaining_value_cents}
    if isinstance(event, ev.Credited):
        return "credited", {"balance": event.balance, "cancelling": False}
    if isinstance(event, ev.Declined):
        return "card_declined", {"failure": decline_failure(event), "cancelling": False}
    if isinstance(event, ev.PaymentCancelled):
        return "payment_cancelled", {"failure": event.reason, "cancelling": False}
    if isinstance(event, ev.HoldRefused):  # refused before paying: nothing was charged
        return "payment_cancelled", {"failure": hold_failure(event.reason), "cancelling": False}
    if isinstance(event, ev.CreditRejected):
        return "credit_rejected", {"failure": event.reason, "cancelling": False}
    if isinstance(event, ev.Refunded):
        return "refund_completed", {"cancelling": False}
    if isinstance(event, ev.Retrying):
        return "retry_scheduled", {"failure": event.reason, "cancelling": False}
    if isinstance(event, ev.NeedsAttention):
        return "attention_needed", {"failure": event.reason, "cancelling": False}
    if isinstance(event, ev.ConfirmOnPhone):
        return "confirm_on_phone", {"scan_stage": "confirm_on_phone", "scan_error": None}
    if isinstance(event, ev.ScanFailed):  # nothing taken: the customer may show another code
        return "scan_failed", {"scan_stage": None, "scan_error": event.reason,
                               "cancelling": False}
    return None, {}
