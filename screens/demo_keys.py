"""``kiosk demo --keypad-only``: real purchases and the failure paths by key events alone.

Each language: on the attract screen, + / − to the language and Enter, then hold 5 (the
accessible mode: speech, focus ring, large text, high contrast); the number typed on the
keypad's digits; plans and payment methods chosen with + / − and Enter; Cancel (keypad /) and
Help (keypad *) where a customer would press them. The simulated phone pays the QR; the card
terminal simulator takes the card. Nothing is touched: the summary counts the touch events the
window saw (0) and the key events sent.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from screens.demo_walk import (
    EXPIRED_NUMBER,
    HK_NUMBER,
    MONEY_TIMEOUT_S,
    UNKNOWN_NUMBER,
    Walk,
)
from screens.offscreen import NotShown

log = logging.getLogger(__name__)

END_STATES = ("done", "refunded", "needs_attention", "retrying", "payment_failed", "lookup_failed")


class KeypadWalk(Walk):
    """Walk's scenes by keypad. ``screenshots``: None to take none."""

    def __init__(self, driver, kiosk, clock, folder: Path | None, language: str, backend,
                 accessibility):
        super().__init__(driver, kiosk, clock, folder or Path("."), language, backend)
        self.take_shots = folder is not None
        self.a11y = accessibility
        self.keys = accessibility.keys
        self.purchases: list[str] = []

    def all(self) -> list[Path]:
        scenes = (self.qr_purchase, self.card_purchase, self.declined, self.qr_cancelled,
                  self.lookup_failed, self.expired_card, self.refunded, self.needs_attention,
                  self.still_there)
        for scene in scenes:
            try:
                scene()
            except NotShown as e:
                log.warning("keypad scene %s skipped: %s", scene.__name__, e)
                self.skipped.append(f"{self.language}/{scene.__name__}")
            self.leave()
        return self.shots

    # -- keys -------------------------------------------------------------------------------
    def press(self, action: str, digit: str = "") -> None:
        self.driver.press(self.keys.code(action, digit))

    def type_digits(self, digits: str) -> None:
        for d in digits:
            self.press("digit", d)

    def focus_until(self, matches, limit: int = 40):
        ring = self.driver.app.keys.ring
        for _ in range(limit):
            self.press("next")
            if ring.target is not None and matches(ring.target):
                return ring.target
        raise NotShown("the focus ring did not reach the wanted choice")

    def shoot(self, variant: str = "") -> None:
        if self.take_shots:
            super().shoot(variant)

    # -- steps ------------------------------------------------------------------------------
    def begin(self) -> None:
        """Attract: the language by + / − and Enter, then hold 5 for the accessible mode."""
        self.driver.wait_state("attract")
        self.driver.frames(2)
        if self.controller.view.language != self.language:
            self.focus_until(lambda w: getattr(w, "language", "") == self.language)
            self.press("enter")
        mode = self.a11y.mode
        self.driver.hold(self.keys.code("digit", "5"), lambda: mode.active, 10.0)
        self.driver.wait_state("entering_number")

    def to_confirming(self, digits: str = HK_NUMBER, shots: bool = False) -> None:
        self.begin()
        if shots:
            self.shoot("accessible")
        self.type_digits(digits)
        if shots:
            self.shoot("accessible")
        self.press("enter")
        self.driver.wait_state("card_shown", MONEY_TIMEOUT_S)
        self.driver.frames(2)
        self.choose_offer(shots)

    def choose_offer(self, shots: bool = False) -> None:
        offers = self.controller.view.offers
        chosen = next((o for o in offers if o.promotion), offers[0])
        self.focus_until(lambda w: getattr(w, "quote_id", "") == chosen.quote_id)
        if shots:
            self.shoot("focus")
        self.press("enter")
        self.driver.wait_state("confirming")
        self.driver.frames(2)

    def pay(self, method: str, shots: bool = False) -> None:
        self.focus_until(lambda w: getattr(w, "method", "") == method)
        if shots:
            self.shoot("focus")
        self.press("enter")

    def leave(self) -> None:
        """Back to attract by keys: Enter to finish a result screen, Cancel elsewhere."""
        self.driver.wait_for(lambda: self.driver.state not in
                             ("looking_up", "paying_qr", "paying_card", "crediting", "refunding"),
                             MONEY_TIMEOUT_S, "the end of the payment")
        if self.driver.app.router.overlay.parent is not None:
            self.press("help")  # any key answers "still there?"
        if self.driver.state in ("done", "refunded", "needs_attention", "retrying"):
            self.press("enter")
        elif self.driver.state != "attract":
            self.press("cancel")
        self.driver.wait_for(lambda: self.driver.state in ("attract", "out_of_service"),
                             MONEY_TIMEOUT_S, "the start")
        self.settle_open_rows()

    # -- scenes -------------------------------------------------------------------------------
    def qr_purchase(self) -> None:
        self.to_confirming(shots=True)
        self.shoot()
        self.pay("fps", shots=True)
        out_trade_no = self.wait_qr()
        self.shoot()
        self.backend.pay(out_trade_no)
        self.driver.wait_state("done", MONEY_TIMEOUT_S)
        self.driver.wait_for(lambda: self.controller.view.receipt_status not in (None, "printing"),
                             MONEY_TIMEOUT_S, "the receipt")
        self.shoot()
        self.press("help")  # the result, read again
        self.purchases.append("qr")

    def card_purchase(self) -> None:
        self.to_confirming()
        self.pay("card")
        self.driver.wait_state("paying_card")
        self.driver.wait_for(lambda: self.controller.view.terminal_stage, MONEY_TIMEOUT_S, "a prompt")
        self.shoot()
        self.driver.wait_state("done", MONEY_TIMEOUT_S)
        self.purchases.append("card")

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
        self.press("cancel")
        self.driver.wait_state("payment_failed", MONEY_TIMEOUT_S)
        self.shoot("cancelled")

    def lookup_failed(self) -> None:
        self.begin()
        self.type_digits(UNKNOWN_NUMBER)
        self.press("enter")
        self.driver.wait_state("lookup_failed", MONEY_TIMEOUT_S)
        self.shoot("not_found")
        self.press("clear")  # a key with no meaning here: "not available here"

    def expired_card(self) -> None:
        self.begin()
        self.type_digits(EXPIRED_NUMBER)
        self.press("enter")
        self.driver.wait_state("card_shown", MONEY_TIMEOUT_S)
        self.driver.frames(2)
        self.shoot("expired")

    def refunded(self) -> None:
        """The credit is refused after the payment (a simulated rejection): refunded. (The
        capped number is refused before paying now: its plan is held first.)"""
        self.backend.fault("POST /v1/topups", "reject", count=1)
        self.to_confirming()
        self.pay("payme")
        self.backend.pay(self.wait_qr())
        self.driver.wait_state("refunded", MONEY_TIMEOUT_S)
        self.shoot()

    def needs_attention(self) -> None:
        """The credit is refused and so is the refund: only a person can act on it."""
        self.backend.fault("POST /v1/topups", "reject", count=1)
        self.backend.fault("POST /v1/payments/{out_trade_no}/refunds", "reject", count=1)
        self.to_confirming()
        self.pay("wechatpay")
        self.backend.pay(self.wait_qr())
        self.driver.wait_state("needs_attention", MONEY_TIMEOUT_S)
        self.shoot()

    def still_there(self) -> None:
        """The longer limit: the warning comes 30 s ahead of a ×3 timeout; a key keeps the
        customer, again and again."""
        self.begin()
        self.type_digits(HK_NUMBER[:3])
        flow, a11y = self.kiosk.settings.flow, self.kiosk.settings.accessibility
        for _ in range(2):
            self.clock.advance(flow.idle_timeout_s * a11y.time_scale - a11y.warning_s + 2)
            self.driver.wait_for(lambda: self.controller.view.warning, 5.0, "the warning")
            self.shoot("still_there")
            self.press("help")  # any key: more time
            self.driver.wait_for(lambda: not self.controller.view.warning, 5.0, "more time")


