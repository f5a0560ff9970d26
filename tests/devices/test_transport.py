"""Transports: opening ports by URL, the reconnecting DeviceLink over a real pty and TCP, loopback faults."""

from __future__ import annotations

import queue
import threading

import pytest

from devices import links
from devices.interfaces import LinkError
from devices.transport import DeviceLink, Loopback, open_port, split_every
from devices.wirelog import WireLog

WAIT_S = 3.0


def test_a_missing_port_is_a_link_error_naming_it():
    with pytest.raises(LinkError, match="/dev/ttyNOPE9"):
        open_port("/dev/ttyNOPE9")


def test_an_empty_port_setting_is_a_link_error():
    with pytest.raises(LinkError, match="no port"):
        open_port("")


def test_loop_url_echoes_bytes():
    port = open_port("loop://", timeout_s=0.2)
    try:
        port.write(b"\x02AB\x03")
        assert port.read(4) == b"\x02AB\x03"
    finally:
        port.close()


def test_loopback_fault_hook_splits_drops_and_corrupts():
    seen = []

    def hook(data):
        seen.append(data)
        if data == b"drop":
            return []
        if data == b"bad":
            return [b"bax"]
        return split_every(2)(data)

    host, device = Loopback.pair(host_to_device=hook, timeout_s=0.2)
    host.write(b"drop")
    host.write(b"bad")
    host.write(b"abcde")
    assert device.read(2) == b"ba"
    assert device.read(100) == b"xabcde"
    assert seen == [b"drop", b"bad", b"abcde"]
    assert bytes(host.written) == b"dropbadabcde"


def test_loopback_delay_delivers_later_and_close_is_a_disconnect():
    host, device = Loopback.pair(device_to_host=lambda d: [(0.05, d)], timeout_s=0.01)
    device.write(b"late")
    assert host.read(4) == b""  # not yet
    host.timeout = 2.0
    assert host.read(4) == b"late"
    device.close()
    with pytest.raises(Exception, match="disconnected"):
        host.read(1)


def collect(chunks: queue.Queue, n: int) -> bytes:
    """Chunks from the reader thread until n bytes have come (a read may split them)."""
    got = b""
    while len(got) < n:
        got += chunks.get(timeout=WAIT_S)
    return got


class Events:
    """Collects DeviceLink up/down changes so a test can wait for one."""

    def __init__(self):
        self.q: queue.Queue = queue.Queue()

    def __call__(self, up, detail):
        self.q.put((up, detail))

    def next(self, timeout_s=WAIT_S):
        return self.q.get(timeout=timeout_s)


@pytest.fixture(params=["pty", "tcp"])
def server_factory(request, tmp_path):
    made = []
    symlink = tmp_path / "ttyTERM"
    tcp_port = {"n": 0}

    def make():
        server = links.serve(request.param, tcp_port["n"],
                             symlink=symlink if request.param == "pty" else None)
        if request.param == "tcp":
            tcp_port["n"] = int(server.port.rsplit(":", 1)[1])
        made.append(server)
        return server

    yield make
    for s in made:
        s.close()


def test_device_link_moves_bytes_reports_unplug_and_reconnects(server_factory):
    """GIVEN a driver link to a simulator WHEN the simulator goes away and comes back
    THEN the link reports down within 2 s, then up again, and bytes flow again."""
    server = server_factory()
    changes, received = Events(), queue.Queue()
    link = DeviceLink(lambda: open_port(server.port), "test", on_data=received.put,
                      on_change=changes, reconnect_interval_s=0.05)
    try:
        assert link.start(wait_s=WAIT_S)
        assert changes.next() == (True, "port open")
        server.read(0.2)
        link.write(b"hello")
        got = b""
        while len(got) < 5:
            got += server.read(1.0)
        assert got == b"hello"
        server.write(b"world")
        assert collect(received, 5) == b"world"

        server.close()
        up, _ = changes.next(timeout_s=2.0)
        assert up is False
        with pytest.raises(LinkError):
            link.write(b"x")

        server = server_factory()
        assert changes.next() == (True, "port open")
        server.read(0.2)  # a TCP server takes the new connection when it next reads
        server.write(b"again")
        assert collect(received, 5) == b"again"
    finally:
        link.close()


def test_a_silent_device_is_reported_down_by_the_probe_and_up_when_it_answers():
    server = links.serve("tcp")
    answering = threading.Event()
    answering.set()
    changes = Events()
    link = DeviceLink(lambda: open_port(server.port), "test", on_change=changes,
                      probe=lambda: answering.is_set(), probe_interval_s=0.05,
                      reconnect_interval_s=0.05)
    try:
        link.start()
        assert changes.next()[0] is True
        answering.clear()
        assert changes.next(timeout_s=2.0) == (False, "device silent")
        answering.set()
        assert changes.next() == (True, "device answers")
    finally:
        link.close()
        server.close()


def test_buffered_read_returns_bytes_or_empty_after_timeout():
    server = links.serve("tcp")
    link = DeviceLink(lambda: open_port(server.port), "test", reconnect_interval_s=0.05)
    try:
        assert link.start(wait_s=WAIT_S)
        assert link.read(timeout_s=0.05) == b""
        link.write(b"?")
        while not server.read(0.5):
            pass
        server.write(b"\x12")
        assert link.read(1, timeout_s=WAIT_S) == b"\x12"
    finally:
        link.close()
        server.close()


def test_wire_log_keeps_the_last_frames_in_hex_and_logs_them(caplog):
    wire = WireLog("test_device", size=2)
    with caplog.at_level("DEBUG", logger="wire.test_device"):
        wire.sent(b"\x02AB\x03\x03")
        wire.received(b"\x06", "ACK")
        wire.received(b"\x15", "NAK")
    frames = wire.recent()
    assert [(f.direction, f.hex, f.note) for f in frames] == [("rx", "06", "ACK"), ("rx", "15", "NAK")]
    assert "tx 02 41 42 03 03" in caplog.text
