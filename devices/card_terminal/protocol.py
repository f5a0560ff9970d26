"""The ECR application messages of ``docs/card-terminal-ecr.md``, pure: encode and decode.

Framing (STX payload ETX LRC) is in ``framing.py`` and re-exported here, so a vendor's variant
is one new module of this shape. Fields are split by FS; amounts are 12-digit cents.

```
ECR→T  SALE ref amount currency timeout_s | REFUND ref amount currency orig_rrn
       VOID ref orig_ref | ABORT ref | QUERY ref target_ref | STATUS ref | SETTLE ref
T→ECR  EVT ref stage
       RSP cmd ref result rc auth_code rrn masked_pan brand entry tid mid trace time amount currency
```
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

STAGES = ("PRESENT_CARD", "READING", "PIN_ENTRY", "AUTHORISING", "REMOVE_CARD")
RESULTS = ("APPROVED", "DECLINED", "CANCELLED", "TIMEOUT", "ERROR", "NOT_FOUND", "IN_PROGRESS")
STATUSES = ("READY", "BUSY", "OFFLINE", "ERROR")
MONEY_COMMANDS = ("SALE", "REFUND", "VOID", "SETTLE")
MAX_AMOUNT_CENTS = 999_999_999_999


@dataclass(frozen=True)
class Sale:
    ecr_ref: str
    amount_cents: int
    currency: str = "344"
    timeout_s: int = 60


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

    @property
    def approved(self) -> bool:
        return self.result == "APPROVED"

    @property
    def last4(self) -> str:
        """The last four digits of the card (all the kiosk keeps), or ""."""
        digits = self.masked_pan[-4:]
        return digits if len(digits) == 4 and digits.isdigit() else ""

    @property
    def definite(self) -> bool:
        """The outcome is settled (not IN_PROGRESS)."""
        return self.result != "IN_PROGRESS"

    def as_fields(self) -> dict[str, str | int | None]:
        """The spec's field names and values (for JSON)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


Message = Sale | Refund | Void | Abort | Query | Status | Settle | Progress | TerminalResult

# command -> (class, field names in wire order); amounts are converted, the rest stay text
_LAYOUT: dict[str, tuple[type, tuple[str, ...]]] = {
    "SALE": (Sale, ("ecr_ref", "amount_cents", "currency", "timeout_s")),
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


def encode(msg: Message) -> bytes:
    """The payload of a message (without STX/ETX/LRC)."""
    name = _COMMAND[type(msg)]
    parts = [name] + [_text(name, f, getattr(msg, f)) for f in _LAYOUT[name][1]]
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
    if len(values) != len(names):
        raise ProtocolError(f"{name} has {len(values)} fields, expected {len(names)}")
    kwargs = {f: _value(name, f, v) for f, v in zip(names, values, strict=True)}
    if not kwargs["ecr_ref"]:
        raise ProtocolError(f"{name} without ecr_ref")
    return cls(**kwargs)


def _text(cmd: str, name: str, value) -> str:
    if name == "amount_cents":
        if value is None:
            return ""
        if not 0 <= value <= MAX_AMOUNT_CENTS:
            raise ValueError(f"amount {value} out of range")
        return f"{value:012d}"
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
    if name == "timeout_s":
        if not text.isdigit() or len(text) > 4:
            raise ProtocolError(f"{cmd} timeout_s must be digits, got {text[:20]!r}")
        return int(text)
    return text
