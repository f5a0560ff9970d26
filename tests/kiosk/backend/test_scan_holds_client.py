"""The client's scan payments, reverses, holds and long polls: requests sent, values and errors."""

import json
from datetime import UTC, datetime

import pytest
import requests

from kiosk.backend.errors import (
    Ambiguous,
    Conflict,
    Definite,
    NotFound,
    Rejected,
    RetryLater,
    StillPaying,
)
from tests.fakes.http import CREDITED, answer, make_client

CODE = "134567890123456780"
SCAN_PAID = {"out_trade_no": "K01-S-1", "method": "wechatpay", "status": "paid",
             "amount_cents": 8820, "paid_at": "2026-11-23T10:00:00Z", "reason": None}
HOLD = {"hold_id": "hd-1", "expires_at": "2026-11-23T10:15:00Z"}


def rejected(reason, error="rejected"):
    return {"error": error, "status": "rejected", "reason": reason, "message": "no"}


def sent_json(adapter, i=-1):
    return json.loads(adapter.sent[i].body)


# --- scan payments ---------------------------------------------------------------------------

def test_scan_payment_sends_the_code_keyed_by_the_order_number_and_parses_the_answer():
    client, adapter, _ = make_client([answer(201, SCAN_PAID)])
    paid = client.scan_payment("K01-S-1", CODE, 8820, "30-Day")
    assert (paid.status, paid.method, paid.amount_cents, paid.reason) == (
        "paid", "wechatpay", 8820, None)
    assert paid.paid_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    request = adapter.sent[0]
    assert request.method == "POST" and request.url.endswith("/v1/payments/scan")
    assert request.headers["Idempotency-Key"] == "K01-S-1"
    assert sent_json(adapter) == {"out_trade_no": "K01-S-1", "auth_code": CODE,
                                  "amount_cents": 8820, "currency": "HKD",
                                  "description": "30-Day"}


def test_a_failed_scan_carries_its_reason_and_user_paying_has_none():
    failed = {**SCAN_PAID, "status": "failed", "paid_at": None, "reason": "insufficient_funds"}
    client, _, _ = make_client([answer(201, failed)])
    assert client.scan_payment("K01-S-1", CODE, 8820, "x").reason == "insufficient_funds"
    confirming = {**SCAN_PAID, "status": "user_paying", "paid_at": None}
    client, _, _ = make_client([answer(201, confirming)])
    assert client.scan_payment("K01-S-1", CODE, 8820, "x").status == "user_paying"


def test_a_scan_ambiguous_answer_is_retried_with_the_same_key_and_body():
    client, adapter, _ = make_client([answer(502, raw=b"<html>"), answer(200, SCAN_PAID)])
    assert client.scan_payment("K01-S-1", CODE, 8820, "x").status == "paid"
    assert len(adapter.sent) == 2 and adapter.sent[0].body == adapter.sent[1].body
    assert {r.headers["Idempotency-Key"] for r in adapter.sent} == {"K01-S-1"}


def test_bad_auth_code_is_definite():
    client, _, _ = make_client([answer(422, {"error": "bad_auth_code", "message": "no"})])
    with pytest.raises(Rejected) as caught:
        client.scan_payment("K01-S-1", "4006381333931", 8820, "x")
    assert isinstance(caught.value, Definite) and caught.value.reason == "bad_auth_code"


@pytest.mark.parametrize("body", [
    {**SCAN_PAID, "status": "pending"},             # not a scan status
    {**SCAN_PAID, "status": "failed", "reason": None},  # a failure must say why
    {**SCAN_PAID, "amount_cents": "8820"},
    {**SCAN_PAID, "paid_at": "yesterday"},
    {k: v for k, v in SCAN_PAID.items() if k != "method"},
])
def test_a_malformed_scan_answer_is_ambiguous(body):
    client, _, _ = make_client([answer(201, body)], retry_deadline_s=0)
    with pytest.raises(Ambiguous) as caught:
        client.scan_payment("K01-S-1", CODE, 8820, "x")
    assert caught.value.code == "malformed"


def test_the_auth_code_is_not_logged(caplog):
    caplog.set_level("DEBUG")
    client, _, _ = make_client([answer(500, {"error": "internal"})], retry_deadline_s=0)
    with pytest.raises(Ambiguous):
        client.scan_payment("K01-S-1", CODE, 8820, "x")
    assert CODE not in caplog.text and "K01-S-1" in caplog.text


