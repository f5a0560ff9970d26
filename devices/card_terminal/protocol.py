"""The ECR application messages of ``docs/card-terminal-ecr.md``, pure: encode and decode.

Framing (STX payload ETX LRC) is in ``framing.py`` and re-exported here, so a vendor's variant
is one new module of this shape. Fields are split by FS; amounts are 12-digit cents.

```
ECR→T  SALE ref amount currency timeout_s [tender] | REFUND ref amount currency orig_rrn
       VOID ref orig_ref | ABORT ref | QUERY ref target_ref | STATUS ref | SETTLE ref
T→ECR  EVT ref stage
       RSP cmd ref result rc auth_code rrn masked_pan brand entry tid mid trace time amount currency
           [remaining_value]   (only when brand is OCTOPUS)
```

Octopus (multi-tender terminals): a SALE with a 5th field ``OCTOPUS`` (``CARD`` or no 5th field is
a card sale); every RSP about an Octopus sale has brand ``OCTOPUS`` and one more field, the
card's remaining value (12 digits, or ``-`` and 12 digits; empty when unknown).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields

from devices.card_terminal.framing import (  # noqa: F401  (re-exported)
    ACK,
    ETX,
    FS,
    MAX_PAYLOAD,
    NAK,
    STX,
    BadFrame,
    Control,
    Frame,
    FrameParser,
    encode_frame,
    lrc,
)
from devices.interfaces import ProtocolError

log = logging.getLogger(__name__)

STAGES = ("PRESENT_CARD", "READING", "PIN_ENTRY", "AUTHORISING", "REMOVE_CARD", "RETAP")
RESULTS = ("APPROVED", "DECLINED", "CANCELLED", "TIMEOUT", "ERROR", "NOT_FOUND", "IN_PROGRESS",
           "INCOMPLETE")
STATUSES = ("READY", "BUSY", "OFFLINE", "ERROR")
MONEY_COMMANDS = ("SALE", "REFUND", "VOID", "SETTLE")
MAX_AMOUNT_CENTS = 999_999_999_999

# Octopus on a multi-tender terminal (the spec's "Octopus on the same terminal")
TENDER_CARD, TENDER_OCTOPUS = "CARD", "OCTOPUS"
TENDERS = (TENDER_CARD, TENDER_OCTOPUS)
OCTOPUS_BRAND = "OCTOPUS"
RETAP = "RETAP"  # EVT stage: the card left the field mid-deduction, tap the same card again
RC_INSUFFICIENT_VALUE, RC_BLOCKED, RC_OVER_LIMIT = "IV", "BL", "LM"  # Octopus declines
RC_RETAP, RC_NOT_SUPPORTED = "RT", "NS"  # INCOMPLETE; ERROR (tender unknown, void/refund)
OCTOPUS_MAX_SALE_CENTS = 100_000  # an Octopus SALE above this is always declined LM


@dataclass(frozen=True)
class Sale:
    ecr_ref: str
    amount_cents: int
    currency: str = "344"
    timeout_s: int = 60
    tender: str = ""  # "" (sent as 4 fields: a card sale), "CARD" or "OCTOPUS"

    @property
    def octopus(self) -> bool:
        return self.tender == TENDER_OCTOPUS


@dataclass(frozen=True)
class Refund:
    ecr_ref: str
    amount_cents: int
    currency: str
    orig_rrn: str


@dataclass(frozen=True)
class Void:
    ecr_ref: str
    orig_ecr_ref: str


@dataclass(frozen=True)
class Abort:
    ecr_ref: str


@dataclass(frozen=True)
class Query:
    ecr_ref: str
    target_ecr_ref: str


@dataclass(frozen=True)
class Status:
    ecr_ref: str


@dataclass(frozen=True)
class Settle:
    ecr_ref: str


@dataclass(frozen=True)
class Progress:
    """EVT: the terminal's progress with the customer."""

    ecr_ref: str
    stage: str


