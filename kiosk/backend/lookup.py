"""Subscriber look-up for the flow: the backend's answer, or the reason the customer cannot top up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract.redact import mask_phone
from kiosk.backend.errors import BackendError, NotFound

log = logging.getLogger(__name__)

# Reasons, each with a message ``lookup.<reason>`` (title) and ``lookup.<reason>.hint`` (what to do).
NOT_FOUND = "not_found"
SUSPENDED = "suspended"
EXPIRED = "expired"
NOT_REGISTERED = "not_registered"
NO_OFFERS = "no_offers"
BACKEND_UNAVAILABLE = "backend_unavailable"
REASONS = (NOT_FOUND, SUSPENDED, EXPIRED, NOT_REGISTERED, NO_OFFERS, BACKEND_UNAVAILABLE)


@dataclass(frozen=True)
class LookupResult:
    """A usable subscriber (``reason`` None), or why not (``subscriber`` kept when known)."""

    subscriber: Any = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def look_up(get_subscriber: Callable[[str], Any], msisdn: str) -> LookupResult:
    """Ask the backend for *msisdn*; never raises (a failure becomes a reason). Blocking: run on a worker."""
    try:
        subscriber = get_subscriber(msisdn)
    except NotFound:
        log.info("look-up %s: not found", mask_phone(msisdn))
        return LookupResult(reason=NOT_FOUND)
    except BackendError as e:
        log.warning("look-up %s: backend unavailable (%s %s)", mask_phone(msisdn), e.http_status, e.code)
        return LookupResult(reason=BACKEND_UNAVAILABLE)
    except Exception:  # a bug or a transport error the client did not map: the customer sees "try later"
        log.exception("look-up %s: unexpected failure", mask_phone(msisdn))
        return LookupResult(reason=BACKEND_UNAVAILABLE)
    reason = refusal_reason(subscriber)
    log.info("look-up %s: %s", mask_phone(msisdn), reason or "found")
    return LookupResult(subscriber=subscriber, reason=reason)


def refusal_reason(subscriber: Any) -> str | None:
    """Why a subscriber the backend found cannot top up now (None: they can)."""
    if subscriber.status == "suspended":
        return SUSPENDED
    if subscriber.status == "expired" and not subscriber.offers:
        return EXPIRED  # past its grace period; within it, the offers revive the card
    if not subscriber.real_name_registered:
        return NOT_REGISTERED
    if not subscriber.offers:
        return NO_OFFERS
    return None


class LookupRunner:
    """Runs look-ups on a worker and hands each answer to the UI thread, unless ``forget()``
    was called since it started (the customer left: a late answer must not come back)."""

    def __init__(self, get_subscriber: Callable[[str], Any], run_in_worker, post):
        self._get_subscriber = get_subscriber
        self._run_in_worker = run_in_worker
        self._post = post
        self._generation = 0  # touched on the UI thread only

    def start(self, msisdn: str, deliver: Callable[[LookupResult], None]) -> None:
        generation = self._generation

        def work() -> None:
            result = look_up(self._get_subscriber, msisdn)
            self._post(lambda: self._deliver(generation, result, deliver))

        self._run_in_worker(work)

    def forget(self) -> None:
        """Drop the answers of look-ups already running."""
        self._generation += 1

    def _deliver(self, generation: int, result: LookupResult, deliver) -> None:
        if generation != self._generation:
            log.info("late look-up answer dropped")
            return
        deliver(result)
