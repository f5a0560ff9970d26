"""Key codes to keypad actions, from ``settings.accessibility.keypad``.

Actions: ``digit`` (with its value), ``enter``, ``cancel``, ``clear``, ``help``, ``prev``,
``next``, ``volume_up``, ``volume_down``. The top-row digit keys of any keyboard are digits too.
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIONS = ("enter", "cancel", "clear", "help", "prev", "next", "volume_up", "volume_down")


@dataclass(frozen=True)
class KeyAction:
    name: str
    digit: str = ""


class KeyMap:
    def __init__(self, keypad):
        self._codes: dict[int, KeyAction] = {}
        for value, code in enumerate(keypad.digits):
            self._codes[code] = KeyAction("digit", str(value))
        for value in range(10):
            self._codes.setdefault(48 + value, KeyAction("digit", str(value)))
        for name in ACTIONS:
            for code in getattr(keypad, name):
                self._codes[code] = KeyAction(name)
        self._first = {}
        for code, action in self._codes.items():
            self._first.setdefault((action.name, action.digit), code)

    def action(self, key: int, codepoint: str = "") -> KeyAction | None:
        """The action of a key press; None for a key the kiosk does not use."""
        found = self._codes.get(key)
        if found is None and codepoint and codepoint.isdigit() and len(codepoint) == 1:
            return KeyAction("digit", codepoint)
        return found

    def code(self, name: str, digit: str = "") -> int:
        """A key code that gives *name* (for drivers that press keys: the demo, tests)."""
        return self._first[(name, digit)]
