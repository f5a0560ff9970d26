"""The backend simulator over real HTTP, through the real client: demo data and business rules.

Simulator and client share a ``FakeClock`` set to one instant, so the seeded dates (counted from
the simulator's clock) and every check here are the same whatever day the suite runs.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contract.clock import FakeClock
from kiosk.backend.client import BackendClient
from kiosk.backend.errors import Conflict, NotFound, Refused, Rejected
from simulators.backend import BackendSimulator, emv_qr
from tests.integration.conftest import KIOSK_ID, SECRET

HK = "85291234567"
HK_TIME = ZoneInfo("Asia/Hong_Kong")
NOW = datetime(2026, 12, 3, 10, 15, tzinfo=HK_TIME)


@pytest.fixture
def clock():
    return FakeClock(start=NOW.timestamp())


@pytest.fixture
def backend_simulator(tmp_path, clock):
    sim = BackendSimulator(host="127.0.0.1", port=0, secrets={KIOSK_ID: SECRET},
                           state_path=tmp_path / "backend-simulator.json", clock=clock)
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def backend_client(backend_simulator, clock):
    client = BackendClient(backend_simulator.url, KIOSK_ID, SECRET, connect_timeout_s=2.0,
                           read_timeout_s=2.0, retry_deadline_s=5.0, clock=clock)
    try:
        yield client
    finally:
        client.close()


def first_offer(client, msisdn=HK, plan_id="HK-30D-10GB"):
    sub = client.get_subscriber(msisdn)
    return sub, next(o for o in sub.offers if o.plan_id == plan_id)


def paid_order(client, control, no, amount_cents, method="wechatpay"):
    client.create_payment(no, method, amount_cents, "30-Day Pack 10GB", 120)
    control.pay(no)
    return no


def test_demo_subscribers(backend_client):
    hk = backend_client.get_subscriber(HK)
    assert (hk.status, hk.card.type, hk.owner_hint) == ("active", "hk_prepaid", "CHAN T** M***")
    assert {o.plan_id for o in hk.offers} >= {"HK-1D-UNL", "HK-7D-5GB", "HK-30D-10GB",
                                              "HK-ADD-2GB", "HK-365D-100GB"}
    assert backend_client.get_subscriber("85261234567").card.type == "esim"
    cross = backend_client.get_subscriber("8613812345678")
    assert cross.card.type == "cross_border" and any(o.plan_id.startswith("CB-")
                                                     for o in cross.offers)
    suspended = backend_client.get_subscriber("85251234567")
    assert (suspended.status, suspended.offers) == ("suspended", ())
    unregistered = backend_client.get_subscriber("85298765432")
    assert (unregistered.real_name_registered, unregistered.offers) == (False, ())
    expired = backend_client.get_subscriber("85293456789")
    assert expired.status == "expired" and expired.offers  # yesterday: within its grace period
    assert expired.balance.expires_at == datetime(2026, 12, 2, 23, 59, 59, tzinfo=HK_TIME)
    with pytest.raises(NotFound) as caught:
        backend_client.get_subscriber("85290000000")
    assert caught.value.code == "subscriber_not_found"


def test_offers_are_priced_by_the_server_with_the_first_topup_promotion(backend_client):
    _, offer = first_offer(backend_client)
    assert (offer.list_price_cents, offer.price_cents, offer.promotion.id) == (9800, 8820,
                                                                               "FIRST10")
    assert set(offer.name) == set(offer.promotion.label) == {"en", "zh-Hant", "zh-Hans"}
    assert offer.valid_until > backend_client.get_subscriber(HK).balance.expires_at - timedelta(
        days=365)
    day_pass = first_offer(backend_client, plan_id="HK-1D-UNL")[1]
    assert day_pass.promotion is None and day_pass.price_cents == day_pass.list_price_cents


def test_a_non_digit_msisdn_is_refused(backend_client):
    with pytest.raises(Refused) as caught:
        backend_client.get_subscriber("852-9123abc")
    assert (caught.value.http_status, caught.value.code) == (400, "bad_request")


def test_wallet_topup_credits_the_plan_and_ends_the_promotion(backend_client,
                                                              simulator_control):
    sub, offer = first_offer(backend_client)
    no = paid_order(backend_client, simulator_control, "K01-20261123-000001", offer.price_cents)
    topup = backend_client.create_topup("ck-1", HK, offer.quote_id, offer.plan_id,
                                        offer.price_cents, "wechatpay", no, "K01-20261123-000001")
    assert topup.status == "credited"
    assert sub.balance.expires_at == datetime(2026, 12, 12, 23, 59, 59, tzinfo=HK_TIME)
    assert topup.balance.data_mb_left == sub.balance.data_mb_left + 10240
    assert topup.balance.expires_at == sub.balance.expires_at + timedelta(days=30)
    assert topup.balance.expires_at == offer.new_expires_at  # as the offer said before paying
    again = backend_client.get_subscriber(HK)
    assert again.limits.monthly_used_cents == sub.limits.monthly_used_cents + 8820
    assert next(o for o in again.offers if o.plan_id == offer.plan_id).promotion is None


def test_card_topup_is_credited_on_the_ecr_reference(backend_client):
    _, offer = first_offer(backend_client, "8613812345678", "CB-30D-20GB")
    topup = backend_client.create_topup("ck-card", "8613812345678", offer.quote_id, offer.plan_id,
                                        offer.price_cents, "card", "ECR000123", "K01-2")
    assert topup.status == "credited"


@pytest.mark.parametrize("change, reason", [
    ({"amount_cents": 9800}, "price_mismatch"),
    ({"plan_id": "HK-7D-5GB"}, "plan_not_eligible"),
    ({"reference": "K01-NEVER-PAID"}, "payment_not_found"),
])
def test_topup_rejections_are_definite_and_readable_later(backend_client, simulator_control,
                                                          change, reason):
    _, offer = first_offer(backend_client)
    no = paid_order(backend_client, simulator_control, "K01-20261123-000002", offer.price_cents)
    args = {"credit_key": "ck-r", "msisdn": HK, "quote_id": offer.quote_id,
            "plan_id": offer.plan_id, "amount_cents": offer.price_cents, "method": "wechatpay",
            "reference": no, "transaction_id": "t", **change}
    with pytest.raises(Rejected) as caught:
        backend_client.create_topup(**args)
    assert caught.value.reason == reason
    assert backend_client.get_topup("ck-r").reason == reason
    assert backend_client.get_subscriber(HK).balance.data_mb_left == 1229


def test_an_unpaid_order_cannot_pay_for_a_topup(backend_client):
    _, offer = first_offer(backend_client)
    backend_client.create_payment("K01-UNPAID-1", "alipayhk", offer.price_cents, "x", 120)
    with pytest.raises(Rejected) as caught:
        backend_client.create_topup("ck-u", HK, offer.quote_id, offer.plan_id, offer.price_cents,
                                    "alipayhk", "K01-UNPAID-1", "t")
    assert caught.value.reason == "payment_not_found"


def test_monthly_cap_rejects_the_credit_of_85292345678(backend_client, simulator_control):
    sub, offer = first_offer(backend_client, "85292345678", "HK-7D-5GB")
    assert sub.offers, "the capped subscriber still sees offers"
    no = paid_order(backend_client, simulator_control, "K01-CAP-1", offer.price_cents, "fps")
    with pytest.raises(Rejected) as caught:
        backend_client.create_topup("ck-cap", "85292345678", offer.quote_id, offer.plan_id,
                                    offer.price_cents, "fps", no, "t")
    assert caught.value.reason == "monthly_cap_exceeded"


@pytest.mark.parametrize("method", ["wechatpay", "alipayhk", "alipay", "fps", "payme"])
def test_every_wallet_gives_a_qr_payload(backend_client, method):
    order = backend_client.create_payment(f"K01-QR-{method}", method, 8820, "x", 120)
    assert order.status == "pending" and order.qr_payload
    if method == "fps":
        found = emv_qr.validate(order.qr_payload)
        assert found["54"] == "88.20" and found["53"] == "344"
    else:
        assert order.qr_payload.startswith(("weixin://", "https://"))


def test_close_then_pay_is_refused_and_a_paid_order_cannot_close(backend_client,
                                                                 simulator_control):
    backend_client.create_payment("K01-CL-1", "payme", 5000, "x", 120)
    assert backend_client.close_payment("K01-CL-1") == "closed"
    assert backend_client.get_payment("K01-CL-1").status == "closed"
    paid_order(backend_client, simulator_control, "K01-CL-2", 5000)
    with pytest.raises(Conflict) as caught:
        backend_client.close_payment("K01-CL-2")
    assert caught.value.code == "already_paid"


def test_refunds_partial_then_full_never_more_than_paid(backend_client, simulator_control):
    paid_order(backend_client, simulator_control, "K01-RF-1", 8820)
    assert backend_client.create_refund("K01-RF-1", "rk-1", 820, "partial").status == "succeeded"
    with pytest.raises(Rejected) as caught:
        backend_client.create_refund("K01-RF-1", "rk-2", 8001, "too much")
    assert caught.value.code == "not_refundable"
    backend_client.create_refund("K01-RF-1", "rk-3", 8000, "rest")
    status = backend_client.get_payment("K01-RF-1")
    assert (status.status, status.refunded_cents) == ("refunded", 8820)
    assert backend_client.get_refund("K01-RF-1", "rk-1").status == "succeeded"
    assert backend_client.get_refund("K01-RF-1", "rk-none") is None


def test_an_unpaid_order_is_not_refundable(backend_client):
    backend_client.create_payment("K01-RF-2", "fps", 8820, "x", 120)
    with pytest.raises(Rejected):
        backend_client.create_refund("K01-RF-2", "rk-1", 8820, "topup_rejected")


def test_heartbeat_is_stored_and_returns_queued_commands_once(backend_client, simulator_control):
    simulator_control.queue_command("K01", "out_of_service")
    simulator_control.queue_command("K01", "a_kind_from_the_future")
    commands = backend_client.heartbeat("degraded", "0.1.0", {"printer": "paper_low"}, 1)
    assert [c.kind for c in commands] == ["out_of_service", "a_kind_from_the_future"]
    assert backend_client.heartbeat("in_service", "0.1.0", {}, 0) == ()
    assert simulator_control.ledger()["heartbeats"]["K01"]["state"] == "in_service"


def test_state_survives_a_restart_and_reset_reseeds(backend_simulator, backend_client,
                                                    simulator_control, tmp_path, clock):
    from simulators.backend.control import SimulatorControl

    paid_order(backend_client, simulator_control, "K01-PERSIST-1", 1800)
    seeded = backend_client.get_subscriber(HK).balance.expires_at
    backend_simulator.stop()
    clock.advance(5 * 86_400)  # a restart days later keeps the dates it seeded
    again = BackendSimulator(port=0, state_path=tmp_path / "backend-simulator.json",
                             clock=clock).start()
    client = BackendClient(again.url, "K01", "demo-kiosk-secret", clock=clock)
    try:
        assert client.get_payment("K01-PERSIST-1").status == "paid"
        assert client.get_subscriber(HK).balance.expires_at == seeded
        SimulatorControl(again.url).reset()
        assert client.get_payment("K01-PERSIST-1") is None
        assert client.get_subscriber(HK).balance.expires_at == seeded + timedelta(days=5)
    finally:
        client.close()
        again.stop()


def test_simulator_log_lines_mask_the_number(backend_client, caplog):
    with caplog.at_level("INFO", logger="simulators.backend"):
        backend_client.get_subscriber(HK)
    assert "GET /v1/subscribers/*******4567 -> 200" in caplog.text
    assert HK not in caplog.text
