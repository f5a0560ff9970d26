"""A QR code drawn large with a wide quiet zone, from one reused texture.

The code is drawn module by module into a small luminance texture (one pixel per module) and
scaled up with nearest-neighbour filtering, so it stays sharp at any size. The texture is only
re-created when the code's module count changes; a new payload of the same size is blitted into
the same texture, so showing QR after QR does not leak GPU memory. The modules come from
screens/qr_matrix.py: the same code the ``qrcode`` library makes, in ~1 ms instead of ~6 ms.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.widget import Widget

from screens.qr_matrix import luminance

log = logging.getLogger(__name__)

QUIET_ZONE_MODULES = 6  # the standard asks for 4; phone cameras at a kiosk like more


def qr_modules(payload: str, quiet: int = QUIET_ZONE_MODULES) -> tuple[int, bytes]:
    """The code as (side in modules, luminance bytes row by row, top row first), quiet zone included."""
    return luminance(payload, quiet)


class PreparedCodes:
    """QR codes made ahead, off the UI thread: ``prepare(payload)`` on the purchase's worker as
    soon as the order's answer is out (``KioskApp.attach``), ``get(payload)`` on the UI thread
    when the screen shows it. Making a code is ~1 ms of pure Python (screens/qr_matrix.py: qrcode's
    encoding, then its eight masks tried on one int each, not eight full matrix builds at ~6 ms);
    made while the event travels to the UI thread, it is mostly off the path from the answer to
    the QR on screen (bench/README.md, "QR on screen"); the GIL means the worker's time still
    delays the UI thread, hence the fast mask choice. ``get`` waits for a code being made
    rather than making it twice, and makes it itself when nobody prepared it."""

    KEEP = 4

    def __init__(self):
        self._lock = threading.Lock()
        self._codes: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._making: dict[str, threading.Event] = {}

    def prepare(self, payload: str) -> None:
        with self._lock:
            if payload in self._codes or payload in self._making:
                return
            done = self._making[payload] = threading.Event()
        try:
            code = self._make(payload)
            with self._lock:
                self._codes[payload] = code
                while len(self._codes) > self.KEEP:
                    self._codes.popitem(last=False)
        finally:
            with self._lock:
                self._making.pop(payload, None)
            done.set()

    def get(self, payload: str, wait_s: float = 1.0) -> tuple[int, bytes]:
        """(side in modules, luminance rows bottom row first: as a Kivy texture wants them)."""
        with self._lock:
            code = self._codes.get(payload)
            making = self._making.get(payload)
        if code is None and making is not None and making.wait(wait_s):
            with self._lock:
                code = self._codes.get(payload)
        return code if code is not None else self._make(payload)

    @staticmethod
    def _make(payload: str) -> tuple[int, bytes]:
        side, pixels = qr_modules(payload)
        # Kivy textures start at the bottom row: flip so the code is not mirrored.
        return side, _flip_rows(pixels, side)


PREPARED = PreparedCodes()


class QrView(Widget):
    """Shows ``payload`` as a square QR code centred in the widget; empty payload shows nothing."""

    payload = StringProperty("")
    modules = NumericProperty(0)
    textures_created = NumericProperty(0)  # for tests: stays put while payloads change

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._texture: Texture | None = None
        with self.canvas:
            self._colour = Color(1, 1, 1, 0)
            self._rect = Rectangle()
        self.bind(pos=self._place, size=self._place)

    def on_payload(self, _instance, payload: str) -> None:
        if not payload:
            self._colour.a = 0
            return
        side, rows = PREPARED.get(payload)
        if self._texture is None or self._texture.size != (side, side):
            self._texture = Texture.create(size=(side, side), colorfmt="luminance")
            self._texture.mag_filter = "nearest"
            self._texture.min_filter = "nearest"
            self.textures_created += 1
        self._texture.blit_buffer(rows, colorfmt="luminance", bufferfmt="ubyte")
        self.modules = side
        self._rect.texture = self._texture
        self._colour.a = 1
        self._place()

    def _place(self, *_args) -> None:
        side = min(self.width, self.height)
        if self.modules:
            side = side // self.modules * self.modules  # whole pixels per module: crisp edges
        self._rect.size = (side, side)
        self._rect.pos = (self.center_x - side / 2, self.center_y - side / 2)


def _flip_rows(pixels: bytes, side: int) -> bytes:
    return b"".join(pixels[i:i + side] for i in range(len(pixels) - side, -1, -side))
