"""Done: the plan is credited; the new balance and expiry, the reference, the receipt.

When there is no paper receipt, the e-receipt QR is shown instead (the flow never waits for paper).
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

import screens.widgets.qr_view  # noqa: F401  (done.kv's QrView)
from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.text import _, data_amount, date_text, localized, money


def receipt_text(status: str | None, language: str) -> str:
    """What the customer should do about the receipt, by ``view.receipt_status``."""
    texts = {
        "printing": _("done.receipt.printing", language),
        "printed": _("done.receipt.printed", language),
        "paper_out": _("done.receipt.paper_out", language),
        "no_printer": _("done.receipt.no_printer", language),
    }
    return texts.get(status or "printing") or _("done.receipt.failed", language)


class DoneScreen(KioskScreen):
    keypad = {"enter": "controller.cancel"}
    plan = StringProperty("")
    data_left = StringProperty("")
    expires = StringProperty("")
    reference = StringProperty("")
    receipt = StringProperty("")
    receipt_problem = BooleanProperty(False)
    e_receipt = StringProperty("")
    octopus = StringProperty("")  # "Octopus remaining value HK$123.40" after an Octopus payment

    def render(self, view) -> None:
        lang = view.language
        self.octopus = (_("done.octopus_remaining", lang,
                          amount=money(view.remaining_value_cents))
                        if view.method == "octopus" and view.remaining_value_cents is not None
                        else "")
        self.plan = localized(view.offer.name, lang) if view.offer else ""
        if view.balance is not None:
            self.data_left = data_amount(view.balance.data_mb_left, lang)
            self.expires = date_text(view.balance.expires_at, lang)
        self.reference = view.txn_id or ""
        self.receipt = receipt_text(view.receipt_status, lang)
        self.receipt_problem = view.receipt_status not in (None, "printing", "printed")
        # The e-receipt QR whenever there is no paper receipt to take.
        self.e_receipt = (view.e_receipt or "") if self.receipt_problem else ""


load_beside(__file__)
