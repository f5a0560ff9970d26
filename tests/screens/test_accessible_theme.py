"""The accessible mode's theme: contrast computed from its colours, larger text."""

from __future__ import annotations

import pytest

from kiosk import settings as settings_mod
from screens.accessible_theme import HIGH_CONTRAST, accessible, focus_contrast
from screens.theme import MIN_CONTRAST, Palette, contrast_ratio, theme_for


@pytest.mark.parametrize("name", sorted(HIGH_CONTRAST.text_pairs()))
def test_every_high_contrast_text_pair_is_at_least_4_5_to_1(name):
    foreground, background = HIGH_CONTRAST.text_pairs()[name]
    assert contrast_ratio(foreground, background) >= MIN_CONTRAST
    assert contrast_ratio(foreground, background) >= 7.0  # and AAA


def test_the_focus_ring_stands_out_on_every_surface_in_both_themes():
    assert focus_contrast("normal", Palette()) >= 3.0
    assert focus_contrast("high_contrast", HIGH_CONTRAST) >= 3.0


def test_text_is_larger_and_touch_targets_no_smaller():
    normal = theme_for(settings_mod.load().display)
    big = accessible(normal, 1.3)
    assert big.metrics.body_px >= normal.metrics.body_px * 1.25
    assert big.metrics.small_px >= normal.metrics.small_px * 1.25
    assert big.metrics.title_px > normal.metrics.title_px
    assert big.metrics.touch_px == normal.metrics.touch_px
    assert big.metrics.button_px >= normal.metrics.button_px
