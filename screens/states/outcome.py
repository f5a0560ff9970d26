"""Refunded, retrying or needs attention: the reference, what happens next, and the hotline.

One screen class for the three states; its name (the state) picks the texts.
"""

from __future__ import annotations

from kivy.properties import StringProperty

from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.text import _


def outcome_texts(state: str, language: str) -> tuple[str, str]:
    """(title, what happens next) for ``refunded`` / ``retrying`` / ``needs_attention``."""
    if state in ("refunded", "retrying"):
        return _(f"outcome.{state}.title", language), _(f"outcome.{state}.body", language)
    return _("outcome.needs_attention.title", language), _("outcome.needs_attention.body", language)


class OutcomeScreen(KioskScreen):
    keypad = {"enter": "controller.cancel"}
    title = StringProperty("")
    body = StringProperty("")
    reference = StringProperty("")
    hotline = StringProperty("")

    def render(self, view) -> None:
        self.title, self.body = outcome_texts(self.name, view.language)
        self.reference = view.txn_id or ""
        self.hotline = view.hotline or ""


load_beside(__file__)
