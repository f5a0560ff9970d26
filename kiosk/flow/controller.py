"""The controller: UI intents and service results in, flow events and a fresh ``SessionView`` out.

Everything here runs on one thread (the UI thread; in tests, the test's). Blocking work (the
look-up, a receipt) runs on a worker and comes back through the injected ``post``; purchase
events arrive on the purchase service's workers and are posted the same way. An intent the
current state does not allow is ignored (logged), so a double tap acts once.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from contract.redact import mask_phone
from kiosk.backend import lookup
from kiosk.flow import expiry, phone
from kiosk.flow.availability import Availability
from kiosk.flow.machine import (
    MONEY_STATES,
    CustomerFlow,
    FlowAudit,
    JournalLink,
    TransitionNotAllowed,
)
from kiosk.flow.purchase_changes import purchase_changes
from kiosk.flow.scan_desk import SCAN, ScanDesk
from kiosk.flow.timeouts import IdleTimer, StateTimeouts
from kiosk.flow.view import SessionView, ViewStore
from kiosk.money import octopus_payment
from kiosk.money.purchases import PurchaseBusy
from kiosk.privacy_statement import PrivacyStatements
from kiosk.settings import LANGUAGES

log = logging.getLogger(__name__)

Listener = Callable[[str, SessionView], None]


def start_thread(fn: Callable[[], None]) -> None:
    """The default worker runner: a daemon thread per job (look-ups and receipts are rare)."""
    threading.Thread(target=fn, name="kiosk-worker", daemon=True).start()


class _Router:
    """The flow's listener: every transition reaches the controller (screens, session wipe)."""

    def __init__(self, controller: Controller):
        self._controller = controller

    def after_transition(self, event: str, source, target) -> None:
        self._controller._after_transition(event, source.id, target.id)


