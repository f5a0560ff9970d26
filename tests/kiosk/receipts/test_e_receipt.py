"""E-receipt tokens: the documented test vector, and links that never carry the reference alone."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from kiosk.receipts.e_receipt import e_receipt_url, receipt_token, template_problem
from kiosk.settings import SettingsError, load

# The test vector of docs/e-receipts.md (also computed there with openssl).
SECRET, TXN_ID = "demo-kiosk-secret", "K01-20261203-000001"
HMAC_HEX = "853bc361d8eb8cd9b98f0a32c2427b6809d352b94a82930126c1a14f2e732c70"
TOKEN = "hTvDYdjrjNm5jwoywkJ7aA"


def test_the_documented_vector():
    full = hmac.new(SECRET.encode(), b"receipt:" + TXN_ID.encode(), hashlib.sha256).hexdigest()
    assert full == HMAC_HEX
    assert receipt_token(SECRET, TXN_ID) == TOKEN


def test_the_vector_is_in_the_docs():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "e-receipts.md").read_text("utf-8")
    for text in (SECRET, TXN_ID, HMAC_HEX, TOKEN):
        assert text in doc


def test_token_is_16_bytes_base64url_without_padding():
    token = receipt_token("s3cret", "K01-20261203-000002")
    assert len(token) == 22 and "=" not in token
    assert base64.urlsafe_b64decode(token + "==") == hmac.new(
        b"s3cret", b"receipt:K01-20261203-000002", hashlib.sha256).digest()[:16]


def test_neighbouring_transactions_and_kiosks_get_unrelated_tokens():
    tokens = {receipt_token(SECRET, f"K01-20261203-{n:06d}") for n in range(1, 200)}
    assert len(tokens) == 199
    assert receipt_token("another-kiosk-secret", TXN_ID) != TOKEN


def test_url_fills_token_and_reference():
    assert e_receipt_url("https://r.example.hk/{token}", SECRET, TXN_ID) == \
        f"https://r.example.hk/{TOKEN}"
    assert e_receipt_url("https://r.example.hk/{reference}?t={token}", SECRET, TXN_ID) == \
        f"https://r.example.hk/{TXN_ID}?t={TOKEN}"


@pytest.mark.parametrize("template,why", [
    ("https://r.example.hk/{reference}", "must name {token}"),
    ("https://r.example.hk/{token}/{kiosk}", "names {kiosk}"),
    ("https://r.example.hk/{token", "not a valid template"),
])
def test_unusable_templates_are_refused_at_start(template, why):
    assert why in template_problem(template)
    with pytest.raises(SettingsError, match="kiosk.e_receipt_url"):
        load(None, {"kiosk.e_receipt_url": template})


def test_default_template_uses_the_token():
    settings = load()
    assert "{token}" in settings.kiosk.e_receipt_url and not template_problem(
        settings.kiosk.e_receipt_url)
