"""The sd_notify helper: READY and WATCHDOG datagrams on NOTIFY_SOCKET, rate-limited pings."""

import socket

import pytest

from contract.clock import FakeClock
from kiosk.ops.watchdog import Watchdog, notify, watchdog_interval_s


@pytest.fixture
def listener(tmp_path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    yield str(path), sock
    sock.close()


def test_ready_and_pings_reach_systemd_at_half_the_watchdog_time(listener):
    path, sock = listener
    clock = FakeClock()
    dog = Watchdog(clock, env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "20000000"})
    dog.ready()
    assert sock.recv(100) == b"READY=1\nSTATUS=serving customers"
    assert dog.ping() is True
    assert sock.recv(100) == b"WATCHDOG=1"
    clock.advance(9.9)
    assert dog.ping() is False  # too soon: one ping per 10 s for WatchdogSec=20
    clock.advance(0.1)
    assert dog.ping() is True and sock.recv(100) == b"WATCHDOG=1"


def test_outside_systemd_nothing_happens():
    dog = Watchdog(FakeClock(), env={})
    assert not dog.enabled and dog.ping() is False
    assert notify("READY=1", env={}) is False


def test_watchdog_for_another_pid_is_not_ours():
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0


def test_a_missing_socket_is_logged_not_raised(tmp_path, caplog):
    assert notify("WATCHDOG=1", env={"NOTIFY_SOCKET": str(tmp_path / "gone.sock")}) is False
    assert "sd_notify 'WATCHDOG=1' failed" in caplog.text


def test_under_a_launcher_the_child_may_feed_the_dog_when_told():
    env = {"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1", "KIOSK_WATCHDOG_CHILD": "1"}
    assert watchdog_interval_s(env) == 15.0
