"""The ECR link layer over an in-memory loopback with a fault hook: ACK/NAK, retransmission, T_char."""

from __future__ import annotations

import queue
import threading

import pytest

from devices.card_terminal import protocol as p
from devices.card_terminal.link_layer import FrameLink
from devices.interfaces import LinkError
from devices.transport import Loopback
from devices.wirelog import WireLog

pytestmark = pytest.mark.timeout(20)


class End:
    """A FrameLink on one loopback end, with a pump thread feeding it what arrives."""

    def __init__(self, port, name, **timers):
        self.port, self.messages = port, queue.Queue()
        self.link = FrameLink(port.write, self.messages.put, WireLog(name), **timers)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self):
        while not self._stop.is_set():
            try:
                data = self.port.read(4096)
            except Exception:
                return
            if data:
                self.link.feed(data)

    def close(self):
        self._stop.set()
        self.port.close()
        self._thread.join(2)


@pytest.fixture
def pair():
    made = []

    def make(host_to_device=None, device_to_host=None, **timers):
        host, device = Loopback.pair(host_to_device, device_to_host, timeout_s=0.01)
        ends = End(host, "ecr", **timers), End(device, "terminal", **timers)
        made.extend(ends)
        return ends

    yield make
    for end in made:
        end.close()


def test_a_frame_is_acked_and_handed_over_once(pair):
    ecr, terminal = pair(t_ack_s=0.5)
    assert ecr.link.send(p.Status("R1")) == 1
    assert terminal.messages.get(timeout=2) == p.Status("R1")
    assert terminal.messages.empty()


def test_naks_make_the_sender_retransmit_the_identical_frame(pair):
    naks = {"left": 2}

    def spoil_first_two(data):
        if len(data) > 1 and naks["left"]:
            naks["left"] -= 1
            return [data[:-1] + bytes([data[-1] ^ 0x55])]  # bad LRC: the peer NAKs
        return [data]

    ecr, terminal = pair(host_to_device=spoil_first_two, t_ack_s=0.5)
    assert ecr.link.send(p.Sale("R2", 100)) == 3
    assert terminal.messages.get(timeout=2) == p.Sale("R2", 100)
    sent = [f.hex for f in ecr.link.wire.recent() if f.direction == "tx"]
    assert sent == [p.frame(p.Sale("R2", 100)).hex(" ").upper()] * 3
    assert [f.note for f in ecr.link.wire.recent() if f.direction == "rx"] == ["NAK", "NAK", "ACK"]


def test_no_ack_after_three_transmissions_is_a_link_error(pair):
    ecr, terminal = pair(host_to_device=lambda data: [], t_ack_s=0.05)
    with pytest.raises(LinkError, match="after 3 transmissions"):
        ecr.link.send(p.Status("R3"))
    assert len([f for f in ecr.link.wire.recent() if f.direction == "tx"]) == 3


def test_a_gap_longer_than_t_char_drops_the_partial_frame(pair):
    """GIVEN a frame whose second half comes after a pause > T_char THEN it is dropped
    unanswered; the retransmission sent whole is taken."""
    first = {"done": False}

    def pause_in_the_middle(data):
        if len(data) > 1 and not first["done"]:
            first["done"] = True
            return [data[:5], (0.3, data[5:])]
        return [data]

    ecr, terminal = pair(host_to_device=pause_in_the_middle, t_ack_s=0.6, t_char_s=0.1)
    assert ecr.link.send(p.Status("R4")) == 2
    assert terminal.messages.get(timeout=2) == p.Status("R4")
    assert terminal.messages.empty()


def test_a_frame_split_in_one_byte_chunks_is_fine(pair):
    ecr, terminal = pair(host_to_device=lambda d: [d[i:i + 1] for i in range(len(d))],
                         t_ack_s=0.5)
    ecr.link.send(p.Refund("R5", 2500, "344", "433012345678"))
    assert terminal.messages.get(timeout=2) == p.Refund("R5", 2500, "344", "433012345678")


@pytest.mark.parametrize("payload", [b"PAY\x1cR6", b"STATUS\x1cR6\x1cextra", b"STATUS\x1cR\x07"])
def test_unknown_command_wrong_field_count_or_bad_byte_is_naked(payload):
    host, device = Loopback.pair(timeout_s=2.0)
    terminal = End(device, "terminal")
    try:
        host.write(p.encode_frame(payload))
        assert host.read(1) == bytes([p.NAK])
        assert terminal.messages.empty()
    finally:
        terminal.close()
