"""One screen per flow state, each imported (with its ``.kv``) when its screen is first built.

Only the attract screen is needed for the first frame; the router builds the others one per
frame afterwards (``screens.router``), so their modules are not imported before it either.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import screens.widgets.buttons  # noqa: F401  (registers the widgets the .kv files use)
import screens.widgets.frame  # noqa: F401
import screens.widgets.keypad  # noqa: F401

# Flow state → "module:class" of its screen. Several states share a screen class; each gets its
# own instance, named after the state (the class picks its texts by that name).
_CLASSES = {
    "attract": "attract:AttractScreen",
    "entering_number": "entering_number:EnteringNumberScreen",
    "looking_up": "waiting:WaitingScreen",
    "card_shown": "card_shown:CardShownScreen",
    "lookup_failed": "lookup_failed:LookupFailedScreen",
    "confirming": "confirming:ConfirmingScreen",
    "paying_qr": "paying_qr:PayingQrScreen",
    "paying_card": "paying_card:PayingCardScreen",
    "paying_octopus": "paying_octopus:PayingOctopusScreen",
    "crediting": "waiting:WaitingScreen",
    "done": "done:DoneScreen",
    "refunding": "waiting:WaitingScreen",
    "refunded": "outcome:OutcomeScreen",
    "needs_attention": "outcome:OutcomeScreen",
    "retrying": "outcome:OutcomeScreen",
    "payment_failed": "payment_failed:PaymentFailedScreen",
    "out_of_service": "out_of_service:OutOfServiceScreen",
}
_CLASSES["paying_scan"] = "paying_scan:PayingScanScreen"  # scan to pay


def screen_class(state: str) -> type:
    """The screen class of flow *state*, importing its module (and loading its .kv) if needed."""
    module, name = _CLASSES[state].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def _factory(state: str) -> Callable[..., object]:
    def build(**kwargs):
        return screen_class(state)(**kwargs)
    return build


SCREENS: dict[str, Callable[..., object]] = {state: _factory(state) for state in _CLASSES}
