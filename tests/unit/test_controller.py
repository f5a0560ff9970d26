"""The controller against fakes: intents, look-ups, purchase events, timeouts, health.

The fakes here (``FakePurchases``, ``subscriber``, ``make_controller``) are shared by the other
controller and flow tests.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from contract.clock import FakeClock
from kiosk import settings as settings_mod
from kiosk.backend.errors import Ambiguous, NotFound
from kiosk.flow.controller import Controller
from kiosk.flow.post_queue import PostQueue
from kiosk.money.events import (
    CardProgress,
    Credited,
    Declined,
    Paid,
    QrReady,
    Refunded,
)


@dataclass(frozen=True)
class Offer:
    quote_id: str
    plan_id: str
    name: dict
    data_mb: int
    validity_days: int
    price_cents: int
    list_price_cents: int
    promotion: object = None
    valid_until: object = None
    new_expires_at: object = None


@dataclass(frozen=True)
class Balance:
    data_mb_left: int | None
    expires_at: datetime


@dataclass(frozen=True)
class Subscriber:
    msisdn: str
    status: str = "active"
    real_name_registered: bool = True
    card: object = None
    owner_hint: str | None = "CHAN T** M***"
    balance: Balance = Balance(1229, datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC))
    limits: object = None
    offers: tuple = ()


OFFERS = (
    Offer("q-1", "HK-30D-10GB", {"en": "30 days 10GB", "zh-Hant": "30日 10GB", "zh-Hans": "30日 10GB"},
          10240, 30, 8820, 9800),
    Offer("q-2", "HK-1D-1GB", {"en": "Day pass 1GB", "zh-Hant": "日票 1GB", "zh-Hans": "日票 1GB"},
          1024, 1, 1800, 1800),
)


def subscriber(msisdn: str = "85291234567", **kw) -> Subscriber:
    return Subscriber(msisdn=msisdn, offers=kw.pop("offers", OFFERS), **kw)


@dataclass
class FakePurchases:
    """Records what the controller asks; the test plays the purchase service's events."""

    started: list = field(default_factory=list)
    cancels: int = 0
    busy: bool = False
    fail_start: bool = False

    def start_qr(self, subscriber, offer, method, language):
        return self._start(method)

    def start_card(self, subscriber, offer, language):
        return self._start("card")

    def _start(self, method):
        if self.fail_start:
            raise RuntimeError("journal full")
        self.busy = True
        txn_id = f"K01-20261125-{len(self.started) + 1:06d}"
        self.started.append((txn_id, method))
        return txn_id

    def cancel(self):
        self.cancels += 1

    def subscribe(self, listener):
        self.listener = listener
        return lambda: None


class Backend:
    """A fake ``get_subscriber``: a dict of answers, or an exception to raise."""

    def __init__(self):
        self.answers = {"85291234567": subscriber(), "8613812345678": subscriber("8613812345678")}
        self.calls = []

    def __call__(self, msisdn):
        self.calls.append(msisdn)
        answer = self.answers.get(msisdn)
        if answer is None:
            raise NotFound("no such subscriber", "subscriber_not_found", 404)
        if isinstance(answer, Exception):
            raise answer
        return answer


@dataclass
class Rig:
    controller: Controller
    purchases: FakePurchases
    backend: Backend
    post: PostQueue
    clock: FakeClock
    seen: list

    def emit(self, event):
        """The purchase service reports *event* (from its worker); the UI thread runs it."""
        self.purchases.listener(event)
        self.post.run_pending()

    def txn(self):
        return self.purchases.started[-1][0]

    def advance(self, seconds):
        self.clock.advance(seconds)
        self.controller.tick()
        self.post.run_pending()


def make_settings(**flow):
    s = settings_mod.load()
    return dataclasses.replace(s, flow=dataclasses.replace(s.flow, **flow)) if flow else s


def make_rig(settings=None, run_in_worker=lambda fn: fn()) -> Rig:
    settings = settings or make_settings()
    clock, post, purchases, backend = FakeClock(), PostQueue(), FakePurchases(), Backend()
    controller = Controller(settings, backend, purchases, post, clock,
                            run_in_worker=run_in_worker)
    seen = []
    controller.subscribe(lambda state, view: seen.append(state))
    return Rig(controller, purchases, backend, post, clock, seen)


