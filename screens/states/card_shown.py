"""The customer's card: type, data left, expiry and how far off, masked owner, and the offers."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from contract.redact import mask_phone
from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.text import _, data_amount, localized, money, offer_detail
from screens.widgets.clipped_scroll import ClippedScrollView  # noqa: F401 (card_shown.kv)


class OfferTile(ButtonBehavior, BoxLayout):
    """One offer: name, data and days, price (list price struck through under a promotion)."""

    quote_id = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")
    price = StringProperty("")
    list_price = StringProperty("")
    promotion = StringProperty("")
    pressed = BooleanProperty(False)

    def on_state(self, _instance, state: str) -> None:
        self.pressed = state == "down"


def offer_texts(offer, language: str) -> dict[str, str]:
    """What an offer tile shows, in *language*."""
    struck = offer.promotion is not None and offer.list_price_cents > offer.price_cents
    return {
        "quote_id": offer.quote_id,
        "title": localized(offer.name, language),
        "detail": offer_detail(offer, language),
        "price": money(offer.price_cents),
        "list_price": money(offer.list_price_cents) if struck else "",
        "promotion": localized(offer.promotion.label, language) if offer.promotion else "",
    }


class CardShownScreen(KioskScreen):
    focus_first = "OfferTile"
    number = StringProperty("")
    card_type = StringProperty("")
    owner_hint = StringProperty("")
    data_left = StringProperty("")
    expiry_date = StringProperty("")
    expiry_state = StringProperty("")
    revival = StringProperty("")
    expired = BooleanProperty(False)

    def __init__(self, **kwargs):
        self._spare_tiles: list[OfferTile] = []
        super().__init__(**kwargs)

    def render(self, view) -> None:
        subscriber, lang = view.subscriber, view.language
        if subscriber is None:
            return
        self.number = mask_phone(view.msisdn or "")  # the full number is shown once, on confirm
        self.card_type = _("card_type." + subscriber.card.type, lang)
        self.owner_hint = subscriber.owner_hint or ""
        self.data_left = data_amount(subscriber.balance.data_mb_left, lang)
        expiry = view.card_expiry  # texts made by kiosk.flow.expiry, in the view's language
        self.expiry_date = expiry.date_line if expiry else ""
        self.expiry_state = expiry.state if expiry else ""
        self.revival = expiry.revival if expiry else ""
        self.expired = bool(expiry and expiry.expired)
        self._show_offers(view.offers, lang)

    def _show_offers(self, offers, language: str) -> None:
        grid = self.ids.offers
        texts = [offer_texts(offer, language) for offer in offers]
        spare = self._spare_tiles
        # Tiles are kept for the next card rather than made anew: every Kivy Label created leaves
        # a callback behind in Kivy's metrics for good (bench/README.md, app soak).
        while len(grid.children) > len(texts):
            spare.append(grid.children[0])
            grid.remove_widget(spare[-1])
        while len(grid.children) < len(texts):
            grid.add_widget(spare.pop() if spare else OfferTile())
        for tile, values in zip(reversed(grid.children), texts, strict=True):
            for key, value in values.items():
                setattr(tile, key, value)


load_beside(__file__)
