"""Scan payments, reverses, holds and long polls: the simulator through the real client.

The contract rules of each route and the simulator's auth-code convention (the last digit picks
what the wallet does; docs/backend-contract.md). Simulator and client share a ``FakeClock`` so
the simulator's time-driven moves (a late confirmation, a reverse settling, a hold expiring)
happen exactly when the test advances it.
"""

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from contract import signing
from contract.clock import FakeClock
from kiosk.backend.client import BackendClient
from kiosk.backend.errors import Conflict, NotFound, Refused, Rejected, StillPaying
from simulators.backend import BackendSimulator, holds, scan
from simulators.backend.control import SimulatorControl, SimulatorControlError
from tests.integration.conftest import KIOSK_ID, SECRET

HK = "85291234567"
CAPPED = "85292345678"
NOW = datetime(2026, 12, 3, 10, 15, tzinfo=ZoneInfo("Asia/Hong_Kong"))


def code(last: str, wallet: str = "wechatpay") -> str:
    """A payment code of the simulator's convention ending in *last*."""
    body = {"wechatpay": "13456789012345678", "alipay": "2512345678901234567",
            "alipayhk": "2812345678901234567"}[wallet]
    return body + last


@pytest.fixture
def clock():
    return FakeClock(start=NOW.timestamp())


@pytest.fixture
def sim(tmp_path, clock):
    simulator = BackendSimulator(secrets={KIOSK_ID: SECRET}, clock=clock,
                                 state_path=tmp_path / "state.json").start()
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def client(sim, clock):
    c = BackendClient(sim.url, KIOSK_ID, SECRET, connect_timeout_s=2.0, read_timeout_s=2.0,
                      retry_deadline_s=0.0, clock=clock)
    yield c
    c.close()


@pytest.fixture
def control(sim):
    c = SimulatorControl(sim.url)
    yield c
    c.close()


def offer_of(client, msisdn=HK, plan_id="HK-30D-10GB"):
    return next(o for o in client.get_subscriber(msisdn).offers if o.plan_id == plan_id)


def order(control, no):
    return next(o for o in control.ledger()["orders"] if o["out_trade_no"] == no)


# --- scan payments ---------------------------------------------------------------------------

@pytest.mark.parametrize("last, status, reason", [
    ("0", "paid", None), ("1", "paid", None), ("2", "paid", None), ("9", "paid", None),
    ("3", "user_paying", None), ("4", "user_paying", None),
    ("5", "failed", "insufficient_funds"), ("6", "failed", "code_expired"),
    ("7", "failed", "code_used"), ("8", "failed", "risk_declined"),
])
def test_the_last_digit_picks_what_the_wallet_does(client, control, last, status, reason):
    answer = client.scan_payment(f"K01-S-{last}", code(last), 8820, "30-Day")
    assert (answer.status, answer.reason, answer.method) == (status, reason, "wechatpay")
    assert (answer.paid_at is not None) == (status == "paid")
    seen = client.get_payment(f"K01-S-{last}")
    assert (seen.status, seen.reason, seen.method) == (status, reason, "wechatpay")
    kept = order(control, f"K01-S-{last}")
    assert kept["auth_code_last4"] == code(last)[-4:]
    assert code(last) not in str(control.ledger())  # the whole code is never kept


@pytest.mark.parametrize("auth_code, wallet", [
    (code("0"), "wechatpay"), (code("0", "alipay"), "alipay"),
    (code("0", "alipayhk"), "alipayhk"), ("3012345678901230", "alipayhk"),
])
def test_the_prefix_tells_the_wallet(client, auth_code, wallet):
    assert client.scan_payment("K01-S-W", auth_code, 100, "x").method == wallet


