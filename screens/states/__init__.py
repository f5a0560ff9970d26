"""One screen per flow state; importing this package loads every screen's ``.kv``."""

from __future__ import annotations

import screens.widgets.buttons  # noqa: F401  (registers the widgets the .kv files use)
import screens.widgets.countdown  # noqa: F401
import screens.widgets.frame  # noqa: F401
import screens.widgets.keypad  # noqa: F401
import screens.widgets.qr_view  # noqa: F401
from screens.states.attract import AttractScreen
from screens.states.card_shown import CardShownScreen
from screens.states.confirming import ConfirmingScreen
from screens.states.done import DoneScreen
from screens.states.entering_number import EnteringNumberScreen
from screens.states.lookup_failed import LookupFailedScreen
from screens.states.out_of_service import OutOfServiceScreen
from screens.states.outcome import OutcomeScreen
from screens.states.paying_card import PayingCardScreen
from screens.states.paying_qr import PayingQrScreen
from screens.states.payment_failed import PaymentFailedScreen
from screens.states.waiting import WaitingScreen

# Flow state → its screen. Several states share a screen class; each gets its own instance,
# named after the state (the class picks its texts by that name).
SCREENS = {
    "attract": AttractScreen,
    "entering_number": EnteringNumberScreen,
    "looking_up": WaitingScreen,
    "card_shown": CardShownScreen,
    "lookup_failed": LookupFailedScreen,
    "confirming": ConfirmingScreen,
    "paying_qr": PayingQrScreen,
    "paying_card": PayingCardScreen,
    "crediting": WaitingScreen,
    "done": DoneScreen,
    "refunding": WaitingScreen,
    "refunded": OutcomeScreen,
    "needs_attention": OutcomeScreen,
    "payment_failed": PaymentFailedScreen,
    "out_of_service": OutOfServiceScreen,
}
