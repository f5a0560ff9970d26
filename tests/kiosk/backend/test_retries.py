"""Retries: only repeatable calls, the same key and body each time, bounded by the deadline."""

import pytest
import requests

from kiosk.backend.errors import Ambiguous, Conflict, Rejected, RetryLater
from tests.fakes.http import CREDITED, SUBSCRIBER, answer, make_client

BOOM = answer(503, {"error": "unavailable"})


def test_keyed_post_is_retried_with_the_same_key_and_body_until_it_succeeds():
    client, adapter, clock = make_client([BOOM, requests.ReadTimeout("t"), answer(201, CREDITED)])
    got = client.create_topup("ck-7", "85291234567", "q-1", "HK-30D-10GB", 8820, "fps",
                              "K01-1", "t1")
    assert got.status == "credited" and len(adapter.sent) == 3
    assert {r.headers["Idempotency-Key"] for r in adapter.sent} == {"ck-7"}
    assert len({r.body for r in adapter.sent}) == 1


def test_backoff_doubles_between_attempts():
    client, adapter, clock = make_client([BOOM, BOOM, BOOM, answer(200, SUBSCRIBER)],
                                         backoff_initial_s=0.5, backoff_max_s=5.0)
    start = clock.monotonic()
    client.get_subscriber("85291234567")
    assert clock.monotonic() - start == pytest.approx(0.5 + 1.0 + 2.0)


def test_retries_stop_at_the_deadline_and_raise_the_last_ambiguous_error():
    client, adapter, clock = make_client([BOOM], retry_deadline_s=10.0, backoff_initial_s=1.0,
                                         backoff_max_s=4.0)
    start = clock.monotonic()
    with pytest.raises(Ambiguous) as caught:
        client.get_payment("K01-1")
    assert caught.value.http_status == 503
    # Waits 1, 2 and 4 s (7 s in all); the next wait (4 s, the cap) would pass the 10 s deadline.
    assert clock.monotonic() - start == pytest.approx(7.0)
    assert len(adapter.sent) == 4


def test_an_unkeyed_post_is_never_retried():
    client, adapter, _ = make_client([BOOM, answer(200, {"ok": True})])
    with pytest.raises(Ambiguous):
        client.call("POST", "/v1/something", {"a": 1})
    assert len(adapter.sent) == 1


@pytest.mark.parametrize("call", ["close", "heartbeat", "get_topup", "get_refund"])
def test_close_heartbeat_and_reads_are_retried(call):
    ok = {"close": {"status": "closed"}, "heartbeat": {"commands": []},
          "get_topup": CREDITED, "get_refund": {"refund_id": "r1", "status": "succeeded"}}[call]
    client, adapter, _ = make_client([BOOM, answer(200, ok)])
    {"close": lambda: client.close_payment("K01-1"),
     "heartbeat": lambda: client.heartbeat("in_service", "1", {}, 0),
     "get_topup": lambda: client.get_topup("ck-1"),
     "get_refund": lambda: client.get_refund("K01-1", "rk-1")}[call]()
    assert len(adapter.sent) == 2
    assert "Idempotency-Key" not in adapter.sent[0].headers


def test_in_flight_is_asked_again_with_the_same_key():
    client, adapter, _ = make_client([answer(409, {"error": "in_flight"}),
                                      answer(200, {"refund_id": "r1", "status": "succeeded"})])
    assert client.create_refund("K01-1", "rk-1", 100, "topup_rejected").refund_id == "r1"
    assert [r.headers["Idempotency-Key"] for r in adapter.sent] == ["rk-1", "rk-1"]


@pytest.mark.parametrize("definite", [answer(422, {"error": "rejected", "reason": "quote_expired"}),
                                      answer(409, {"error": "idempotency_conflict"})])
def test_a_definite_answer_is_not_retried(definite):
    client, adapter, _ = make_client([definite, answer(201, CREDITED)])
    with pytest.raises((Rejected, Conflict)):
        client.create_topup("ck-1", "85291234567", "q-1", "P", 1, "fps", "K01-1", "t1")
    assert len(adapter.sent) == 1


def test_retry_later_with_a_long_retry_after_still_respects_the_deadline():
    client, adapter, clock = make_client([answer(429, {"error": "slow"},
                                                 headers={"Retry-After": "3"})],
                                         retry_deadline_s=7.0, backoff_max_s=3.0)
    with pytest.raises(RetryLater):
        client.get_subscriber("85291234567")
    assert len(adapter.sent) == 3  # at 0, 3 and 6 s; a fourth would start at 9 s


def test_a_bad_idempotency_key_is_a_programming_error_not_a_request():
    client, adapter, _ = make_client([answer(201, CREDITED)])
    with pytest.raises(ValueError):
        client.create_topup("key with spaces", "85291234567", "q", "P", 1, "fps", "r", "t")
    assert adapter.sent == []
