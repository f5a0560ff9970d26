"""A fake purchase service (``kiosk.money.purchases.PurchaseService``) played by the test.

It records what the controller asks (``started``, ``cancels``) and moves no money; the test says
what happens next with ``emit(event)`` (``kiosk.money.events``), as the real service's worker
would. ``fail_start``: a purchase cannot start (the journal is full). Like the real service it
runs one purchase at a time: a start while ``busy`` raises ``PurchaseBusy``.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from kiosk.money import events as ev
from kiosk.money.purchases import PurchaseBusy

# Events after which the purchase is still running (money may still move).
RUNNING = (ev.CardProgress, ev.QrReady, ev.Paid)
RUNNING += (ev.ConfirmOnPhone,)  # scan to pay: the customer is confirming on the phone


class FakePurchases:
    def __init__(self, fail_start: bool = False):
        self.started: list[tuple[str, str]] = []  # (txn_id, method)
        self.cancels = 0
        self.codes: list[str] = []  # the wallet codes scan orders were started with
        self.busy = False
        self.fail_start = fail_start
        self._listeners: list = []
        self._ids = itertools.count(1)

    # -- PurchaseService --------------------------------------------------------------------
    def subscribe(self, listener):
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def owns(self, txn_id: str) -> bool:
        return self.busy and bool(self.started) and self.started[-1][0] == txn_id

    def join(self, timeout: float | None = None) -> bool:
        return not self.busy

    def start_qr(self, subscriber, offer, method: str, language: str) -> str:
        return self._start(method)

    def start_card(self, subscriber, offer, language: str) -> str:
        return self._start("card")

    def start_octopus(self, subscriber, offer, language: str) -> str:
        return self._start("octopus")

    def start_scan(self, subscriber, offer, auth_code: str, language: str) -> str:
        self.codes.append(auth_code)
        return self._start("scan")

    def cancel(self) -> None:
        self.cancels += 1

    # -- the test's side --------------------------------------------------------------------
    @property
    def txn_id(self) -> str:
        return self.started[-1][0]

    def emit(self, event) -> None:
        """The service reports *event* (as from its worker thread); its own purchase's outcome
        ends it (an event of another transaction does not)."""
        if self.started and event.txn_id == self.txn_id and not isinstance(event, RUNNING):
            self.busy = False
        for listener in list(self._listeners):
            listener(event)

    def qr_ready(self, payload: str, now: datetime, amount_cents: int, method: str) -> None:
        self.emit(ev.QrReady(self.txn_id, payload, now + timedelta(seconds=120), amount_cents,
                             method))

    def _start(self, method: str) -> str:
        if self.fail_start:
            raise RuntimeError("journal full")
        if self.busy:
            raise PurchaseBusy("a purchase is still in progress")
        txn_id = f"K01-20261125-{next(self._ids):06d}"
        self.started.append((txn_id, method))
        self.busy = True
        return txn_id
