"""The base of every state's screen: it renders the controller's view and calls its intents."""

from __future__ import annotations

from kivy.app import App
from kivy.uix.screenmanager import Screen


class KioskScreen(Screen):
    """A screen for one flow state. Subclasses copy what they show from the view in ``render``.

    The keypad (``screens.key_input``): ``keypad`` maps actions (``enter``, ``digit``,
    ``clear``, ``cancel``) to the screen's intents (``"controller.submit_number"``);
    ``focus_first`` names the class of the screen's main choices. Cancel, Help, Prev/Next and
    Enter on a focused button need no declaration.
    """

    keypad: dict[str, str] = {}
    focus_first: str = ""
    # key_choose(widget) -> bool, optional: what Enter does on a focused widget instead of pressing it

    @property
    def controller(self):
        return App.get_running_app().controller

    def render(self, view) -> None:
        """Copy the view into this screen's properties (the ``.kv`` binds to them)."""

    def on_key(self, codepoint: str, key: int) -> bool:
        """A key from a physical keypad; True when handled."""
        return False
