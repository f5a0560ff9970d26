"""The backend simulator refuses a body nested too deep with 400, never a 500 RecursionError."""

import json
import time

import pytest
import requests

from contract import signing
from simulators.backend import BackendSimulator
from simulators.backend.json_depth import MAX_DEPTH, too_deep

KIOSK, SECRET = "K01", "depth-test-secret"


@pytest.mark.parametrize(("text", "deep"), [
    ('{"a": [1, {"b": [2]}]}', False),
    ("[" * MAX_DEPTH + "]" * MAX_DEPTH, False),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
    ('{"a": "' + "[" * 1000 + '"}', False),  # brackets inside a string do not nest
    ('{"a": "\\"' + "{" * 1000 + '"}', False),  # nor after an escaped quote
    ("[" + ",".join(["[]"] * 10000) + "]", False),  # many, but side by side
    ("[" * 100_000, True),  # never closed: still deep
])
def test_depth(text, deep):
    assert too_deep(text) is deep


@pytest.fixture
def sim(tmp_path):
    sim = BackendSimulator(port=0, secrets={KIOSK: SECRET}).start()
    yield sim
    sim.stop()


def post(sim, data: bytes, key: str = "DEPTH-1") -> requests.Response:
    headers = signing.signed_headers(KIOSK, SECRET, "POST", "/v1/payments", int(time.time()), data)
    headers[signing.HEADER_IDEMPOTENCY] = key
    headers["Content-Type"] = "application/json"
    return requests.post(sim.url + "/v1/payments", data=data, headers=headers, timeout=10)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_a_deep_body_is_a_400(sim, depth):
    answer = post(sim, b"[" * depth + b"]" * depth)
    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_request" and "nests deeper" in answer.json()["message"]


def test_the_simulator_still_answers_after_a_deep_body(sim):
    post(sim, b"[" * 100_000 + b"]" * 100_000)
    order = {"out_trade_no": "K01-20261203-000001-P1", "method": "fps", "amount_cents": 100,
             "currency": "HKD", "description": "test", "expires_in_s": 120}
    answer = post(sim, json.dumps(order).encode(), key=order["out_trade_no"])
    assert answer.status_code in (200, 201), answer.text
    assert answer.json()["out_trade_no"] == order["out_trade_no"]
