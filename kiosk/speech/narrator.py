"""The narrator: hears every change of the customer's session and says what the customer must know.

It is subscribed to the controller like a screen. On a new state it says the state's prompt
(``kiosk.speech.prompts``); while the state stays it says what changed (a digit typed, an
error, the terminal's stage, the receipt), the "still there?" warning, and what the keypad's
focus lands on. Every utterance goes to the speaker (``devices.speech``) unless speech is off,
and to every sink (the demo's speech log and WAV writer) with its state and language. The last
screen prompt is kept for the Help key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.speech import prompts
from kiosk.speech.spoken import method_words, offer_words, say
from kiosk.speech.words import digit_words

log = logging.getLogger(__name__)

Sink = Callable[[str, str, str], None]  # (state, language, text)


@dataclass(frozen=True)
class Focus:
    """What the keypad's focus ring is on: ``kind`` offer / method / button, its ``key``
    (quote id, method) or ``label`` (a button's text), and its place among its kind."""

    kind: str
    key: str
    label: str
    index: int   # 1-based
    count: int


class Narrator:
    """``enabled`` is the accessible mode's speech: while it is off nothing is said or recorded
    (a customer not in the accessible mode hears nothing)."""

    def __init__(self, speaker=None, context: prompts.SpeechContext | None = None,
                 volume: int = 70, volume_step: int = 10):
        self.speaker = speaker
        self.context = context or prompts.SpeechContext()
        self.default_volume = volume
        self.volume = volume
        self.volume_step = volume_step
        self.enabled = False
        self.sinks: list[Sink] = []
        self.last_prompt: tuple[str, str, str] | None = None
        self._state: str | None = None
        self._view = None
        self._preamble = ""

    # -- state and view --------------------------------------------------------------------
    @property
    def speech_available(self) -> bool:
        return self.speaker is not None and bool(getattr(self.speaker, "available", False))

    def warm(self) -> None:
        """Let the speech device load what it needs before the first prompts."""
        warm = getattr(self.speaker, "warm", None)
        if warm is not None:
            warm()

    def prepare(self, language: str) -> None:
        """The accessible mode is about to start in *language*: let the device get ready to
        say its first prompt without a cold start (the keypad's 5 is being held)."""
        prepare = getattr(self.speaker, "prepare", None)
        if prepare is not None and self.speech_available:
            prepare(language, self.volume)

    def on_view(self, state: str, view) -> None:
        """The controller's callback: a new state, or a change on the same one."""
        before_state, before = self._state, self._view
        self._state, self._view = state, view
        if not self.enabled:
            return
        if state != before_state or before is None or view.language != before.language:
            self.say_screen()  # a new screen, or the same one in the language just chosen
            return
        texts = prompts.change_prompts(state, before, view, self.context)
        if view.digits != before.digits and state == "entering_number":
            texts.insert(0, self._typed(before.digits, view.digits, view.language))
        if view.warning and not before.warning:
            texts.append(say("still_there.spoken", view.language, seconds=view.seconds_left or 0))
        for text in texts:
            self._utter(state, view.language, text)

    def say_screen(self, preamble: str = "") -> None:
        """Say the current screen's prompt (with *preamble* first, e.g. "accessible mode on")."""
        if self._state is None or self._view is None:
            return
        text = prompts.screen_prompt(self._state, self._view, self.context)
        preamble = preamble or self._preamble
        self._preamble = ""
        self.last_prompt = (self._state, self._view.language, text)
        self._utter(self._state, self._view.language, text,
                    spoken=f"{preamble} {text}" if preamble else None)

    def announce(self, msgid: str, state: str | None = None, before_next: bool = False,
                 **values) -> None:
        """Say one catalogue message (recorded under *state*, default the current one); with
        *before_next*, it is said just before the next screen prompt rather than now, so that
        prompt does not cut it off (the accessible mode's greeting, then the first screen)."""
        if self._view is None or not self.enabled:
            return
        language = self._view.language
        text = say(msgid, language, **values)
        if before_next:
            self._preamble = text
            self._record(state or self._state or "", language, text)
        else:
            self._utter(state or self._state or "", language, text)

    # -- the keypad ------------------------------------------------------------------------
    def repeat(self) -> None:
        """The Help key: the screen's prompt again."""
        if not self.enabled:
            return
        self.say_screen()

    def focus(self, focus: Focus) -> None:
        if not self.enabled or self._view is None:
            return
        language = self._view.language
        item = focus.label
        if focus.kind == "offer":
            offer = next((o for o in self._view.offers if o.quote_id == focus.key), None)
            item = offer_words(offer, language) if offer else focus.label
        elif focus.kind == "method":
            item = method_words(focus.key, language)
        text = say("focus.position", language, item=item, index=focus.index, count=focus.count)
        self._utter(self._state or "", language, text)

    def not_available(self) -> None:
        if self.enabled and self._view is not None:
            self.announce("not_available")

    def interrupt(self) -> None:
        """A key was pressed: stop talking (the key then acts)."""
        if self.speaker is not None:
            self.speaker.stop()

    def change_volume(self, up: bool) -> None:
        self.volume = max(10, min(100, self.volume + (self.volume_step if up else -self.volume_step)))
        self.announce("volume", level=self.volume)

    def reset(self) -> None:
        """The session ended: silence, default volume, speech off."""
        self.interrupt()
        release = getattr(self.speaker, "release", None)
        if release is not None:
            release()  # the processes started ahead for this customer's prompts
        self.volume = self.default_volume
        self.enabled = False
        self.last_prompt = None
        self._preamble = ""

    # -- internals -------------------------------------------------------------------------
    def _typed(self, before: str, after: str, language: str) -> str:
        if len(after) > len(before):
            return digit_words(after[len(before):], language)
        if not after:
            return say("number_cleared", language)
        return say("digit_deleted", language, number=digit_words(after, language))

    def _record(self, state: str, language: str, text: str) -> None:
        for sink in list(self.sinks):
            try:
                sink(state, language, text)
            except Exception:
                log.exception("speech sink failed")

    def _utter(self, state: str, language: str, text: str, spoken: str | None = None) -> None:
        if not text:
            return
        self._record(state, language, text)
        if self.speaker is not None and self.speech_available:
            try:
                self.speaker.say(spoken or text, language, self.volume)
            except Exception:  # speech is a help, never a reason to stop selling
                log.exception("speech failed")
