"""The key presses the kiosk swallows, and the ones it needs (digits, Backspace, Enter)."""

import pytest

from screens.blocked_keys import is_blocked

SDL = 1 << 30
F = {n: 281 + n for n in range(1, 16)}  # Kivy's F1…F15


@pytest.mark.parametrize("what, key, modifiers", [
    ("Escape", 27, []),
    *[(f"F{n}", F[n], []) for n in range(1, 13)],
    ("Alt+F4", F[4], ["alt"]),
    ("Alt+Tab", 9, ["alt"]),
    ("Alt+Space", 32, ["alt"]),
    ("Alt+Escape", 27, ["alt"]),
    *[(f"Ctrl+Alt+F{n}", F[n], ["ctrl", "alt"]) for n in range(1, 13)],
    ("Ctrl+Alt+Backspace", 8, ["ctrl", "alt"]),
    ("Ctrl+Alt+Delete", 127, ["ctrl", "alt"]),
    ("Ctrl+W", 119, ["ctrl"]),
    ("Ctrl+Q", 113, ["ctrl"]),
    ("Ctrl+E (Kivy inspector)", 101, ["ctrl"]),
    ("Ctrl+digit", 49, ["ctrl"]),
    ("Super alone", 309, ["meta"]),
    ("Super without the modifier reported", 309, []),
    ("right Super (unmapped SDL code)", SDL | 231, []),
    ("Super+D", 100, ["meta"]),
    ("Super+L", 108, ["meta"]),
    ("AltGr+digit", 49, ["alt-gr"]),
    ("Menu key (SDL Application)", SDL | 101, []),
    ("Menu key (SDL Menu)", SDL | 118, []),
    ("Menu key (Kivy code)", 319, []),
    ("Print Screen", SDL | 70, []),
    ("SysRq", SDL | 154, []),
    ("Power", SDL | 102, []),
    ("Sleep", SDL | 282, []),
    ("Pause", 19, []),
    ("Alt alone", 308, []),
    ("Ctrl alone", 305, []),
])
def test_every_way_out_is_swallowed(what, key, modifiers):
    assert is_blocked(key, modifiers), what


@pytest.mark.parametrize("key, modifiers", [
    *[(48 + d, []) for d in range(10)],  # digits on the main row
    *[(256 + d, ["numlock"]) for d in range(10)],  # the keypad with Num Lock on
    (8, []), (13, []), (271, ["numlock"]),  # Backspace, Enter, keypad Enter
    (50, ["shift"]), (50, ["capslock"]),  # a scanner with Shift or Caps Lock on
])
def test_what_the_keypad_and_scanner_send_passes(key, modifiers):
    assert not is_blocked(key, modifiers)


def test_no_modifiers_given_at_all_is_fine():
    assert not is_blocked(49, None)