# --- reverse ---------------------------------------------------------------------------------

def test_reverse_is_a_repeatable_post_without_a_key():
    client, adapter, _ = make_client([answer(500, {"error": "internal"}),
                                      answer(200, {"status": "reversed", "refunded_cents": 8820})])
    reversal = client.reverse_payment("K01-S-1")
    assert (reversal.status, reversal.refunded_cents) == ("reversed", 8820)
    assert len(adapter.sent) == 2
    assert adapter.sent[0].url.endswith("/v1/payments/K01-S-1/reverse")
    assert "Idempotency-Key" not in adapter.sent[0].headers


def test_reverse_user_paying_is_asked_again_then_still_paying_at_the_deadline():
    still = answer(409, {"error": "user_paying", "message": "confirming"})
    client, adapter, _ = make_client([still, answer(200, {"status": "reversed",
                                                         "refunded_cents": 0})])
    assert client.reverse_payment("K01-S-1").refunded_cents == 0
    client, adapter, _ = make_client([still], retry_deadline_s=3)
    with pytest.raises(StillPaying) as caught:
        client.reverse_payment("K01-S-1")
    assert isinstance(caught.value, RetryLater) and caught.value.code == "user_paying"
    assert len(adapter.sent) > 1


@pytest.mark.parametrize("status, body, error, code", [
    (409, {"error": "reverse_window_passed"}, Conflict, "reverse_window_passed"),
    (404, {"error": "not_found"}, NotFound, "not_found"),
    (422, {"error": "not_reversible"}, Rejected, "not_reversible"),
])
def test_reverse_definite_answers(status, body, error, code):
    client, adapter, _ = make_client([answer(status, body)])
    with pytest.raises(error) as caught:
        client.reverse_payment("K01-S-1")
    assert caught.value.code == code and len(adapter.sent) == 1


@pytest.mark.parametrize("body", [{"status": "closed", "refunded_cents": 0},
                                  {"status": "reversed"},
                                  {"status": "reversed", "refunded_cents": -5}])
def test_a_malformed_reverse_answer_is_ambiguous(body):
    client, _, _ = make_client([answer(200, body)], retry_deadline_s=0)
    with pytest.raises(Ambiguous):
        client.reverse_payment("K01-S-1")


# --- holds -----------------------------------------------------------------------------------

def test_create_hold_is_keyed_and_parsed():
    client, adapter, _ = make_client([answer(201, HOLD)])
    hold = client.create_hold("hk-1", "85291234567", "q-1", "HK-30D-10GB", 8820, "T-1")
    assert hold.hold_id == "hd-1" and hold.expires_at == datetime(2026, 11, 23, 10, 15,
                                                                   tzinfo=UTC)
    assert adapter.sent[0].url.endswith("/v1/topups/holds")
    assert adapter.sent[0].headers["Idempotency-Key"] == "hk-1"
    assert sent_json(adapter) == {"msisdn": "85291234567", "quote_id": "q-1",
                                  "plan_id": "HK-30D-10GB", "amount_cents": 8820,
                                  "transaction_id": "T-1"}


@pytest.mark.parametrize("reason", ["monthly_cap_exceeded", "plan_not_eligible",
                                    "quote_expired", "a_new_reason"])
def test_a_refused_hold_is_definite_with_its_reason(reason):
    client, adapter, _ = make_client([answer(422, rejected(reason))])
    with pytest.raises(Rejected) as caught:
        client.create_hold("hk-1", "85291234567", "q-1", "HK-30D-10GB", 8820, "T-1")
    assert caught.value.reason == reason and len(adapter.sent) == 1


@pytest.mark.parametrize("body", [{"hold_id": "", "expires_at": "2026-11-23T10:15:00Z"},
                                  {"hold_id": "hd-1"},
                                  {"hold_id": "hd-1", "expires_at": "2026-11-23T10:15:00"},
                                  {"hold_id": 7, "expires_at": "2026-11-23T10:15:00Z"}])
def test_a_malformed_hold_is_ambiguous(body):
    client, _, _ = make_client([answer(201, body)], retry_deadline_s=0)
    with pytest.raises(Ambiguous) as caught:
        client.create_hold("hk-1", "85291234567", "q-1", "HK-30D-10GB", 8820, "T-1")
    assert caught.value.code == "malformed"