def screen_to_first_sample_ms(changes: list[tuple[str, float]], utterances: list[list]) -> list[float]:
    """Per screen change: time to the first sample of the first utterance started on that
    screen (before the next change). Left out: screens that said nothing (the return to attract
    that ends the mode) and prompts cut off before any sound by a quicker next screen."""
    out = []
    ends = [at for _state, at in changes[1:]] + [float("inf")]
    for (_state, at), end in zip(changes, ends, strict=True):
        started = [u for u in utterances if at <= u[0] < end]
        if started and started[0][1] is not None:
            out.append((started[0][1] - at) * 1000)
    return out


def wait_for_speech(speaker, timeout_s: float = 10.0) -> None:
    end = time.monotonic() + timeout_s
    while speaker is not None and speaker.speaking and time.monotonic() < end:
        speaker.wait_idle(0.5)


def run_keypad_demo(settings, shots_dir: Path | None, languages, build_core, backend,
                    speech_log: Path | None = None, speech_wav: Path | None = None) -> dict:
    """Every language's keypad walk; the summary (see ``app/commands/demo.py``)."""
    import statistics

    from screens.boot import configure_window

    configure_window(settings.display)
    from kivy.core.window import Window

    from kiosk.fonts import default_cache_dir
    from kiosk.speech.sinks import SpeechLog, WavWriter
    from screens.demo import OffsetClock
    from screens.offscreen import AppDriver
    from screens.running import KioskSession

    clock = OffsetClock()
    touches = [0]
    changes: list[tuple[str, float]] = []
    visited: dict[str, set[str]] = {}
    spoken: dict[str, set[str]] = {}
    purchases: dict[str, list[str]] = {}
    skipped: list[str] = []
    shots: list[Path] = []
    lines = [0]
    with KioskSession(settings, build_core, clock, font_cache=default_cache_dir()) as session:
        a11y = session.accessibility
        narrator = a11y.narrator
        log_sink = SpeechLog(speech_log) if speech_log else None
        wav_sink = WavWriter(speech_wav, a11y.engine) if speech_wav and a11y.engine else None

        def heard(state: str, language: str, _text: str) -> None:
            lines[0] += 1
            spoken.setdefault(language, set()).add(state)

        narrator.sinks += [s for s in (log_sink, wav_sink, heard) if s is not None]
        controller = session.kiosk.controller
        last = [controller.state]

        def changed(state: str, view) -> None:  # subscribed before the app: the change itself
            if state != last[0]:
                last[0] = state
                changes.append((state, time.monotonic()))  # the speaker's clock
                if a11y.mode.active:
                    visited.setdefault(view.language, set()).add(state)

        controller.subscribe(changed)

        def touched(*_args) -> None:
            touches[0] += 1

        Window.bind(on_touch_down=touched)
        driver = AppDriver(session.app)
        driver.start()
        try:
            for language in languages:
                walk = KeypadWalk(driver, session.kiosk, clock,
                                  shots_dir / language if shots_dir else None, language, backend,
                                  a11y)
                shots += walk.all()
                skipped += walk.skipped
                purchases[language] = walk.purchases
            wait_for_speech(narrator.speaker)
        finally:
            driver.stop()
            if log_sink:
                log_sink.close()
            if wav_sink:
                wav_sink.close()
        speaker = narrator.speaker
        latencies = screen_to_first_sample_ms(changes, speaker.utterances if speaker else [])
    wavs = _check_wavs(wav_sink.written if wav_sink else [])
    unspoken = {lang: sorted(visited.get(lang, set()) - spoken.get(lang, set()))
                for lang in languages}
    ordered = sorted(latencies)
    return {
        "languages": list(languages),
        "purchases": purchases,
        "prompts": lines[0],
        "speech_log": str(speech_log) if speech_log else None,
        "wavs": wavs,
        "audio_played": bool(speaker and speaker.player),
        "unspoken_states": {k: v for k, v in unspoken.items() if v},
        "screen_to_first_sample_ms": {
            "median": round(statistics.median(ordered), 1) if ordered else None,
            "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1)
            if ordered else None,
            "count": len(ordered),
            "samples": [round(v, 1) for v in latencies],
        },
        "screenshots": len(shots),
        "skipped": skipped,
        "touch_events": touches[0],
        "key_events": driver.key_presses,
    }


def _check_wavs(paths: list[Path]) -> dict:
    from devices.speech.wav import pcm_stats

    stats = [pcm_stats(p.read_bytes()) for p in paths]
    silent = [p.name for p, s in zip(paths, stats, strict=True) if s["rms"] < 200 or s["seconds"] < 0.3]
    return {
        "count": len(paths),
        "silent": silent,
        "min_rms": round(min((s["rms"] for s in stats), default=0), 1),
        "min_seconds": round(min((s["seconds"] for s in stats), default=0), 2),
        "bits": sorted({s["sample_width"] * 8 for s in stats}),
    }
