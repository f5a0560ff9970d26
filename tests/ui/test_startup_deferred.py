"""Start-up: screens are built on first use (or one per frame after the first), and until the
core is ready the app shows attract and ignores intents (``kiosk run``: screens/starting.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def router(app_driver):
    """A Router on its own ScreenManager (the window exists: app_driver opened it)."""
    from kivy.uix.screenmanager import ScreenManager

    from screens.router import Router
    from screens.states.base import KioskScreen

    built: list[str] = []

    def factory(name):
        built.append(name)
        return KioskScreen(name=name)

    r = Router(ScreenManager(), {"attract": factory, "entering_number": factory,
                                 "done": factory})
    r.built = built
    return r


def test_only_the_shown_screen_is_built_before_the_first_frame(router):
    from kiosk.flow.view import SessionView

    router.show("attract", SessionView())
    assert router.built == ["attract"]
    assert router.current == "attract"


def test_the_rest_are_built_one_at_a_time_and_a_needed_one_at_once(router):
    from kiosk.flow.view import SessionView

    router.show("attract", SessionView())
    assert router.build_next() is True
    assert router.built == ["attract", "entering_number"]
    router.show("done", SessionView())  # needed before its turn: built now
    assert router.current == "done"
    assert router.build_next() is False  # nothing left, nothing built twice
    assert router.built == ["attract", "entering_number", "done"]


def test_a_screen_added_later_is_shown(router):
    from kiosk.flow.view import SessionView
    from screens.states.base import KioskScreen

    router.add("maintenance", lambda name: KioskScreen(name=name))
    router.show("maintenance", SessionView())
    assert router.current == "maintenance"


def test_an_unknown_state_keeps_the_screen(router):
    from kiosk.flow.view import SessionView

    router.show("attract", SessionView())
    router.show("no_such_state", SessionView())
    assert router.current == "attract"


def test_while_starting_attract_is_shown_in_the_default_language_and_taps_do_nothing(
        ui_settings):
    from screens.starting import StartingController

    starting = StartingController(ui_settings)
    assert starting.state == "attract"
    assert starting.view.language == ui_settings.kiosk.default_language
    assert starting.view.hotline == ui_settings.kiosk.hotline
    assert starting.start() is False and starting.press_digit("9") is False
    assert starting.state == "attract"
    unsubscribe = starting.subscribe(lambda *_: None)
    unsubscribe()
