"""The money engine's front: one purchase at a time, by wallet QR or by card.

``start_qr`` / ``start_card`` journal the purchase, return its id at once and run the outside
calls on a worker thread; results come back as events (``kiosk.money.events``) to subscribers.
Every state is committed before the outside call it leads to (see ``MoneyContext``); what
cannot be settled while the customer waits stays in its pending state for the reconciler.

Commits per sale: without a hold, 4 (a wallet sale: created + order_pending, awaiting_payment,
paid + credit_pending, credited; a card sale: created, sale_pending, paid + credit_pending,
credited). Held first, 5: created + hold_pending (the hold key) in the row's first commit, then
the hold's answer with order_pending / sale_pending / scan_pending, then as without a hold.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from contract.clock import Clock, SystemClock
from contract.redact import mask_phone
from contract.wallet_codes import check_wallet_code
from devices.interfaces import TerminalProgress
from kiosk.journal.models import SCAN_PREFIX
from kiosk.money import (
    card_payment,
    crediting,
    holds,
    octopus_payment,
    qr_payment,
    retrying,
    scan_payment,
)
from kiosk.money.context import Answer, MoneyContext, Unsettled, is_settled
from kiosk.money.crash_points import NO_CRASH, CrashPoints
from kiosk.money.events import (
    CardProgress,
    PaymentCancelled,
    QrReady,
    Retrying,
)

log = logging.getLogger(__name__)


class PurchaseError(Exception):
    """A purchase cannot start (nothing was journaled or charged)."""


class PurchaseBusy(PurchaseError):
    """Another purchase is still in progress: one at a time, a double tap never orders twice."""


class LastSaleUnsettled(PurchaseError):
    """A card sale's outcome is still unknown: no new SALE until it is settled."""


