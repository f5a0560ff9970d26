"""Keypad-only operation: key codes → actions (``kiosk.accessibility.keys``) → what the screen offers.

Each screen declares what its keys do, as intents of the controller or methods of the screen:
``keypad = {"enter": "controller.submit_number", "digit": "controller.press_digit", ...}``
and, where it lists choices, ``focus_first = "OfferTile"``. Everything else is common:

- Prev / Next move the focus ring over the screen's buttons and the narrator says the choice
  with its place ("2 of 6"); Enter presses the focused button, else does the screen's ``enter``.
- Cancel cancels (``controller.cancel``: the session, or the payment while money moves).
- Help says the screen's prompt again; volume keys change the volume for this customer.
- A key with no meaning here says "not available here" and does nothing else.
- Any key stops the prompt being said, then acts, and counts as the customer still being there.
- On the attract screen, holding 5 for ``hold_to_enter_s`` enters the accessible mode; a short
  press types 5 as before.

Touch keeps working alongside: keys and taps reach the same controller.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock

from screens import focus as focus_mod

log = logging.getLogger(__name__)

HOLD_DIGIT = "5"


class KeyInput:
    def __init__(self, app, accessibility, host=None):
        """*host*: the widget the focus ring joins while it shows (the app's root)."""
        self.app = app
        self.a11y = accessibility
        self.keys = accessibility.keys
        self.narrator = accessibility.narrator
        self.mode = accessibility.mode
        self.ring = focus_mod.FocusRing(host=host)
        self.key_events = 0
        self._focused_state = ""
        self._hold = None  # (key, scheduled event, fired)
        self._down: set[int] = set()

    # -- Window events ------------------------------------------------------------------------
    def key_down(self, key: int, codepoint: str) -> bool | None:
        """True: handled; None: not a keypad key (the screen's own ``on_key`` may take it)."""
        action = self.keys.action(key, codepoint)
        if action is None:
            return None
        repeat = key in self._down
        self._down.add(key)
        if self._hold is not None and self._hold[0] == key:
            return True  # the held 5's auto-repeat
        if repeat and action.name == "digit":
            return True  # auto-repeat of a held digit types it once
        self.key_events += 1
        if (action.name == "digit" and action.digit == HOLD_DIGIT and not self.mode.active
                and self.app.state == "attract"):
            event = Clock.schedule_once(lambda _dt: self._held_long(key), self.a11y.hold_to_enter_s)
            self._hold = [key, event, False]
            # Maybe the mode: the first prompt's processes get ready meanwhile (one pipeline at
            # most; pypinyin, heavier, only once the mode is on).
            self.narrator.prepare(self.app.controller.view.language)
            return True
        self.perform(action)
        return True

    def key_up(self, key: int) -> None:
        self._down.discard(key)
        hold = self._hold
        if hold is None or hold[0] != key:
            return
        self._hold = None
        hold[1].cancel()
        if not hold[2]:  # a short press: the digit, as before
            self.perform(self.keys.action(key, HOLD_DIGIT))

    def _held_long(self, key: int) -> None:
        if self._hold is not None and self._hold[0] == key:
            self._hold[2] = True
            self.mode.enter()

    # -- actions --------------------------------------------------------------------------------
    def perform(self, action) -> None:
        screen = self.app.router.manager.current_screen
        controller = self.app.controller
        self.narrator.interrupt()
        self.mode.key_pressed()
        if hasattr(controller, "touch"):
            controller.touch()
        name = action.name
        overlay = self.app.router.overlay
        if overlay is not None and overlay.parent is not None:
            controller.still_here()  # the "still there?" warning: any key keeps the customer
            return
        if name == "help":
            self.narrator.repeat()
        elif name in ("volume_up", "volume_down"):
            self.narrator.change_volume(up=name == "volume_up")
        elif name in ("prev", "next"):
            self.move(screen, 1 if name == "next" else -1)
        elif name == "enter":
            self.enter(screen)
        elif name == "cancel":
            self.cancel(screen, controller)
        elif self._declared(screen, name, action.digit):
            self._focused_state = ""  # typing: Enter now means the screen's Enter, not a button
            self.ring.show(None)
        else:
            self.narrator.not_available()

    def move(self, screen, step: int) -> None:
        among = focus_mod.choices(screen)
        if not among:
            self.narrator.not_available()
            return
        current = self.ring.target if self._focused_state == screen.name else None
        if current in among:
            index = (among.index(current) + step) % len(among)
        else:
            first = getattr(screen, "focus_first", "")
            main = [w for w in among if type(w).__name__ == first]
            index = among.index(main[0] if step > 0 else main[-1]) if main else (
                0 if step > 0 else len(among) - 1)
        widget = among[index]
        self._focused_state = screen.name
        _scroll_into_view(widget)
        self.ring.show(widget)
        self.narrator.focus(focus_mod.describe(widget, among))

    def enter(self, screen) -> None:
        target = self.ring.target if self._focused_state == screen.name else None
        if target is not None and target in focus_mod.choices(screen):
            chooser = getattr(screen, "key_choose", None)
            if chooser is None or not chooser(target):
                target.trigger_action(duration=0)
            return
        if self._declared(screen, "enter", ""):
            return
        if focus_mod.choices(screen) and getattr(screen, "focus_first", ""):
            self.narrator.announce("choose_first")
        else:
            self.narrator.not_available()

    def cancel(self, screen, controller) -> None:
        if self._declared(screen, "cancel", ""):
            return
        flow = getattr(controller, "flow", None)
        if flow is not None and not flow.can("cancelled") or getattr(controller.view, "cancelling", False):
            self.narrator.not_available()
            return
        controller.cancel()

    def screen_changed(self, state: str) -> None:
        """A new screen: the ring goes (its choices are not the last screen's)."""
        if state != self._focused_state:
            self._focused_state = ""
            self.ring.show(None)

    def _declared(self, screen, name: str, digit: str) -> bool:
        path = getattr(screen, "keypad", {}).get(name)
        if not path:
            return False
        target = screen
        for part in path.split("."):
            target = getattr(target, part)
        if name == "digit":
            target(digit)
        else:
            target()
        return True


def _scroll_into_view(widget) -> None:
    """A choice inside a scrolling list (the plans) is scrolled to before the ring goes round it."""
    from kivy.uix.scrollview import ScrollView

    node, seen = widget.parent, set()
    while node is not None and id(node) not in seen:  # the Window is its own parent
        if isinstance(node, ScrollView):
            node.scroll_to(widget, padding=10, animate=False)
            return
        seen.add(id(node))
        node = node.parent
