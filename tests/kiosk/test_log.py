"""Logging: redaction on every handler, the wire log apart from the application log."""

import logging

import pytest

from contract.redact import Redactor, mask_phone
from kiosk import log


@pytest.mark.parametrize("text, expected", [
    ("looking up 85291234567", "looking up *******4567"),
    ("number 9123 4567 typed", "number ****4567 typed"),
    ("mainland 8613812345678 ok", "mainland *********5678 ok"),
    ("mainland 13812345678", "*******5678"),
    ("card 4111111111111111 used", "card ************1111 used"),
    ("card 4111 1111 1111 1111", "card ************1111"),
    ("secret=abc123xyz&x=1", "secret=***&x=1"),
    ('{"pin": "123456"}', '{"pin": "***"}'),
])
def test_redactor_masks(text, expected):
    assert expected in Redactor()(text)


@pytest.mark.parametrize("text", [
    "order K01-20261123-000123 amount 8820 cents",
    "status 200 in 35 ms at 1764100000",
    "landline 21234567",
])
def test_redactor_keeps_ordinary_numbers(text):
    assert Redactor()(text) == text


def test_known_secret_is_replaced_anywhere():
    r = Redactor(("demo-kiosk-secret",))
    assert r("using key demo-kiosk-secret now") == "using key *** now"


def test_mask_phone_keeps_last_four():
    assert mask_phone("85291234567") == "*******4567"
    assert mask_phone("123") == "***"


def test_handlers_redact_and_wire_goes_apart(tmp_path):
    log.setup(tmp_path, "DEBUG", console=False, secrets=("hunter2-secret",))
    try:
        logging.getLogger("kiosk.test").info("credit %s with hunter2-secret", "85291234567")
        logging.getLogger("wire.card_terminal").debug("TX 02 53 41 03 7e for 85291234567")
        try:
            raise ValueError("bad number 85291234567")
        except ValueError:
            logging.getLogger("kiosk.test").exception("failed")
        for h in logging.getLogger().handlers + logging.getLogger("wire").handlers:
            h.flush()
        app = (tmp_path / "kiosk.log").read_text()
        wire = (tmp_path / "wire.log").read_text()
        assert "credit *******4567 with ***" in app
        assert "85291234567" not in app
        assert "hunter2" not in app
        assert "TX 02 53 41 03 7e" in wire and "TX 02" not in app
        assert "85291234567" not in wire
    finally:
        log.setup(tmp_path, "WARNING", console=False)
