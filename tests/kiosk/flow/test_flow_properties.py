"""Random customers, random service results: the flow never gets inconsistent or buys twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.backend.errors import Ambiguous
from kiosk.flow.machine import MONEY_STATES
from kiosk.money.events import (
    CardProgress,
    Credited,
    Declined,
    NeedsAttention,
    Paid,
    PaymentCancelled,
    QrReady,
    Refunded,
)
from tests.kiosk.flow.rig import make_rig, subscriber

FORWARD = st.one_of(  # the common path, weighted in so that random customers get to pay
    st.tuples(st.just("to_confirming"), st.sampled_from(["91234567", "13812345678", "61234567",
                                                         "51234567"])),
    st.tuples(st.just("pay"), st.sampled_from(["wechatpay", "fps", "card"])),
    st.tuples(st.just("to_paying"), st.sampled_from(["wechatpay", "card"])),
    st.tuples(st.just("service"), st.sampled_from(["qr", "stage", "paid", "credited"])),
    st.tuples(st.just("service"), st.just("next")),
    st.tuples(st.just("close_maintenance"), st.none()),
    st.tuples(st.just("health"), st.just("all")),
)
INTENTS = st.one_of(
    FORWARD, FORWARD, FORWARD,
    st.tuples(st.just("start"), st.sampled_from([None, "en", "zh-Hans"])),
    st.tuples(st.just("set_language"), st.sampled_from(["zh-Hant", "zh-Hans", "en"])),
    st.tuples(st.just("set_country"), st.sampled_from(["852", "86"])),
    st.tuples(st.just("press_digit"), st.sampled_from(list("0123456789"))),
    st.tuples(st.just("type_number"), st.sampled_from(["91234567", "61234567", "13812345678",
                                                        "23456789", "51234567", "9123"])),
    st.tuples(st.just("backspace"), st.none()),
    st.tuples(st.just("submit_number"), st.none()),
    st.tuples(st.just("choose_offer"), st.sampled_from(["q-1", "q-2", "q-x"])),
    st.tuples(st.just("pay"), st.sampled_from(["wechatpay", "fps", "card", "alipay"])),
    st.tuples(st.just("cancel"), st.none()),
    st.tuples(st.just("back"), st.none()),
    st.tuples(st.just("still_here"), st.none()),
    st.tuples(st.just("wait"), st.sampled_from([1, 10, 50, 130])),
    st.tuples(st.just("open_maintenance"), st.none()),
    st.tuples(st.just("close_maintenance"), st.none()),
    st.tuples(st.just("health"), st.sampled_from(["all", "no_card", "none", "down"])),
    st.tuples(st.just("service"), st.sampled_from(
        ["qr", "stage", "paid", "credited", "declined", "cancelled", "refunded", "attention",
         "stale"])),
)
HEALTH = {"all": ({"wechatpay", "alipayhk", "fps", "payme", "card"}, True),
          "no_card": ({"wechatpay", "alipayhk", "fps", "payme"}, True),
          "none": (set(), True), "down": ({"card"}, False)}


NEXT = {"paying_qr": "paid", "paying_card": "paid", "crediting": "credited", "refunding": "refunded"}


def _service_event(rig, kind):
    if kind == "next":
        kind = NEXT.get(rig.controller.state, "credited")
    txn = rig.purchases.started[-1][0] if rig.purchases.started else "K01-none"
    if kind == "stale":
        txn = "K01-20200101-000001"
    expires = datetime.fromtimestamp(rig.clock.now(), UTC) + timedelta(seconds=120)
    return {"qr": QrReady(txn, "wxp://x", expires, 8820, "fps"), "stage": CardProgress(txn, "READING"),
            "paid": Paid(txn), "credited": Credited(txn, None, "T"),
            "declined": Declined(txn, "declined", "05"),
            "cancelled": PaymentCancelled(txn, "customer"), "refunded": Refunded(txn),
            "attention": NeedsAttention(txn, "x"), "stale": Paid(txn)}[kind]


def _do(rig, name, arg):
    c = rig.controller
    if name == "type_number":
        for d in arg:
            c.press_digit(d)
    elif name == "to_paying":
        _do(rig, "to_confirming", "91234567")
        c.pay(arg)
    elif name == "to_confirming":
        c.start()
        for _ in range(11):
            c.backspace()
        c.set_country("86" if len(arg) == 11 else "852")
        for d in arg:
            c.press_digit(d)
        c.submit_number()
        rig.post.run_pending()
        c.choose_offer("q-1")
    elif name == "wait":
        rig.advance(arg)
    elif name == "health":
        methods, ok = HEALTH[arg]
        c.set_health(methods, ok, "" if ok else "backend_down")
        rig.post.run_pending()
    elif name == "service":
        event = _service_event(rig, arg)
        rig.emit(event)
        if type(event).__name__ in ("Credited", "Declined", "PaymentCancelled", "Refunded",
                                    "NeedsAttention") and event.txn_id == rig.controller.view.txn_id:
            rig.purchases.busy = False  # that was a final outcome
    elif arg is None:
        getattr(c, name)()
    else:
        getattr(c, name)(arg)
    rig.post.run_pending()


def _check(rig, purchases_before, state_before):
    c, v = rig.controller, rig.controller.view
    assert c.state in {s.id for s in c.flow.states}
    if c.state == "attract":
        assert v.msisdn is None and v.subscriber is None and v.txn_id is None and v.digits == ""
        assert not v.warning
    if c.state in ("card_shown", "confirming"):
        assert v.subscriber is not None and v.offers
    if c.state == "confirming":
        assert v.offer is not None and v.amount_cents == v.offer.price_cents
    if c.state in MONEY_STATES | {"done", "refunded", "needs_attention"}:
        assert v.txn_id is not None
    if state_before in MONEY_STATES and c.state not in MONEY_STATES:
        assert c.state in ("done", "refunded", "needs_attention", "payment_failed")
    new = len(rig.purchases.started) - purchases_before
    assert new <= 1
    if new:  # a purchase starts only from the confirm screen, and the screen follows it
        assert c.state in ("paying_qr", "paying_card")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(INTENTS, max_size=40), st.booleans())
def test_random_intents_never_reach_an_inconsistent_state_or_a_second_purchase(intents, flaky):
    rig = make_rig()
    rig.backend.subscribers["85261234567"] = Ambiguous("timeout") if flaky else subscriber("85261234567")
    rig.backend.subscribers["85251234567"] = subscriber("85251234567", status="suspended")
    overlapping = 0
    for name, arg in intents:
        before, state_before = len(rig.purchases.started), rig.controller.state
        busy_before = rig.purchases.busy
        _do(rig, name, arg)
        _check(rig, before, state_before)
        if len(rig.purchases.started) > before and busy_before:
            overlapping += 1
    assert overlapping == 0
