"""Idempotency and faults over real HTTP: replay, conflict, in-flight, and the fault switches."""

import threading

import pytest
import requests

from kiosk.backend.client import BackendClient
from kiosk.backend.errors import Ambiguous, Rejected
from simulators.backend import BackendSimulator
from simulators.backend.idempotency import body_hash
from tests.integration.conftest import KIOSK_ID, SECRET, NoWaitClock

ORDER = {"out_trade_no": "K01-20261123-000123", "method": "wechatpay", "amount_cents": 8820,
         "currency": "HKD", "description": "30-Day Pack 10GB", "expires_in_s": 120}
NO = ORDER["out_trade_no"]


def impatient_client(sim, read_timeout_s=2.0) -> BackendClient:
    """A client that does not retry: each ambiguous answer reaches the test."""
    return BackendClient(sim.url, KIOSK_ID, SECRET, connect_timeout_s=1.0,
                         read_timeout_s=read_timeout_s, retry_deadline_s=0, clock=NoWaitClock())


def test_replay_returns_the_first_answer_and_another_body_conflicts(signed_request):
    first = signed_request("POST", "/v1/payments", ORDER, key=NO)
    again = signed_request("POST", "/v1/payments", ORDER, key=NO)
    other = signed_request("POST", "/v1/payments", {**ORDER, "amount_cents": 1}, key=NO)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert (other.status_code, other.json()["error"]) == (409, "idempotency_conflict")


def test_a_replay_after_a_restart_still_gets_the_first_answer(backend_simulator, signed_request,
                                                             tmp_path):
    first = signed_request("POST", "/v1/payments", ORDER, key=NO).json()
    backend_simulator.stop()
    backend_simulator.start()  # same object, same state file, a new port
    again = signed_request("POST", "/v1/payments", ORDER, key=NO)
    assert (again.status_code, again.json()) == (200, first)


def test_a_missing_idempotency_key_is_refused(signed_request):
    answer = signed_request("POST", "/v1/payments", ORDER)
    assert (answer.status_code, answer.json()["error"]) == (400, "bad_request")


def test_a_repeat_while_the_first_runs_is_in_flight(backend_simulator, simulator_control,
                                                    signed_request):
    simulator_control.fault("POST /v1/payments", "timeout", hold_s=20)
    outcome = {}

    def first():
        try:
            outcome["first"] = signed_request("POST", "/v1/payments", ORDER, key=NO,
                                              timeout_s=25).status_code
        except requests.ConnectionError:
            outcome["first"] = "dropped"

    worker = threading.Thread(target=first)
    worker.start()
    try:
        assert backend_simulator.wait_held(1, timeout=5)
        repeat = signed_request("POST", "/v1/payments", ORDER, key=NO)
        assert (repeat.status_code, repeat.json()["error"]) == (409, "in_flight")
        other = signed_request("POST", "/v1/payments", {**ORDER, "amount_cents": 5}, key=NO)
        assert other.json()["error"] == "idempotency_conflict"
    finally:
        backend_simulator.release_held()
        worker.join(10)
    assert outcome["first"] == "dropped"
    # The held request did nothing, so the same request now creates the order.
    assert signed_request("POST", "/v1/payments", ORDER, key=NO).status_code == 201


def test_the_client_retries_in_flight_with_the_same_key(backend_simulator):
    """GIVEN the first request still running WHEN the client sends it THEN it waits, asks
    again with the same key, and gets the order."""
    rid, _ = backend_simulator.idempotency.begin(KIOSK_ID, "/v1/payments", NO, body_hash(ORDER))

    class FirstFinishesWhileWeWait(NoWaitClock):
        def sleep(self, seconds):
            super().sleep(seconds)
            backend_simulator.idempotency.release(rid)  # the first attempt ends, did nothing

    clock = FirstFinishesWhileWeWait()
    client = BackendClient(backend_simulator.url, KIOSK_ID, SECRET, clock=clock)
    order = client.create_payment(NO, "wechatpay", 8820, "30-Day Pack 10GB", 120)
    assert order.status == "pending"
    assert clock.slept == [0.5]  # one 409 in_flight, then success


def test_drop_after_commit_then_a_query_shows_the_effect(backend_simulator, simulator_control,
                                                          backend_client):
    client = impatient_client(backend_simulator)
    simulator_control.fault("POST /v1/payments", "drop_after_commit")
    with pytest.raises(Ambiguous) as caught:
        client.create_payment(NO, "fps", 8820, "x", 120)
    assert caught.value.code == "connection"
    assert client.get_payment(NO).status == "pending"  # the order exists: it was committed


