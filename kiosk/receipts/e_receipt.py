"""E-receipt links no one can guess: a token derived from the kiosk's secret and the transaction.

The token is base64url (no padding) of the first 16 bytes of
``HMAC-SHA256(secret, "receipt:" + transaction id)``: 22 characters, 128 bits. The operator's
receipt service, which holds every kiosk's backend secret, recomputes it from the reference and
compares, so it needs no table of issued links; without the secret the next customer's link
cannot be worked out from one's own. ``docs/e-receipts.md`` has the rule and a test vector.
"""

from __future__ import annotations

import string

TOKEN_BYTES = 16
FIELDS = frozenset({"token", "reference"})


def receipt_token(secret: str, txn_id: str) -> str:
    """The e-receipt token of one transaction under the kiosk's secret."""
    # imported here: the settings check templates before the first frame, and hashlib (OpenSSL)
    # is ~20 ms of start-up that the core pays after it anyway
    import base64
    import hashlib
    import hmac

    digest = hmac.new(secret.encode("utf-8"), f"receipt:{txn_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).rstrip(b"=").decode("ascii")


def e_receipt_url(template: str, secret: str, txn_id: str) -> str:
    """The e-receipt QR payload: *template* with ``{token}`` (and ``{reference}``) filled in."""
    return template.format(token=receipt_token(secret, txn_id), reference=txn_id)


def template_problem(template: str) -> str:
    """Why *template* cannot be used for e-receipt links, or "" when it can."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as e:
        return f"is not a valid template ({e}); write braces as {{{{ and }}}}"
    unknown = names - FIELDS
    if unknown:
        return f"names {{{sorted(unknown)[0]}}}; only {{token}} and {{reference}} are filled in"
    if "token" not in names:
        return "must name {token} (a link with the reference alone can be guessed)"
    return ""
