"""Checks side by side: a hung one is a FAIL at its bound, a raising one a FAIL with the cause,
and the others' verdicts come back in the order given."""

import threading
import time

from kiosk.maintenance.bounded import Check, run_all
from kiosk.maintenance.checks import FAIL, OK, Verdict


def test_hung_raising_and_good_checks():
    release = threading.Event()

    def hang():
        release.wait(30)
        return [Verdict("hung", OK, "late")]

    def boom():
        raise OSError(21, "Is a directory")

    started = time.monotonic()
    try:
        verdicts = run_all([
            Check("hung", hang, 0.3),
            Check("boom", boom, 5),
            Check("two", lambda: [Verdict("two", OK, "a"), Verdict("two more", OK, "b")], 5),
        ])
    finally:
        release.set()
    assert time.monotonic() - started < 5
    assert verdicts == [
        Verdict("hung", FAIL, "no answer within 0.3 s"),
        Verdict("boom", FAIL, "check failed: IsADirectoryError: [Errno 21] Is a directory"),
        Verdict("two", OK, "a"), Verdict("two more", OK, "b"),
    ]


def test_they_run_at_the_same_time():
    barrier = threading.Barrier(3, timeout=5)  # each waits for the other two: only together

    def meet(name):
        barrier.wait()
        return [Verdict(name, OK, "met")]

    verdicts = run_all([Check(n, lambda n=n: meet(n), 5) for n in ("a", "b", "c")])
    assert [v.level for v in verdicts] == [OK, OK, OK]
