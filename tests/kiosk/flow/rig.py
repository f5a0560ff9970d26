"""The controller's test rig: a ``Controller`` on the shared fakes of the purchase service and
the backend's look-up, a post queue run by the test, and a fake clock (no tests here).

The subscribers it knows carry two offers without a ``new_expires_at`` (nothing said about the
new expiry) and a card that expires on 1 December 2026, 23:59:59 in Hong Kong.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contract.clock import FakeClock
from kiosk import settings as settings_mod
from kiosk.backend.models import Balance, Card, Limits, Offer, Subscriber
from kiosk.flow.controller import Controller
from kiosk.flow.post_queue import PostQueue
from kiosk.money.events import QrReady
from tests.fakes.backend import FakeBackend
from tests.fakes.purchases import FakePurchases

VALID_UNTIL = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
OFFERS = (
    Offer("q-1", "HK-30D-10GB", {"en": "30 days 10GB", "zh-Hant": "30日 10GB", "zh-Hans": "30日 10GB"},
          10240, 30, 8820, 9800, None, VALID_UNTIL),
    Offer("q-2", "HK-1D-1GB", {"en": "Day pass 1GB", "zh-Hant": "日票 1GB", "zh-Hans": "日票 1GB"},
          1024, 1, 1800, 1800, None, VALID_UNTIL),
)
EXPIRES = datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC)


def subscriber(msisdn: str = "85291234567", **kw) -> Subscriber:
    """An active prepaid card with ``OFFERS``; any field can be given instead."""
    fields = dict(status="active", real_name_registered=True,
                  card=Card("hk_prepaid", "DemoMobile", "DemoTel"), owner_hint="CHAN T** M***",
                  balance=Balance(1229, EXPIRES), limits=Limits(300000, 5000), offers=OFFERS)
    return Subscriber(msisdn=msisdn, **{**fields, **kw})


@dataclass
class Rig:
    controller: Controller
    purchases: FakePurchases
    backend: FakeBackend
    post: PostQueue
    clock: FakeClock
    seen: list

    def emit(self, event):
        """The purchase service reports *event* (from its worker); the UI thread runs it."""
        self.purchases.emit(event)
        self.post.run_pending()

    def txn(self):
        return self.purchases.txn_id

    def advance(self, seconds):
        self.clock.advance(seconds)
        self.controller.tick()
        self.post.run_pending()


def make_settings(**flow):
    s = settings_mod.load()
    return dataclasses.replace(s, flow=dataclasses.replace(s.flow, **flow)) if flow else s


def make_rig(settings=None, run_in_worker=lambda fn: fn(), scanner=None) -> Rig:
    settings = settings or make_settings()
    clock, post, purchases = FakeClock(), PostQueue(), FakePurchases()
    backend = FakeBackend(subscribers={"85291234567": subscriber(),
                                       "8613812345678": subscriber("8613812345678")})
    controller = Controller(settings, backend.get_subscriber, purchases, post, clock,
                            run_in_worker=run_in_worker, scanner=scanner)
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


def qr_ready(rig, seconds=120):
    expires = datetime.fromtimestamp(rig.clock.now(), UTC) + timedelta(seconds=seconds)
    rig.emit(QrReady(rig.txn(), "wxp://pay/abc", expires, 8820, "wechatpay"))
