"""Request signing against a fixed vector computed here, independently of kiosk.services."""

import hashlib
import hmac

import pytest

from contract import signing
from tests.fakes.http import CREDITED, answer, make_client

BODY = b'{"msisdn":"85291234567","amount_cents":8820}'


def expected_signature(secret: bytes, method: str, path: str, ts: str, body: bytes) -> str:
    text = "\n".join([method, path, ts, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def test_signature_matches_the_spec_formula():
    """GIVEN a fixed request WHEN signed THEN the HMAC of METHOD, path, ts, sha256(body)."""
    got = signing.sign("demo-kiosk-secret", "POST", "/v1/topups", "1795000000", BODY)
    assert got == expected_signature(b"demo-kiosk-secret", "POST", "/v1/topups", "1795000000",
                                     BODY)
    # The same vector computed with openssl (printf … | openssl dgst -sha256 -hmac …):
    assert got == "b8b545f7a52d2d37b8ab629298433d7824cd155c718e403a0abd8f881b51d15c"


def test_get_signs_the_hash_of_an_empty_body_and_the_query():
    text = signing.string_to_sign("get", "/v1/payments/K01-1?x=1", "1795000000", b"")
    assert text == ("GET\n/v1/payments/K01-1?x=1\n1795000000\n"
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


@pytest.mark.parametrize("change", ["method", "path", "ts", "body", "secret"])
def test_verify_refuses_any_change(change):
    args = {"secret": "s3cret-key", "method": "POST", "path": "/v1/topups", "ts": "1795000000",
            "body": BODY}
    good = signing.sign(args["secret"], args["method"], args["path"], args["ts"], args["body"])
    args[change] = {"method": "PUT", "path": "/v1/topups?a=1", "ts": "1795000001",
                    "body": BODY + b" ", "secret": "other-key"}[change]
    assert not signing.verify(args["secret"], args["method"], args["path"], args["ts"],
                              args["body"], good)


def test_client_signs_the_exact_bytes_it_sends():
    """GIVEN a top-up WHEN the client sends it THEN the headers sign exactly the bytes sent."""
    client, adapter, clock = make_client([answer(201, CREDITED)])
    client.create_topup("ck-1", "85291234567", "q-1", "HK-30D-10GB", 8820, "fps", "K01-1", "t1")
    sent = adapter.sent[0]
    ts = sent.headers["X-Timestamp"]
    assert ts == str(int(clock.now()))
    assert sent.headers["X-Kiosk-Id"] == "K01"
    assert sent.headers["Idempotency-Key"] == "ck-1"
    assert sent.headers["X-Signature"] == expected_signature(
        b"unit-test-secret", "POST", "/v1/topups", ts, sent.body)
