"""What must be set before Kivy is first imported: environment variables and Kivy's Config.

Kivy reads its environment at import and its Config when the window is created, so the commands
call ``prepare_environment`` first thing and ``configure_window`` before importing anything that
opens the window (``kivy.core.window``, ``kivy.app``).
"""

from __future__ import annotations

import os


def prepare_environment(headless: bool = False) -> None:
    """Environment for Kivy: our own options, our own logging, our own signal handlers; and
    the C allocator's arenas capped (``kiosk.memory``)."""
    os.environ["KIVY_NO_ARGS"] = "1"              # else our command-line options make Kivy exit
    os.environ["KIVY_LOG_MODE"] = "PYTHON"         # our logging set-up stays in charge
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"     # SIGTERM/SIGINT go to our handlers
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"  # renders through Mesa, no X server
    from kiosk.memory import limit_malloc_arenas

    limit_malloc_arenas()  # before any thread: see kiosk/memory.py


def window_size(display) -> tuple[int, int]:
    """The window covers the display as configured (``display.width_px`` × ``height_px``)."""
    return display.width_px, display.height_px


def configure_window(display) -> None:
    """Kivy Config for a locked-down kiosk window; call before the window exists.

    A borderless window sized to the display at 0,0 rather than SDL fullscreen, which renders
    clipped without a window manager.
    """
    from kivy.config import Config

    width, height = window_size(display)
    for section, key, value in (
        ("kivy", "exit_on_escape", "0"),
        ("kivy", "log_enable", "0"),
        ("graphics", "show_cursor", "0"),
        ("graphics", "allow_screensaver", "0"),
        ("graphics", "fullscreen", "0"),
        ("graphics", "borderless", "1" if display.fullscreen else "0"),
        ("graphics", "resizable", "0"),
        ("graphics", "position", "custom"),
        ("graphics", "left", "0"),
        ("graphics", "top", "0"),
        ("graphics", "width", str(width)),
        ("graphics", "height", str(height)),
        ("graphics", "multisamples", "0"),
        ("input", "mouse", "mouse,disable_multitouch"),
    ):
        Config.set(section, key, value)
