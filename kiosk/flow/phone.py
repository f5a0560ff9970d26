"""Customer phone numbers: HK mobile (+852, 8 digits) and mainland mobile (+86, 11 digits).

Validation is phonenumbers' (its metadata knows which ranges are mobile); the errors are codes the
screens translate (``phone.error.<code>`` in the catalogues), found before any backend call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

log = logging.getLogger(__name__)

COUNTRIES = ("852", "86")
_REGION = {"852": "HK", "86": "CN"}
_LENGTH = {"852": 8, "86": 11}
_GROUPS = {"852": (4, 4), "86": (3, 4, 4)}
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)

# Error codes (each has a message ``phone.error.<code>`` in every catalogue).
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
LANDLINE = "landline"  # an HK fixed line (2xxx xxxx, 3xxx xxxx)
BAD_PREFIX = "bad_prefix"  # cannot start a mobile number of that country
LOOKS_HK = "looks_hk"  # +86 chosen but 8 digits that make an HK mobile number
NOT_MOBILE = "not_mobile"  # the right shape, but not a mobile number (pager, unassigned…)
ERROR_CODES = (TOO_SHORT, TOO_LONG, LANDLINE, BAD_PREFIX, LOOKS_HK, NOT_MOBILE)


class NumberError(ValueError):
    """A number that cannot be a customer's mobile number; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PhoneNumber:
    """A valid mobile number: its country code, national digits and E.164 digits without +."""

    country: str
    national: str
    msisdn: str

    @property
    def formatted(self) -> str:
        """``+852 9123 4567`` / ``+86 138 1234 5678``."""
        return f"+{self.country} {format_typed(self.country, self.national)}"


@dataclass(frozen=True)
class Typed:
    """The keypad's number as typed so far: pure, each key gives a new value."""

    country: str = "852"
    digits: str = ""

    def press(self, digit: str) -> Typed:
        """One more digit; past the country's length the key does nothing."""
        if not (len(digit) == 1 and digit.isdigit()):
            raise ValueError(f"a digit, got {digit!r}")
        if len(self.digits) >= max_digits(self.country):
            return self
        return Typed(self.country, self.digits + digit)

    def backspace(self) -> Typed:
        return Typed(self.country, self.digits[:-1])

    def with_country(self, country: str) -> Typed:
        return Typed(country, self.digits[:max_digits(country)])

    @property
    def formatted(self) -> str:
        return format_typed(self.country, self.digits)

    @property
    def error(self) -> str | None:
        """What the digits typed so far already show is wrong (a prefix), else None."""
        return prefix_error(self.country, self.digits)


def max_digits(country: str) -> int:
    """How many national digits the keypad takes for *country*."""
    return _LENGTH[_check_country(country)]


def format_typed(country: str, digits: str) -> str:
    """The digits typed so far, grouped as the customer reads them: ``9123 4567``, ``138 1234 5678``."""
    groups, out, i = _GROUPS[_check_country(country)], [], 0
    for size in groups:
        if i >= len(digits):
            break
        out.append(digits[i:i + size])
        i += size
    if i < len(digits):
        out[-1] += digits[i:]
    return " ".join(out)


def prefix_error(country: str, digits: str) -> str | None:
    """An error that the first digits already show (shown while typing), else None."""
    _check_country(country)
    if not digits:
        return None
    if country == "852":
        if digits[0] in "23":
            return LANDLINE
        return None if digits[0] in "456789" else BAD_PREFIX
    if digits[0] != "1" or (len(digits) > 1 and digits[1] not in "3456789"):
        return BAD_PREFIX
    return None


def parse(country: str, digits: str) -> PhoneNumber:
    """The customer's number from a country code and the digits typed.

    Raises:
        NumberError: with a code from ``ERROR_CODES``.
    """
    _check_country(country)
    if not digits.isdigit():
        raise NumberError(TOO_SHORT)
    if country == "86" and len(digits) == 8 and prefix_error("852", digits) is None:
        raise NumberError(LOOKS_HK)
    early = prefix_error(country, digits)
    if early:
        raise NumberError(early)
    need = _LENGTH[country]
    if len(digits) != need:
        raise NumberError(TOO_SHORT if len(digits) < need else TOO_LONG)
    number = phonenumbers.parse(digits, _REGION[country])
    if not phonenumbers.is_valid_number(number):
        raise NumberError(NOT_MOBILE)
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.FIXED_LINE:
        raise NumberError(LANDLINE)
    if kind not in _MOBILE_TYPES:
        raise NumberError(NOT_MOBILE)
    return PhoneNumber(country, digits, f"{country}{digits}")


def country_of(msisdn: str) -> str:
    """The country code an E.164 msisdn (digits, no +) starts with: ``852`` or ``86``."""
    for country in COUNTRIES:
        if msisdn.startswith(country) and len(msisdn) == len(country) + _LENGTH[country]:
            return country
    raise NumberError(BAD_PREFIX)


def format_msisdn(msisdn: str) -> str:
    """``85291234567`` → ``+852 9123 4567``."""
    country = country_of(msisdn)
    return f"+{country} {format_typed(country, msisdn[len(country):])}"


def _check_country(country: str) -> str:
    if country not in _LENGTH:
        raise ValueError(f"country must be one of {COUNTRIES}, got {country!r}")
    return country
