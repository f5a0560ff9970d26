"""What keeps a frame cheap on llvmpipe (bench/README.md, "Frames"): nothing drawn that is not
seen, no stencil where a window-aligned clip will do, textures drawn 1:1 sampled nearest, and the
wallet QR made on the purchase's worker before the UI thread needs it."""

from __future__ import annotations

import pytest

from tests.ui.steps import (
    FPS_PAYLOAD,
    enter_number,
    enter_number_and_choose_offer,
    pay_button,
    show_qr,
)


def _walk_canvas(canvas):
    for instruction in canvas.children:
        yield instruction
        children = getattr(instruction, "children", None)
        if children is not None:
            yield from _walk_canvas(instruction)


def _screens(kiosk):
    return [kiosk.driver.app.router.manager.get_screen(n)
            for n in kiosk.driver.app.router.manager.screen_names]


def test_the_screen_manager_draws_no_stencil(kiosk):
    from kivy.graphics import StencilPush

    manager = kiosk.driver.app.router.manager
    assert not [i for i in _walk_canvas(manager.canvas.before) if isinstance(i, StencilPush)]
    assert not [i for i in _walk_canvas(manager.canvas.after) if isinstance(i, StencilPush)]


def test_the_window_is_cleared_to_the_screens_background(kiosk):
    from kivy.core.window import Window

    assert tuple(Window.clearcolor) == pytest.approx(tuple(kiosk.driver.app.c.background))


def test_the_focus_ring_and_speech_notice_are_not_in_the_window_outside_the_accessible_mode(kiosk):
    root = kiosk.driver.app.root
    names = {type(w).__name__ for w in root.children}
    assert "FocusRing" not in names and "SpeechNotice" not in names


def test_no_transparent_wide_line_anywhere(kiosk):
    """A Line wider than 1 px drawn with a colour not fully opaque goes through the stencil
    buffer (Kivy's Line): two full passes more per frame on llvmpipe."""
    from kivy.graphics import Color, Line

    enter_number(kiosk)  # the card screen, its offers built
    kiosk.driver.frames(2)
    offenders = []
    for screen in _screens(kiosk):
        for widget in screen.walk(restrict=True):
            for canvas in (widget.canvas.before, widget.canvas, widget.canvas.after):
                colour = None
                for instruction in canvas.children:
                    if isinstance(instruction, Color):
                        colour = instruction
                    elif isinstance(instruction, Line) and instruction.width > 1:
                        if colour is None or colour.a < 1:
                            offenders.append((screen.name, type(widget).__name__))
    assert offenders == []


def test_the_offers_scroll_view_clips_with_the_scissor_to_its_own_box(kiosk):
    from screens.widgets.clipped_scroll import ClippedScrollView

    enter_number(kiosk)
    kiosk.driver.frames(2)
    screen = kiosk.driver.app.router.manager.get_screen("card_shown")
    views = [w for w in screen.walk(restrict=True) if isinstance(w, ClippedScrollView)]
    assert len(views) == 1
    view = views[0]
    x, y = view.to_window(*view.pos)
    assert view.clip_box() == (round(x), round(y), round(view.width), round(view.height))


def test_label_textures_and_the_default_texture_are_sampled_nearest(kiosk):
    from kivy.graphics import Rectangle
    from kivy.uix.label import Label

    assert Rectangle().texture.mag_filter == "nearest"
    labels = [w for w in kiosk.driver.app.root.walk() if isinstance(w, Label) and w.texture]
    assert labels
    assert {w.texture.mag_filter for w in labels} == {"nearest"}


def test_a_wallet_qr_is_made_on_the_worker_before_the_screen_asks(kiosk):
    from screens.widgets.qr_view import PREPARED, qr_modules

    payload = FPS_PAYLOAD + "-prepared"
    enter_number(kiosk)
    made = []
    original = PREPARED._make
    PREPARED._make = lambda p: made.append(p) or original(p)
    try:
        # the purchase service's listeners hear QrReady on its worker: the app's listener makes
        # the code there, and the screen then finds it made
        from kiosk.money.events import QrReady

        event = QrReady("T1", payload, None, 100, "fps")
        for listener in list(kiosk.purchases._listeners):
            if listener.__name__ == "_prepare_qr":
                listener(event)
        assert made == [payload]
        side, rows = PREPARED.get(payload)
        assert made == [payload]  # not made again
        expected_side, pixels = qr_modules(payload)
        assert side == expected_side
        assert rows[:side] == pixels[-side:]  # bottom row first, as a Kivy texture wants
    finally:
        PREPARED._make = original


def test_a_code_nobody_prepared_is_made_when_shown(kiosk):
    enter_number_and_choose_offer(kiosk)
    kiosk.driver.tap(pay_button(kiosk, "fps"))
    kiosk.driver.wait_state("paying_qr")
    show_qr(kiosk, FPS_PAYLOAD + "-shown")
    view = kiosk.driver.find(lambda w: w.__class__.__name__ == "QrView")
    assert view.modules > 0
