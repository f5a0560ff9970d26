"""Time-driven behaviour with a FakeClock shared by simulator and client: signatures' freshness,
order expiry, quote expiry and auto-pay."""

import pytest

from contract.clock import FakeClock
from kiosk.backend.client import BackendClient
from kiosk.backend.errors import Refused, Rejected
from simulators.backend import BackendSimulator
from simulators.backend.control import SimulatorControl, SimulatorControlError
from tests.integration.conftest import KIOSK_ID, SECRET


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def timed(tmp_path, clock):
    """(simulator, client, control) on one fake clock; auto-pay after 5 s."""
    sim = BackendSimulator(secrets={KIOSK_ID: SECRET}, state_path=tmp_path / "s.json",
                           auto_pay_after_s=5, clock=clock).start()
    client = BackendClient(sim.url, KIOSK_ID, SECRET, clock=clock, retry_deadline_s=0)
    try:
        yield sim, client, SimulatorControl(sim.url)
    finally:
        client.close()
        sim.stop()


def test_a_wrong_secret_is_refused_as_bad_signature(timed, clock):
    sim, _, _ = timed
    wrong = BackendClient(sim.url, KIOSK_ID, "not-the-secret", clock=clock, retry_deadline_s=0)
    with pytest.raises(Refused) as caught:
        wrong.get_subscriber("85291234567")
    assert (caught.value.http_status, caught.value.code) == (401, "bad_signature")


def test_an_unknown_kiosk_is_refused(timed, clock):
    sim, _, _ = timed
    stranger = BackendClient(sim.url, "K99", SECRET, clock=clock, retry_deadline_s=0)
    with pytest.raises(Refused, match="signature"):
        stranger.get_subscriber("85291234567")


@pytest.mark.parametrize("skew_s, ok", [(299, True), (-299, True), (301, False), (-301, False)])
def test_a_timestamp_more_than_300_s_off_is_stale(timed, clock, skew_s, ok):
    sim, _, _ = timed
    client = BackendClient(sim.url, KIOSK_ID, SECRET, retry_deadline_s=0,
                           clock=FakeClock(start=clock.now() + skew_s))
    if ok:
        assert client.get_subscriber("85291234567").status == "active"
    else:
        with pytest.raises(Refused) as caught:
            client.get_subscriber("85291234567")
        assert caught.value.code == "stale_timestamp"


def test_an_order_past_its_expiry_is_expired_and_cannot_be_paid(timed, clock):
    sim, client, control = timed
    sim.auto_pay_after_s = 0
    order = client.create_payment("K01-EXP-1", "alipay", 4800, "x", 120)
    assert order.expires_at.timestamp() == clock.now() + 120
    clock.advance(119)
    assert client.get_payment("K01-EXP-1").status == "pending"
    clock.advance(1)
    assert client.get_payment("K01-EXP-1").status == "expired"
    with pytest.raises(SimulatorControlError, match="expired"):
        control.pay("K01-EXP-1")


def test_auto_pay_pays_an_order_that_long_after_creation(timed, clock):
    _, client, _ = timed
    client.create_payment("K01-AUTO-1", "fps", 4800, "x", 120)
    clock.advance(4)
    assert client.get_payment("K01-AUTO-1").status == "pending"
    clock.advance(1)
    status = client.get_payment("K01-AUTO-1")
    assert status.status == "paid" and status.paid_at.timestamp() == clock.now()


def test_auto_pay_never_pays_an_order_that_expired_first(timed, clock):
    sim, client, _ = timed
    sim.auto_pay_after_s = 200
    client.create_payment("K01-AUTO-2", "fps", 4800, "x", 120)
    clock.advance(300)
    assert client.get_payment("K01-AUTO-2").status == "expired"


def test_a_quote_past_valid_until_is_rejected(timed, clock):
    _, client, _ = timed
    offer = client.get_subscriber("85261234567").offers[0]
    clock.advance(offer.valid_until.timestamp() - clock.now() + 1)
    with pytest.raises(Rejected) as caught:
        client.create_topup("ck-late", "85261234567", offer.quote_id, offer.plan_id,
                            offer.price_cents, "card", "ECR9", "t")
    assert caught.value.reason == "quote_expired"
