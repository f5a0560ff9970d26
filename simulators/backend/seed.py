"""The simulator's demo data: subscribers, the plan catalogue, and server-side pricing.

The demo numbers are listed in the README ("Demo subscribers"). Brands and operators are
made up. Prices are HKD cents; the FIRST10 promotion takes 10% off a subscriber's first top-up.
Every seeded date is counted from the simulator's clock when it seeds (start without a state
file, or ``POST /_sim/reset``), in Hong Kong calendar days, so the demo looks the same any day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

MB_PER_GB = 1024
HK_TIME = ZoneInfo("Asia/Hong_Kong")  # the carriers' day: expiries end at 23:59:59 local time
GRACE_DAYS = 30  # an expired card can still be topped up (revived) this long after its expiry


@dataclass(frozen=True)
class Plan:
    plan_id: str
    name: dict[str, str]
    data_mb: int | None  # None = unlimited
    validity_days: int  # 0 = within the current validity (an add-on)
    list_price_cents: int
    card_types: tuple[str, ...]
    promotable: bool = True


def _names(en: str, hant: str, hans: str) -> dict[str, str]:
    return {"en": en, "zh-Hant": hant, "zh-Hans": hans}


LOCAL = ("hk_prepaid", "esim")
PLANS: tuple[Plan, ...] = (
    Plan("HK-1D-UNL", _names("Day Pass: unlimited local data", "日費通行證：本地數據無限用",
                             "日费通行证：本地数据无限用"), None, 1, 1800, LOCAL, False),
    Plan("HK-7D-5GB", _names("7-Day Pass 5GB", "7日數據 5GB", "7日数据 5GB"),
         5 * MB_PER_GB, 7, 4800, LOCAL),
    Plan("HK-30D-10GB", _names("30-Day Pack 10GB", "30日數據 10GB", "30日数据 10GB"),
         10 * MB_PER_GB, 30, 9800, LOCAL),
    Plan("HK-30D-30GB", _names("30-Day Pack 30GB", "30日數據 30GB", "30日数据 30GB"),
         30 * MB_PER_GB, 30, 16800, LOCAL),
    Plan("HK-ADD-2GB", _names("Data add-on 2GB (current validity)", "數據附加包 2GB（現有有效期）",
                              "数据附加包 2GB（现有有效期）"), 2 * MB_PER_GB, 0, 3800,
         LOCAL + ("cross_border",), False),
    Plan("HK-365D-100GB", _names("Annual Plan 100GB", "全年計劃 100GB", "全年计划 100GB"),
         100 * MB_PER_GB, 365, 68800, ("hk_prepaid",)),
    Plan("CB-7D-3GB", _names("China + HK 7-Day 3GB", "中港 7日 3GB", "中港 7日 3GB"),
         3 * MB_PER_GB, 7, 5800, ("cross_border",)),
    Plan("CB-30D-20GB", _names("China + HK 30-Day 20GB", "中港 30日 20GB", "中港 30日 20GB"),
         20 * MB_PER_GB, 30, 13800, ("cross_border",)),
)
PLANS_BY_ID = {p.plan_id: p for p in PLANS}

FIRST10 = {"id": "FIRST10", "percent_off": 10,
           "label": _names("First top-up 10% off", "首次增值九折", "首次充值九折")}


def price_cents(plan: Plan, first_topup: bool) -> tuple[int, dict | None]:
    """The price the server asks, and the promotion applied (None when at list price)."""
    if first_topup and plan.promotable:
        discount = plan.list_price_cents * FIRST10["percent_off"] // 100
        return plan.list_price_cents - discount, {"id": FIRST10["id"], "label": FIRST10["label"]}
    return plan.list_price_cents, None


def plans_for(card_type: str) -> list[Plan]:
    return [p for p in PLANS if card_type in p.card_types]


def day_end(now: float, days: int) -> float:
    """23:59:59 Hong Kong time, *days* calendar days after the Hong Kong day of *now*."""
    day = datetime.fromtimestamp(now, HK_TIME).date() + timedelta(days=days)
    return datetime.combine(day, time(23, 59, 59), HK_TIME).timestamp()


def hk_month(now: float) -> str:
    """The Hong Kong month of *now* (``2026-12``): monthly caps count within it."""
    return datetime.fromtimestamp(now, HK_TIME).strftime("%Y-%m")


def _subscriber(msisdn, card_type, brand, operator, owner_hint, data_mb_left, expires_at,
                status="active", registered=True, used_cents=0, topups=0) -> dict:
    return {"msisdn": msisdn, "status": status, "real_name_registered": registered,
            "card": {"type": card_type, "brand": brand, "operator": operator},
            "owner_hint": owner_hint,
            "balance": {"data_mb_left": data_mb_left, "expires_at": expires_at},
            "limits": {"monthly_cap_cents": 300000, "monthly_used_cents": used_cents},
            "topups": topups}


def subscribers(now: float) -> dict[str, dict]:
    """A fresh copy of the seeded subscribers, by msisdn, dated from *now* (epoch seconds).

    Expiries are epoch seconds at 23:59:59 Hong Kong time; ``usage_month`` is the month the
    ``monthly_used_cents`` count belongs to (it starts again at 0 when the month changes).
    """
    subs = [
        _subscriber("85291234567", "hk_prepaid", "Harbour Prepaid", "Harbour Mobile",
                    "CHAN T** M***", 1229, day_end(now, 9)),
        _subscriber("85261234567", "esim", "Victoria eSIM", "Peak Virtual Mobile",
                    None, 512, day_end(now, 2)),
        _subscriber("8613812345678", "cross_border", "Twin City 1-Card-2-Numbers",
                    "Harbour Mobile / Pearl River Telecom", "LI X* M***", 3072, day_end(now, 20)),
        _subscriber("85251234567", "hk_prepaid", "Harbour Prepaid", "Harbour Mobile",
                    "WONG K** L***", 0, day_end(now, 30), status="suspended"),
        _subscriber("85298765432", "hk_prepaid", "Harbour Prepaid", "Harbour Mobile",
                    None, 0, day_end(now, 60), registered=False),
        # Offers are listed, but any credit goes past the monthly cap: 422 monthly_cap_exceeded.
        _subscriber("85292345678", "hk_prepaid", "Harbour Prepaid", "Harbour Mobile",
                    "LEE S** Y***", 200, day_end(now, 15), used_cents=299500, topups=3),
        # Expired yesterday, within its grace period: offers (no add-on); a top-up revives it.
        _subscriber("85293456789", "hk_prepaid", "Harbour Prepaid", "Harbour Mobile",
                    "HO M** K***", 0, day_end(now, -1), status="expired", topups=2),
    ]
    month = hk_month(now)
    return {s["msisdn"]: {**s, "usage_month": month} for s in subs}
