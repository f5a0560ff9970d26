"""Typed errors of the backend client: definite answers versus ambiguous outcomes.

``Definite``: the backend answered and nothing more will happen for this request (a 422 business
rejection, 404, a 409 conflict, any other 4xx with an error object). ``Ambiguous``: the operation
may or may not have happened (timeout, reset, 5xx, a malformed, oversized or missing answer); it
is settled by querying with the same key, never by assuming. ``RetryLater`` is ambiguous too:
ask again with the same key (409 ``in_flight``, 429); ``StillPaying`` is the ``RetryLater`` of
a reverse answered 409 ``user_paying``. Other 409s (``idempotency_conflict``, ``already_paid``,
``reverse_window_passed``) are ``Conflict``: definite, told apart by ``code``.
"""

from __future__ import annotations


class BackendError(Exception):
    """Any failure of a backend call; ``code`` is the contract's error code when there is one."""

    def __init__(self, message: str, code: str = "", http_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status


class BackendConfigError(ValueError):
    """The client cannot be built as configured (for example plain http:// to a remote host)."""


class Definite(BackendError):
    """The backend gave a definite answer: the operation did not (and will not) happen."""


class Rejected(Definite):
    """422: a business rejection; ``reason`` says why (an unknown reason is still definite)."""

    def __init__(self, message: str, reason: str, code: str = "rejected",
                 http_status: int | None = 422):
        super().__init__(message, code, http_status)
        self.reason = reason


class NotFound(Definite):
    """404: no such subscriber, order, top-up or refund."""


class Conflict(Definite):
    """409 ``idempotency_conflict`` (same key, other body), ``already_paid``, or
    ``reverse_window_passed`` (a scan order too old to reverse: refund it instead)."""


class Refused(Definite):
    """400, 401 or another 4xx with an error object: the request itself was refused."""


class Ambiguous(BackendError):
    """The outcome is unknown: settle it by querying with the same key."""


class RetryLater(Ambiguous):
    """409 ``in_flight`` or 429: the same request may be sent again later, same key."""

    def __init__(self, message: str, code: str = "", http_status: int | None = None,
                 retry_after_s: float | None = None):
        super().__init__(message, code, http_status)
        self.retry_after_s = retry_after_s


class StillPaying(RetryLater):
    """409 ``user_paying`` to a reverse: the customer is still confirming on the phone, nothing
    is settled yet; ask again a few seconds later (the client already did, until its deadline)."""


def error_for(status: int, doc: object, what: str,
              retry_after_s: float | None = None) -> BackendError:
    """The typed error for a non-2xx answer with decoded JSON *doc* (None if not JSON).

    A 4xx is definite only with a JSON error object: a proxy's HTML page proves nothing.
    """
    if status == 429:
        return RetryLater(f"{what}: slow down (429)", "rate_limited", status, retry_after_s)
    error = doc if isinstance(doc, dict) and isinstance(doc.get("error"), str) else None
    if error is None or not 400 <= status < 500:
        detail = error["error"] if error else "no error object"
        return Ambiguous(f"{what}: HTTP {status} ({detail})", error["error"] if error else "",
                         status)
    code = error["error"]
    message = f"{what}: {status} {code}: {error.get('message') or ''}".rstrip(": ")
    if status == 422:
        reason = error.get("reason") if isinstance(error.get("reason"), str) else code
        return Rejected(f"{what}: rejected: {reason}", reason, code, status)
    if status == 404:
        return NotFound(message, code, status)
    if status == 409 and code == "in_flight":
        return RetryLater(message, code, status, retry_after_s)
    if status == 409 and code == "user_paying":
        return StillPaying(message, code, status, retry_after_s)
    if status == 409:
        return Conflict(message, code, status)
    return Refused(message, code, status)