def to_confirming(rig: Rig, digits="91234567", country="852", quote_id="q-1") -> None:
    c = rig.controller
    c.start()
    c.set_country(country)
    for d in digits:
        c.press_digit(d)
    c.submit_number()
    rig.post.run_pending()
    c.choose_offer(quote_id)


@pytest.fixture
def rig():
    return make_rig()


def qr_ready(rig, seconds=120):
    expires = datetime.fromtimestamp(rig.clock.now(), UTC) + timedelta(seconds=seconds)
    rig.emit(QrReady(rig.txn(), "wxp://pay/abc", expires, 8820, "wechatpay"))


# -- the happy paths --------------------------------------------------------------------------
def test_qr_happy_path_shows_card_offers_qr_and_new_balance(rig):
    c = rig.controller
    to_confirming(rig)
    assert c.state == "confirming"
    assert c.view.number_display == "+852 9123 4567"
    assert c.view.amount_cents == 8820
    assert c.view.methods == ("wechatpay", "alipayhk", "fps", "payme", "card")
    c.pay("wechatpay")
    assert c.state == "paying_qr" and rig.purchases.started == [(rig.txn(), "wechatpay")]
    qr_ready(rig)
    assert c.view.qr_payload == "wxp://pay/abc" and c.view.seconds_left is None
    rig.emit(Paid(rig.txn()))
    assert c.state == "crediting"
    new_balance = Balance(11469, datetime(2026, 12, 31, tzinfo=UTC))
    rig.emit(Credited(rig.txn(), new_balance, "T1"))
    assert c.state == "done" and c.view.balance == new_balance
    assert c.view.txn_id == rig.txn()
    assert c.view.receipt_status == "no_printer"


