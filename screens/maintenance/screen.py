"""The maintenance screen: a staff header with the auto-exit countdown, one page, a nav bar.

It renders the ``MaintenanceConsole`` (not the customer view) and refreshes every second, so
device status stays live and the auto exit happens on time.
"""

from __future__ import annotations

import logging
import threading

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from screens.kv import load_beside
from screens.maintenance import pages
from screens.maintenance.text import message
from screens.states.base import KioskScreen

log = logging.getLogger(__name__)

REFRESH_S = 1.0


class MaintenanceScreen(KioskScreen):
    console = ObjectProperty(None)
    heading = StringProperty("Maintenance")
    countdown = StringProperty("")
    message = StringProperty("")
    signed_in = BooleanProperty(False)
    attention_label = StringProperty("Needs attention")
    busy = BooleanProperty(False)  # an action is running on its worker

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ticker = None
        self._pages = {}
        self._shown = ""
        if self.console is not None and not self.console.actions.can_restart:
            self.console.actions.set_restart(_stop_app)

    def on_pre_enter(self, *_args) -> None:
        self.console.open()
        self.refresh()
        if self._ticker is None:
            self._ticker = Clock.schedule_interval(self._tick, REFRESH_S)

    def on_leave(self, *_args) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        self.console.closed_by_flow()  # no signed-in session outlives the screen

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos):
            self.console.touch()
        return super().on_touch_down(touch)

    def _tick(self, _dt) -> None:
        if not self.busy and not self.console.tick():
            self.refresh(live_only=True)

    # Called by the pages ----------------------------------------------------------------

    def act(self, action: str, *args) -> None:
        """Run an action on a worker (a backend or device call must not freeze the UI and
        starve the watchdog); one at a time; the outcome is shown when it is back."""
        if self.busy:
            return
        self.busy = True
        self.message = "Working…"

        def work() -> None:
            try:
                self.console.run(action, *args)
            except Exception:
                log.exception("maintenance action %s failed", action)
            finally:
                Clock.schedule_once(self._done, 0)
        threading.Thread(target=work, name=f"maintenance-{action}", daemon=True).start()

    def _done(self, _dt) -> None:
        self.busy = False
        self.refresh()

    def go(self, page: str) -> None:
        self.console.go(page)
        self.refresh()

    def leave(self) -> None:
        self.console.leave("operator")

    def refresh(self, live_only: bool = False) -> None:
        if self.busy:
            return
        view = self.console.view()
        self.signed_in = bool(view.operator_id)
        self.heading = (f"Maintenance · operator {view.operator_id}" if view.operator_id
                        else "Maintenance · sign in")
        minutes, seconds = divmod(view.seconds_left, 60)
        self.countdown = f"auto exit in {minutes}:{seconds:02d}"
        self.message = message(view.message, view.message_args)
        self.attention_label = f"Needs attention ({len(self.console.actions.needing_attention())})"
        page = self._page(view.page)
        if live_only and not getattr(page, "live", False):
            return
        page.refresh(self.console, view)

    def _page(self, name: str):
        page = self._pages.get(name)
        if page is None:
            page = pages.PAGES[name](screen=self)
            self._pages[name] = page
        if self._shown != name:
            self.ids.body.clear_widgets()
            self.ids.body.add_widget(page)
            self._shown = name
        return page


def _stop_app() -> None:
    """Restart = stop the app cleanly; systemd (Restart=always) starts it again."""
    from kivy.app import App

    app = App.get_running_app()
    if app is not None:
        Clock.schedule_once(lambda _dt: app.stop(), 0.5)  # let the screen show "Restarting…"


load_beside(__file__)
