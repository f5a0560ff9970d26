"""Confirm and pay: the full number once, the plan, the price; a payment button is the confirmation."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import ListProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.text import localized, money, offer_detail
from screens.widgets.buttons import KioskButton

REENABLE_AFTER_S = 2.0


class PayButton(KioskButton):
    """Pays with ``method``. The controller makes a second tap harmless; the button also stops
    listening after its first tap until the screen is shown again, so a frantic double tap sends
    one intent."""

    method = StringProperty("")


class MethodBar(GridLayout):
    methods = ListProperty([])


class ConfirmingScreen(KioskScreen):
    number = StringProperty("")
    plan = StringProperty("")
    detail = StringProperty("")
    expiry = StringProperty("")
    price = StringProperty("")
    list_price = StringProperty("")
    promotion = StringProperty("")
    total = StringProperty("")
    methods = ListProperty([])

    def __init__(self, **kwargs):
        self._buttons: dict[str, PayButton] = {}
        super().__init__(**kwargs)

    def render(self, view) -> None:
        offer, lang = view.offer, view.language
        self.number = view.number_display
        if offer is not None:
            promoted = offer.promotion is not None and offer.list_price_cents > offer.price_cents
            self.plan = localized(offer.name, lang)
            self.detail = offer_detail(offer, lang)
            self.expiry = view.plan_expiry  # made by kiosk.flow.expiry; "" when the backend is silent
            self.list_price = money(offer.list_price_cents) if promoted else ""
            self.promotion = localized(offer.promotion.label, lang) if offer.promotion else ""
            self.price = money(offer.price_cents)
            self.total = money(offer.price_cents)
        if list(view.methods) != self.methods:
            self.methods = list(view.methods)
            self._build_buttons()

    def on_pre_enter(self, *_args) -> None:
        for button in self.ids.methods.children:
            button.disabled = False

    def pay(self, button: PayButton) -> None:
        for other in self.ids.methods.children:
            other.disabled = True
        self.controller.pay(button.method)
        # Refused (say, the method just went away) and still here: let the customer choose again.
        Clock.schedule_once(self._enable_if_still_here, REENABLE_AFTER_S)

    def _enable_if_still_here(self, _dt) -> None:
        if self.manager is not None and self.manager.current == self.name:
            for button in self.ids.methods.children:
                button.disabled = False

    def _build_buttons(self) -> None:
        bar = self.ids.methods
        bar.clear_widgets()
        for method in self.methods:  # one button per method, kept (see card_shown)
            if method not in self._buttons:
                self._buttons[method] = PayButton(method=method, kind="primary")
                self._buttons[method].bind(on_release=self.pay)
            bar.add_widget(self._buttons[method])


load_beside(__file__)