def test_drop_after_commit_on_a_credit_is_settled_by_the_retry(backend_simulator,
                                                                simulator_control,
                                                                backend_client):
    sub = backend_client.get_subscriber("85261234567")
    offer = sub.offers[0]
    simulator_control.fault("POST /v1/topups", "drop_after_commit")
    topup = backend_client.create_topup("ck-drop", sub.msisdn, offer.quote_id, offer.plan_id,
                                        offer.price_cents, "card", "ECR1", "t")
    assert topup.status == "credited"
    credited = [t for t in simulator_control.ledger()["topups"] if t["status"] == "credited"]
    assert len(credited) == 1, "the retry replayed the first credit, it did not credit twice"


def test_timeout_fault_is_ambiguous_and_does_nothing(backend_simulator, simulator_control):
    client = impatient_client(backend_simulator, read_timeout_s=0.3)
    simulator_control.fault("POST /v1/payments", "timeout", hold_s=20)
    try:
        with pytest.raises(Ambiguous) as caught:
            client.create_payment(NO, "payme", 8820, "x", 120)
        assert caught.value.code == "timeout"
    finally:
        backend_simulator.release_held()
    assert client.get_payment(NO) is None
    assert client.create_payment(NO, "payme", 8820, "x", 120).status == "pending"


def test_http_500_is_ambiguous_and_retried_reads_get_through(backend_simulator,
                                                             simulator_control, backend_client):
    simulator_control.fault("GET /v1/subscribers/{msisdn}", "http_500", count=1)
    with pytest.raises(Ambiguous) as caught:
        impatient_client(backend_simulator).get_subscriber("85291234567")
    assert caught.value.http_status == 500
    simulator_control.fault("GET /v1/subscribers/{msisdn}", "http_500", count=2)
    assert backend_client.get_subscriber("85291234567").status == "active"
    assert backend_client._clock.slept == [0.5, 1.0]


@pytest.mark.parametrize("route, call, code", [
    ("POST /v1/payments", lambda c, _: c.create_payment(NO, "fps", 100, "x", 120),
     "method_unavailable"),
    ("POST /v1/payments/{out_trade_no}/refunds",
     lambda c, s: (c.create_payment(NO, "fps", 100, "x", 120), s.pay(NO),
                   c.create_refund(NO, "rk-1", 100, "x")), "not_refundable"),
])
def test_reject_fault_is_a_definite_422(simulator_control, backend_client, route, call, code):
    simulator_control.fault(route, "reject")
    with pytest.raises(Rejected) as caught:
        call(backend_client, simulator_control)
    assert caught.value.code == code


def test_reject_fault_on_topups(simulator_control, backend_client):
    sub = backend_client.get_subscriber("85261234567")
    offer = sub.offers[0]
    simulator_control.fault("POST /v1/topups", "reject")
    with pytest.raises(Rejected) as caught:
        backend_client.create_topup("ck-x", sub.msisdn, offer.quote_id, offer.plan_id,
                                    offer.price_cents, "card", "ECR2", "t")
    assert caught.value.reason == "plan_not_eligible"
    assert backend_client.get_topup("ck-x").status == "rejected"


def test_unknown_fault_routes_and_modes_are_refused(simulator_control):
    from simulators.backend.control import SimulatorControlError
    with pytest.raises(SimulatorControlError, match="route"):
        simulator_control.fault("POST /v1/nothing", "http_500")
    with pytest.raises(SimulatorControlError, match="mode"):
        simulator_control.fault("POST /v1/topups", "explode")


def test_fault_count_runs_out(backend_simulator, simulator_control):
    simulator_control.fault("GET /v1/payments/{out_trade_no}", "http_500", count=2)
    client = impatient_client(backend_simulator)
    for _ in range(2):
        with pytest.raises(Ambiguous):
            client.get_payment(NO)
    assert client.get_payment(NO) is None


def test_simulator_stop_ends_a_held_request(tmp_path):
    sim = BackendSimulator(state_path=tmp_path / "s.json").start()
    client = impatient_client(sim, read_timeout_s=10)
    sim.faults.arm("GET /v1/payments/{out_trade_no}", "timeout", 1, hold_s=60)
    worker = threading.Thread(target=lambda: pytest.raises(Ambiguous, client.get_payment, NO))
    worker.start()
    assert sim.wait_held(1, timeout=5)
    sim.stop()
    worker.join(5)
    assert not worker.is_alive()


def test_a_fault_hits_a_replay_too_and_the_replay_then_answers(simulator_control,
                                                               signed_request):
    first = signed_request("POST", "/v1/payments", ORDER, key=NO)
    simulator_control.fault("POST /v1/payments", "http_500")
    assert signed_request("POST", "/v1/payments", ORDER, key=NO).status_code == 500
    again = signed_request("POST", "/v1/payments", ORDER, key=NO)
    assert (again.status_code, again.json()) == (200, first.json())
