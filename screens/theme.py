"""Colours and sizes of the customer screens, computed from the display settings.

Plain Python (no Kivy), so the accessibility rules can be tested without a window: touch targets
at least 15 mm at the display's DPI, body text at least 28 px on a 1080p screen (prices and
numbers larger), every text/background pair at least 4.5:1 (WCAG 2.x contrast ratio), and one
accent colour, used only for the primary action.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_TOUCH_MM = 15.0
MIN_CONTRAST = 4.5


def rgba(hex_colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """``#RRGGBB`` as Kivy's 0–1 RGBA tuple."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b, _ = rgba(hex_colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio, 1 to 21."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@dataclass(frozen=True)
class Palette:
    background: str = "#F3F5F7"
    surface: str = "#FFFFFF"
    text: str = "#15191E"
    muted: str = "#46515C"
    header_bg: str = "#0E2A47"
    header_text: str = "#FFFFFF"
    header_muted: str = "#AFC0D2"
    accent: str = "#006B5E"          # the one accent: the primary action only
    accent_down: str = "#004D43"
    accent_text: str = "#FFFFFF"
    secondary: str = "#DCE3EA"
    secondary_down: str = "#BCC7D2"
    secondary_text: str = "#15191E"
    error: str = "#A8201A"
    promo_bg: str = "#FFE7A0"
    promo_text: str = "#4A3200"
    overlay_bg: str = "#0E2A47"
    overlay_text: str = "#FFFFFF"
    qr_dark: str = "#000000"
    qr_light: str = "#FFFFFF"

    def text_pairs(self) -> dict[str, tuple[str, str]]:
        """Every (text, background) pair the screens use, by name."""
        return {
            "body": (self.text, self.background),
            "body_on_card": (self.text, self.surface),
            "muted": (self.muted, self.background),
            "muted_on_card": (self.muted, self.surface),
            "header": (self.header_text, self.header_bg),
            "header_muted": (self.header_muted, self.header_bg),
            "primary": (self.accent_text, self.accent),
            "primary_down": (self.accent_text, self.accent_down),
            "secondary": (self.secondary_text, self.secondary),
            "secondary_down": (self.secondary_text, self.secondary_down),
            "error": (self.error, self.background),
            "error_on_card": (self.error, self.surface),
            "promo": (self.promo_text, self.promo_bg),
            "overlay": (self.overlay_text, self.overlay_bg),
        }


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes for one display."""

    scale: float
    touch_px: int        # the smallest touch target side
    button_px: int       # the height of ordinary buttons (above the minimum)
    key_px: int          # keypad keys
    body_px: int
    small_px: int        # secondary text (still above the body minimum)
    title_px: int
    price_px: int
    number_px: int       # the phone number as typed, amounts
    header_px: int
    action_px: int       # the bottom action bar
    pad_px: int
    gap_px: int
    qr_px: int           # side of the QR code including its quiet zone
    radius_px: int


def metrics_for(width_px: int, height_px: int, dpi: int) -> Metrics:
    """Sizes for a display: text scales with the short side (1080 = 1.0), touch targets with DPI."""
    scale = min(width_px, height_px) / 1080
    touch = math.ceil(MIN_TOUCH_MM * dpi / 25.4)

    def px(n: float) -> int:
        return round(n * scale)

    button = max(touch, px(104))
    return Metrics(
        scale=scale, touch_px=touch, button_px=button, key_px=max(touch, px(96)),
        body_px=max(28, px(34)), small_px=max(28, px(30)), title_px=px(52), price_px=px(50),
        number_px=px(64), header_px=max(touch, px(112)), action_px=button + px(40),
        pad_px=px(32), gap_px=px(16), qr_px=px(720), radius_px=px(14),
    )


@dataclass(frozen=True)
class Theme:
    palette: Palette
    metrics: Metrics
    portrait: bool

    def colour(self, name: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
        return rgba(getattr(self.palette, name), alpha)


def theme_for(display) -> Theme:
    """The theme for ``settings.display`` (width, height, dpi, orientation)."""
    portrait = display.orientation == "portrait"
    return Theme(Palette(), metrics_for(display.width_px, display.height_px, display.dpi), portrait)
