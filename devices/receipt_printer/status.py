"""Decoding DLE EOT status bytes into the device model; unsure always means UNKNOWN.

Every reply byte has bit0 = 0, bit1 = 1, bit4 = 1, bit7 = 0 (a clean byte is 0x12). A byte that
breaks that pattern, or no byte at all, is never read as "paper OK".

    n  0x04                 0x08               0x20                 0x40
    1  drawer pin           offline            waiting recovery     feed button
    2  cover open           feeding by button  stopped: paper end   error occurred
    3  recoverable error    cutter error       unrecoverable error  auto-recoverable
    4  near end (0x0C)                         paper out (0x60)
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.interfaces import DeviceState, DeviceStatus, PaperState

FIXED_MASK = 0x93  # bits 0, 1, 4, 7
FIXED_VALUE = 0x12  # bit1 and bit4 set, bit0 and bit7 clear

OFFLINE = 0x08
COVER_OPEN = 0x04
PAPER_END_STOP = 0x20
ERROR_OCCURRED = 0x40
CUTTER_ERROR = 0x08
UNRECOVERABLE = 0x20
RECOVERABLE = 0x04
AUTO_RECOVERABLE = 0x40
NEAR_END = 0x0C
PAPER_OUT = 0x60


def is_valid(byte: int | None) -> bool:
    """True when *byte* came and carries the fixed bits of a status reply."""
    return byte is not None and 0 <= byte <= 0xFF and byte & FIXED_MASK == FIXED_VALUE


@dataclass(frozen=True)
class RawStatus:
    """The bytes answered to DLE EOT 1, 2, 4 (and 3 when asked); None where nothing came."""

    printer: int | None
    offline_cause: int | None
    paper: int | None
    error_cause: int | None = None


def paper_state(paper: int | None, offline_cause: int | None = None) -> PaperState:
    """Roll paper from DLE EOT 4 (and the paper-end stop of DLE EOT 2)."""
    if is_valid(offline_cause) and offline_cause & PAPER_END_STOP:
        return PaperState.OUT
    if not is_valid(paper):
        return PaperState.UNKNOWN
    if paper & PAPER_OUT:  # either sensor bit: the safe reading
        return PaperState.OUT
    if paper & NEAR_END:
        return PaperState.LOW
    return PaperState.OK


def cover_open(offline_cause: int | None) -> bool | None:
    return bool(offline_cause & COVER_OPEN) if is_valid(offline_cause) else None


def error_detail(error_cause: int | None) -> str:
    """What DLE EOT 3 says went wrong ("" when nothing, "unknown error" when unreadable)."""
    if not is_valid(error_cause):
        return "error (cause unknown)"
    causes = [name for bit, name in ((CUTTER_ERROR, "cutter error"),
                                     (UNRECOVERABLE, "unrecoverable error"),
                                     (RECOVERABLE, "recoverable error"),
                                     (AUTO_RECOVERABLE, "auto-recoverable error (head hot?)"))
              if error_cause & bit]
    return ", ".join(causes)


def decode(raw: RawStatus) -> DeviceStatus:
    """Fold the status bytes into one DeviceStatus; see the module table."""
    answers = {1: raw.printer, 2: raw.offline_cause, 4: raw.paper}
    missing = [n for n, b in answers.items() if b is None]
    if len(missing) == len(answers):
        return DeviceStatus(DeviceState.NO_DEVICE, detail="no answer to DLE EOT")
    paper = paper_state(raw.paper, raw.offline_cause)
    cover = cover_open(raw.offline_cause)
    if missing:
        return DeviceStatus(DeviceState.NO_DEVICE, paper, cover,
                            f"no answer to DLE EOT {missing[0]}")
    broken = [(n, b) for n, b in answers.items() if not is_valid(b)]
    if broken:
        n, b = broken[0]
        return DeviceStatus(DeviceState.HARDWARE_ERROR, paper, cover,
                            f"status byte 0x{b:02X} to DLE EOT {n} breaks the fixed bits")
    if raw.offline_cause & ERROR_OCCURRED or (raw.error_cause is not None and error_detail(raw.error_cause)):
        detail = error_detail(raw.error_cause) or "error occurred"
        return DeviceStatus(DeviceState.HARDWARE_ERROR, paper, cover, detail)
    reasons = [why for flag, why in ((cover, "cover open"), (paper is PaperState.OUT, "paper out"),
                                     (bool(raw.printer & OFFLINE), "offline")) if flag]
    if reasons:
        return DeviceStatus(DeviceState.OFFLINE, paper, cover, ", ".join(reasons))
    return DeviceStatus(DeviceState.ONLINE, paper, cover, "paper low" if paper is PaperState.LOW else "")