@dataclass(frozen=True)
class TerminalResult:
    """RSP: the final answer to a request (for STATUS, ``result`` is READY/BUSY/OFFLINE/ERROR)."""

    cmd: str
    ecr_ref: str
    result: str
    rc: str = ""
    auth_code: str = ""
    rrn: str = ""
    masked_pan: str = ""
    brand: str = ""
    entry: str = ""
    tid: str = ""
    mid: str = ""
    trace: str = ""
    timestamp: str = ""  # yyyymmddhhmmss, the terminal's clock
    amount_cents: int | None = None
    currency: str = ""
    # Octopus only (16th field, sent when brand is OCTOPUS): the card's value after the
    # deduction in cents, negative down to -3500; None when not known
    remaining_value_cents: int | None = None

    @property
    def approved(self) -> bool:
        return self.result == "APPROVED"

    @property
    def octopus(self) -> bool:
        """An answer about an Octopus sale (it carries ``remaining_value_cents``)."""
        return self.brand == OCTOPUS_BRAND

    @property
    def incomplete(self) -> bool:
        """Octopus INCOMPLETE (rc RT): unknown whether value was deducted; settle it by QUERY
        (it answers IN_PROGRESS until the Octopus system resolves it). Never ABORT it."""
        return self.result == "INCOMPLETE"

    @property
    def not_supported(self) -> bool:
        """ERROR rc NS: the terminal has no such tender, or an Octopus sale cannot be voided
        or refunded."""
        return self.result == "ERROR" and self.rc == RC_NOT_SUPPORTED

    @property
    def last4(self) -> str:
        """The last four digits of the card (all the kiosk keeps), or ""."""
        digits = self.masked_pan[-4:]
        return digits if len(digits) == 4 and digits.isdigit() else ""

    @property
    def definite(self) -> bool:
        """The outcome is settled (not IN_PROGRESS, not an Octopus INCOMPLETE)."""
        return self.result not in ("IN_PROGRESS", "INCOMPLETE")

    def as_fields(self) -> dict[str, str | int | None]:
        """The spec's field names and values (for JSON)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


Message = Sale | Refund | Void | Abort | Query | Status | Settle | Progress | TerminalResult

# command -> (class, field names in wire order); amounts are converted, the rest stay text
_LAYOUT: dict[str, tuple[type, tuple[str, ...]]] = {
    "SALE": (Sale, ("ecr_ref", "amount_cents", "currency", "timeout_s", "tender")),
    "REFUND": (Refund, ("ecr_ref", "amount_cents", "currency", "orig_rrn")),
    "VOID": (Void, ("ecr_ref", "orig_ecr_ref")),
    "ABORT": (Abort, ("ecr_ref",)),
    "QUERY": (Query, ("ecr_ref", "target_ecr_ref")),
    "STATUS": (Status, ("ecr_ref",)),
    "SETTLE": (Settle, ("ecr_ref",)),
    "EVT": (Progress, ("ecr_ref", "stage")),
    "RSP": (TerminalResult, tuple(f.name for f in fields(TerminalResult))),
}
_COMMAND = {cls: name for name, (cls, _) in _LAYOUT.items()}
# fields that may be left off the end of a message: SALE's tender, an RSP's remaining value
_OPTIONAL_LAST = {"SALE": "tender", "RSP": "remaining_value_cents"}


def encode(msg: Message) -> bytes:
    """The payload of a message (without STX/ETX/LRC)."""
    name = _COMMAND[type(msg)]
    names = _LAYOUT[name][1]
    if name == "SALE" and not msg.tender or name == "RSP" and not msg.octopus:
        names = names[:-1]
    parts = [name] + [_text(name, f, getattr(msg, f)) for f in names]
    return chr(FS).join(parts).encode("ascii")


def frame(msg: Message) -> bytes:
    """The complete frame of a message."""
    return encode_frame(encode(msg))


def decode(payload: bytes) -> Message:
    """A message from a good frame's payload.

    Raises:
        ProtocolError: unknown command, wrong field count or a malformed field (answer NAK).
    """
    parts = payload.decode("ascii", errors="replace").split(chr(FS))
    name, values = parts[0], parts[1:]
    if name not in _LAYOUT:
        raise ProtocolError(f"unknown command {name[:16]!r}")
    cls, names = _LAYOUT[name]
    if name in _OPTIONAL_LAST and len(values) == len(names) - 1:
        names = names[:-1]
    if len(values) != len(names):
        raise ProtocolError(f"{name} has {len(values)} fields, expected {len(names)}")
    kwargs = {f: _value(name, f, v) for f, v in zip(names, values, strict=True)}
    if not kwargs["ecr_ref"]:
        raise ProtocolError(f"{name} without ecr_ref")
    if name == "SALE" and kwargs.get("tender", "") not in ("",) + TENDERS:
        log.info("SALE with an unknown tender %r", kwargs["tender"][:16])  # answered ERROR NS
    return cls(**kwargs)


def _text(cmd: str, name: str, value) -> str:
    if name == "amount_cents":
        if value is None:
            return ""
        if not 0 <= value <= MAX_AMOUNT_CENTS:
            raise ValueError(f"amount {value} out of range")
        return f"{value:012d}"
    if name == "remaining_value_cents":
        if value is None:
            return ""
        if abs(value) > MAX_AMOUNT_CENTS:
            raise ValueError(f"remaining value {value} out of range")
        return f"{value:013d}" if value < 0 else f"{value:012d}"
    text = str(value)
    if any(not 0x20 <= ord(c) <= 0x7E for c in text):
        raise ValueError(f"{cmd} {name} must be printable ASCII: {text!r}")
    return text


def _value(cmd: str, name: str, text: str):
    if name == "amount_cents":
        if cmd == "RSP" and text == "":
            return None
        if len(text) != 12 or not text.isdigit():
            raise ProtocolError(f"{cmd} amount must be 12 digits, got {text[:20]!r}")
        return int(text)
    if name == "remaining_value_cents":
        if text == "":
            return None
        digits = text[1:] if text.startswith("-") else text
        if len(digits) != 12 or not digits.isdigit():
            raise ProtocolError(f"{cmd} remaining_value must be 12 digits or '-' and 12 digits, "
                                f"got {text[:20]!r}")
        return int(text)
    if name == "timeout_s":
        if not text.isdigit() or len(text) > 4:
            raise ProtocolError(f"{cmd} timeout_s must be digits, got {text[:20]!r}")
        return int(text)
    return text
