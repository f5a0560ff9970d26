"""Which key presses the kiosk swallows: every one that could leave the app or open a menu.

A USB keyboard plugged into the kiosk (or a barcode scanner acting as one) must not reach a
console, a window manager, Kivy's settings panel or inspector, or close the app. The kiosk needs
digits, Backspace and Enter (the keypad and the scanner); none of them with a modifier. So:

- any key with Ctrl, Alt (also AltGr) or Super/Meta held: Alt+F4, Alt+Tab, Alt+Space,
  Ctrl+Alt+F1…F12, Ctrl+Alt+Backspace, Ctrl+Alt+Delete, Ctrl+W, Ctrl+Q, Ctrl+E (inspector)…;
- the keys themselves: Escape, F1–F15, Super/Windows (left and right), the Menu/Application
  key, Print Screen/SysRq, Pause/Break, Power, Sleep, and the modifiers pressed alone.

The X server's own shortcuts (VT switch, zap) are off in deploy/xorg/10-kiosk-lockdown.conf; the
kernel's SysRq is off by the checklist in docs/operator-guide.md. This module imports no Kivy.
"""

from __future__ import annotations

from collections.abc import Iterable

_SDL = 1 << 30  # SDL2 keycodes of non-character keys: SDLK_SCANCODE_MASK | scancode
ESCAPE = 27
F1_TO_F15 = frozenset(range(282, 297))  # Kivy's codes for F1…F15
MODIFIER_KEYS = frozenset({303, 304, 305, 306, 307, 308, 309, 310, 311})  # shift…super, compose
OTHER_KEYS = frozenset({
    19, 144, 145,  # pause, print, screenlock (Kivy's names)
    316, 317, 318, 319, 320,  # print, sysreq, break, menu, power (Kivy/pygame codes)
    _SDL | 70, _SDL | 71, _SDL | 72,  # SDL: PrintScreen, ScrollLock, Pause
    _SDL | 101, _SDL | 118,  # SDL: Application (the Menu key), Menu
    _SDL | 102, _SDL | 282,  # SDL: Power, Sleep
    _SDL | 227, _SDL | 231,  # SDL: left and right GUI (Super/Windows) unmapped by Kivy
    _SDL | 154,  # SDL: SysReq
})
BLOCKED_KEYS = frozenset({ESCAPE}) | F1_TO_F15 | MODIFIER_KEYS | OTHER_KEYS
BLOCKING_MODIFIERS = frozenset({"ctrl", "alt", "meta", "super", "lctrl", "rctrl", "alt-gr"})


def is_blocked(key: int, modifiers: Iterable[str] | None = ()) -> bool:
    """True for a key press the kiosk must swallow (see the module's list)."""
    if key in BLOCKED_KEYS:
        return True
    return bool(BLOCKING_MODIFIERS.intersection(modifiers or ()))
