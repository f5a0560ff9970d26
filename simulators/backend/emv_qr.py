"""EMVCo merchant-presented QR payloads (the format of HK FPS): builder, parser, validator.

A payload is a run of data objects ``ID(2) LEN(2) VALUE``; ``00`` comes first and ``63`` (a
CRC-16/CCITT-FALSE over everything before its value, ``6304`` included) last. See
``docs/payment-qr.md``.
"""

from __future__ import annotations

import binascii
import re

FPS_GUID = "hk.com.hkicl"
_REQUIRED = ("52", "53", "58", "59", "60")


class QrPayloadError(ValueError):
    """The payload breaks a rule of the EMVCo format (the message says which)."""


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE as 4 uppercase hex digits, zero padded."""
    return f"{binascii.crc_hqx(data.encode('utf-8'), 0xFFFF):04X}"


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise QrPayloadError(f"bad tag {tag!r}")
    if not 0 < len(value) <= 99:
        raise QrPayloadError(f"value of {tag} must be 1-99 characters")
    return f"{tag}{len(value):02d}{value}"


def with_crc(body: str) -> str:
    """Append the CRC object to a payload that has everything but it."""
    head = body + "6304"
    return head + crc16(head)


def format_amount(amount_cents: int) -> str:
    """Cents as the EMV amount string (``10000`` → ``100.00``): never via a float."""
    if amount_cents <= 0:
        raise QrPayloadError("amount must be positive")
    return f"{amount_cents // 100}.{amount_cents % 100:02d}"


def fps_payload(amount_cents: int, reference: str, fps_id: str = "1234567",
                merchant_name: str = "NA", city: str = "HK") -> str:
    """A dynamic (one payment, fixed amount) FPS payload in HKD to an FPS ID."""
    if not re.fullmatch(r"\d{7}|\d{9}", fps_id):
        raise QrPayloadError("an FPS ID has 7 or 9 digits")
    account = tlv("00", FPS_GUID) + tlv("02", fps_id)
    body = (tlv("00", "01") + tlv("01", "12") + tlv("26", account) + tlv("52", "0000")
            + tlv("53", "344") + tlv("54", format_amount(amount_cents)) + tlv("58", "HK")
            + tlv("59", merchant_name[:25]) + tlv("60", city[:15])
            + tlv("62", tlv("05", reference[:25])))
    return with_crc(body)


def parse(payload: str) -> list[tuple[str, str]]:
    """Split into (ID, value) pairs; raises when a length runs past the end."""
    objects, i = [], 0
    while i < len(payload):
        head = payload[i:i + 4]
        if len(head) < 4 or not head.isdigit():
            raise QrPayloadError(f"bad ID/length at position {i}")
        length = int(head[2:])
        value = payload[i + 4:i + 4 + length]
        if len(value) != length:
            raise QrPayloadError(f"object {head[:2]} at {i} is shorter than its length")
        objects.append((head[:2], value))
        i += 4 + length
    return objects


def validate(payload: str) -> dict[str, str]:
    """Check every rule of the spec; returns the top-level objects by ID."""
    if not payload.startswith("000201"):
        raise QrPayloadError("must start with 000201")
    if not re.search(r"6304[0-9A-F]{4}$", payload):
        raise QrPayloadError("must end with 6304 and 4 hex digits")
    if crc16(payload[:-4]) != payload[-4:]:
        raise QrPayloadError("CRC does not match")
    objects = parse(payload)
    ids = [tag for tag, _ in objects]
    if len(ids) != len(set(ids)):
        raise QrPayloadError("duplicate IDs")
    if ids[-1] != "63":
        raise QrPayloadError("CRC must be the last object")
    found = dict(objects)
    if any(65 <= int(tag) <= 79 for tag in ids):
        raise QrPayloadError("IDs 65-79 are reserved")
    missing = [tag for tag in _REQUIRED if tag not in found]
    if missing:
        raise QrPayloadError(f"missing {', '.join(missing)}")
    accounts = [tag for tag in ids if 2 <= int(tag) <= 51]
    if not accounts:
        raise QrPayloadError("no merchant account (02-51)")
    for tag in accounts:
        if 26 <= int(tag) <= 51 and not found[tag].startswith("00"):
            raise QrPayloadError(f"template {tag} must start with sub-ID 00")
        if 26 <= int(tag) <= 51:
            parse(found[tag])
    if found.get("01") == "12" and "54" not in found:
        raise QrPayloadError("a dynamic code needs an amount (54)")
    return found
