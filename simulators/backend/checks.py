"""Request validation for the simulator: a wrong field answers 400 with a clear message."""

from __future__ import annotations

import re

from contract.methods import METHODS, WALLET_METHODS  # noqa: F401 (used by the routes)
from simulators.backend.store import ApiError

# Tenders whose money the terminal takes (a top-up's reference is the sale's ecr_ref).
TERMINAL_TENDERS = ("card", "octopus")
TOPUP_METHODS = tuple(dict.fromkeys(METHODS + TERMINAL_TENDERS))

KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def msisdn(value) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"\d{8,15}", value):
        raise ApiError(400, "bad_request", "msisdn must be 8-15 digits (E.164 without +)")
    return value


def field(body: dict, name: str, kind: type, *, positive: bool = False, choices=None):
    value = body.get(name) if isinstance(body, dict) else None
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if ok and kind is str:
        ok = bool(value)
    if ok and positive:
        ok = value > 0
    if ok and choices is not None:
        ok = value in choices
    if not ok:
        wanted = f"one of {', '.join(choices)}" if choices else kind.__name__
        raise ApiError(400, "bad_request", f"field {name!r} must be {wanted}")
    return value


def key(value: str | None) -> str:
    if not value or not KEY.match(value):
        raise ApiError(400, "bad_request", "Idempotency-Key must be 1-64 of A-Za-z0-9_-")
    return value
