"""The scan screen's side of scan to pay: the scanner is on only while ``paying_scan`` is shown,
and each code read is checked before it may become a scan order.

The controller owns the flow; this holds the scanner and what the screen needs to decide about
a code: whether an order is in flight (a second read meanwhile is ignored: one order), and the
code that just failed (the same code shown again is told to show another one, not sent again).
Codes are never logged whole (``contract.wallet_codes.masked``); only a hash of the last failed
one is kept in memory.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from contract.wallet_codes import check_wallet_code, masked
from devices.interfaces import ScannedCode

log = logging.getLogger(__name__)

SCAN = "scan"  # the confirm screen's choice "Show your payment code"
SAME_CODE = "same_code"  # the code that just failed was shown again


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


class ScanDesk:
    """The scanner (or None) as the scan screen uses it; every method runs on the UI thread
    except the scanner's events, which are posted there with *post*."""

    def __init__(self, scanner, post: Callable[[Callable[[], None]], None]):
        self._scanner = scanner
        self._post = post
        self._reading = False
        self._on_code: Callable[[str], None] = lambda code: None
        self._failed: str | None = None
        self.in_flight = False  # a scan order is running: other reads are ignored
        if scanner is not None:
            scanner.subscribe(self._event)

    @property
    def present(self) -> bool:
        return self._scanner is not None

    def on_code(self, handler: Callable[[str], None]) -> None:
        self._on_code = handler

    def switch_on(self) -> None:
        """Reading on (the scan screen is shown); a scanner that fails is logged, the screen's
        Cancel and deadline still work."""
        self._reading = True
        self._failed = None
        self.in_flight = False
        if self._scanner is None:
            return
        try:
            self._scanner.start_reading(single=False)
        except Exception as e:
            log.warning("scanner could not be switched on: %s", e)

    def switch_off(self) -> None:
        """Reading off (leaving the screen, Cancel, the deadline); codes still queued are
        dropped by the driver, and any that still arrive are ignored here."""
        if not self._reading:
            return
        self._reading = False
        if self._scanner is None:
            return
        try:
            self._scanner.stop_reading()
        except Exception as e:
            log.warning("scanner could not be switched off: %s", e)

    def verdict(self, code: str) -> str | None:
        """Why *code* cannot be sent (``contract.wallet_codes`` reasons, or ``same_code``);
        None when it may become a scan order."""
        check = check_wallet_code(code)
        if not check.ok:
            log.info("scanned code refused before the backend: %s (%s)", check.reason,
                     masked(code.strip()))
            return check.reason
        if self._failed is not None and _digest(code) == self._failed:
            return SAME_CODE
        return None

    def failed(self, code: str) -> None:
        """The order of *code* failed for certain: the same code again is not sent again."""
        self._failed = _digest(code)

    def _event(self, event) -> None:
        if isinstance(event, ScannedCode):
            code = event.code
            self._post(lambda: self._read(code))

    def _read(self, code: str) -> None:
        if not self._reading:
            log.info("code read while the scan screen is not shown: ignored (%s)",
                     masked(code.strip()))
            return
        self._on_code(code)
