"""The lockout escalates (15 min, doubling, capped at 24 h), counts on the monotonic clock and
survives restarts; only a successful sign-in resets it."""

import pytest

from kiosk.maintenance.db import Locked
from kiosk.maintenance.lockout import MAX_LOCKOUT_S, Lockout, lock_length


class Clock:
    """Wall and monotonic time moved separately (FakeClock moves them together)."""

    def __init__(self, wall=1_795_000_000.0, mono=5000.0):
        self.wall, self.mono = wall, mono

    def now(self):
        return self.wall

    def monotonic(self):
        return self.mono

    def sleep(self, seconds):
        self.advance(seconds)

    def advance(self, seconds):
        self.wall += seconds
        self.mono += seconds


@pytest.fixture
def opened(tmp_path):
    dbs = []

    def open_lockout(clock, boot="boot-A"):
        db = Locked(tmp_path / "operators.sqlite3")
        dbs.append(db)
        return Lockout(db, clock, max_failures=5, lockout_s=900, boot_id=lambda: boot)
    yield open_lockout
    for db in dbs:
        db.close()


def lock(lockout):
    for _ in range(5):
        state = lockout.record_failure()
    assert state.locked
    return state


def test_lock_lengths_double_and_stop_at_24_hours():
    assert [lock_length(900, n) for n in range(1, 10)] == [
        900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400]
    assert lock_length(900, 0) == 0 and lock_length(900, 10**6) == MAX_LOCKOUT_S


def test_each_lockout_before_a_sign_in_is_twice_as_long_up_to_the_cap(opened):
    clock = Clock()
    lockout = opened(clock)
    lengths = []
    for _ in range(9):
        state = lock(lockout)
        lengths.append(state.seconds_left)
        clock.advance(state.seconds_left - 1)
        assert lockout.state().locked, "still locked one second before the end"
        clock.advance(1)
        assert not lockout.state().locked
    assert lengths == [900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400]


def test_four_failures_after_a_lock_do_not_lock_again_the_fifth_does(opened):
    clock = Clock()
    lockout = opened(clock)
    clock.advance(lock(lockout).seconds_left)
    for _ in range(4):
        assert not lockout.record_failure().locked
    assert lockout.record_failure().seconds_left == 1800


def test_only_a_successful_sign_in_resets_the_escalation(opened):
    clock = Clock()
    lockout = opened(clock)
    clock.advance(lock(lockout).seconds_left)
    clock.advance(lock(lockout).seconds_left)  # 1800 s
    clock.advance(7 * 86400)  # a week of quiet does not reset it
    assert lock(lockout).seconds_left == 3600
    clock.advance(3600)
    lockout.record_success()
    assert lock(lockout).seconds_left == 900


def test_setting_the_wall_clock_forward_does_not_end_a_lock(opened):
    clock = Clock()
    lockout = opened(clock)
    lock(lockout)
    clock.wall += 10 * 86400  # someone sets the date ten days ahead
    state = lockout.state()
    assert state.locked and state.seconds_left == 900
    clock.wall -= 20 * 86400  # or back: the lock is not stretched either
    assert lockout.state().seconds_left == 900
    clock.mono += 899
    assert lockout.state().seconds_left == 1
    clock.mono += 1
    assert not lockout.state().locked


def test_a_restart_keeps_the_lock_and_its_escalation(opened):
    clock = Clock()
    lockout = opened(clock)
    clock.advance(lock(lockout).seconds_left)
    lock(lockout)  # the second lock: 1800 s
    clock.advance(300)
    clock.wall += 86400  # and the wall clock jumps while the app is down
    restarted = opened(clock)  # a new process, same boot: the monotonic clock went on
    assert restarted.state().seconds_left == 1500
    clock.advance(1500)
    assert not restarted.state().locked
    assert lock(restarted).seconds_left == 3600, "the escalation survived the restart"


def test_after_a_reboot_the_lock_goes_on_for_what_was_left(opened):
    clock = Clock()
    lockout = opened(clock)
    lock(lockout)
    clock.advance(600)
    assert lockout.state().seconds_left == 300  # looked at (and saved) before the power cut
    rebooted_clock = Clock(wall=clock.wall + 5 * 86400, mono=12.0)  # monotonic restarts
    after = opened(rebooted_clock, boot="boot-B")
    assert after.state().seconds_left == 300
    rebooted_clock.advance(299)
    assert after.state().seconds_left == 1
    rebooted_clock.advance(1)
    assert not after.state().locked


def test_a_lock_written_by_the_older_version_is_kept(tmp_path):
    import sqlite3
    clock = Clock()
    conn = sqlite3.connect(tmp_path / "operators.sqlite3")
    conn.executescript("CREATE TABLE lockout (id INTEGER PRIMARY KEY CHECK (id = 1), "
                       "failures INTEGER NOT NULL, locked_until REAL NOT NULL);")
    conn.execute("INSERT INTO lockout VALUES (1, 0, ?)", (clock.wall + 400,))
    conn.commit()
    conn.close()
    db = Locked(tmp_path / "operators.sqlite3")
    try:
        lockout = Lockout(db, clock, 5, 900, boot_id=lambda: "boot-A")
        assert lockout.state().seconds_left == 400
        clock.advance(400)
        assert not lockout.state().locked
    finally:
        db.close()