class Controller:
    """What the screens talk to. See docs/internals.md ("Flow and controller") for the API."""

    def __init__(self, settings, get_subscriber, purchases, post, clock, *,
                 receipts=None, journal=None, run_in_worker: Callable[[Callable[[], None]], None] = start_thread,
                 scanner=None):
        self._settings = settings
        self._lookups = lookup.LookupRunner(get_subscriber, run_in_worker, post)
        self.purchases = purchases
        self._post = post
        self._clock = clock
        self._tz = ZoneInfo(settings.journal.timezone)  # the local day of "expires tomorrow"
        self._receipts = receipts
        self._timer = IdleTimer(clock)
        self._timeouts = StateTimeouts(settings, clock)
        self._session_no = 0
        self._availability = Availability.everything(octopus_payment.offered_methods(settings))
        self._retap_until: float | None = None  # Octopus RETAP: the terminal's window ends
        # Scan to pay: offered only while the health monitor says a scanner can read a code.
        self._scan = ScanDesk(scanner, post)
        self._scan.on_code(self._code_read)
        self._availability = dataclasses.replace(
            self._availability, configured=self._availability.configured + (SCAN,))
        self._store = ViewStore(SessionView(
            language=settings.kiosk.default_language, hotline=settings.kiosk.hotline,
            kiosk_id=settings.kiosk.id, location=settings.kiosk.location,
            privacy=PrivacyStatements(settings)), lambda: self.state)
        self._set = self._store.set
        listeners = [_Router(self), FlowAudit()]
        if journal is not None:
            listeners.append(JournalLink(journal, lambda: self.view.txn_id))
        self.flow = CustomerFlow(listeners=listeners)
        self.unsubscribe_purchases = purchases.subscribe(self.on_purchase_event)

    # -- what screens read and subscribe to ---------------------------------------------------
    @property
    def state(self) -> str:
        return self.flow.state

    @property
    def view(self) -> SessionView:
        return self._store.view

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call *callback(state, view)* on every change (on the UI thread); returns an unsubscribe."""
        return self._store.subscribe(callback)

    # -- intents ----------------------------------------------------------------------------
    def start(self, language: str | None = None) -> None:
        if language:
            self.set_language(language)
        self._send("started")

    def set_language(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
        self.touch()
        self._set(language=lang, **self._expiry_texts(lang, self.view.subscriber, self.view.offer))

    def set_country(self, code: str) -> None:
        self._type(lambda typed: typed.with_country(code))

    def press_digit(self, d: str) -> None:
        if self.flow.can("started"):  # a digit on the attract screen starts with that digit
            self.start()
        self._type(lambda typed: typed.press(d))

    def backspace(self) -> None:
        self._type(lambda typed: typed.backspace())

    def submit_number(self) -> None:
        if not self.flow.can("number_entered"):
            return
        self.touch()
        try:
            number = phone.parse(self.view.country, self.view.digits)
        except phone.NumberError as e:
            self._set(number_error=e.code)
            return
        self._set(msisdn=number.msisdn, number_display=number.formatted, number_error=None)
        if self._send("number_entered", number=number):
            self._lookups.start(number.msisdn, self._lookup_done)

    def choose_offer(self, quote_id: str) -> None:
        if not self.flow.can("offer_chosen"):
            return
        offer = next((o for o in self.view.offers if o.quote_id == quote_id), None)
        if offer is None:
            log.warning("choose_offer: no offer %s in the session", quote_id)
            return
        self._set(offer=offer, amount_cents=offer.price_cents, methods=self._availability.methods(),
                  **self._expiry_texts(self.view.language, self.view.subscriber, offer))
        self._send("offer_chosen")

    def pay(self, method: str) -> None:
        """Start paying by *method*. It acts once: a second tap finds the flow already paying;
        one purchase at a time is the money engine's rule (``PurchaseBusy``: the last one is
        still settling, so the customer stays here and may tap again)."""
        if method == SCAN and method in self._availability.methods():
            self._pay_by_scan()
            return
        if not self.flow.can("method_chosen") or method not in self._availability.methods():
            log.info("pay(%s) ignored in %s", method, self.state)
            self._set(methods=self._availability.methods())
            return
        try:
            txn_id = self._start_purchase(method)
        except PurchaseBusy as e:
            log.warning("pay(%s) refused: %s", method, e)
            return
        self._set(method=method, failure=None, cancelling=False, qr_payload=None,
                  qr_expires_at=None, terminal_stage=None, txn_id=txn_id,
                  remaining_value_cents=None, retap_seconds_left=None)
        self._send("method_chosen", method=method)
        if txn_id is None:  # could not start, nothing was charged
            self._set(failure="unavailable")
            self._send("payment_cancelled")

    def cancel(self) -> None:
        """Cancel: back to the start, or, while money moves, ask the payment to stop safely."""
        if self.state in MONEY_STATES and self.view.cancelling:
            return  # asked already: the purchase service is settling it
        self._send("cancelled")

    # -- scan to pay ------------------------------------------------------------------------
    def _pay_by_scan(self) -> None:
        """"Show your payment code": the scan screen, the scanner on; nothing is journaled
        until a code is read."""
        if not self._send("scan_chosen"):
            return
        self._set(method=SCAN, failure=None, cancelling=False, txn_id=None, scan_stage=None,
                  scan_error=None)
        self._scan.switch_on()

    def _code_read(self, code: str) -> None:
        """A code read on the scan screen (UI thread): checked, then a scan order; ignored while
        an order is in flight (the same code read twice is one order)."""
        if self.state != "paying_scan" or self.view.cancelling or self._scan.in_flight:
            log.info("code read ignored in %s (an order is in flight or cancelling)", self.state)
            return
        error = self._scan.verdict(code)
        if error is not None:
            self._set(scan_error=error, scan_stage=None)
            self._timeouts.scan_again()
            return
        view = self.view
        try:
            txn_id = self.purchases.start_scan(view.subscriber, view.offer, code, view.language)
        except PurchaseBusy as e:
            log.warning("scan order refused: %s", e)
            return
        except Exception:
            log.exception("scan order could not start for %s", mask_phone(view.msisdn or ""))
            self._set(scan_error="unavailable", scan_stage=None)
            return
        self._scan.in_flight = True
        self._last_code = code
        self._timeouts.scan_again()  # the engine's own 45 s deadline comes first
        self._set(txn_id=txn_id, scan_stage="checking", scan_error=None)
        self._send("code_read")

    def _scan_order_ended(self, flow_event: str, was_cancelling: bool) -> None:
        """After a definite scan failure (nothing taken): the screen is free for another code
        (the scanner is still on), unless the customer had cancelled meanwhile: then it ends
        like a cancelled payment."""
        self._scan.in_flight = False
        self._scan.failed(getattr(self, "_last_code", ""))
        self._last_code = ""
        self._timeouts.scan_again()
        if was_cancelling:
            self._set(failure="customer", scan_stage=None)
            self._send("payment_cancelled")

    def back(self) -> None:
        if self.state == "entering_number":
            self._send("cancelled")
        else:
            self._send("went_back")

    def retry(self) -> None:
        """From a failed payment: choose another method (same as ``back``)."""
        self.back()

    def touch(self) -> None:
        """Any touch: the idle timer starts again and the warning goes."""
        if self.state in MONEY_STATES:
            return
        self._timer.restart()
        if self.view.warning:
            self._set(warning=False)

    def still_here(self) -> None:
        self.touch()

    def set_time_limits(self, scale: float = 1.0, warning_s: float | None = None) -> None:
        """The accessible mode's longer limits: every customer timeout ×*scale*, the "still
        there?" warning *warning_s* ahead; money deadlines stay (``StateTimeouts.set_limits``)."""
        self._timeouts.set_limits(scale, warning_s)

    def tick(self) -> None:
        """Check the state's timeout on the injected clock; call it often (every ~0.25 s)."""
        verdict = self._timeouts.check(self.state, self._timer.elapsed_s())
        if verdict.expired:
            self._set(seconds_left=0)
            self._time_out()
        else:
            self._set(warning=verdict.warning, seconds_left=verdict.seconds_left)
        self._tick_retap()

    def _tick_retap(self) -> None:
        """The "tap the same Octopus card again" countdown (the terminal's 20 s window)."""
        if self._retap_until is None:
            return
        if self.state != "paying_octopus" or self.view.terminal_stage != "RETAP":
            self._retap_until = None
            self._set(retap_seconds_left=None)
            return
        left = max(0, math.ceil(self._retap_until - self._clock.monotonic()))
        self._set(retap_seconds_left=left)

    # -- operators and health ---------------------------------------------------------------
    def open_maintenance(self) -> bool:
        """Enter maintenance; refused (False) while money is moving or a look-up is running."""
        return self._send("maintenance_opened")

    def close_maintenance(self) -> None:
        self._send("maintenance_closed")

    def set_health(self, available_methods: Iterable[str], in_service: bool = True,
                   reason: str = "") -> None:
        """The health monitor's verdict; any thread. See docs/internals.md ("Health input")."""
        methods = frozenset(available_methods)
        self._post(lambda: self._apply_health(methods, in_service, reason))

    # -- results from workers and services (on the UI thread) --------------------------------
    def on_purchase_event(self, event) -> None:
        """A purchase event (subscribed to the purchase service): heard on its worker, handled
        on the UI thread."""
        self._post(lambda: self._purchase_event(event))

    def _purchase_event(self, event) -> None:
        kind = type(event).__name__
        if event.txn_id != self.view.txn_id:
            log.info("%s for %s ignored (session has %s)", kind, event.txn_id, self.view.txn_id)
            return
        flow_event, changes = purchase_changes(event)
        if flow_event is None:
            log.warning("unknown purchase event %s ignored", kind)
            return
        if not self.flow.can(flow_event):
            log.warning("%s for %s ignored in %s", kind, event.txn_id, self.state)
            return
        was_cancelling = self.view.cancelling
        self._set(**changes)
        if flow_event == "scan_failed":
            self._scan_order_ended(flow_event, was_cancelling)
        if flow_event == "qr_ready":
            self._timeouts.qr_expires_at(event.expires_at)
        if changes.get("terminal_stage") == "RETAP":
            self._retap_until = self._clock.monotonic() + octopus_payment.RETAP_WINDOW_S
            self._set(retap_seconds_left=octopus_payment.RETAP_WINDOW_S)
        self._send(flow_event)
        if flow_event == "attention_needed" and octopus_payment.is_cash_refund(event.reason):
            self._print_claim_slip()
        if flow_event in ("credited", "retry_scheduled"):
            self._print_receipt()  # a retrying purchase's receipt says it is being confirmed

    def _print_receipt(self) -> None:
        if self._receipts is None:
            self._set(receipt_status="no_printer")
            return
        token, view = self._session_no, self.view
        self._set(receipt_status="printing", e_receipt=self._receipts.e_receipt(view.txn_id))

        def done(status: str, e_receipt: str) -> None:
            self._post(lambda: self._receipt_done(token, status, e_receipt))

        self._receipts.print_async(view.txn_id, view.language, done)

    def _print_claim_slip(self) -> None:
        """An Octopus payment to be given back in cash: the customer's printed claim slip."""
        printer = getattr(self._receipts, "print_claim_async", None)
        if printer is None:
            self._set(receipt_status="no_printer")
            return
        token, view = self._session_no, self.view
        self._set(receipt_status="printing")

        def done(status: str, e_receipt: str) -> None:
            self._post(lambda: self._receipt_done(token, status, e_receipt))

        printer(view.txn_id, view.language, done)

    def _receipt_done(self, token: int, status: str, e_receipt: str) -> None:
        if token == self._session_no:
            self._set(receipt_status=status, e_receipt=e_receipt)

    def _lookup_done(self, result: lookup.LookupResult) -> None:
        if not self.flow.can("subscriber_found"):
            log.info("look-up answer ignored in %s", self.state)
            return
        if result.ok:
            offers = tuple(result.subscriber.offers)
            self._set(subscriber=result.subscriber, offers=offers,
                      **self._expiry_texts(self.view.language, result.subscriber, None))
            self._send("subscriber_found")
        else:
            self._set(subscriber=result.subscriber, failure=result.reason)
            self._send("lookup_went_wrong")

    def _start_purchase(self, method: str) -> str | None:
        """The new transaction's id; None when it could not start (nothing was charged).

        Raises:
            PurchaseBusy: another purchase is still running.
        """
        view = self.view
        try:
            if method == "card":
                return self.purchases.start_card(view.subscriber, view.offer, view.language)
            if method == "octopus":
                return self.purchases.start_octopus(view.subscriber, view.offer, view.language)
            return self.purchases.start_qr(view.subscriber, view.offer, method, view.language)
        except PurchaseBusy:
            raise
        except Exception:
            log.exception("purchase by %s could not start for %s", method, mask_phone(view.msisdn or ""))
            return None

    # -- internals --------------------------------------------------------------------------
    def _expiry_texts(self, language: str, subscriber, offer) -> dict:
        """The view's expiry texts in *language*, counted on the injected clock."""
        return expiry.view_texts(subscriber, offer, self._clock.now(), self._tz, language)

    def _send(self, event: str, **kwargs) -> bool:
        try:
            self.flow.send(event, **kwargs)
        except TransitionNotAllowed:
            log.info("%s ignored in %s", event, self.state)
            return False
        return True

    def _after_transition(self, event: str, source: str, target: str) -> None:
        if source != target:
            self._timer.restart()
            self._timeouts.entered(target)
        if source == "paying_scan" and (target != source or event in ("timed_out", "cancelled")):
            self._scan.switch_off()  # off on leaving, Cancel and the deadline
            if target == source and not self._scan.in_flight:  # no order: nothing to settle
                self._set(failure="customer" if event == "cancelled" else "expired",
                          cancelling=False, scan_stage=None)
                self._store.notify()
                self._send("payment_cancelled")
                return
        if event in ("timed_out", "cancelled") and source in MONEY_STATES:
            self._ask_cancel()
        if target == "attract" and source != "attract":
            self._wipe()
        self._store.notify()
        if target == "attract":
            self._post(self._check_service)

    def _time_out(self) -> None:
        if not (self.state in MONEY_STATES and self.view.cancelling):  # else: asked already
            self._send("timed_out")

    def _ask_cancel(self) -> None:
        if self.view.cancelling:
            return  # asked once already: the purchase service is settling it
        self._set(cancelling=True)
        self.purchases.cancel()

    def _wipe(self) -> None:
        self._session_no += 1
        self._lookups.forget()
        self._store.reset(out_of_service_reason=self.view.out_of_service_reason)

    def _type(self, key: Callable[[phone.Typed], phone.Typed]) -> None:
        if self.state != "entering_number":
            return
        self.touch()
        typed = key(phone.Typed(self.view.country, self.view.digits))
        self._set(country=typed.country, digits=typed.digits, number_formatted=typed.formatted,
                  number_error=typed.error)

    def _apply_health(self, methods: frozenset[str], in_service: bool, reason: str) -> None:
        self._availability = dataclasses.replace(
            self._availability, available=methods, in_service=in_service, reason=reason)
        if self.state == "confirming":
            self._set(methods=self._availability.methods())
        self._check_service()

    def _check_service(self) -> None:
        ok, reason = self._availability.verdict()
        if not ok and self.flow.can("went_out_of_service"):
            self._set(out_of_service_reason=reason)
            self._send("went_out_of_service")
        elif ok and self.flow.can("came_back"):
            self._set(out_of_service_reason="")
            self._send("came_back")
        elif not ok and self.state == "out_of_service":
            self._set(out_of_service_reason=reason)