@pytest.mark.parametrize("auth_code", [
    "4891234567890",           # a product barcode (EAN-13)
    "1345678901234567",        # WeChat prefix, too short
    "1645678901234567890",     # 16 is no wallet's prefix
    "31123456789012345678",    # Alipay length, prefix out of range
    "123456789012345678901234567",
])
def test_a_non_wallet_code_is_bad_auth_code_and_nothing_is_kept(client, control, auth_code):
    with pytest.raises(Rejected) as caught:
        client.scan_payment("K01-S-BAD", auth_code, 8820, "x")
    assert caught.value.code == "bad_auth_code"
    assert client.get_payment("K01-S-BAD") is None
    assert control.ledger()["orders"] == []


def test_a_non_digit_code_is_a_bad_request(client):
    with pytest.raises(Rejected):
        client.scan_payment("K01-S-X", "13456789012345678a", 8820, "x")
    with pytest.raises(Refused):
        client.scan_payment("K01-S-Y", "", 8820, "x")


def test_the_same_order_number_twice_is_one_order(client, control):
    first = client.scan_payment("K01-S-1", code("3"), 8820, "x")
    again = client.scan_payment("K01-S-1", code("3"), 8820, "x")
    assert first == again and len(control.ledger()["orders"]) == 1
    with pytest.raises(Conflict) as caught:  # the same number with another code
        client.scan_payment("K01-S-1", code("0"), 8820, "x")
    assert caught.value.code == "idempotency_conflict"
    client.create_payment("K01-Q-1", "fps", 8820, "x", 120)
    with pytest.raises(Conflict):  # a QR order's number
        client.scan_payment("K01-Q-1", code("0"), 8820, "x")


def test_user_paying_then_paid_after_a_while_and_control_pay(client, control, clock):
    client.scan_payment("K01-S-3", code("3"), 8820, "x")
    client.scan_payment("K01-S-4", code("4"), 8820, "x")
    clock.advance(scan.CONFIRM_AFTER_S)
    assert client.get_payment("K01-S-3").status == "paid"
    clock.advance(3600)
    assert client.get_payment("K01-S-4").status == "user_paying"  # never confirms by itself
    assert control.pay("K01-S-4")["status"] == "paid"
    assert client.get_payment("K01-S-4").status == "paid"
    client.scan_payment("K01-S-5", code("5"), 8820, "x")
    with pytest.raises(SimulatorControlError):
        control.pay("K01-S-5")  # a failed order cannot be paid


def test_a_paid_scan_order_pays_for_a_topup(client):
    offer = offer_of(client)
    paid = client.scan_payment("K01-S-T", code("0", "alipayhk"), offer.price_cents, "x")
    topup = client.create_topup("ck-s", HK, offer.quote_id, offer.plan_id, offer.price_cents,
                                paid.method, "K01-S-T", "T-1")
    assert topup.status == "credited"


# --- reverse ---------------------------------------------------------------------------------

def test_reverse_a_paid_order_refunds_it_inside_and_repeating_repeats_nothing(client, control):
    client.scan_payment("K01-S-R", code("0"), 8820, "x")
    assert client.reverse_payment("K01-S-R").refunded_cents == 8820
    assert client.reverse_payment("K01-S-R").refunded_cents == 8820
    seen = client.get_payment("K01-S-R")
    assert (seen.status, seen.refunded_cents) == ("reversed", 8820)
    ledger = control.ledger()
    assert ledger["reversals"] == [{"out_trade_no": "K01-S-R", "refunded_cents": 8820,
                                    "reversed_at": pytest.approx(NOW.timestamp())}]
    assert ledger["refunds"] == []  # the refund is inside the reverse, not a refund record


def test_reverse_an_unpaid_or_failed_order_takes_nothing(client):
    client.scan_payment("K01-S-F", code("6"), 8820, "x")
    assert client.reverse_payment("K01-S-F").refunded_cents == 0
    assert client.get_payment("K01-S-F").status == "reversed"


