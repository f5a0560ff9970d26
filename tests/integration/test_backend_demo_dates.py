"""The simulator's demo dates are counted from its injected clock when it seeds, in Hong Kong days:
the demo looks the same on any day, and expiry, revival and the monthly count follow the clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contract.clock import FakeClock
from kiosk.backend.client import BackendClient
from kiosk.backend.errors import Rejected
from kiosk.backend.lookup import refusal_reason
from simulators.backend import BackendSimulator, seed
from simulators.backend.control import SimulatorControl
from tests.integration.conftest import KIOSK_ID, SECRET

HK_TIME = ZoneInfo("Asia/Hong_Kong")
HK, ESIM, EXPIRED, CAPPED = "85291234567", "85261234567", "85293456789", "85292345678"
DAY_S = 86_400
NEW_YEAR_EVE = datetime(2027, 12, 31, 23, 58, tzinfo=HK_TIME)  # 15:58 UTC: still 31 Dec in UTC too
LEAP_DAY = datetime(2028, 2, 29, 9, 15, tzinfo=HK_TIME)  # 01:15 UTC


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=HK_TIME)


@pytest.fixture
def at(tmp_path):
    """Start a simulator whose clock reads *when*: (clock, client, control)."""
    started = []

    def start(when: datetime):
        clock = FakeClock(start=when.timestamp())
        sim = BackendSimulator(secrets={KIOSK_ID: SECRET}, state_path=tmp_path / "s.json",
                               clock=clock).start()
        client = BackendClient(sim.url, KIOSK_ID, SECRET, clock=clock, retry_deadline_s=0)
        control = SimulatorControl(sim.url)
        started.append((sim, client, control))
        return clock, client, control

    yield start
    for sim, client, control in started:
        control.close()
        client.close()
        sim.stop()


def paid(client, control, no: str, amount_cents: int) -> str:
    client.create_payment(no, "fps", amount_cents, "x", 120)
    control.pay(no)
    return no


@pytest.mark.parametrize("now, hk_card, esim, expired", [
    (NEW_YEAR_EVE, date(2028, 1, 9), date(2028, 1, 2), date(2027, 12, 30)),
    (LEAP_DAY, date(2028, 3, 9), date(2028, 3, 2), date(2028, 2, 28)),
])
def test_expiries_are_hong_kong_days_from_the_seeding_clock(now, hk_card, esim, expired):
    subscribers = seed.subscribers(now.timestamp())
    expiry = {n: datetime.fromtimestamp(s["balance"]["expires_at"], HK_TIME)
              for n, s in subscribers.items()}
    assert (expiry[HK], expiry[ESIM], expiry[EXPIRED]) == (end_of(hk_card), end_of(esim),
                                                           end_of(expired))
    assert subscribers[EXPIRED]["status"] == "expired"
    assert {s["usage_month"] for s in subscribers.values()} == {now.strftime("%Y-%m")}


def test_the_demo_on_new_year_eve_looks_as_it_does_any_day(at):
    _, client, _ = at(NEW_YEAR_EVE)
    hk = client.get_subscriber(HK)
    assert hk.status == "active" and hk.balance.expires_at == end_of(date(2028, 1, 9))
    month_pack = next(o for o in hk.offers if o.plan_id == "HK-30D-10GB")
    assert month_pack.new_expires_at == hk.balance.expires_at + timedelta(days=30)
    add_on = next(o for o in hk.offers if o.plan_id == "HK-ADD-2GB")
    assert add_on.new_expires_at == hk.balance.expires_at  # an add-on keeps the expiry
    assert month_pack.valid_until == NEW_YEAR_EVE + timedelta(minutes=15)
    assert client.get_subscriber(ESIM).balance.expires_at == end_of(date(2028, 1, 2))
    assert client.get_subscriber(CAPPED).limits.monthly_used_cents == 299500


def test_an_expired_card_in_its_grace_period_is_revived_by_a_top_up_from_now(at):
    clock, client, control = at(LEAP_DAY)
    card = client.get_subscriber(EXPIRED)
    assert card.status == "expired" and card.balance.expires_at == end_of(date(2028, 2, 28))
    assert refusal_reason(card) is None  # the kiosk shows it, with its offers
    assert "HK-ADD-2GB" not in {o.plan_id for o in card.offers}  # nothing to add to
    offer = next(o for o in card.offers if o.plan_id == "HK-30D-10GB")
    assert offer.new_expires_at == LEAP_DAY + timedelta(days=30)
    no = paid(client, control, "K01-REVIVE-1", offer.price_cents)
    topup = client.create_topup("ck-revive", EXPIRED, offer.quote_id, offer.plan_id,
                                offer.price_cents, "fps", no, "t")
    assert topup.balance.expires_at == LEAP_DAY + timedelta(days=30)  # the plan starts now
    assert client.get_subscriber(EXPIRED).status == "active"


def test_past_its_grace_period_an_expired_card_has_no_offers(at):
    clock, client, _ = at(LEAP_DAY)
    clock.advance(seed.GRACE_DAYS * DAY_S)
    card = client.get_subscriber(EXPIRED)
    assert (card.status, card.offers) == ("expired", ())
    assert refusal_reason(card) == "expired"


def test_a_card_expires_when_its_day_ends(at):
    clock, client, _ = at(LEAP_DAY)
    esim_end = end_of(date(2028, 3, 2)).timestamp()
    clock.advance(esim_end - clock.now() - 1)
    assert client.get_subscriber(ESIM).status == "active"
    clock.advance(1)
    esim = client.get_subscriber(ESIM)
    assert esim.status == "expired" and esim.offers


def test_the_monthly_count_starts_again_in_a_new_hong_kong_month(at):
    clock, client, control = at(NEW_YEAR_EVE)
    offer = next(o for o in client.get_subscriber(CAPPED).offers if o.plan_id == "HK-7D-5GB")
    no = paid(client, control, "K01-CAP-1", offer.price_cents)
    with pytest.raises(Rejected) as caught:
        client.create_topup("ck-cap-1", CAPPED, offer.quote_id, offer.plan_id, offer.price_cents,
                            "fps", no, "t")
    assert caught.value.reason == "monthly_cap_exceeded"
    clock.advance(3 * 60)  # 00:01 on 1 January 2028 in Hong Kong
    capped = client.get_subscriber(CAPPED)
    assert capped.limits.monthly_used_cents == 0
    offer = next(o for o in capped.offers if o.plan_id == "HK-7D-5GB")
    no = paid(client, control, "K01-CAP-2", offer.price_cents)
    topup = client.create_topup("ck-cap-2", CAPPED, offer.quote_id, offer.plan_id,
                                offer.price_cents, "fps", no, "t")
    assert topup.status == "credited"
    assert client.get_subscriber(CAPPED).limits.monthly_used_cents == offer.price_cents


def test_a_reset_reseeds_from_the_clock_at_that_moment(at):
    clock, client, control = at(NEW_YEAR_EVE)
    clock.advance(60 * DAY_S)  # 29 February 2028, 23:58
    assert client.get_subscriber(HK).status == "expired"  # the seeded card ran out meanwhile
    control.reset()
    hk = client.get_subscriber(HK)
    assert hk.status == "active" and hk.balance.expires_at == end_of(date(2028, 3, 9))
    assert client.get_subscriber(EXPIRED).balance.expires_at == end_of(date(2028, 2, 28))
