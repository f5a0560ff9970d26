"""A QR code drawn large with a wide quiet zone, from one reused texture.

The code is drawn module by module into a small luminance texture (one pixel per module) and
scaled up with nearest-neighbour filtering, so it stays sharp at any size. The texture is only
re-created when the code's module count changes; a new payload of the same size is blitted into
the same texture, so showing QR after QR does not leak GPU memory.
"""

from __future__ import annotations

import logging

from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.widget import Widget

log = logging.getLogger(__name__)

QUIET_ZONE_MODULES = 6  # the standard asks for 4; phone cameras at a kiosk like more


def qr_modules(payload: str, quiet: int = QUIET_ZONE_MODULES) -> tuple[int, bytes]:
    """The code as (side in modules, luminance bytes row by row, top row first), quiet zone included."""
    import qrcode  # here, not at the top: it is not needed before the first frame (start-up)

    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    side = len(matrix) + 2 * quiet
    blank = b"\xff" * side
    rows = [blank] * quiet
    for row in matrix:
        rows.append(b"\xff" * quiet + bytes(0 if dark else 255 for dark in row) + b"\xff" * quiet)
    rows.extend([blank] * quiet)
    return side, b"".join(rows)


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
        side, pixels = qr_modules(payload)
        if self._texture is None or self._texture.size != (side, side):
            self._texture = Texture.create(size=(side, side), colorfmt="luminance")
            self._texture.mag_filter = "nearest"
            self._texture.min_filter = "nearest"
            self.textures_created += 1
        # Kivy textures start at the bottom row: flip so the code is not mirrored.
        self._texture.blit_buffer(_flip_rows(pixels, side), colorfmt="luminance", bufferfmt="ubyte")
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