def test_reverse_of_user_paying_settles_within_seconds(client, clock, control):
    client.scan_payment("K01-S-U", code("4"), 8820, "x")
    with pytest.raises(StillPaying):
        client.reverse_payment("K01-S-U")
    clock.advance(scan.REVERSE_SETTLE_S - 1)
    with pytest.raises(StillPaying):
        client.reverse_payment("K01-S-U")
    clock.advance(1)
    assert client.reverse_payment("K01-S-U").refunded_cents == 0
    with pytest.raises(SimulatorControlError):
        control.pay("K01-S-U")  # too late to confirm


def test_a_confirmation_before_the_reverse_settles_is_refunded(client, clock):
    client.scan_payment("K01-S-L", code("3"), 8820, "x")
    clock.advance(scan.CONFIRM_AFTER_S - 1)
    with pytest.raises(StillPaying):
        client.reverse_payment("K01-S-L")
    clock.advance(scan.REVERSE_SETTLE_S)  # confirmed 1 s after the reverse was asked
    reversal = client.reverse_payment("K01-S-L")
    assert reversal.refunded_cents == 8820


def test_the_client_asks_again_while_user_paying(sim, clock):
    c = BackendClient(sim.url, KIOSK_ID, SECRET, retry_deadline_s=30.0, clock=clock,
                      backoff_initial_s=1.0)
    c.scan_payment("K01-S-A", code("4"), 8820, "x")
    assert c.reverse_payment("K01-S-A").status == "reversed"  # its sleeps move the clock
    c.close()


def test_reverse_window_not_found_not_reversible_and_not_closable(client, clock):
    client.scan_payment("K01-S-O", code("0"), 8820, "x")
    clock.advance(scan.REVERSE_WINDOW_S + 1)
    with pytest.raises(Conflict) as caught:
        client.reverse_payment("K01-S-O")
    assert caught.value.code == "reverse_window_passed"
    assert client.create_refund("K01-S-O", "rk-1", 8820, "late").status == "succeeded"
    with pytest.raises(NotFound):
        client.reverse_payment("K01-NEVER")
    client.create_payment("K01-Q-2", "payme", 500, "x", 120)
    with pytest.raises(Rejected) as caught:
        client.reverse_payment("K01-Q-2")
    assert caught.value.reason == "not_reversible"
    client.scan_payment("K01-S-C", code("4"), 8820, "x")
    with pytest.raises(Rejected) as caught:
        client.close_payment("K01-S-C")
    assert caught.value.reason == "not_closable"


# --- holds -----------------------------------------------------------------------------------

def test_a_hold_is_replayed_by_its_key_and_used_by_the_topup(client, control):
    offer = offer_of(client)
    hold = client.create_hold("hk-1", HK, offer.quote_id, offer.plan_id, offer.price_cents, "T")
    assert client.create_hold("hk-1", HK, offer.quote_id, offer.plan_id, offer.price_cents,
                              "T") == hold
    assert (hold.expires_at.timestamp() - NOW.timestamp()) >= 600
    client.create_payment("K01-H-1", "fps", offer.price_cents, "x", 120)
    control.pay("K01-H-1")
    topup = client.create_topup("ck-h", HK, offer.quote_id, offer.plan_id, offer.price_cents,
                                "fps", "K01-H-1", "T", hold_id=hold.hold_id)
    assert topup.status == "credited"
    kept = control.ledger()
    assert [h["status"] for h in kept["holds"]] == ["used"]
    assert kept["topups"][0]["hold_id"] == hold.hold_id
    client.release_hold(hold.hold_id)  # a used hold: 200, nothing changes
    assert control.ledger()["holds"][0]["status"] == "used"


def test_a_hold_keeps_the_price_after_the_quote_expires(client, clock):
    offer = offer_of(client)
    hold = client.create_hold("hk-2", HK, offer.quote_id, offer.plan_id, offer.price_cents, "T")
    clock.advance(14 * 60)  # within the hold
    topup = client.create_topup("ck-2", HK, offer.quote_id, offer.plan_id, offer.price_cents,
                                "card", "ECR1", "T", hold_id=hold.hold_id)
    assert topup.status == "credited"


