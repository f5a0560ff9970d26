"""The device model: protocols for each device, a CEN/XFS-like status, events and typed errors."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)


class DeviceState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    BUSY = "busy"
    HARDWARE_ERROR = "hardware_error"
    NO_DEVICE = "no_device"


class PaperState(StrEnum):
    OK = "ok"
    LOW = "low"
    OUT = "out"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DeviceStatus:
    state: DeviceState
    paper: PaperState = PaperState.UNKNOWN
    cover_open: bool | None = None
    detail: str = ""

    @property
    def usable(self) -> bool:
        return self.state in (DeviceState.ONLINE, DeviceState.BUSY)


@dataclass(frozen=True)
class StatusChanged:
    device: str
    status: DeviceStatus


@dataclass(frozen=True)
class TerminalProgress:
    """A card terminal's progress event (EVT): PRESENT_CARD, READING, PIN_ENTRY, AUTHORISING,
    REMOVE_CARD, and for Octopus RETAP ("tap the same Octopus card again")."""

    ecr_ref: str
    stage: str


@dataclass(frozen=True)
class ScannedCode:
    """A barcode scanner read a whole code while reading was on. ``code`` is what the customer's
    phone showed (an auth code: never log it whole; its repr shows the last 4 only)."""

    device: str
    code: str

    @property
    def last4(self) -> str:
        return self.code[-4:]

    def __repr__(self) -> str:
        return f"ScannedCode(device={self.device!r}, code='…{self.last4}' ({len(self.code)} chars))"


DeviceEvent = StatusChanged | TerminalProgress | ScannedCode


class DeviceError(Exception):
    """Something went wrong talking to a device."""


class LinkError(DeviceError):
    """The link is down, the port cannot be opened, or a frame was not acknowledged."""


class DeviceTimeout(DeviceError):
    """The device did not answer in time."""


class ProtocolError(DeviceError):
    """The device answered something that does not follow the protocol."""


class PaperOut(DeviceError):
    """The printer has no paper."""


class CoverOpen(DeviceError):
    """The printer's cover is open."""


class DeviceBusy(DeviceError):
    """The device is busy with another request."""


class OutcomeUnknown(DeviceError):
    """A money request's outcome could not be settled yet: query it later, never repeat it."""


class Subscribers:
    """Delivers device events to callbacks; a failing callback is logged, never breaks the driver."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[DeviceEvent], None]] = []
        self._lock = threading.Lock()

    def add(self, callback: Callable[[DeviceEvent], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def emit(self, event: DeviceEvent) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(event)
            except Exception:
                log.exception("device event subscriber failed on %r", event)


@runtime_checkable
class CardTerminal(Protocol):
    def subscribe(self, callback: Callable[[DeviceEvent], None]) -> None: ...
    def status(self) -> DeviceStatus: ...
    def sale(self, ecr_ref: str, amount_cents: int, currency: str = "344", timeout_s: int = 60,
             tender: str = "card"): ...
    def abort(self, ecr_ref: str) -> None: ...
    def query(self, target_ecr_ref: str): ...
    def void(self, ecr_ref: str, orig_ecr_ref: str): ...
    def refund(self, ecr_ref: str, amount_cents: int, orig_rrn: str, currency: str = "344"): ...
    def settle(self, ecr_ref: str): ...
    def close(self) -> None: ...


@runtime_checkable
class ReceiptPrinter(Protocol):
    def subscribe(self, callback: Callable[[DeviceEvent], None]) -> None: ...
    def status(self) -> DeviceStatus: ...
    def print_receipt(self, doc) -> None: ...
    def close(self) -> None: ...


@runtime_checkable
class BarcodeScanner(Protocol):
    """A 2D barcode scanner for wallet payment codes (``devices/barcode_scanner``).

    ``start_reading()`` switches it on (a serial scanner is triggered; a keyboard-wedge one is
    always grabbed and its codes are dropped unless reading); each whole code read then goes,
    one at a time, to ``read_code()`` and to subscribers as ``ScannedCode``, until
    ``stop_reading()`` (codes still queued are dropped); ``start_reading(single=True)`` stops
    by itself after the first code. ``status()`` is ONLINE, OFFLINE
    (link down, the evdev package missing) or NO_DEVICE (unplugged); it never blocks.
    """

    def subscribe(self, callback: Callable[[DeviceEvent], None]) -> None: ...
    def status(self) -> DeviceStatus: ...
    def start_reading(self, single: bool = False) -> None: ...
    def stop_reading(self) -> None: ...
    def read_code(self, timeout_s: float | None = None) -> str | None: ...
    def close(self) -> None: ...
