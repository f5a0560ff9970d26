"""A canned-answer HTTP transport under the real backend client (no sockets), and the contract's
JSON answers it plays back; for the client's own tests (tests/kiosk/backend/)."""

from __future__ import annotations

import io
import json

import requests
from requests.adapters import BaseAdapter
from urllib3.response import HTTPResponse

from contract.clock import FakeClock
from kiosk.backend.client import BackendClient

SECRET = "unit-test-secret"


def answer(status: int, body=None, raw: bytes | None = None, headers: dict | None = None):
    """One canned answer: a JSON body, or raw bytes, or an exception instance to raise."""
    if raw is None:
        raw = b"" if body is None else json.dumps(body).encode()
    return status, raw, headers or {}


class CannedAdapter(BaseAdapter):
    """Answers each request with the next canned answer and records what was sent."""

    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)
        self.sent: list[requests.PreparedRequest] = []
        self.kwargs: list[dict] = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        self.kwargs.append(kwargs)
        item = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(item, Exception):
            raise item
        status, raw, headers = item
        response = requests.Response()
        response.status_code = status
        response.headers.update({"Content-Type": "application/json", **headers})
        response.raw = HTTPResponse(body=io.BytesIO(raw), status=status, preload_content=False)
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


def make_client(answers, **kwargs) -> tuple[BackendClient, CannedAdapter, FakeClock]:
    clock = FakeClock()
    adapter = CannedAdapter(answers)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    options = {"retry_deadline_s": 10.0, "clock": clock, "session": session, **kwargs}
    client = BackendClient("https://backend.example", "K01", SECRET, **options)
    return client, adapter, clock


SUBSCRIBER = {
    "msisdn": "85291234567", "status": "active", "real_name_registered": True,
    "card": {"type": "hk_prepaid", "brand": "B", "operator": "O"}, "owner_hint": "CHAN T** M***",
    "balance": {"data_mb_left": 1229, "expires_at": "2026-12-01T15:59:59Z"},
    "limits": {"monthly_cap_cents": 300000, "monthly_used_cents": 5000},
    "offers": [{"quote_id": "q-1", "plan_id": "HK-30D-10GB",
                "name": {"en": "30-Day", "zh-Hant": "30日", "zh-Hans": "30日"},
                "data_mb": 10240, "validity_days": 30, "price_cents": 8820,
                "list_price_cents": 9800,
                "promotion": {"id": "FIRST10", "label": {"en": "10% off"}},
                "valid_until": "2026-11-23T10:15:00Z"}],
}
CREDITED = {"topup_id": "tu-1", "status": "credited", "credited_at": "2026-11-23T10:00:00Z",
            "balance": {"data_mb_left": 11469, "expires_at": "2026-12-31T15:59:59Z"}}