def test_card_path_shows_terminal_prompts(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("card")
    assert c.state == "paying_card"
    rig.emit(CardProgress(rig.txn(), "PRESENT_CARD"))
    assert c.view.terminal_stage == "PRESENT_CARD"
    rig.emit(CardProgress(rig.txn(), "PIN_ENTRY"))
    assert c.view.terminal_stage == "PIN_ENTRY"
    rig.emit(Paid(rig.txn()))
    rig.emit(Credited(rig.txn(), None, "T2"))
    assert c.state == "done"


def test_double_tap_on_pay_starts_one_purchase(rig):
    to_confirming(rig)
    rig.controller.pay("wechatpay")
    rig.controller.pay("wechatpay")
    rig.controller.pay("card")
    assert len(rig.purchases.started) == 1


def test_decline_then_another_method(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("card")
    rig.emit(Declined(rig.txn(), "declined", "05"))
    assert c.state == "payment_failed" and c.view.failure == "declined"
    rig.purchases.busy = False
    c.retry()
    assert c.state == "confirming"
    c.pay("fps")
    assert c.state == "paying_qr" and len(rig.purchases.started) == 2


def test_credit_rejected_ends_refunded(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("wechatpay")
    rig.emit(Paid(rig.txn()))
    rig.emit(Refunded(rig.txn()))
    assert c.state == "refunded" and c.view.txn_id == rig.txn()


def test_events_of_another_transaction_are_ignored(rig):
    c = rig.controller
    to_confirming(rig)
    c.pay("wechatpay")
    rig.emit(Paid("K01-20261125-999999"))
    assert c.state == "paying_qr"


def test_purchase_that_cannot_start_takes_no_money_and_says_so(rig):
    rig.purchases.fail_start = True
    to_confirming(rig)
    rig.controller.pay("wechatpay")
    assert rig.controller.state == "payment_failed"
    assert rig.controller.view.failure == "unavailable"


# -- numbers ------------------------------------------------------------------------------------
def test_number_is_formatted_as_typed_and_capped(rig):
    c = rig.controller
    c.start()
    for d in "912345678":
        c.press_digit(d)
    assert c.view.digits == "91234567" and c.view.number_formatted == "9123 4567"


@pytest.mark.parametrize("country,digits,code", [
    ("852", "9123456", "too_short"),
    ("852", "23456789", "landline"),
    ("86", "91234567", "looks_hk"),
    ("86", "12345678901", "bad_prefix"),
])
def test_bad_numbers_are_explained_before_any_backend_call(rig, country, digits, code):
    c = rig.controller
    c.start()
    c.set_country(country)
    for d in digits:
        c.press_digit(d)
    c.submit_number()
    assert c.state == "entering_number" and c.view.number_error == code
    assert rig.backend.calls == []


def test_a_digit_on_attract_starts_with_that_digit(rig):
    rig.controller.press_digit("9")
    assert rig.controller.state == "entering_number" and rig.controller.view.digits == "9"


# -- the expiry texts ------------------------------------------------------------------------------
def test_the_view_says_how_far_off_the_expiry_is_on_the_injected_clock(rig):
    """The card expires 1 Dec 2026 23:59:59 HKT; the fake clock reads 18 Nov, 19:06 HKT."""
    c = rig.controller
    c.set_language("en")
    to_confirming(rig)
    expiry = c.view.card_expiry
    assert (expiry.date_line, expiry.state, expiry.revival) == (
        "Valid until 1 December 2026", "Expires in 13 days", "")
    assert c.view.plan_expiry == ""  # these offers carry no new_expires_at: nothing is said
    rig.clock.advance(13 * 86_400)
    c.set_language("zh-Hant")  # texts are made again in the new language, on the clock's day
    assert c.view.card_expiry.state == "今日到期"


def test_confirming_says_the_new_expiry_or_that_an_add_on_keeps_it(rig):
    current = Subscriber("x").balance.expires_at
    offers = (dataclasses.replace(OFFERS[0], new_expires_at=current + timedelta(days=30)),
              dataclasses.replace(OFFERS[1], quote_id="q-add", validity_days=0,
                                  new_expires_at=current))
    rig.backend.answers["85291234567"] = subscriber(offers=offers)
    rig.controller.set_language("en")
    to_confirming(rig)
    assert rig.controller.view.plan_expiry == "New expiry: 31 December 2026"
    rig.controller.back()
    rig.controller.choose_offer("q-add")
    assert rig.controller.view.plan_expiry == "Keeps your current expiry: 1 December 2026"


def test_an_expired_card_with_offers_is_shown_and_can_be_topped_up(rig):
    expired = Balance(0, datetime(2026, 11, 17, 15, 59, 59, tzinfo=UTC))
    rig.backend.answers["85291234567"] = subscriber(status="expired", balance=expired)
    rig.controller.set_language("en")
    to_confirming(rig)
    assert rig.controller.state == "confirming"
    expiry = rig.controller.view.card_expiry
    assert (expiry.state, expiry.expired) == ("Expired yesterday", True) and expiry.revival


# -- look-up failures ----------------------------------------------------------------------------
@pytest.mark.parametrize("answer,reason", [
    (None, "not_found"),
    (Ambiguous("timeout"), "backend_unavailable"),
    (subscriber("85291234567", status="suspended"), "suspended"),
    (subscriber("85291234567", status="expired", offers=()), "expired"),
    (subscriber("85291234567", real_name_registered=False), "not_registered"),
    (subscriber("85291234567", offers=()), "no_offers"),
])
def test_lookup_failures_say_why(rig, answer, reason):
    rig.backend.answers["85291234567"] = answer
    to_confirming(rig)
    assert rig.controller.state == "lookup_failed" and rig.controller.view.failure == reason
    rig.controller.back()
    assert rig.controller.state == "entering_number" and rig.controller.view.digits == "91234567"


def test_late_lookup_answer_after_cancel_is_ignored():
    jobs = []
    rig = make_rig(run_in_worker=jobs.append)
    c = rig.controller
    c.start()
    for d in "91234567":
        c.press_digit(d)
    c.submit_number()
    c.cancel()
    jobs[0]()
    rig.post.run_pending()
    assert c.state == "attract" and c.view.subscriber is None
