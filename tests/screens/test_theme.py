"""Accessibility of the theme, without a window: contrast, touch target size, text size."""

from __future__ import annotations

import pytest

from screens.theme import MIN_CONTRAST, Palette, contrast_ratio, metrics_for


def test_wcag_formula_matches_known_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # famously just fails


@pytest.mark.parametrize("name, pair", sorted(Palette().text_pairs().items()))
def test_every_text_colour_pair_has_at_least_4_5_to_1(name, pair):
    assert contrast_ratio(*pair) >= MIN_CONTRAST, name


@pytest.mark.parametrize("width, height, dpi", [(1920, 1080, 96), (1080, 1920, 160), (1280, 800, 120)])
def test_touch_targets_are_at_least_15_mm(width, height, dpi):
    m = metrics_for(width, height, dpi)
    for size_px in (m.touch_px, m.button_px, m.key_px, m.header_px):
        assert size_px / dpi * 25.4 >= 15.0


def test_body_text_is_at_least_28_px_at_1080p_and_prices_are_larger():
    m = metrics_for(1920, 1080, 96)
    assert min(m.body_px, m.small_px) >= 28
    assert m.price_px > m.body_px and m.number_px > m.body_px


def test_qr_code_is_large():
    assert metrics_for(1920, 1080, 96).qr_px >= 500
