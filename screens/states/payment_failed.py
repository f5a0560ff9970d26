"""The payment did not go through (declined, expired, cancelled): try another method or leave."""

from __future__ import annotations

from kivy.properties import StringProperty

from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.text import _


def failure_texts(reason: str | None, language: str) -> tuple[str, str]:
    """(title, body) for why the payment failed; an unknown reason reads as "not available"."""
    texts = {
        "declined": (_("payment_failed.declined.title", language),
                     _("payment_failed.declined.body", language)),
        "expired": (_("payment_failed.expired.title", language),
                    _("payment_failed.expired.body", language)),
        "customer": (_("payment_failed.customer.title", language),
                     _("payment_failed.customer.body", language)),
    }
    if reason and reason.startswith(("hold.", "octopus.")):  # before paying / an Octopus decline  # refused before paying (kiosk.flow.purchase_changes)
        return (_(f"payment_failed.{reason}.title", language),
                _(f"payment_failed.{reason}.body", language))
    return texts.get(reason or "") or (_("payment_failed.unavailable.title", language),
                                       _("payment_failed.unavailable.body", language))


class PaymentFailedScreen(KioskScreen):
    keypad = {"enter": "controller.back"}
    title = StringProperty("")
    body = StringProperty("")

    def render(self, view) -> None:
        self.title, self.body = failure_texts(view.failure, view.language)


load_beside(__file__)
