"""Every answer the backend can give maps to a value or to the right typed error."""

import pytest
import requests

from kiosk.backend.client import BackendClient
from kiosk.backend.errors import (
    Ambiguous,
    BackendConfigError,
    Conflict,
    Definite,
    NotFound,
    Refused,
    Rejected,
    RetryLater,
)
from tests.fakes.http import SUBSCRIBER, answer, make_client


def topup(client):
    return client.create_topup("ck-1", "85291234567", "q-1", "HK-30D-10GB", 8820, "fps",
                               "K01-1", "t1")


def rejected(reason):
    return {"error": "rejected", "status": "rejected", "reason": reason, "message": "no"}


@pytest.mark.parametrize("status, body, error, code", [
    (422, rejected("monthly_cap_exceeded"), Rejected, "rejected"),
    (422, rejected("a_reason_from_next_year"), Rejected, "rejected"),
    (404, {"error": "subscriber_not_found"}, NotFound, "subscriber_not_found"),
    (409, {"error": "idempotency_conflict"}, Conflict, "idempotency_conflict"),
    (409, {"error": "already_paid"}, Conflict, "already_paid"),
    (400, {"error": "bad_request", "message": "msisdn"}, Refused, "bad_request"),
    (401, {"error": "bad_signature"}, Refused, "bad_signature"),
    (403, {"error": "forbidden"}, Refused, "forbidden"),
    (409, {"error": "in_flight"}, RetryLater, "in_flight"),
])
def test_definite_and_retry_later_answers(status, body, error, code):
    client, _, _ = make_client([answer(status, body)], retry_deadline_s=0)
    with pytest.raises(error) as caught:
        topup(client)
    assert caught.value.code == code and caught.value.http_status == status


def test_an_unknown_rejection_reason_is_still_definite():
    client, _, _ = make_client([answer(422, rejected("new_rule"))])
    with pytest.raises(Rejected) as caught:
        topup(client)
    assert isinstance(caught.value, Definite) and caught.value.reason == "new_rule"


@pytest.mark.parametrize("status, raw, why", [
    (500, b'{"error": "internal"}', "a 5xx"),
    (502, b"<html><body>Bad gateway</body></html>", "a proxy page"),
    (200, b"", "an empty 200"),
    (200, b"<html>login</html>", "HTML"),
    (200, b'{"topup_id": "tu-1"}', "a 200 with missing fields"),
    (200, b"[1, 2]", "JSON that is not an object"),
    (201, b'{"topup_id": "tu-1", "status": "credited", "balance": {"data_mb_left": "lots",'
          b' "expires_at": null}, "credited_at": "2026-11-23T10:00:00Z"}', "a wrong type"),
    (403, b"<html>Forbidden by proxy</html>", "a 4xx without an error object"),
    (404, b"", "an empty 404"),
    (302, b"", "a redirect"),
])
def test_ambiguous_answers(status, raw, why):
    client, _, _ = make_client([answer(status, raw=raw)], retry_deadline_s=0)
    with pytest.raises(Ambiguous) as caught:
        topup(client)
    assert not isinstance(caught.value, RetryLater), why


def test_429_is_retry_later_with_its_delay():
    client, _, _ = make_client([answer(429, {"error": "slow_down"}, headers={"Retry-After": "2"})],
                               retry_deadline_s=0)
    with pytest.raises(RetryLater) as caught:
        client.get_subscriber("85291234567")
    assert caught.value.retry_after_s == 2.0


@pytest.mark.parametrize("exc", [requests.ConnectTimeout("slow"), requests.ReadTimeout("slow"),
                                 requests.ConnectionError("reset by peer")])
def test_transport_failures_are_ambiguous(exc):
    client, _, _ = make_client([exc], retry_deadline_s=0)
    with pytest.raises(Ambiguous):
        topup(client)


def test_oversized_answer_is_ambiguous_not_a_crash():
    client, _, _ = make_client([answer(200, raw=b"{" + b" " * 5000 + b"}")],
                               max_response_bytes=1000, retry_deadline_s=0)
    with pytest.raises(Ambiguous, match="limit"):
        client.get_subscriber("85291234567")


def test_answers_map_to_frozen_values_with_cents_and_aware_times():
    client, _, _ = make_client([answer(200, SUBSCRIBER)])
    sub = client.get_subscriber("85291234567")
    offer = sub.offers[0]
    assert (offer.price_cents, offer.list_price_cents, offer.promotion.id) == (8820, 9800,
                                                                               "FIRST10")
    assert sub.balance.expires_at.utcoffset().total_seconds() == 0
    assert sub.balance.expires_at.isoformat() == "2026-12-01T15:59:59+00:00"
    with pytest.raises(AttributeError):
        sub.status = "suspended"


def test_not_found_on_a_query_is_none():
    client, _, _ = make_client([answer(404, {"error": "not_found"})])
    assert client.get_topup("ck-1") is None
    assert client.get_payment("K01-1") is None
    assert client.get_refund("K01-1", "rk-1") is None


def test_a_rejected_topup_read_back_carries_its_reason():
    client, _, _ = make_client([answer(200, {"topup_id": "tu-2", "status": "rejected",
                                             "reason": "quote_expired", "balance": None,
                                             "credited_at": None})])
    got = client.get_topup("ck-1")
    assert (got.status, got.reason, got.balance) == ("rejected", "quote_expired", None)


@pytest.mark.parametrize("url", ["http://backend.example.com", "http://192.0.2.10:8765",
                                 "ftp://127.0.0.1", "backend.example"])
def test_plain_http_to_a_remote_host_is_refused_at_construction(url):
    with pytest.raises(BackendConfigError, match="http"):
        BackendClient(url, "K01", "secret")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765", "http://localhost:1",
                                 "http://[::1]:8765", "https://backend.example.com"])
def test_loopback_http_and_https_are_accepted(url):
    assert BackendClient(url, "K01", "secret").base_url == url


def test_tls_verification_is_always_on():
    client, adapter, _ = make_client([answer(200, SUBSCRIBER)])
    client.get_subscriber("85291234567")
    with_ca, adapter_ca, _ = make_client([answer(200, SUBSCRIBER)], ca_bundle="/etc/ca.pem")
    with_ca.get_subscriber("85291234567")
    assert adapter.kwargs[0]["verify"] is True
    assert adapter_ca.kwargs[0]["verify"] == "/etc/ca.pem"
    assert adapter.kwargs[0]["timeout"] == (3.0, 10.0)
