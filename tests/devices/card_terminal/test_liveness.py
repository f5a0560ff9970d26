"""The customer's bound on a terminal that stopped making sense, on a fake clock."""

from __future__ import annotations

import pytest

from devices.card_terminal.liveness import RETAP_WINDOW_S, Liveness


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock():
    return Clock()


def test_quiet_then_bound_after_the_last_valid_frame(clock):
    alive = Liveness(quiet_s=9, bound_s=15, clock=clock)
    clock.t += 5
    alive.heard()
    clock.t += 8.9
    assert not alive.quiet()
    clock.t += 0.1
    assert alive.quiet() and not alive.expired()
    assert alive.silent_for() == pytest.approx(9.0)
    clock.t += 6
    assert alive.expired()
    assert alive.bound_at == pytest.approx(1000 + 5 + 15)


def test_every_valid_frame_pushes_both_marks(clock):
    alive = Liveness(quiet_s=9, bound_s=15, clock=clock)
    for _ in range(20):  # 100 s of progress, one frame every 5 s
        clock.t += 5
        alive.heard("AUTHORISING")
        assert not alive.quiet()
    assert alive.quiet_at == pytest.approx(clock.t + 9)


def test_retap_window_is_honoured_and_never_shortened(clock):
    alive = Liveness(quiet_s=9, bound_s=15, margin_s=2, clock=clock)
    alive.heard("RETAP")
    assert alive.quiet_at == pytest.approx(clock.t + RETAP_WINDOW_S + 2)
    assert alive.bound_at == pytest.approx(clock.t + RETAP_WINDOW_S + 2 + 6)
    clock.t += 1
    alive.heard("PRESENT_CARD")  # a later EVT keeps the window
    clock.t += RETAP_WINDOW_S
    assert not alive.quiet()
    clock.t += 1.5
    assert alive.quiet() and not alive.expired()


def test_restart_counts_from_the_new_request_at_the_latest(clock):
    alive = Liveness(quiet_s=9, bound_s=15, clock=clock)
    clock.t += 600  # the terminal died long ago
    assert alive.expired()
    alive.restart()
    assert not alive.quiet()
    assert alive.bound_at == pytest.approx(clock.t + 15)


def test_the_marks_must_make_sense():
    with pytest.raises(ValueError):
        Liveness(quiet_s=10, bound_s=5)