def test_a_hold_lost_answer_is_retried_with_the_same_key():
    client, adapter, _ = make_client([requests.ConnectionError("reset"), answer(200, HOLD)])
    assert client.create_hold("hk-1", "85291234567", "q-1", "P", 8820, "T").hold_id == "hd-1"
    assert [r.headers["Idempotency-Key"] for r in adapter.sent] == ["hk-1", "hk-1"]


def test_release_hold_is_a_repeatable_delete():
    client, adapter, _ = make_client([answer(503, {"error": "busy"}),
                                      answer(200, {"hold_id": "hd-1", "status": "released"})])
    assert client.release_hold("hd-1") is None
    assert [r.method for r in adapter.sent] == ["DELETE", "DELETE"]
    assert adapter.sent[0].url.endswith("/v1/topups/holds/hd-1")


def test_a_topup_names_its_hold_and_hold_refusals_are_definite():
    client, adapter, _ = make_client([answer(201, CREDITED)])
    client.create_topup("ck-1", "85291234567", "q-1", "HK-30D-10GB", 8820, "fps", "K01-1", "T",
                        hold_id="hd-1")
    assert sent_json(adapter)["hold_id"] == "hd-1"
    client, adapter, _ = make_client([answer(201, CREDITED)])
    client.create_topup("ck-1", "85291234567", "q-1", "HK-30D-10GB", 8820, "fps", "K01-1", "T")
    assert "hold_id" not in sent_json(adapter)
    for reason in ("hold_expired", "hold_used", "hold_not_found", "hold_mismatch"):
        client, _, _ = make_client([answer(422, rejected(reason))])
        with pytest.raises(Rejected) as caught:
            client.create_topup("ck-1", "85291234567", "q-1", "P", 8820, "fps", "K01-1", "T",
                                hold_id="hd-1")
        assert caught.value.reason == reason


# --- long poll -------------------------------------------------------------------------------

STATUS = {"out_trade_no": "K01-Q-1", "method": "fps", "status": "paid", "amount_cents": 8820,
          "paid_at": "2026-11-23T10:00:00Z", "refunded_cents": 0, "reason": None}


def test_long_poll_signs_the_query_and_reads_longer_than_wait_s():
    client, adapter, _ = make_client([answer(200, STATUS)], read_timeout_s=10.0)
    status = client.get_payment("K01-Q-1", wait_s=20)
    assert status.status == "paid" and status.method == "fps" and not status.waiting
    request = adapter.sent[0]
    assert request.url.endswith("/v1/payments/K01-Q-1?wait_s=20")
    connect, read = adapter.kwargs[0]["timeout"]
    assert read > 20
    plain, adapter2, _ = make_client([answer(200, STATUS)], read_timeout_s=10.0)
    plain.get_payment("K01-Q-1")
    assert adapter2.kwargs[0]["timeout"][1] == 10.0 and "?" not in adapter2.sent[0].url


def test_the_long_poll_signature_covers_the_query():
    from contract import signing
    from tests.fakes.http import SECRET
    client, adapter, _ = make_client([answer(200, STATUS)])
    client.get_payment("K01-Q-1", wait_s=5)
    r = adapter.sent[0]
    assert signing.verify(SECRET, "GET", "/v1/payments/K01-Q-1?wait_s=5",
                          r.headers["X-Timestamp"], b"", r.headers["X-Signature"])
    assert not signing.verify(SECRET, "GET", "/v1/payments/K01-Q-1",
                              r.headers["X-Timestamp"], b"", r.headers["X-Signature"])


def test_a_long_poll_timeout_is_still_ambiguous():
    client, _, _ = make_client([requests.ReadTimeout("slow")], retry_deadline_s=0)
    with pytest.raises(Ambiguous) as caught:
        client.get_payment("K01-Q-1", wait_s=5)
    assert caught.value.code == "timeout"


@pytest.mark.parametrize("wait_s", [0, 26, -1, 2.5, True, "5"])
def test_wait_s_outside_1_to_25_is_a_programming_error(wait_s):
    client, adapter, _ = make_client([answer(200, STATUS)])
    with pytest.raises(ValueError):
        client.get_payment("K01-Q-1", wait_s=wait_s)
    assert adapter.sent == []


def test_an_older_status_answer_without_method_or_reason_still_parses():
    old = {k: v for k, v in STATUS.items() if k not in ("method", "reason")}
    client, _, _ = make_client([answer(200, {**old, "status": "user_paying"})])
    status = client.get_payment("K01-Q-1", wait_s=3)
    assert status.method is None and status.reason is None and status.waiting
