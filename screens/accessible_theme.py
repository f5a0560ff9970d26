"""The accessible mode's look: a high-contrast palette and larger text (plain Python, tested).

White and yellow on black, every text/background pair well above 4.5:1 (most above 7:1,
WCAG's AAA level); the focus ring is a colour that stands out on every surface it can cross.
"""

from __future__ import annotations

import dataclasses

from screens.theme import Metrics, Palette, Theme, contrast_ratio

HIGH_CONTRAST = Palette(
    background="#000000",
    surface="#141414",
    text="#FFFFFF",
    muted="#E6E6E6",
    header_bg="#000000",
    header_text="#FFFFFF",
    header_muted="#FFE14D",
    accent="#FFE14D",
    accent_down="#FFF3A6",
    accent_text="#000000",
    secondary="#2B2B2B",
    secondary_down="#4A4A4A",
    secondary_text="#FFFFFF",
    error="#FF8A80",
    promo_bg="#FFE14D",
    promo_text="#000000",
    overlay_bg="#000000",
    overlay_text="#FFFFFF",
    qr_dark="#000000",
    qr_light="#FFFFFF",
)

# Two tones, outer then inner: on any surface one of them stands out by 3:1 or more (WCAG 1.4.11),
# light surfaces by the dark tone, the accent and the header by the light one.
FOCUS_RING = {"normal": ("#000000", "#FFD600"), "high_contrast": ("#00E5FF", "#000000")}
FOCUS_SURFACES = ("background", "surface", "secondary", "secondary_down", "accent", "header_bg",
                  "promo_bg")


def larger(metrics: Metrics, scale: float) -> Metrics:
    """Body and small text ×*scale*; titles, prices and numbers, already large, by half as much
    (so the screens still fit); touch targets and paddings as they are."""
    def up(n: int, by: float = scale) -> int:
        return round(n * by)

    half = 1 + (scale - 1) / 2
    return dataclasses.replace(
        metrics, body_px=up(metrics.body_px), small_px=up(metrics.small_px),
        title_px=up(metrics.title_px, half), price_px=up(metrics.price_px, half),
        number_px=up(metrics.number_px, half))


def accessible(theme: Theme, text_scale: float) -> Theme:
    return Theme(HIGH_CONTRAST, larger(theme.metrics, text_scale), theme.portrait)


def focus_contrast(kind: str, palette: Palette) -> float:
    """The ring's lowest contrast against the surfaces it may cross (its better tone on each)."""
    outer, inner = FOCUS_RING[kind]
    return min(max(contrast_ratio(outer, getattr(palette, name)),
                   contrast_ratio(inner, getattr(palette, name))) for name in FOCUS_SURFACES)
