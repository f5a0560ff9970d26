"""Cheaper pixels on the kiosk's renderer: textures drawn 1:1 are sampled nearest, not linear.

The kiosk renders on the CPU (Mesa llvmpipe): every frame redraws the whole window, and a frame's
cost is mostly the pixels drawn, about 16 ms of CPU per window-sized area at 1920 × 1080.
Kivy samples every texture with linear filtering: four texels blended per pixel, even for a
plain shape (drawn with Kivy's white default texture) or a label's text, whose texture is
placed on whole pixels at its own size. Nearest sampling gives the same pixels there and costs
a quarter less (~16 → ~12 ms per window area). Measured in bench/README.md ("Frames").
"""

from __future__ import annotations

NEAREST = "nearest"


def sample_nearest(texture) -> None:
    """Sample *texture* nearest (for textures drawn at their own size on whole pixels)."""
    if texture is not None and texture.mag_filter != NEAREST:
        texture.mag_filter = NEAREST
        texture.min_filter = NEAREST


def sharpen_default_texture() -> None:
    """Kivy's default texture (the white one under every plain Rectangle, RoundedRectangle,
    Line mesh…) sampled nearest: it is one colour, so nothing changes but the cost."""
    from kivy.graphics import Rectangle

    sample_nearest(Rectangle().texture)
