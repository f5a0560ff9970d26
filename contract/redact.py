"""Masks personal and secret data in text: phone numbers, card numbers, secrets.

Used by the logging filter on every handler, and wherever a number is shown to someone other
than its owner.
"""

from __future__ import annotations

import re

# HK mobile (first digit 4-9, 8 digits), optionally after 852; mainland mobile 1[3-9] + 9 digits,
# optionally after 86. Digits around the match must not be digits (no masking inside longer runs).
_PHONE = re.compile(r"(?<![\dA-Za-z])(?:\+?852[ -]?)?[4-9]\d{3}[ -]?\d{4}(?!\d)"
                    r"|(?<![\dA-Za-z])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
# 13-19 digits in a run, or in groups of four split by spaces or dashes: card-number-like.
_CARD = re.compile(r"(?<![\d-])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?)(?![\d-])")
_SECRET_FIELD = re.compile(
    r"(?i)(secret|password|pin|signature|x-signature|token|pepper)(\"?\s*[:=]\s*\"?)([^\s\",;&}]+)"
)


def mask_phone(msisdn: str) -> str:
    """``85291234567`` → ``*******4567``: only the last 4 digits stay."""
    digits = re.sub(r"\D", "", msisdn)
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def _mask_keep_last4(match: re.Match) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    return "*" * (len(digits) - 4) + digits[-4:]


class Redactor:
    """Replaces phone numbers, card-number-like digit runs and known secrets in text."""

    def __init__(self, secrets: tuple[str, ...] = ()):
        self._secrets = tuple(s for s in secrets if s and len(s) >= 4)

    def add_secret(self, secret: str) -> None:
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets = self._secrets + (secret,)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        text = _SECRET_FIELD.sub(lambda m: m.group(1) + m.group(2) + "***", text)
        text = _CARD.sub(_mask_keep_last4, text)
        return _PHONE.sub(_mask_keep_last4, text)
