"""A bare Kivy app (one Label): the yardstick the kiosk's start-up is measured against.

Run as a process; at its first frame it prints ``first-frame <unix time>`` and exits, exactly as
``kiosk run`` does when ``KIOSK_EXIT_AFTER_FIRST_FRAME=1`` is set.
"""

import os
import sys
import time

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

if os.environ.get("BENCH_WINDOW"):
    # "1920x1080": the kiosk's window (screens.boot.configure_window: that size, no
    # multisampling), so both draw the same pixels into the same framebuffers.
    from kivy.config import Config

    width, height = os.environ["BENCH_WINDOW"].split("x")
    Config.set("graphics", "width", width)
    Config.set("graphics", "height", height)
    Config.set("graphics", "multisamples", "0")

from kivy.app import App  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.uix.label import Label  # noqa: E402


class BareApp(App):
    def build(self):
        Window.bind(on_flip=self._first_flip)
        return Label(text="Hello", font_size=48)

    def _first_flip(self, *_):
        Window.unbind(on_flip=self._first_flip)
        print(f"first-frame {time.time():.6f}", flush=True)
        self.stop()


if __name__ == "__main__":
    BareApp().run()
    sys.exit(0)
