"""Entering the number: +852/+86, the keypad, the number formatted as typed, errors in place,
and the Personal Information Collection Statement one tap (or the * key) away."""

from __future__ import annotations

from kivy.properties import StringProperty

from screens.kv import load_beside
from screens.states.base import KioskScreen
from screens.widgets.privacy_statement import PrivacyStatementOverlay

STATEMENT_KEYS = ("*", "?")  # a keypad key that opens (and closes) the statement
ENTER_KEYS, BACKSPACE = (13, 271), 8


class EnteringNumberScreen(KioskScreen):
    country = StringProperty("852")
    number = StringProperty("")
    error_code = StringProperty("")
    keypad = {"digit": "controller.press_digit", "clear": "controller.backspace",
              "enter": "controller.submit_number"}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._privacy = None  # the view's PrivacyStatements
        self._language = ""
        self.statement: PrivacyStatementOverlay | None = None  # built on first open

    def render(self, view) -> None:
        self.country = view.country
        self.number = view.number_formatted
        self.error_code = view.number_error or ""
        self._privacy, self._language = view.privacy, view.language
        if self.statement_open:
            self._fill_statement()

    @property
    def statement_open(self) -> bool:
        return self.statement is not None and self.statement.parent is not None

    @property
    def modal_open(self) -> bool:
        """The statement lies over the screen: it takes every key (the keypad's too)."""
        return self.statement_open

    def open_statement(self) -> None:
        """Lay the full statement over the screen; the number typed so far stays."""
        if self._privacy is None or self.statement_open:
            return
        if self.statement is None:
            self.statement = PrivacyStatementOverlay(closer=self.close_statement)
        self._fill_statement()
        self.statement.ids.scroll.scroll_y = 1
        self.add_widget(self.statement)

    def close_statement(self) -> None:
        if self.statement_open:
            self.remove_widget(self.statement)

    def on_pre_leave(self, *args) -> None:
        self.close_statement()  # the flow moved on (a timeout, Cancel): next time it starts closed

    def _fill_statement(self) -> None:
        text = self._privacy.statement(self._language)
        self.statement.title, self.statement.body = text.title, text.body

    def on_key(self, codepoint: str, key: int) -> bool:
        if self.statement_open:  # modal: these keys close it, the others are ignored
            if codepoint in STATEMENT_KEYS or key in ENTER_KEYS or key == BACKSPACE:
                self.close_statement()
            return True
        if codepoint in STATEMENT_KEYS:
            self.open_statement()
        elif codepoint and codepoint.isdigit():
            self.controller.press_digit(codepoint)
        elif key == BACKSPACE:
            self.controller.backspace()
        elif key in ENTER_KEYS:
            self.controller.submit_number()
        else:
            return False
        return True


load_beside(__file__)
