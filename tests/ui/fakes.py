"""Small fakes for UI tests that need no backend: a subscriber and a purchase service on command."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from contract.clock import FakeClock
from kiosk.backend.models import Balance, Card, Limits, Offer, Promotion, Subscriber
from kiosk.money import events as ev

NOW = datetime.fromtimestamp(FakeClock().now(), UTC)  # the UI tests' clock: 18 Nov 2026, 19:06 HKT
EXPIRES = datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC)  # 1 December 2026, 23:59:59 HKT
EXPIRED_MSISDN = "85293456789"  # expired yesterday (17 November), within its grace period


def offer(n: int, price_cents: int, list_price_cents: int | None = None, promo: bool = False,
          data_mb: int | None = 10240, days: int = 30, expires: datetime = EXPIRES) -> Offer:
    names = {"en": f"{data_mb // 1024 if data_mb else '∞'} GB {days}-day pass",
             "zh-Hant": f"{days}日 {data_mb // 1024 if data_mb else '無限'}GB 數據",
             "zh-Hans": f"{days}天 {data_mb // 1024 if data_mb else '无限'}GB 流量"}
    promotion = Promotion("FIRST10", {"en": "First top-up 10% off", "zh-Hant": "首次增值九折",
                                      "zh-Hans": "首次充值九折"}) if promo else None
    # As the simulator says: the days from the later of now and the current expiry (an add-on
    # keeps the current expiry).
    new_expires_at = max(NOW, expires) + timedelta(days=days) if days else expires
    return Offer(f"q-{n}", f"PLAN-{n}", names, data_mb, days, price_cents,
                 list_price_cents or price_cents, promotion,
                 datetime(2026, 11, 25, 23, 0, tzinfo=UTC), new_expires_at)


def subscriber(msisdn: str = "85291234567") -> Subscriber:
    if msisdn == EXPIRED_MSISDN:
        return expired_subscriber(msisdn)
    return Subscriber(
        msisdn=msisdn, status="active", real_name_registered=True,
        card=Card("hk_prepaid", "DemoMobile", "DemoTel"), owner_hint="CHAN T** M***",
        balance=Balance(1229, EXPIRES),
        limits=Limits(300000, 5000),
        offers=(offer(1, 8820, 9800, promo=True), offer(2, 1800, data_mb=1024, days=1),
                offer(3, 4800, data_mb=5120, days=7), offer(4, 16800, data_mb=30720, days=30),
                offer(5, 38800, data_mb=None, days=30), offer(6, 98000, data_mb=102400, days=365)))


def expired_subscriber(msisdn: str = EXPIRED_MSISDN) -> Subscriber:
    expired = datetime(2026, 11, 17, 15, 59, 59, tzinfo=UTC)
    return Subscriber(
        msisdn=msisdn, status="expired", real_name_registered=True,
        card=Card("hk_prepaid", "DemoMobile", "DemoTel"), owner_hint="HO M** K***",
        balance=Balance(0, expired), limits=Limits(300000, 0),
        offers=(offer(1, 9800, expires=expired), offer(2, 4800, data_mb=5120, days=7,
                                                         expires=expired)))


class FakePurchases:
    """Records purchases; the test says what happens next through ``emit``."""

    def __init__(self):
        self.on_event = None
        self.started: list[tuple[str, str]] = []
        self.cancels = 0
        self.busy = False
        self._ids = itertools.count(1)

    def _new(self, method: str, offer_) -> str:
        txn_id = f"K01-20261125-{next(self._ids):06d}"
        self.started.append((txn_id, method))
        self.busy = True
        return txn_id

    def start_qr(self, subscriber_, offer_, method, language) -> str:
        return self._new(method, offer_)

    def start_card(self, subscriber_, offer_, language) -> str:
        return self._new("card", offer_)

    def cancel(self) -> None:
        self.cancels += 1

    def subscribe(self, listener) -> None:
        self.on_event = listener
        return lambda: None

    @property
    def txn_id(self) -> str:
        return self.started[-1][0]

    def emit(self, event) -> None:
        if not isinstance(event, ev.CardProgress | ev.QrReady | ev.Paid):
            self.busy = False
        self.on_event(event)

    def qr_ready(self, payload: str, now: datetime, amount_cents: int, method: str) -> None:
        self.emit(ev.QrReady(self.txn_id, payload, now + timedelta(seconds=120), amount_cents, method))
