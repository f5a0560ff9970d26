"""Confirm and pay: the full number once, the plan, the price; a payment button is the confirmation."""

from __future__ import annotations

from kivy.properties import ListProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.text import localized, money, offer_detail
from screens.widgets.buttons import KioskButton


class PayButton(KioskButton):
    """Pays with ``method``. A second tap is harmless: the controller finds the flow already
    paying (one purchase at a time is the money engine's rule, not the screen's)."""

    method = StringProperty("")


class MethodBar(GridLayout):
    methods = ListProperty([])


class ConfirmingScreen(KioskScreen):
    focus_first = "PayButton"
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

    def pay(self, button: PayButton) -> None:
        # A second tap acts once: the controller finds the flow already paying.
        self.controller.pay(button.method)

    def _build_buttons(self) -> None:
        bar = self.ids.methods
        bar.clear_widgets()
        for method in self.methods:  # one button per method, kept (see card_shown)
            if method not in self._buttons:
                self._buttons[method] = PayButton(method=method, kind="primary")
                self._buttons[method].bind(on_release=self.pay)
            bar.add_widget(self._buttons[method])


load_beside(__file__)
