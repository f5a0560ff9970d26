"""Attempt deadlines: one watcher thread cuts a blocked read at its deadline, for every attempt."""

from __future__ import annotations

import socket
import threading

from kiosk.backend.transport import AttemptDeadline


class _Conn:
    def __init__(self, sock):
        self.sock = sock


def _threads_named(name: str) -> int:
    return sum(1 for t in threading.enumerate() if t.name == name)


def test_a_blocked_read_is_cut_at_the_deadline():
    ours, theirs = socket.socketpair()
    try:
        with AttemptDeadline(0.2) as deadline:
            deadline.connection = _Conn(ours)
            got = ours.recv(10)  # the peer never writes: only the cut ends this
        assert got == b""
        assert deadline.fired.is_set() and deadline.passed
    finally:
        ours.close()
        theirs.close()


def test_an_attempt_that_ended_in_time_is_never_cut():
    ours, theirs = socket.socketpair()
    try:
        with AttemptDeadline(0.05) as deadline:
            deadline.connection = _Conn(ours)
        later = AttemptDeadline(0.3)
        with later:  # outlives the first one's deadline: the watcher has passed it by then
            later.connection = None
            assert not later.fired.wait(0.1)
        assert not deadline.fired.is_set()
        theirs.sendall(b"x")
        assert ours.recv(1) == b"x"  # the socket was left alone
    finally:
        ours.close()
        theirs.close()


def test_many_attempts_share_one_watcher_thread():
    for _ in range(50):
        with AttemptDeadline(5.0):
            pass
    assert _threads_named("backend-deadlines") == 1
    assert not any(t.name.startswith("Thread-") and "Timer" in type(t).__name__
                   for t in threading.enumerate())


def test_deadlines_started_out_of_order_are_each_cut():
    pairs = [socket.socketpair() for _ in range(3)]
    results: dict[float, threading.Event] = {}
    try:
        def attempt(seconds, sock):
            with AttemptDeadline(seconds) as deadline:
                deadline.connection = _Conn(sock)
                sock.recv(10)
            results[seconds] = deadline.fired

        threads = [threading.Thread(target=attempt, args=(s, p[0]))
                   for s, p in zip((0.6, 0.2, 0.4), pairs, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert sorted(results) == [0.2, 0.4, 0.6]
        assert all(event.is_set() for event in results.values())
    finally:
        for a, b in pairs:
            a.close()
            b.close()
