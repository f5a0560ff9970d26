"""The scripted customer of ``kiosk demo``: every screen of one language, by taps, as PNGs.

File names are ``NN-<flow state>[-variant].png``. A screen the simulators cannot produce in
time is logged and left out rather than faked.
"""

from __future__ import annotations

import logging
from pathlib import Path

from screens import demo_octopus
from screens.offscreen import NotShown
from screens.text import _

log = logging.getLogger(__name__)

HK_NUMBER, REFUSED_NUMBER, UNKNOWN_NUMBER = "91234567", "92345678", "91234568"
EXPIRED_NUMBER = "93456789"  # expired yesterday, within its grace period (README)
MONEY_TIMEOUT_S = 30.0


class Walk:
    """One language's walk. *backend* plays the customer's phone and the faults: the backend
    simulator's control routes (``simulators.backend.control.SimulatorControl``)."""

    def __init__(self, driver, kiosk, clock, folder: Path, language: str, backend):
        self.driver, self.kiosk, self.clock = driver, kiosk, clock
        self.controller = kiosk.controller
        self.folder, self.language = folder, language
        self.backend = backend
        self.shots: list[Path] = []
        self.common_path_taps: int | None = None
        self.skipped: list[str] = []

    def all(self) -> list[Path]:
        scenes = (self.qr_purchase, self.card_purchase, self.declined, self.qr_cancelled,
                  self.hold_refused, self.lookup_failed, self.expired_card, self.refunded, self.paper_out,
                  self.retrying, self.needs_attention, self.still_there, self.out_of_service,
                  self.privacy_statement)
        scenes = scenes[:-2] + demo_octopus.scenes(self) + scenes[-2:]  # Octopus, before the end
        scenes += (self.scan_purchase,)  # scan to pay (with a scanner)
        for scene in scenes:
            try:
                scene()
            except NotShown as e:
                log.warning("demo scene %s skipped: %s", scene.__name__, e)
                self.skipped.append(f"{self.language}/{scene.__name__}")
            self.leave()
        return self.shots

    # -- helpers ---------------------------------------------------------------------------
    def shoot(self, variant: str = "") -> None:
        self.driver.frames(2)
        name = f"{len(self.shots) + 1:02d}-{self.driver.state}{'-' + variant if variant else ''}.png"
        self.shots.append(self.driver.screenshot(self.folder / name))

    def tap_text(self, msgid: str) -> None:
        self.driver.tap(self.driver.button(_(msgid, self.language)))

    def tap_digits(self, digits: str) -> None:
        from screens.widgets.keypad import Keypad

        for d in digits:
            self.driver.tap(self.driver.find(
                lambda w, d=d: isinstance(w.parent, Keypad) and getattr(w, "text", None) == d))

    def begin(self) -> None:
        """On attract: choose the language (a tap that starts), unless it is the default."""
        self.driver.wait_state("attract")
        self.driver.frames(2)
        if self.language != self.controller.view.language:
            self.driver.tap(self.driver.find(
                lambda w: getattr(w, "language", None) == self.language
                and w.__class__.__name__ == "StartLanguageButton"))

    def to_confirming(self, digits: str = HK_NUMBER) -> None:
        self.begin()
        self.tap_digits(digits)
        self.tap_text("number.continue")
        self.driver.wait_state("card_shown", MONEY_TIMEOUT_S)
        self.choose_offer()

    def choose_offer(self) -> None:
        """The promoted offer if there is one (the demo's FIRST10), else the first."""
        offers = self.controller.view.offers
        chosen = next((o for o in offers if o.promotion), offers[0])
        self.driver.frames(1)
        self.driver.tap(self.driver.find(
            lambda w: w.__class__.__name__ == "OfferTile" and w.quote_id == chosen.quote_id))
        self.driver.wait_state("confirming")

    def pay(self, method: str) -> None:
        self.driver.tap(self.driver.find(
            lambda w: w.__class__.__name__ == "PayButton" and w.method == method))

    def wait_qr(self) -> str:
        self.driver.wait_state("paying_qr")
        self.driver.wait_for(lambda: self.controller.view.qr_payload, MONEY_TIMEOUT_S, "the QR")
        return self.kiosk.journal.get(self.controller.view.txn_id).out_trade_no

    def leave(self) -> None:
        """Back to attract the way a customer would (or by waiting for a money state to end)."""
        end_states = ("done", "refunded", "needs_attention", "payment_failed", "lookup_failed")
        self.driver.wait_for(lambda: self.driver.state not in
                             ("looking_up", "paying_qr", "paying_card", "paying_octopus", "paying_scan",
                              "crediting", "refunding"),
                             MONEY_TIMEOUT_S, "the end of the payment")
        if self.driver.state in end_states or self.driver.state in (
                "entering_number", "card_shown", "confirming"):
            self.controller.cancel()
        self.driver.wait_for(lambda: self.driver.state in ("attract", "out_of_service"),
                             MONEY_TIMEOUT_S, "the start")
        self.settle_open_rows()

    def settle_open_rows(self) -> None:
        """Let the reconciler finish what a scene left open (a credit left for it), so its
        calls cannot take a backend fault the next scene sets for its own customer."""
        for _attempt in range(5):
            if not self.kiosk.journal.unfinished():
                return
            self.kiosk.reconciler.run_once()

    # -- scenes -----------------------------------------------------------------------------
    def qr_purchase(self) -> None:
        self.driver.wait_state("attract")
        self.controller.set_language(self.language)  # attract in this language (no tap: a tap starts)
        self.shoot()
        taps_before = self.driver.taps
        self.backend.fault("GET /v1/subscribers/{msisdn}", "timeout", hold_s=1.5)
        self.tap_digits("2")  # a landline's first digit: explained in place, as typed
        self.shoot("error")
        self.driver.tap(self.driver.button(_("action.delete", self.language)))
        self.tap_digits(HK_NUMBER[:4])
        self.shoot()
        self.tap_digits(HK_NUMBER[4:])
        self.tap_text("number.continue")
        self.driver.wait_state("looking_up")
        self.shoot()
        self.driver.wait_state("card_shown", MONEY_TIMEOUT_S)
        self.shoot()
        self.choose_offer()
        self.shoot()
        self.pay("fps")
        out_trade_no = self.wait_qr()
        # The slip above ("2", then delete) is not part of the common path.
        self.common_path_taps = self.driver.taps - taps_before - 2
        self.shoot()
        self.backend.fault("POST /v1/topups", "timeout", hold_s=3.0)
        self.backend.pay(out_trade_no)
        self.driver.wait_state("crediting", MONEY_TIMEOUT_S)
        self.shoot()
        self.driver.wait_state("done", MONEY_TIMEOUT_S)
        self.driver.wait_for(lambda: self.controller.view.receipt_status not in (None, "printing"),
                             MONEY_TIMEOUT_S, "the receipt")
        self.shoot()

    def card_purchase(self) -> None:
        self.to_confirming()
        self.pay("card")
        self.driver.wait_state("paying_card")
        self.driver.wait_for(lambda: self.controller.view.terminal_stage, MONEY_TIMEOUT_S, "a prompt")
        self.shoot()
        self.driver.wait_state("done", MONEY_TIMEOUT_S)

    def declined(self) -> None:
        self.kiosk.terminal.simulator.set_scenario("decline_05", next_sale_only=True)
        self.to_confirming()
        self.pay("card")
        self.driver.wait_state("payment_failed", MONEY_TIMEOUT_S)
        self.shoot("declined")

    def qr_cancelled(self) -> None:
        self.to_confirming()
        self.pay("wechatpay")
        self.wait_qr()
        self.tap_text("action.cancel")
        self.driver.wait_state("payment_failed", MONEY_TIMEOUT_S)
        self.shoot("cancelled")

    def hold_refused(self) -> None:
        """The plan cannot be held (monthly cap reached): told before paying, nothing charged."""
        self.to_confirming(REFUSED_NUMBER)
        self.pay("fps")
        self.driver.wait_state("payment_failed", MONEY_TIMEOUT_S)
        self.shoot("hold_refused")

    def lookup_failed(self) -> None:
        self.begin()
        self.tap_digits(UNKNOWN_NUMBER)
        self.tap_text("number.continue")
        self.driver.wait_state("lookup_failed", MONEY_TIMEOUT_S)
        self.shoot("not_found")

    def expired_card(self) -> None:
        """An expired card: shown as expired, and what the chosen plan makes its expiry."""
        self.begin()
        self.tap_digits(EXPIRED_NUMBER)
        self.tap_text("number.continue")
        self.driver.wait_state("card_shown", MONEY_TIMEOUT_S)
        self.shoot("expired")
        self.choose_offer()
        self.shoot("expired")

    def refunded(self) -> None:
        """The credit is refused after the payment (a simulated rejection): refunded."""
        self.backend.fault("POST /v1/topups", "reject", count=1)
        self.to_confirming()
        self.pay("payme")
        self.backend.pay(self.wait_qr())
        self.driver.wait_state("refunded", MONEY_TIMEOUT_S)
        self.shoot()

    def paper_out(self) -> None:
        printer = self.kiosk.printer.simulator
        printer.set_paper("out")
        try:
            self.to_confirming()
            self.pay("alipayhk")
            self.backend.pay(self.wait_qr())
            self.driver.wait_state("done", MONEY_TIMEOUT_S)
            # e_receipt is set from the start; the QR shows once the printer has said "no paper"
            self.driver.wait_for(lambda: self.controller.view.receipt_status == "paper_out",
                                 MONEY_TIMEOUT_S, "the e-receipt")
            self.shoot("paper_out")
        finally:
            printer.set_paper("ok")

    def retrying(self) -> None:
        """The backend does not answer the credit: the payment is safe, the kiosk retries."""
        self.to_confirming()
        for route in ("POST /v1/topups", "GET /v1/topups/{credit_key}"):
            self.backend.fault(route, "http_500", count=1000)
        try:
            self.pay("fps")
            self.backend.pay(self.wait_qr())
            self.driver.wait_state("retrying", MONEY_TIMEOUT_S)
            self.shoot()
        finally:
            for route in ("POST /v1/topups", "GET /v1/topups/{credit_key}"):
                self.backend.fault(route, "http_500", count=0)

    def needs_attention(self) -> None:
        """The credit is refused and so is the refund: a definite answer only a person can act on."""
        self.backend.fault("POST /v1/topups", "reject", count=1)
        self.backend.fault("POST /v1/payments/{out_trade_no}/refunds", "reject", count=1)
        self.to_confirming()
        self.pay("wechatpay")
        self.backend.pay(self.wait_qr())
        self.driver.wait_state("needs_attention", MONEY_TIMEOUT_S)
        self.shoot()

    def still_there(self) -> None:
        self.begin()
        self.tap_digits(HK_NUMBER[:3])
        flow = self.kiosk.settings.flow
        self.clock.advance(flow.idle_timeout_s - flow.warning_s + 2)
        self.driver.wait_for(lambda: self.controller.view.warning, 5.0, "the warning")
        self.shoot("still_there")

    def out_of_service(self) -> None:
        self.driver.wait_state("attract")
        ops = self.kiosk.operations
        if ops is not None:
            ops.health.switch_off("operator")
        else:
            self.controller.set_health((), in_service=False, reason="operator")
        self.driver.wait_state("out_of_service", 10.0)
        self.shoot()
        if ops is not None:
            ops.health.switch_on()
        else:
            self.controller.set_health(demo_octopus.offered(self.kiosk.settings))
        self.driver.wait_state("attract", 10.0)

    def privacy_statement(self) -> None:
        """The collection statement: the line under the number, then the full text on a tap."""
        self.begin()
        self.tap_digits(HK_NUMBER[:4])
        self.shoot("privacy")
        screen = self.driver.app.router.manager.current_screen
        self.tap_text("privacy.open")
        self.driver.wait_for(lambda: screen.statement_open, 5.0, "the statement")
        self.shoot("statement")
        self.driver.tap(screen.statement.ids.back)
        self.driver.wait_for(lambda: not screen.statement_open, 5.0, "the number screen again")

    def scan_purchase(self) -> None:
        """Scan to pay: the scan screen, a product barcode refused before any order, "confirm
        on your phone", then paid and credited (the wallet named on the receipt)."""
        scanner = self.kiosk.scanner.simulator
        if scanner is None:
            raise NotShown("no simulated scanner in this profile")
        self.to_confirming()
        self.driver.wait_for(lambda: "scan" in self.controller.view.methods, 10.0,
                             "the scan choice")
        self.shoot("scan_choice")
        self.pay("scan")
        self.driver.wait_state("paying_scan")
        self.shoot()
        scanner.present("4006381333931")  # a product barcode: a clear message, no order
        self.driver.wait_for(lambda: self.controller.view.scan_error, MONEY_TIMEOUT_S,
                             "the message")
        self.shoot("product_barcode")
        scanner.present("281234567890123454")  # AlipayHK, confirmed on the phone (below)
        self.driver.wait_for(lambda: self.controller.view.scan_stage == "confirm_on_phone",
                             MONEY_TIMEOUT_S, "confirm on your phone")
        self.shoot("confirm_on_phone")
        self.backend.pay(self.controller.view.txn_id)
        self.driver.wait_state("done", MONEY_TIMEOUT_S)
        self.driver.wait_for(lambda: self.controller.view.receipt_status not in (None, "printing"),
                             MONEY_TIMEOUT_S, "the receipt")
        self.shoot("scan")
