"""A scripted customer of the real app, by taps, timing every tap that changes the screen.

Used by the tap and QR benchmarks and the app soak (``bench.ui_session`` starts the app). The
phone is played through the backend simulator's ``/_sim`` routes, as in ``kiosk demo``.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from screens.text import _
from simulators.backend.control import SimulatorControl

NUMBERS = ("91234567", "61234567")  # demo subscribers with offers whose credits go through
UNKNOWN = "91234568"
WALLETS = ("fps", "wechatpay", "alipayhk", "payme")
WAIT_S = 30.0


class Customer:
    """Walks the app; ``timed`` maps "state → state" to tap-to-frame seconds."""

    def __init__(self, driver, kiosk, timing: bool = True):
        self.d, self.kiosk, self.c = driver, kiosk, kiosk.controller
        self.timing = timing  # False (the soak): taps as AppDriver.tap, frames not waited out
        self.phone = SimulatorControl(kiosk.settings.backend.url)
        self.timed: dict[str, list[float]] = defaultdict(list)
        self.lookup_s: list[float] = []  # submit tap → card screen frame, request time taken off
        self.qr_s: list[float] = []  # order answered → first frame with the QR texture
        self._answers: list[float] = []
        self._answered = threading.Lock()
        self._wrap_create_payment()

    def close(self) -> None:
        self.phone.close()

    # -- instruments ---------------------------------------------------------------------------
    def _wrap_create_payment(self) -> None:
        """Note when each order's answer comes back (the purchase service calls it on a worker)."""
        backend = self.kiosk.backend
        create = backend.create_payment

        def timed_create(*args, **kwargs):
            answer = create(*args, **kwargs)
            with self._answered:
                self._answers.append(time.perf_counter())
            return answer

        backend.create_payment = timed_create  # the service looks it up at each call

    def watch(self, predicate):
        """Start noting the first frame flipped while *predicate* holds (bind before the tap
        that leads there, or a quick answer's frame could be missed); ``wait(...)`` for it."""
        from kivy.core.window import Window
        from kivy.graphics.opengl import glFinish

        seen: list[float] = []

        def on_flip(*_args):
            if not seen and predicate():
                if self.timing:
                    glFinish()  # llvmpipe draws lazily: the frame is on screen once rendered
                seen.append(time.perf_counter())

        Window.bind(on_flip=on_flip)
        return seen, on_flip

    def wait(self, watched, timeout_s: float = WAIT_S) -> float:
        """perf_counter of the frame ``watch`` noted."""
        from kivy.core.window import Window

        seen, on_flip = watched
        try:
            self.d.wait_for(lambda: bool(seen), timeout_s, "a frame")
        finally:
            Window.unbind(on_flip=on_flip)
        return seen[0]

    def first_frame_where(self, predicate, timeout_s: float = WAIT_S) -> float:
        """perf_counter of the first frame flipped from now on while *predicate* holds."""
        return self.wait(self.watch(predicate), timeout_s)

    # -- taps ----------------------------------------------------------------------------------
    def tap(self, widget) -> None:
        """Tap *widget* at its centre (as ``AppDriver.tap``); when the screen changes, time the
        touch's dispatch to the next screen's first frame, rendered (``glFinish``)."""
        from kivy.graphics.opengl import glFinish
        from kivy.tests.common import UnitTestTouch

        if not self.timing:
            self.d.tap(widget)
            return
        before = self.d.state
        self.d.taps += 1
        touch = UnitTestTouch(*widget.to_window(*widget.center))
        glFinish()  # the previous frame's drawing is not this tap's
        started = time.perf_counter()
        touch.touch_down()
        touch.touch_up()
        if self.d.state != before:
            shown = self.first_frame_where(lambda: True)
            self.timed[f"{before} → {self.d.state}"].append(shown - started)
        self.d.frames(1)

    def tap_text(self, msgid: str) -> None:
        self.tap(self.d.button(_(msgid, self.c.view.language)))

    def tap_cancel(self) -> None:
        self.tap(self.d.find(lambda w: getattr(w, "text", None) == _("action.cancel",
                                                                      self.c.view.language)
                             and not w.disabled and w.opacity > 0))

    def digits(self, digits: str) -> None:
        from screens.widgets.keypad import Keypad

        keys = [self.d.find(lambda w, d=digit: isinstance(w.parent, Keypad)
                            and getattr(w, "text", None) == d) for digit in digits]
        if self.timing:
            for key in keys:
                self.tap(key)
            return
        from kivy.tests.common import UnitTestTouch

        for key in keys:  # the soak: a fast typist, one frame for the whole number
            touch = UnitTestTouch(*key.to_window(*key.center))
            touch.touch_down()
            touch.touch_up()
            self.d.taps += 1
        self.d.frames(1)

    def clear_number(self) -> None:
        while self.c.view.digits:
            self.tap_text("action.delete")

    # -- steps ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.arrive("attract")
        self.tap_text("attract.start")

    def look_up(self, digits: str, expect: str = "card_shown") -> None:
        """Type the number and continue; time the look-up to the next screen's frame."""
        from kiosk.backend.client import BackendClient

        self.digits(digits)
        lookups = len(getattr(BackendClient, "lookup_s", []))
        watched = self.watch(lambda: self.d.state == expect)
        tapped = time.perf_counter()
        self.tap_text("number.continue")
        shown = self.wait(watched)
        request = getattr(BackendClient, "lookup_s", [])[lookups:]
        if request:
            self.lookup_s.append(shown - tapped - request[0])
        self.d.frames(3)  # a new screen's widgets are laid out in the frames after its first

    def choose_offer(self) -> None:
        offers = self.c.view.offers
        self.tap(self.d.find(lambda w: w.__class__.__name__ == "OfferTile"
                             and w.quote_id == offers[0].quote_id))

    def pay_wallet(self, method: str) -> None:
        """Pay by *method* and time the order's answer to the QR texture on screen."""
        from screens.widgets.qr_view import QrView

        answers = len(self._answers)
        qr = _find_qr_view(self.d.app.router.screen("paying_qr"), QrView)
        watched = self.watch(lambda: self.d.state == "paying_qr" and bool(qr.payload)
                             and qr.modules > 0)
        self.tap(self.d.find(lambda w: w.__class__.__name__ == "PayButton" and w.method == method))
        shown = self.wait(watched)
        with self._answered:
            answered = self._answers[answers] if len(self._answers) > answers else None
        if answered is not None:
            self.qr_s.append(shown - answered)

    def phone_pays(self) -> None:
        self.phone.pay(self.kiosk.journal.get(self.c.view.txn_id).out_trade_no)
        self.arrive("done")
        self.d.wait_for(lambda: self.c.view.receipt_status not in (None, "printing"), WAIT_S,
                        "the receipt")
        self.tap_text("action.finish")

    def paid_to_screen(self, after_s: float) -> float:
        """At the QR: drive frames for *after_s*, then the phone pays; seconds from just before
        the pay call (the backend marks the order paid before it answers) to the first frame of
        the next screen, rendered. Then on to the end of the sale."""
        end = time.perf_counter() + after_s
        self.d.wait_for(lambda: time.perf_counter() >= end, after_s + WAIT_S, "the wait")
        out_trade_no = self.kiosk.journal.get(self.c.view.txn_id).out_trade_no
        watched = self.watch(lambda: self.d.state != "paying_qr")
        paid = time.perf_counter()
        self.phone.pay(out_trade_no)
        shown = self.wait(watched)
        self._finish_sale()
        return shown - paid

    def card_to_screen(self, rsp_times: list[float]) -> tuple[float, float]:
        """Pay by card (the terminal simulator approves); (first frame of the screen after
        paying_card, when its final RSP was handed to the link: ``rsp_times``' new entry)."""
        before = len(rsp_times)
        watched = self.watch(lambda: self.d.state not in ("confirming", "paying_card"))
        self.tap(self.d.find(lambda w: w.__class__.__name__ == "PayButton"
                             and w.method == "card"))
        shown = self.wait(watched)
        if len(rsp_times) <= before:
            raise RuntimeError(f"no final RSP noted before the {self.d.state!r} screen")
        answered = rsp_times[before]
        self._finish_sale()
        return shown, answered

    def _finish_sale(self) -> None:
        self.arrive("done")
        self.d.wait_for(lambda: self.c.view.receipt_status not in (None, "printing"), WAIT_S,
                        "the receipt")
        self.tap_text("action.finish")
        self.d.wait_state("attract", WAIT_S)

    def arrive(self, state: str) -> None:
        """Wait for *state*'s screen and its layout (the frames after its first)."""
        self.d.wait_state(state, WAIT_S)
        self.d.frames(3)

    def gives_up_at_qr(self) -> None:
        self.tap_cancel()
        self.arrive("payment_failed")
        self.tap_text("payment_failed.try_another")
        self.tap_cancel()

    def forget(self) -> None:
        """Drop the timings gathered so far (the soak keeps none)."""
        self.timed.clear()
        self.lookup_s.clear()
        self.qr_s.clear()
        with self._answered:
            self._answers.clear()

    def buy(self, i: int) -> None:
        """Customer *i* of the soak: a wallet sale (every fifth gives up at the QR)."""
        self.start()
        self.look_up(NUMBERS[i % len(NUMBERS)])
        self.choose_offer()
        self.pay_wallet(WALLETS[i % len(WALLETS)])
        if i % 5 == 4:
            self.gives_up_at_qr()
        else:
            self.phone_pays()
        self.d.wait_state("attract", WAIT_S)

    # -- whole visits --------------------------------------------------------------------------
    def visit(self, i: int) -> None:
        """Customer *i*: a purchase, or a change of mind, by a pattern that covers every local
        transition (attract, keypad, card, confirm, QR, done, failed screens)."""
        number = NUMBERS[i % len(NUMBERS)]
        self.start()
        if i % 4 == 1:
            self.tap_cancel()
            self.start()
        if i % 5 == 2:
            self.look_up(UNKNOWN, expect="lookup_failed")
            self.tap_text("lookup_failed.try_again")
            self.clear_number()
        self.look_up(number)
        if i % 3 == 1:
            self.tap_text("card.wrong_number")
            self.clear_number()
            self.look_up(number)
        self.choose_offer()
        if i % 6 == 3:
            self.tap_cancel()
            return
        self.pay_wallet(WALLETS[i % len(WALLETS)])
        if i % 2 == 0:
            self.phone_pays()
        else:
            self.gives_up_at_qr()
        self.d.wait_state("attract", WAIT_S)


def _find_qr_view(screen, cls):
    return next(w for w in screen.walk(restrict=True) if isinstance(w, cls))


def time_lookups() -> None:
    """Record each subscriber look-up's request time on the client (before the core is built:
    the controller keeps the bound method)."""
    from kiosk.backend.client import BackendClient

    if getattr(BackendClient, "lookup_s", None) is not None:
        return
    original = BackendClient.get_subscriber
    BackendClient.lookup_s = []

    def get_subscriber(self, msisdn):
        t0 = time.perf_counter()
        try:
            return original(self, msisdn)
        finally:
            BackendClient.lookup_s.append(time.perf_counter() - t0)

    BackendClient.get_subscriber = get_subscriber