@pytest.mark.parametrize("msisdn, plan_id, change, reason", [
    (CAPPED, "HK-7D-5GB", {}, "monthly_cap_exceeded"),
    (HK, "HK-30D-10GB", {"plan_id": "HK-7D-5GB"}, "plan_not_eligible"),
    (HK, "HK-30D-10GB", {"amount_cents": 1}, "price_mismatch"),
    (HK, "HK-30D-10GB", {"quote_id": "q-none"}, "quote_expired"),
])
def test_a_refused_hold_is_definite_and_keeps_nothing(client, control, msisdn, plan_id, change,
                                                      reason):
    offer = offer_of(client, msisdn, plan_id)
    args = {"hold_key": "hk-r", "msisdn": msisdn, "quote_id": offer.quote_id,
            "plan_id": offer.plan_id, "amount_cents": offer.price_cents, "transaction_id": "T",
            **change}
    with pytest.raises(Rejected) as caught:
        client.create_hold(**args)
    assert caught.value.reason == reason
    assert control.ledger()["holds"] == []
    with pytest.raises(Rejected):  # the refusal is replayed for the same key
        client.create_hold(**args)


def test_live_holds_count_against_the_cap_until_released_or_expired(client, clock):
    sub = client.get_subscriber(HK)
    room = sub.limits.monthly_cap_cents - sub.limits.monthly_used_cents
    offer = next(o for o in sub.offers if o.plan_id == "HK-365D-100GB")
    taken = []
    for i in range(room // offer.price_cents):
        taken.append(client.create_hold(f"hk-c{i}", HK, offer.quote_id, offer.plan_id,
                                        offer.price_cents, "T"))
    small = offer_of(client, HK, "HK-1D-UNL")
    if room % offer.price_cents < small.price_cents:
        with pytest.raises(Rejected) as caught:
            client.create_hold("hk-over", HK, small.quote_id, small.plan_id, small.price_cents,
                               "T")
        assert caught.value.reason == "monthly_cap_exceeded"
    client.release_hold(taken[0].hold_id)
    client.create_hold("hk-after-release", HK, small.quote_id, small.plan_id,
                       small.price_cents, "T")


@pytest.mark.parametrize("case, reason", [
    ("expired", "hold_expired"), ("released", "hold_expired"), ("used", "hold_used"),
    ("unknown", "hold_not_found"), ("other_plan", "hold_mismatch"),
])
def test_a_topup_with_an_unusable_hold_is_refused(client, clock, control, case, reason):
    offer = offer_of(client)
    hold = client.create_hold("hk-u", HK, offer.quote_id, offer.plan_id, offer.price_cents, "T")
    hold_id, amount = hold.hold_id, offer.price_cents
    if case == "expired":
        clock.advance(holds.HOLD_TTL_S)
    elif case == "released":
        client.release_hold(hold_id)
    elif case == "used":
        client.create_topup("ck-first", HK, offer.quote_id, offer.plan_id, amount, "card",
                            "ECR-A", "T", hold_id=hold_id)
    elif case == "unknown":
        hold_id = "hd-999999"
    elif case == "other_plan":
        amount += 1
    with pytest.raises(Rejected) as caught:
        client.create_topup("ck-u", HK, offer.quote_id, offer.plan_id, amount, "card", "ECR-B",
                            "T", hold_id=hold_id)
    assert caught.value.reason == reason
    assert client.get_topup("ck-u").reason == reason


def test_release_is_200_for_an_unknown_hold_and_an_octopus_topup_is_accepted(client):
    client.release_hold("hd-none")
    offer = offer_of(client)
    hold = client.create_hold("hk-o", HK, offer.quote_id, offer.plan_id, offer.price_cents, "T")
    assert client.create_topup("ck-o", HK, offer.quote_id, offer.plan_id, offer.price_cents,
                               "octopus", "ECR-O", "T", hold_id=hold.hold_id).status == "credited"


def test_holds_survive_a_restart(tmp_path, clock):
    path = tmp_path / "restart.json"
    first = BackendSimulator(secrets={KIOSK_ID: SECRET}, clock=clock, state_path=path).start()
    c = BackendClient(first.url, KIOSK_ID, SECRET, clock=clock, retry_deadline_s=0)
    offer = offer_of(c)
    hold = c.create_hold("hk-s", HK, offer.quote_id, offer.plan_id, offer.price_cents, "T")
    first.stop()
    second = BackendSimulator(secrets={KIOSK_ID: SECRET}, clock=clock, state_path=path,
                              port=first.port).start()
    try:
        assert c.create_hold("hk-s", HK, offer.quote_id, offer.plan_id, offer.price_cents,
                             "T") == hold
        assert c.create_topup("ck-s", HK, offer.quote_id, offer.plan_id, offer.price_cents,
                              "card", "E", "T", hold_id=hold.hold_id).status == "credited"
    finally:
        c.close()
        second.stop()


# --- faults on the new routes ----------------------------------------------------------------

def test_faults_on_the_new_routes(client, control):
    offer = offer_of(client)
    control.fault("POST /v1/topups/holds", "reject")
    with pytest.raises(Rejected) as caught:
        client.create_hold("hk-f", HK, offer.quote_id, offer.plan_id, offer.price_cents, "T")
    assert caught.value.reason == "plan_not_eligible"
    control.fault("POST /v1/payments/scan", "drop_after_commit")
    with pytest.raises(Exception):  # noqa: B017 (the answer is lost: Ambiguous)
        client.scan_payment("K01-S-D", code("0"), 8820, "x")
    assert client.get_payment("K01-S-D").status == "paid"  # the work was done
    assert client.scan_payment("K01-S-D", code("0"), 8820, "x").status == "paid"  # replayed
    control.fault("POST /v1/payments/{out_trade_no}/reverse", "http_500")
    with pytest.raises(Exception):  # noqa: B017
        client.reverse_payment("K01-S-D")
    assert client.get_payment("K01-S-D").status == "paid"  # nothing done
    control.fault("POST /v1/payments/{out_trade_no}/reverse", "reject")
    with pytest.raises(StillPaying):
        client.reverse_payment("K01-S-D")
    control.fault("DELETE /v1/topups/holds/{hold_id}", "http_500")
    with pytest.raises(Exception):  # noqa: B017
        client.release_hold("hd-x")
    control.fault("POST /v1/payments/scan", "reject")
    with pytest.raises(Rejected) as caught:
        client.scan_payment("K01-S-J", code("0"), 8820, "x")
    assert caught.value.code == "bad_auth_code"


# --- long poll (real time) -------------------------------------------------------------------

def _signed_get(sim, target):
    headers = signing.signed_headers(KIOSK_ID, SECRET, "GET", target, int(sim.clock.now()), b"")
    return requests.get(sim.url + target, headers=headers, timeout=5)


@pytest.mark.parametrize("wait_s", ["0", "26", "-1", "abc", "2.5", ""])
def test_wait_s_outside_1_to_25_is_400(sim, client, wait_s):
    client.create_payment("K01-LP-0", "fps", 100, "x", 120)
    answer = _signed_get(sim, f"/v1/payments/K01-LP-0?wait_s={wait_s}")
    assert answer.status_code == 400 and answer.json()["error"] == "bad_request"


def test_a_signature_without_the_query_is_refused(sim, client):
    client.create_payment("K01-LP-S", "fps", 100, "x", 120)
    headers = signing.signed_headers(KIOSK_ID, SECRET, "GET", "/v1/payments/K01-LP-S",
                                     int(sim.clock.now()), b"")
    answer = requests.get(sim.url + "/v1/payments/K01-LP-S?wait_s=1", headers=headers,
                          timeout=5)
    assert answer.status_code == 401


def test_a_settled_order_answers_a_long_poll_at_once(client, control):
    client.scan_payment("K01-LP-1", code("0"), 100, "x")
    started = time.monotonic()
    assert client.get_payment("K01-LP-1", wait_s=25).status == "paid"
    assert time.monotonic() - started < 5


def test_a_long_poll_ends_when_paid_and_does_not_block_other_requests(sim, clock):
    polling = BackendClient(sim.url, KIOSK_ID, SECRET, retry_deadline_s=0, clock=clock)
    other = BackendClient(sim.url, KIOSK_ID, SECRET, retry_deadline_s=0, clock=clock)
    control = SimulatorControl(sim.url)
    polling.create_payment("K01-LP-2", "wechatpay", 100, "x", 120)
    result = {}
    started = time.monotonic()
    thread = threading.Thread(target=lambda: result.update(
        status=polling.get_payment("K01-LP-2", wait_s=20)))
    thread.start()
    try:
        assert sim.wait_long_polls(1)
        # While the poll is held, other requests are answered (the lookup, a QR order, …).
        assert other.get_subscriber(HK).offers
        other.create_payment("K01-LP-3", "fps", 100, "x", 120)
        assert thread.is_alive()
        control.pay("K01-LP-2")
        thread.join(10)
        assert not thread.is_alive() and result["status"].status == "paid"
        assert time.monotonic() - started < 10  # ended by the payment, not by its 20 s
    finally:
        thread.join(30)
        for c in (polling, other, control):
            c.close()


def test_a_long_poll_without_change_answers_the_current_state_after_wait_s(client, clock):
    client.scan_payment("K01-LP-4", code("4"), 100, "x")
    started = time.monotonic()
    assert client.get_payment("K01-LP-4", wait_s=1).status == "user_paying"
    assert 0.9 <= time.monotonic() - started < 5


def test_a_long_poll_sees_a_time_driven_change(client, clock):
    client.scan_payment("K01-LP-5", code("3"), 100, "x")
    timer = threading.Timer(0.3, clock.advance, (scan.CONFIRM_AFTER_S,))
    timer.start()
    started = time.monotonic()
    try:
        assert client.get_payment("K01-LP-5", wait_s=10).status == "paid"
        assert time.monotonic() - started < 5
    finally:
        timer.join()


def test_stopping_the_simulator_ends_a_held_long_poll(tmp_path, clock):
    simulator = BackendSimulator(secrets={KIOSK_ID: SECRET}, clock=clock).start()
    c = BackendClient(simulator.url, KIOSK_ID, SECRET, retry_deadline_s=0, clock=clock)
    c.create_payment("K01-LP-6", "fps", 100, "x", 120)
    thread = threading.Thread(target=lambda: c.get_payment("K01-LP-6", wait_s=25))
    thread.start()
    assert simulator.wait_long_polls(1)
    started = time.monotonic()
    simulator.stop()
    thread.join(10)
    assert not thread.is_alive() and time.monotonic() - started < 10
    c.close()


def test_a_payment_made_just_after_the_first_answer_is_not_missed(sim, client, control,
                                                                  monkeypatch):
    """The pay lands between the poll's first answer and its wait: the poll must see it at
    once, not at the next tick (made longer than the poll here) or the end of its wait_s."""
    import simulators.backend.server as server

    monkeypatch.setattr(server, "LONG_POLL_TICK_S", 60.0)
    client.create_payment("K01-LP-5", "wechatpay", 100, "x", 120)
    wait = sim._wait_for_change

    def pay_first(*args, **kwargs):
        control.pay("K01-LP-5")  # notified before the poll waits: a wake-up nobody hears
        return wait(*args, **kwargs)

    monkeypatch.setattr(sim, "_wait_for_change", pay_first)
    started = time.monotonic()
    assert client.get_payment("K01-LP-5", wait_s=20).status == "paid"
    assert time.monotonic() - started < 10  # seen at once, not at the end of its 20 s