class PurchaseService:
    """Runs one purchase at a time; thread-safe; never blocks its caller on an outside call."""

    def __init__(self, journal, backend, terminal, settings, clock: Clock | None = None,
                 crash: CrashPoints = NO_CRASH):
        self._ctx = MoneyContext(journal, backend, terminal, settings, clock or SystemClock(),
                                 self._emit, crash, release_soon=self._release_soon)
        self._listeners: list[Callable[[object], None]] = []
        self._lock = threading.Lock()
        self._active: str | None = None
        self._active_ecr_ref: str | None = None
        self._cancel = qr_payment.Signal()  # a Cancel also wakes a long poll's wait
        self._idle = threading.Event()
        self._idle.set()
        if terminal is not None:
            terminal.subscribe(self._on_device_event)

    def subscribe(self, listener: Callable[[object], None]) -> Callable[[], None]:
        """Hear every purchase event (``kiosk.money.events``), on the purchase's worker thread;
        returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @property
    def busy(self) -> bool:
        """A purchase is in progress (money may be moving)."""
        with self._lock:
            return self._active is not None

    def owns(self, txn_id: str) -> bool:
        """True while the running purchase is this row (the reconciler leaves it alone)."""
        with self._lock:
            return self._active == txn_id

    def join(self, timeout: float | None = None) -> bool:
        """Wait until no purchase is running; False on timeout."""
        return self._idle.wait(timeout)

    def start_qr(self, subscriber, offer, method: str, language: str) -> str:
        """Journal a wallet purchase and run it; returns the transaction id."""
        if method not in self._ctx.settings.payments.methods or method in ("card", "octopus"):
            raise PurchaseError(f"payment method {method!r} is not offered")
        # created and order_pending (before the order goes out) in one commit; a held plan
        # commits created + hold_pending instead (``_start``), its order_pending with the hold
        return self._start(subscriber, offer, method, language, self._run_qr, "order_pending")

    def start_card(self, subscriber, offer, language: str) -> str:
        """Journal a card purchase and run it at the terminal; returns the transaction id."""
        if self._ctx.terminal is None:
            raise PurchaseError("no card terminal")
        if any(t.state == "sale_pending" for t in self._ctx.journal.unfinished()):
            raise LastSaleUnsettled("the last card sale's outcome is not settled yet")
        return self._start(subscriber, offer, "card", language, self._run_card)

    def start_octopus(self, subscriber, offer, language: str) -> str:
        """Journal an Octopus purchase (held first, always) and run it at the terminal; returns
        the transaction id. An incomplete Octopus sale does not block it."""
        if self._ctx.terminal is None or not octopus_payment.takes_octopus(self._ctx.settings):
            raise PurchaseError("the terminal does not take Octopus")
        if any(t.state == "sale_pending" for t in self._ctx.journal.unfinished()):
            raise LastSaleUnsettled("the last terminal sale's outcome is not settled yet")
        return self._start(subscriber, offer, "octopus", language, self._run_octopus)

    def start_scan(self, subscriber, offer, auth_code: str, language: str) -> str:
        """Journal a scan order for the wallet code the customer showed and run it; returns the
        transaction id. The code is checked first (``contract.wallet_codes``): a code that is not
        a wallet's raises ``PurchaseError`` and nothing is journaled or sent. Each code read is
        its own order (its own row and out_trade_no); the code itself is never journaled."""
        check = check_wallet_code(auth_code)
        if not check.ok:
            raise PurchaseError(f"not a wallet payment code: {check.reason}")
        code = auth_code.strip()
        return self._start(subscriber, offer, f"{SCAN_PREFIX}{check.wallet}", language,
                           lambda txn: self._run_scan(txn, code))

    def cancel(self) -> None:
        """Customer cancel or the deadline: stop safely (a late payment is still credited)."""
        with self._lock:
            if self._active is None:
                return
            self._cancel.set()
            ecr_ref = self._active_ecr_ref
            txn_id = self._active
        if ecr_ref:
            txn = self._ctx.journal.get(txn_id)
            threading.Thread(target=card_payment.abort, args=(self._ctx, txn),
                             name="card-abort", daemon=True).start()

    def _start(self, subscriber, offer, method, language, body, then: str | None = None) -> str:
        """Journal the row (moved on to *then* in the same commit, or to hold_pending with its
        hold key when the plan is held first) and run *body* on the purchase's thread."""
        then_fields = None
        if holds.wanted(self._ctx, method):  # the hold key is committed with the new row
            then, then_fields = "hold_pending", holds.request_fields
        with self._lock:
            if self._active is not None:
                raise PurchaseBusy(f"purchase {self._active} is still in progress")
            txn = self._ctx.journal.create(
                method, subscriber.msisdn, offer.plan_id, offer.quote_id, dict(offer.name),
                offer.price_cents, offer.list_price_cents, language, then=then,
                then_fields=then_fields)
            self._active = txn.id
            self._active_ecr_ref = txn.ecr_ref if method in ("card", "octopus") else None
            self._cancel.clear()
            self._idle.clear()
        self._ctx.crash.hit("created:commit")
        if then is not None:
            self._ctx.crash.hit(f"{then}:commit")
        log.info("%s started: %s %d cents for %s", txn.id, method, offer.price_cents,
                 mask_phone(subscriber.msisdn))
        threading.Thread(target=self._run, args=(txn, body), name=f"purchase-{txn.id}",
                         daemon=True).start()
        return txn.id

    def _run(self, txn, body) -> None:
        try:
            body(txn)
        except Unsettled as e:
            self._left_unsettled(txn.id, e)
        except Exception:
            log.exception("%s stopped by an unexpected error; the reconciler settles it", txn.id)
            self._left_unsettled(txn.id, Unsettled(txn.id, "internal error"))
        finally:
            with self._lock:
                self._active = None
                self._active_ecr_ref = None
            self._idle.set()

    def _left_unsettled(self, txn_id: str, error: Unsettled) -> None:
        """Tell the customer the truth: retrying by itself (the payment is safe), or a person's
        case (``refunding.attention`` has said so already)."""
        try:
            txn = retrying.unsettled(self._ctx, txn_id, error)
        except Exception:  # the journal itself failed: recovery at the next start retries
            log.exception("%s could not be scheduled for a retry", txn_id)
            self._emit(Retrying(txn_id, error.reason))
            return
        if txn.retrying:
            self._emit(Retrying(txn_id, error.reason))

    def _hold_first(self, txn) -> tuple[object, Answer | None] | None:
        """Hold the plan before any money moves (``payments.holds.before``): (the row, the
        hold's answer for the next step's commit; None without a hold), or None when the
        purchase ended here (refused, unconfirmed, or cancelled meanwhile: nothing charged)."""
        if not holds.wanted(self._ctx, txn.method):
            return txn, None
        txn, held = holds.hold(self._ctx, txn)
        if held is None:
            return None
        if self._cancel.is_set():  # cancelled while the hold was asked for: no money moved;
            # the hold's id goes with cancelled so the release can be sent
            self._ctx.commit(txn, "cancelled", answer=held)
            self._emit(PaymentCancelled(txn.id, "customer"))
            return None
        return txn, held

    def _release_soon(self, txn) -> None:
        """Release an unused hold now, off the purchase's thread (best effort: the reconciler
        tries again what this does not settle)."""
        threading.Thread(target=self._release, args=(txn.id,), name=f"release-{txn.id}",
                         daemon=True).start()

    def _release(self, txn_id: str) -> None:
        try:
            holds.release(self._ctx, txn_id)
        except Exception:
            log.exception("%s hold release failed; the reconciler tries again", txn_id)

    def _run_qr(self, txn) -> None:
        ctx = self._ctx
        first = self._hold_first(txn)
        if first is None:
            return
        txn, held = first
        try:
            txn, order = qr_payment.open_order(ctx, txn, held)
        except Unsettled as e:
            # No QR was shown, so nobody can pay: the customer may try again; the reconciler
            # closes the order if it came to exist.
            log.warning("%s order not confirmed (%s): left for the reconciler", txn.id, e.reason)
            self._emit(PaymentCancelled(txn.id, "unavailable"))
            return
        if order is None:
            return
        deadline = ctx.clock.monotonic() + ctx.settings.payments.qr_expires_in_s
        self._emit(QrReady(txn.id, order.qr_payload, order.expires_at, txn.amount_cents,
                           txn.method))
        txn = qr_payment.wait_for_payment(ctx, txn, self._cancel, deadline)
        self._finish(txn)

    def _run_card(self, txn) -> None:
        self._run_terminal_sale(txn, card_payment.run_sale)

    def _run_octopus(self, txn) -> None:
        self._run_terminal_sale(txn, octopus_payment.run_sale)

    def _run_terminal_sale(self, txn, run_sale) -> None:
        """Hold (when wanted), sale_pending with the batch, then the SALE (card or Octopus)."""
        ctx = self._ctx
        first = self._hold_first(txn)
        if first is None:
            return
        txn, held = first
        txn = card_payment.begin_sale(ctx, txn, held)
        if self._cancel.is_set():  # cancelled before the SALE went out: nothing to ask
            txn = ctx.commit(txn, "cancelled")
            self._emit(PaymentCancelled(txn.id, "customer"))
            return
        self._finish(run_sale(ctx, txn))

    def _run_scan(self, txn, auth_code: str) -> None:
        first = self._hold_first(txn)
        if first is None:
            return
        txn, held = first
        self._finish(scan_payment.pay(self._ctx, txn, auth_code, self._cancel, held))

    def _finish(self, txn) -> None:
        if not is_settled(txn):
            crediting.credit(self._ctx, txn)

    def _emit(self, event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("purchase event listener failed on %r", event)

    def _on_device_event(self, event) -> None:
        if isinstance(event, TerminalProgress):
            with self._lock:
                txn_id = self._active if event.ecr_ref == self._active_ecr_ref else None
            if txn_id:
                self._emit(CardProgress(txn_id, event.stage))
