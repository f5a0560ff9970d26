"""Refunded, retrying or needs attention: the reference, what happens next, and the hotline.

One screen class for the three states; its name (the state) picks the texts.
"""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.money.octopus_payment import INCOMPLETE_REASON, is_cash_refund
from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.text import _, money


def outcome_texts(state: str, language: str, view=None) -> tuple[str, str]:
    """(title, what happens next) for ``refunded`` / ``retrying`` / ``needs_attention``; an
    Octopus payment still being confirmed, or to be given back in cash, has its own texts."""
    special = octopus_outcome(state, view)
    if special:
        amount = money(view.amount_cents) if view.amount_cents is not None else ""
        return (_(f"outcome.octopus.{special}.title", language, amount=amount),
                _(f"outcome.octopus.{special}.body", language, amount=amount))
    if state in ("refunded", "retrying"):
        return _(f"outcome.{state}.title", language), _(f"outcome.{state}.body", language)
    return _("outcome.needs_attention.title", language), _("outcome.needs_attention.body", language)


def octopus_outcome(state: str, view) -> str | None:
    """``incomplete`` (being confirmed) or ``refund_in_cash`` (claim slip), else None."""
    if view is None or view.method != "octopus":
        return None
    if state == "retrying" and (view.failure or "") == INCOMPLETE_REASON:
        return "incomplete"
    if state == "needs_attention" and is_cash_refund(view.failure):
        return "refund_in_cash"
    return None


def slip_text(state: str, view, language: str) -> str:
    """What became of the claim slip (only for a cash refund)."""
    if octopus_outcome(state, view) != "refund_in_cash":
        return ""
    status = view.receipt_status or "printing"
    if status in ("printing", "printed"):
        return _(f"claim.slip.{status}", language)
    return _("claim.slip.failed", language)


class OutcomeScreen(KioskScreen):
    keypad = {"enter": "controller.cancel"}
    title = StringProperty("")
    body = StringProperty("")
    reference = StringProperty("")
    hotline = StringProperty("")
    slip = StringProperty("")

    def render(self, view) -> None:
        self.title, self.body = outcome_texts(self.name, view.language, view)
        self.slip = slip_text(self.name, view, view.language)
        self.reference = view.txn_id or ""
        self.hotline = view.hotline or ""


load_beside(__file__)
