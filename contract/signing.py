"""HMAC-SHA256 request signing of the backend contract (``docs/backend-contract.md``).

The string to sign is ``METHOD\\npath_with_query\\ntimestamp\\nhex(sha256(body))``, the body
being the exact bytes sent (empty for a GET). Client and simulator both use this module.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER_KIOSK = "X-Kiosk-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_SIGNATURE = "X-Signature"
HEADER_IDEMPOTENCY = "Idempotency-Key"
MAX_SKEW_S = 300


def string_to_sign(method: str, path_with_query: str, timestamp: str, body: bytes) -> str:
    """The canonical text the signature covers."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path_with_query}\n{timestamp}\n{digest}"


def sign(secret: str, method: str, path_with_query: str, timestamp: str, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of the canonical text under the kiosk's secret."""
    text = string_to_sign(method, path_with_query, timestamp, body)
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(secret: str, method: str, path_with_query: str, timestamp: str, body: bytes,
           signature: str) -> bool:
    """True when *signature* matches (compared in constant time)."""
    expected = sign(secret, method, path_with_query, timestamp, body)
    return hmac.compare_digest(expected, signature.strip().lower())


def signed_headers(kiosk_id: str, secret: str, method: str, path_with_query: str,
                   timestamp: int, body: bytes) -> dict[str, str]:
    """The three authentication headers for one request."""
    ts = str(int(timestamp))
    return {
        HEADER_KIOSK: kiosk_id,
        HEADER_TIMESTAMP: ts,
        HEADER_SIGNATURE: sign(secret, method, path_with_query, ts, body),
    }
