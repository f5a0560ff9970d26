"""Subscribers as the backend answers them (``kiosk.backend.models``), for the fakes and the UI.

``subscriber(msisdn)`` is an active Hong Kong prepaid card with six offers (the first with the
FIRST10 promotion), ``EXPIRED_MSISDN`` a card that expired the day before the UI tests' clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contract.clock import FakeClock
from kiosk.backend.models import Balance, Card, Limits, Offer, Promotion, Subscriber

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
