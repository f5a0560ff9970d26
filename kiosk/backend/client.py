"""HTTP client of the operator backend (``docs/backend-contract.md``).

Every request is signed, sent with explicit (connect, read) timeouts and TLS verification, read
with a size cap and an overall deadline, and mapped to a frozen value or a typed error of
``backend_errors``. Only repeatable calls (GETs, POSTs with an idempotency key, close and
heartbeat) are retried, with the same key and body, with backoff, until ``retry_deadline_s``.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from contract.clock import Clock, SystemClock
from contract.net import is_loopback
from contract.redact import mask_phone
from contract.signing import HEADER_IDEMPOTENCY, signed_headers
from kiosk.backend import models as m
from kiosk.backend.errors import (
    Ambiguous,
    BackendConfigError,
    BackendError,
    NotFound,
    RetryLater,
    error_for,
)
from kiosk.backend.transport import (
    AttemptDeadline,
    DeadlineAdapter,
    TooLarge,
    TooSlow,
    read_capped,
)

log = logging.getLogger(__name__)

_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LONG_POLL_MAX_S = 25  # the contract's bounds for wait_s are 1..25
LONG_POLL_MARGIN_S = 5.0  # a long poll's read timeout is wait_s plus this
_LONG_DIGITS = re.compile(r"\d{8,15}")



def _loggable(path: str) -> str:
    """The path for a log line: a phone number in a subscriber path is masked."""
    if path.startswith("/v1/subscribers/"):
        return _LONG_DIGITS.sub(lambda x: mask_phone(x.group(0)), path)
    return path


class BackendClient:
    """Signed, bounded calls to the backend; see docs/internals.md for the API."""

    def __init__(self, base_url: str, kiosk_id: str, secret: str, *, ca_bundle: str = "",
                 connect_timeout_s: float = 3.0, read_timeout_s: float = 10.0,
                 retry_deadline_s: float = 30.0, max_response_bytes: int = 1_048_576,
                 clock: Clock | None = None, session: requests.Session | None = None,
                 backoff_initial_s: float = 0.5, backoff_max_s: float = 5.0):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BackendConfigError(f"backend URL {base_url!r} is not an http(s) URL")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise BackendConfigError(
                f"backend URL {base_url!r}: plain http:// is allowed only for a loopback host; "
                "use https://")
        if not secret:
            raise BackendConfigError("backend secret is empty")
        self.base_url = base_url.rstrip("/")
        self._loopback = is_loopback(parts.hostname)
        self.kiosk_id = kiosk_id
        self._secret = secret
        self._verify: str | bool = ca_bundle or True
        self._timeout = (connect_timeout_s, read_timeout_s)
        # One attempt's whole answer must arrive within this, however slowly it drips.
        self._attempt_deadline_s = connect_timeout_s + read_timeout_s
        self._retry_deadline_s = retry_deadline_s
        self._max_bytes = max_response_bytes
        self._clock = clock or SystemClock()
        if session is None:
            session = requests.Session()
            for prefix in ("http://", "https://"):
                session.mount(prefix, DeadlineAdapter())
        self._session = session
        self._backoff = (backoff_initial_s, backoff_max_s)
        # Told of every attempt: (method, path, seconds, error or None); the metrics set it.
        self.observer: Callable[[str, str, float, BaseException | None], None] | None = None

    @classmethod
    def from_settings(cls, settings, clock: Clock | None = None) -> BackendClient:
        b = settings.backend
        ca = str(settings.resolve(b.ca_bundle)) if b.ca_bundle else ""
        return cls(b.url, settings.kiosk.id, settings.backend_secret(), ca_bundle=ca,
                   connect_timeout_s=b.connect_timeout_s, read_timeout_s=b.read_timeout_s,
                   retry_deadline_s=b.retry_deadline_s, max_response_bytes=b.max_response_bytes,
                   clock=clock)

    def close(self) -> None:
        self._session.close()

    # --- the contract -----------------------------------------------------------------------

    def get_subscriber(self, msisdn: str) -> m.Subscriber:
        return self._parsed(m.parse_subscriber, self.call("GET", f"/v1/subscribers/{_seg(msisdn)}"))

    def create_payment(self, out_trade_no: str, method: str, amount_cents: int,
                       description: str, expires_in_s: int) -> m.PaymentOrder:
        body = {"out_trade_no": out_trade_no, "method": method, "amount_cents": amount_cents,
                "currency": "HKD", "description": description, "expires_in_s": expires_in_s}
        answer = self.call("POST", "/v1/payments", body, idempotency_key=out_trade_no)
        return self._parsed(m.parse_payment_order, answer)

    def get_payment(self, out_trade_no: str, wait_s: int | None = None) -> m.PaymentStatus | None:
        """The order's state, or None when the server has no order under that number.

        *wait_s* (1..25) makes it a long poll: the server may hold the answer until the status
        changes or *wait_s* seconds pass, so this attempt's read timeout is set above it. A
        timeout is still ``Ambiguous``; a server that answers at once is fine too.
        """
        path = f"/v1/payments/{_seg(out_trade_no)}"
        if wait_s is None:
            answer = self._or_none("GET", path)
        else:
            if isinstance(wait_s, bool) or not isinstance(wait_s, int) \
                    or not 1 <= wait_s <= LONG_POLL_MAX_S:
                raise ValueError(f"wait_s must be a whole number from 1 to {LONG_POLL_MAX_S}")
            answer = self._or_none("GET", f"{path}?wait_s={wait_s}",
                                   read_timeout_s=max(self._timeout[1], wait_s + LONG_POLL_MARGIN_S))
        return None if answer is None else self._parsed(m.parse_payment_status, answer)

    def scan_payment(self, out_trade_no: str, auth_code: str, amount_cents: int,
                     description: str) -> m.ScanPayment:
        """Take the money with the customer's wallet code (``POST /v1/payments/scan``).

        Returns ``paid``, ``user_paying`` (query, long poll welcome) or ``failed`` with a
        reason. Raises ``Rejected`` (reason ``bad_auth_code``: not a wallet code, nothing
        taken), ``Conflict`` (the number is another order's), or ``Ambiguous`` (query it with
        ``get_payment``; ``None`` there means nothing was received, the same call may be sent
        again). The auth code is sent in the body only, never logged.
        """
        body = {"out_trade_no": out_trade_no, "auth_code": auth_code,
                "amount_cents": amount_cents, "currency": "HKD", "description": description}
        answer = self.call("POST", "/v1/payments/scan", body, idempotency_key=out_trade_no)
        return self._parsed(m.parse_scan_payment, answer)

    def reverse_payment(self, out_trade_no: str) -> m.Reversal:
        """End a scan order whatever it became; a paid one is refunded in full inside.

        Naturally repeatable, so retried like a read. Raises ``StillPaying`` (409
        ``user_paying`` still at the retry deadline: ask again later), ``Conflict`` with code
        ``reverse_window_passed`` (refund instead), ``NotFound`` (never received: nothing
        taken), ``Rejected`` reason ``not_reversible`` (a QR order: close it), ``Ambiguous``.
        """
        answer = self.call("POST", f"/v1/payments/{_seg(out_trade_no)}/reverse", {},
                           repeatable=True)
        return self._parsed(m.parse_reversal, answer)

    def close_payment(self, out_trade_no: str) -> str:
        answer = self.call("POST", f"/v1/payments/{_seg(out_trade_no)}/close", {},
                           repeatable=True)
        return self._parsed(m.parse_close, answer)

    def create_topup(self, credit_key: str, msisdn: str, quote_id: str, plan_id: str,
                     amount_cents: int, method: str, reference: str,
                     transaction_id: str, hold_id: str | None = None) -> m.Topup:
        """Credit the plan. With *hold_id* the credit uses that hold; a hold that cannot be
        used is a definite ``Rejected`` with reason ``hold_expired``, ``hold_used``,
        ``hold_not_found`` or ``hold_mismatch``."""
        body = {"msisdn": msisdn, "quote_id": quote_id, "plan_id": plan_id,
                "amount_cents": amount_cents,
                "payment": {"method": method, "reference": reference},
                "transaction_id": transaction_id}
        if hold_id is not None:
            body["hold_id"] = hold_id
        answer = self.call("POST", "/v1/topups", body, idempotency_key=credit_key)
        return self._parsed(m.parse_topup, answer)

    def get_topup(self, credit_key: str) -> m.Topup | None:
        answer = self._or_none("GET", f"/v1/topups/{_seg(credit_key)}")
        return None if answer is None else self._parsed(m.parse_topup, answer)

    def create_hold(self, hold_key: str, msisdn: str, quote_id: str, plan_id: str,
                    amount_cents: int, transaction_id: str) -> m.Hold:
        """Reserve the plan at its price before any money moves (``POST /v1/topups/holds``).

        Raises ``Rejected`` with the top-up reasons (``monthly_cap_exceeded``,
        ``plan_not_eligible``, ``quote_expired``, …: definite, take no money) or ``Ambiguous``
        (ask again with the same *hold_key*: a replay returns the first hold).
        """
        body = {"msisdn": msisdn, "quote_id": quote_id, "plan_id": plan_id,
                "amount_cents": amount_cents, "transaction_id": transaction_id}
        answer = self.call("POST", "/v1/topups/holds", body, idempotency_key=hold_key)
        return self._parsed(m.parse_hold, answer)

    def release_hold(self, hold_id: str) -> None:
        """Release a hold that will not be used (``DELETE``; naturally repeatable: 200 also for
        an unknown, released or used hold). Raises ``Ambiguous`` when no answer came."""
        self.call("DELETE", f"/v1/topups/holds/{_seg(hold_id)}", repeatable=True)

    def create_refund(self, out_trade_no: str, refund_key: str, amount_cents: int,
                      reason: str) -> m.Refund:
        answer = self.call("POST", f"/v1/payments/{_seg(out_trade_no)}/refunds",
                           {"amount_cents": amount_cents, "reason": reason},
                           idempotency_key=refund_key)
        return self._parsed(m.parse_refund, answer)

    def get_refund(self, out_trade_no: str, refund_key: str) -> m.Refund | None:
        answer = self._or_none(
            "GET", f"/v1/payments/{_seg(out_trade_no)}/refunds/{_seg(refund_key)}")
        return None if answer is None else self._parsed(m.parse_refund, answer)

    def heartbeat(self, state: str, app_version: str, devices: dict[str, str],
                  pending_transactions: int, **counts: int | str) -> tuple[m.Command, ...]:
        """*counts*: the optional fields (``retrying_transactions``, ``needs_attention``,
        ``audit_head``)."""
        body = {"state": state, "app_version": app_version, "devices": dict(devices),
                "pending_transactions": pending_transactions, **counts}
        answer = self.call("POST", f"/v1/kiosks/{_seg(self.kiosk_id)}/heartbeat", body,
                           repeatable=True)
        return self._parsed(m.parse_commands, answer)

    # --- the machinery ----------------------------------------------------------------------

    def call(self, method: str, path: str, body: dict | None = None, *,
             idempotency_key: str | None = None, repeatable: bool = False,
             read_timeout_s: float | None = None) -> dict:
        """One contract call: the decoded JSON object of a 2xx answer, or a typed error.

        Retried only when safe to repeat: a GET, a POST with an idempotency key, or one the
        contract calls naturally repeatable (``repeatable=True``: close, heartbeat).
        """
        if idempotency_key is not None and not _KEY.match(idempotency_key):
            raise ValueError(f"idempotency key {idempotency_key!r} is not 1-64 of A-Za-z0-9_-")
        data = b"" if body is None else json.dumps(
            body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        retry = method == "GET" or idempotency_key is not None or repeatable
        return self._with_retries(
            lambda: self._attempt(method, path, data, idempotency_key, read_timeout_s), retry,
            f"{method} {_loggable(path)}")

    def _with_retries(self, attempt: Callable[[], dict], retry: bool, what: str) -> dict:
        start = self._clock.monotonic()
        delay, delay_max = self._backoff
        tries = 0
        while True:
            tries += 1
            try:
                return attempt()
            except Ambiguous as e:
                wait = min(delay, delay_max)
                if isinstance(e, RetryLater) and e.retry_after_s is not None:
                    wait = min(max(e.retry_after_s, 0.0), delay_max)
                elapsed = self._clock.monotonic() - start
                if not retry or elapsed + wait > self._retry_deadline_s:
                    log.warning("%s: giving up after %d attempt(s): %s", what, tries, e)
                    raise
                log.info("%s: attempt %d ambiguous (%s); retrying in %.1f s",
                         what, tries, e, wait)
                self._clock.sleep(wait)
                delay *= 2

    def _attempt(self, method: str, path: str, data: bytes, key: str | None,
                 read_timeout_s: float | None = None) -> dict:
        prepared, what = self._prepare(method, path, data, key)
        started = time.monotonic()
        timeout = self._timeout if read_timeout_s is None else (self._timeout[0], read_timeout_s)
        try:
            with AttemptDeadline(sum(timeout)) as deadline:
                response, raw = self._exchange(prepared, what, deadline, timeout)
            log.info("%s%s -> %d (%d bytes, %d ms)", what, f" key={key}" if key else "",
                     response.status_code, len(raw), (time.monotonic() - started) * 1000)
            answer = _interpret(response, raw, what)
        except BackendError as e:
            self._observe(method, path, started, e)
            raise
        self._observe(method, path, started, None)
        return answer

    def _observe(self, method: str, path: str, started: float, error) -> None:
        if self.observer is not None:
            try:
                self.observer(method, path, time.monotonic() - started, error)
            except Exception:
                log.exception("backend observer failed")

    def _prepare(self, method: str, path: str, data: bytes,
                 key: str | None) -> tuple[requests.PreparedRequest, str]:
        """The request as it will be sent, signed over its exact path, query and body."""
        request = requests.Request(method, self.base_url + path, data=data or None)
        prepared = self._session.prepare_request(request)
        split = urlsplit(prepared.url)
        path_q = split.path + (f"?{split.query}" if split.query else "")
        prepared.headers.update(signed_headers(
            self.kiosk_id, self._secret, method, path_q, int(self._clock.now()), data))
        prepared.headers["Accept"] = "application/json"
        if data:
            prepared.headers["Content-Type"] = "application/json"
        if key is not None:
            prepared.headers[HEADER_IDEMPOTENCY] = key
        return prepared, f"{method} {_loggable(path_q)}"

    def _exchange(self, prepared: requests.PreparedRequest, what: str,
                  deadline: AttemptDeadline,
                  timeout: tuple[float, float]) -> tuple[requests.Response, bytes]:
        """Send and read the whole answer; every transport failure becomes ``Ambiguous``."""
        late = f"{what}: no complete answer within {deadline.seconds:.1f} s"
        try:
            response = self._session.send(
                prepared, timeout=timeout, verify=self._verify, stream=True,
                allow_redirects=False, proxies=self._proxies(prepared.url))
        except requests.Timeout as e:
            raise Ambiguous(f"{what}: timed out ({type(e).__name__})", "timeout") from None
        except requests.RequestException as e:
            if deadline.fired.is_set():
                raise Ambiguous(late, "timeout") from None
            raise Ambiguous(f"{what}: connection failed: {_short(e)}", "connection") from None
        with response:
            try:
                return response, read_capped(response, self._max_bytes, deadline)
            except TooLarge as e:
                raise Ambiguous(f"{what}: {e}", "oversized", response.status_code) from None
            except TooSlow:
                raise Ambiguous(late, "timeout", response.status_code) from None
            except Exception as e:  # urllib3 protocol/timeout errors while reading the body
                code = "timeout" if deadline.fired.is_set() else "connection"
                raise Ambiguous(f"{what}: answer cut short: {_short(e)}", code,
                                response.status_code) from None

    def _proxies(self, url: str) -> dict:
        """Proxies from the environment (a site may need one); never for the loopback simulator."""
        if self._loopback:
            return {}
        return self._session.merge_environment_settings(url, {}, None, None, None)["proxies"]

    def _or_none(self, method: str, path: str, **options) -> dict | None:
        try:
            return self.call(method, path, **options)
        except NotFound:
            return None

    @staticmethod
    def _parsed(parser: Callable[[dict], Any], answer: dict) -> Any:
        try:
            return parser(answer)
        except m.MalformedAnswer as e:
            log.warning("backend answer malformed: %s", e)
            raise Ambiguous(f"malformed answer: {e}", "malformed") from None


def _seg(value: str) -> str:
    return quote(str(value), safe="")


def _short(e: Exception) -> str:
    """The cause in a few words: the system's "[Errno 111] Connection refused" when it is there."""
    text = str(e)
    cause = re.search(r"\[Errno -?\d+\] [^'\")\]]+", text)
    if cause:
        return cause.group(0).strip()
    return text.splitlines()[0][:200] if text else type(e).__name__


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        return None


def _interpret(response: requests.Response, raw: bytes, what: str) -> dict:
    """The JSON object of a 2xx answer, else the typed error of ``backend_errors.error_for``."""
    status = response.status_code
    doc = _decode(raw)
    if 200 <= status < 300:
        if not isinstance(doc, dict):
            log.warning("%s: %d answer is not a JSON object (%d bytes)", what, status, len(raw))
            raise Ambiguous(f"{what}: answer is not a JSON object", "malformed", status)
        return doc
    error = error_for(status, doc, what, _retry_after(response))
    if isinstance(error, Ambiguous):
        log.warning("%s: ambiguous answer: %s", what, error)
    else:
        log.info("%s: definite answer %d %s", what, status, error.code)
    raise error


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.replace(".", "", 1).isdigit() else None
