"""One Kivy app per test session (Kivy makes one window per process); a fresh controller per test.

The app runs off-screen (``SDL_VIDEODRIVER=offscreen``, set in tests/conftest.py) and is driven
frame by frame. Each test gets a new ``Controller`` on a ``FakeClock`` with a fake purchase service,
attached to the shared app, so tests do not see each other's sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.fakes.purchases import FakePurchases
from tests.fakes.subscribers import subscriber


@dataclass
class Kiosk:
    driver: object
    controller: object
    purchases: FakePurchases
    clock: object
    settings: object
    lookups: list

    def tr(self, msgid: str, **values) -> str:
        from screens.text import _

        return _(msgid, self.controller.view.language, **values)


@pytest.fixture(scope="session")
def ui_settings(tmp_path_factory):
    from kiosk.settings import load

    data_dir = tmp_path_factory.mktemp("kiosk-ui")
    return load(None, {"kiosk.data_dir": str(data_dir), "accessibility.hold_to_enter_s": 0.3})


@pytest.fixture(scope="session")
def app_driver(ui_settings):
    from screens.boot import configure_window, prepare_environment

    prepare_environment(headless=True)
    configure_window(ui_settings.display)
    from kiosk.fonts import font_path
    from screens.app import KioskApp
    from screens.offscreen import AppDriver
    from screens.theme import theme_for

    fonts = {lang: (font_path(lang), font_path(lang, bold=True))
             for lang in ("zh-Hant", "zh-Hans", "en")}
    from kiosk.accessibility.build import build_accessibility
    from tests.fakes.speaker import FakeSpeaker

    accessibility = build_accessibility(ui_settings, speaker=FakeSpeaker())
    app = KioskApp(_controller(ui_settings, FakePurchases(), [])[0], theme_for(ui_settings.display),
                   fonts, accessibility=accessibility)
    driver = AppDriver(app)
    driver.start()
    yield driver
    driver.stop()


def _controller(settings, purchases, lookups, clock=None):
    from contract.clock import FakeClock
    from kiosk.flow.controller import Controller
    from screens.app import post

    clock = clock or FakeClock()

    def get_subscriber(msisdn):
        lookups.append(msisdn)
        return subscriber(msisdn)

    controller = Controller(settings, get_subscriber, purchases, post, clock,
                            run_in_worker=lambda fn: fn())
    return controller, clock


@pytest.fixture
def kiosk(app_driver, ui_settings):
    purchases, lookups = FakePurchases(), []
    controller, clock = _controller(ui_settings, purchases, lookups)
    app_driver.app.attach(controller)
    app_driver.wait_state("attract")
    app_driver.frames(3)  # a customer only taps what has been drawn
    app_driver.tap_times_s.clear()
    app_driver.taps = 0  # the driver counts every tap this test makes
    return Kiosk(app_driver, controller, purchases, clock, ui_settings, lookups)
