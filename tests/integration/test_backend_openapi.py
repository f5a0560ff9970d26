"""docs/backend-api.yaml against the simulator's real answers, so the two cannot drift.

One scenario drives every route (successes and the main errors); each answer's status must be
documented for its route and its body must validate against the documented schema. At the end,
every documented (route, status) must have been seen, except those the simulator never gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from simulators.backend import routes

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "backend-api.yaml"
DOC = yaml.safe_load(DOC_PATH.read_text(encoding="utf-8"))
URN = "urn:kiosk:backend-api"
REGISTRY = Registry().with_resource(URN, Resource.from_contents(DOC, DRAFT202012))
NOT_FROM_SIMULATOR = {"429"}  # a real backend may answer these; the simulator never does
HK = "85291234567"


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _deref(obj: dict) -> tuple[dict, list[str]]:
    """A response object, following one $ref into components; with its pointer parts."""
    ref = obj.get("$ref")
    if not ref:
        return obj, []
    parts = ref.removeprefix("#/").split("/")
    target = DOC
    for part in parts:
        target = target[part]
    return target, parts


def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{URN}#{pointer}"}, registry=REGISTRY,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


class Conformance:
    """Sends requests and checks each answer (and request body) against the document."""

    def __init__(self, signed_request, control_url: str):
        import requests
        self.signed = signed_request
        self.session = requests.Session()
        self.control_url = control_url
        self.seen: set[tuple[str, str, str]] = set()

    def call(self, method: str, template: str, path: str, body=None, key=None, expect=None,
             **auth):
        operation = DOC["paths"][template][method.lower()]
        if body is not None and expect in (200, 201) and "requestBody" in operation:
            _validator(_pointer("paths", template, method.lower(), "requestBody", "content",
                                "application/json", "schema")).validate(body)
        if template.startswith("/_sim/"):
            answer = self.session.request(method, self.control_url + path, json=body, timeout=5)
        else:
            answer = self.signed(method, path, body, key, **auth)
        status = str(answer.status_code)
        assert expect is None or answer.status_code == expect, (method, path, answer.text)
        assert status in operation["responses"], (
            f"{method} {template} answered undocumented {status}")
        response, ref_parts = _deref(operation["responses"][status])
        base = ref_parts or ["paths", template, method.lower(), "responses", status]
        _validator(_pointer(*base, "content", "application/json", "schema")).validate(
            answer.json())
        self.seen.add((method, template, status))
        return answer.json()


@pytest.fixture
def api(signed_request, backend_simulator):
    checker = Conformance(signed_request, backend_simulator.url)
    yield checker
    checker.session.close()


def test_every_route_of_the_simulator_is_documented_and_nothing_more():
    documented = {f"{m.upper()} {p}" for p, ops in DOC["paths"].items() for m in ops}
    implemented = {r.name for r in routes.CONTRACT + routes.CONTROL}
    assert documented == implemented


def test_every_ref_in_the_document_resolves():
    def refs(node):
        if isinstance(node, dict):
            yield from ([node["$ref"]] if "$ref" in node else [])
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)
    for ref in set(refs(DOC)):
        assert _deref({"$ref": ref})[0], ref


def _subscribers(api):
    t = "/v1/subscribers/{msisdn}"
    api.call("GET", t, f"/v1/subscribers/{HK}", expect=200)
    api.call("GET", t, "/v1/subscribers/85251234567", expect=200)
    api.call("GET", t, "/v1/subscribers/85261234567", expect=200)
    expired = api.call("GET", t, "/v1/subscribers/85293456789", expect=200)
    assert expired["status"] == "expired" and expired["offers"]  # within its grace period
    assert all("new_expires_at" in offer for offer in expired["offers"])
    api.call("GET", t, "/v1/subscribers/abc123", expect=400)
    api.call("GET", t, "/v1/subscribers/85290000000", expect=404)
    return api.call("GET", t, "/v1/subscribers/8613812345678", expect=200)["offers"]


def _payments(api):
    t = "/v1/payments"
    order = {"out_trade_no": "K01-OA-1", "method": "fps", "amount_cents": 12420,
             "currency": "HKD", "description": "China + HK 30-Day 20GB", "expires_in_s": 120}
    api.call("POST", t, t, order, "K01-OA-1", expect=201)
    api.call("POST", t, t, order, "K01-OA-1", expect=200)
    api.call("POST", t, t, {**order, "amount_cents": 1}, "K01-OA-1", expect=409)
    api.call("POST", t, t, order, None, expect=400)
    api.call("POST", "/_sim/faults", "/_sim/faults", {"route": "POST /v1/payments",
                                                      "mode": "reject"}, expect=201)
    api.call("POST", t, t, {**order, "out_trade_no": "K01-OA-2"}, "K01-OA-2", expect=422)
    api.call("POST", t, t, {**order, "out_trade_no": "K01-OA-3"}, "K01-OA-3", expect=201)
    g = "/v1/payments/{out_trade_no}"
    api.call("GET", g, "/v1/payments/K01-OA-1", expect=200)
    api.call("GET", g, "/v1/payments/K01-NONE", expect=404)
    p = "/_sim/payments/{out_trade_no}/pay"
    api.call("POST", p, "/_sim/payments/K01-OA-1/pay", {}, expect=200)
    api.call("POST", p, "/_sim/payments/K01-NONE/pay", {}, expect=404)
    c = "/v1/payments/{out_trade_no}/close"
    api.call("POST", c, "/v1/payments/K01-OA-3/close", {}, expect=200)
    api.call("POST", p, "/_sim/payments/K01-OA-3/pay", {}, expect=409)
    api.call("POST", c, "/v1/payments/K01-OA-1/close", {}, expect=409)
    api.call("POST", c, "/v1/payments/K01-NONE/close", {}, expect=404)


def _topups(api, offers):
    offer = next(o for o in offers if o["plan_id"] == "CB-30D-20GB")
    t = "/v1/topups"
    body = {"msisdn": "8613812345678", "quote_id": offer["quote_id"], "plan_id": "CB-30D-20GB",
            "amount_cents": offer["price_cents"],
            "payment": {"method": "fps", "reference": "K01-OA-1"}, "transaction_id": "K01-OA-1"}
    assert offer["price_cents"] == 12420  # FIRST10 on 138.00
    api.call("POST", t, t, body, "ck-oa-1", expect=201)
    api.call("POST", t, t, body, "ck-oa-1", expect=200)
    api.call("POST", t, t, {**body, "amount_cents": 1}, "ck-oa-1", expect=409)
    api.call("POST", t, t, {**body, "msisdn": "85290000000"}, "ck-oa-2", expect=404)
    api.call("POST", t, t, {**body, "msisdn": "not-digits"}, "ck-oa-2", expect=400)
    api.call("POST", t, t, {**body, "amount_cents": 100}, "ck-oa-3", expect=422)
    g = "/v1/topups/{credit_key}"
    api.call("GET", g, "/v1/topups/ck-oa-1", expect=200)
    api.call("GET", g, "/v1/topups/ck-oa-3", expect=200)
    api.call("GET", g, "/v1/topups/ck-none", expect=404)


def _refunds(api):
    t = "/v1/payments/{out_trade_no}/refunds"
    path = "/v1/payments/K01-OA-1/refunds"
    api.call("POST", t, path, {"amount_cents": 3800, "reason": "goodwill"}, "rk-1", expect=201)
    api.call("POST", t, path, {"amount_cents": 3800, "reason": "goodwill"}, "rk-1", expect=200)
    api.call("POST", t, path, {"amount_cents": 1, "reason": "goodwill"}, "rk-1", expect=409)
    api.call("POST", t, path, {"amount_cents": 99999, "reason": "x"}, "rk-2", expect=422)
    api.call("POST", t, path, {"amount_cents": 0}, "rk-3", expect=400)
    api.call("POST", t, "/v1/payments/K01-NONE/refunds", {"amount_cents": 1}, "rk-4", expect=404)
    g = "/v1/payments/{out_trade_no}/refunds/{refund_key}"
    api.call("GET", g, "/v1/payments/K01-OA-1/refunds/rk-1", expect=200)
    api.call("GET", g, "/v1/payments/K01-OA-1/refunds/rk-none", expect=404)


def _scan_and_reverse(api):
    t = "/v1/payments/scan"
    scan = {"out_trade_no": "K01-OS-1", "auth_code": "134567890123456780", "amount_cents": 8820,
            "currency": "HKD", "description": "30-Day"}
    api.call("POST", t, t, scan, "K01-OS-1", expect=201)
    api.call("POST", t, t, scan, "K01-OS-1", expect=200)
    api.call("POST", t, t, {**scan, "amount_cents": 1}, "K01-OS-1", expect=409)
    api.call("POST", t, t, {**scan, "currency": "USD"}, "K01-OS-2", expect=400)
    api.call("POST", t, t, {**scan, "out_trade_no": "K01-OS-3", "auth_code": "4891234567890"},
             "K01-OS-3", expect=422)
    failed = api.call("POST", t, t, {**scan, "out_trade_no": "K01-OS-4",
                                     "auth_code": "281234567890123455"}, "K01-OS-4", expect=201)
    assert (failed["status"], failed["reason"]) == ("failed", "insufficient_funds")
    api.call("POST", t, t, {**scan, "out_trade_no": "K01-OS-5",
                            "auth_code": "134567890123456784"}, "K01-OS-5", expect=201)
    g = "/v1/payments/{out_trade_no}"
    assert api.call("GET", g, "/v1/payments/K01-OS-5?wait_s=1",
                    expect=200)["status"] == "user_paying"
    api.call("GET", g, "/v1/payments/K01-OS-5?wait_s=26", expect=400)
    api.call("POST", "/v1/payments/{out_trade_no}/close", "/v1/payments/K01-OS-5/close", {},
             expect=422)
    r = "/v1/payments/{out_trade_no}/reverse"
    api.call("POST", r, "/v1/payments/K01-OS-5/reverse", {}, expect=409)
    api.call("POST", r, "/v1/payments/K01-OS-1/reverse", {}, expect=200)
    api.call("POST", r, "/v1/payments/K01-NONE/reverse", {}, expect=404)
    api.call("POST", r, "/v1/payments/K01-OA-1/reverse", {}, expect=422)  # a QR order
    api.call("POST", "/_sim/payments/{out_trade_no}/pay", "/_sim/payments/K01-OS-5/pay", {},
             expect=200)


def _holds(api, offers):
    offer = next(o for o in offers if o["plan_id"] == "HK-ADD-2GB")
    t = "/v1/topups/holds"
    body = {"msisdn": "8613812345678", "quote_id": offer["quote_id"], "plan_id": "HK-ADD-2GB",
            "amount_cents": offer["price_cents"], "transaction_id": "K01-OH-1"}
    hold = api.call("POST", t, t, body, "hk-oa-1", expect=201)
    api.call("POST", t, t, body, "hk-oa-1", expect=200)
    api.call("POST", t, t, {**body, "amount_cents": 1}, "hk-oa-1", expect=409)
    api.call("POST", t, t, {**body, "msisdn": "85290000000"}, "hk-oa-2", expect=404)
    api.call("POST", t, t, {**body, "plan_id": 7}, "hk-oa-3", expect=400)
    api.call("POST", t, t, {**body, "amount_cents": 100}, "hk-oa-4", expect=422)
    topup = {"msisdn": "8613812345678", "quote_id": offer["quote_id"], "plan_id": "HK-ADD-2GB",
             "amount_cents": offer["price_cents"], "hold_id": hold["hold_id"],
             "payment": {"method": "octopus", "reference": "ECR-OH-1"},
             "transaction_id": "K01-OH-1"}
    api.call("POST", "/v1/topups", "/v1/topups", topup, "ck-oh-1", expect=201)
    api.call("POST", "/v1/topups", "/v1/topups", topup, "ck-oh-2", expect=422)  # hold_used
    d = "/v1/topups/holds/{hold_id}"
    api.call("DELETE", d, f"/v1/topups/holds/{hold['hold_id']}", expect=200)
    api.call("DELETE", d, "/v1/topups/holds/hd-none", expect=200)


def _fleet(api):
    q = "/_sim/kiosks/{kiosk_id}/commands"
    api.call("POST", q, "/_sim/kiosks/K01/commands", {"kind": "reload_offers"}, expect=201)
    api.call("POST", q, "/_sim/kiosks/K01/commands", {}, expect=400)
    t = "/v1/kiosks/{kiosk_id}/heartbeat"
    beat = {"state": "in_service", "app_version": "0.1.0",
            "devices": {"card_terminal": "online", "printer": "paper_low"},
            "pending_transactions": 0}
    got = api.call("POST", t, "/v1/kiosks/K01/heartbeat", beat, expect=200)
    assert [c["kind"] for c in got["commands"]] == ["reload_offers"]
    api.call("POST", t, "/v1/kiosks/K01/heartbeat", {**beat, "state": "asleep"}, expect=400)
    api.call("POST", t, "/v1/kiosks/K02/heartbeat", beat, expect=403)


def _unauthorized(api):
    paths = {"/v1/subscribers/{msisdn}": f"/v1/subscribers/{HK}", "/v1/topups": "/v1/topups",
             "/v1/topups/{credit_key}": "/v1/topups/ck-oa-1", "/v1/payments": "/v1/payments",
             "/v1/payments/{out_trade_no}": "/v1/payments/K01-OA-1",
             "/v1/payments/{out_trade_no}/close": "/v1/payments/K01-OA-1/close",
             "/v1/payments/{out_trade_no}/refunds": "/v1/payments/K01-OA-1/refunds",
             "/v1/payments/{out_trade_no}/refunds/{refund_key}":
                 "/v1/payments/K01-OA-1/refunds/rk-1",
             "/v1/kiosks/{kiosk_id}/heartbeat": "/v1/kiosks/K01/heartbeat",
             "/v1/topups/holds": "/v1/topups/holds",
             "/v1/topups/holds/{hold_id}": "/v1/topups/holds/hd-1",
             "/v1/payments/scan": "/v1/payments/scan",
             "/v1/payments/{out_trade_no}/reverse": "/v1/payments/K01-OA-1/reverse"}
    for route in routes.CONTRACT:
        body = None if route.method in ("GET", "DELETE") else {}
        api.call(route.method, route.template, paths[route.template], body, "k-1",
                 expect=401, secret="wrong-secret")
    api.call("GET", "/v1/topups/{credit_key}", "/v1/topups/ck-oa-1", expect=401, timestamp=1)


def test_every_route_answers_as_documented(api):
    offers = _subscribers(api)
    _payments(api)
    _topups(api, offers)
    _refunds(api)
    _scan_and_reverse(api)
    _holds(api, offers)
    _fleet(api)
    _unauthorized(api)
    api.call("POST", "/_sim/faults", "/_sim/faults", {"route": "GET /nowhere", "mode": "x"},
             expect=400)
    ledger = api.call("GET", "/_sim/ledger", "/_sim/ledger", expect=200)
    assert [t["status"] for t in ledger["topups"]].count("credited") == 2  # fps and octopus
    assert [h["status"] for h in ledger["holds"]] == ["used"]
    api.call("POST", "/_sim/reset", "/_sim/reset", {}, expect=200)

    documented = {(m.upper(), p, s) for p, ops in DOC["paths"].items()
                  for m, op in ops.items() for s in op["responses"] if s not in NOT_FROM_SIMULATOR}
    assert documented - api.seen == set(), "documented answers the scenario never saw"
