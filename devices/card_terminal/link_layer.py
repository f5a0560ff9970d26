"""The ECR link layer over a byte writer: ACK/NAK, retransmission, the T_char gap, the wire log.

Both ends use it: the driver (ECR) and the terminal simulator. Received bytes come in through
``feed`` (on the reader thread); good frames are ACKed and decoded messages handed to
``on_message``; bad ones are NAKed. ``send`` transmits one frame and waits for its ACK,
retransmitting the identical frame on NAK or after T_ack, at most ``max_transmissions`` times.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from devices.card_terminal import protocol as p
from devices.interfaces import LinkError, ProtocolError
from devices.wirelog import WireLog

log = logging.getLogger(__name__)


class _AckWait:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.answer: int | None = None  # ACK, NAK, or None when the link dropped


class FrameLink:
    """One end of the ECR link layer.

    Args:
        write: sends bytes (raises ``LinkError`` when the link is down).
        on_message: called on the reader thread with each decoded message, after the ACK.
        wire: the wire log of this device.
    """

    def __init__(self, write: Callable[[bytes], None], on_message: Callable[[p.Message], None],
                 wire: WireLog, t_ack_s: float = 2.0, t_char_s: float = 0.5,
                 max_transmissions: int = 3):
        self._write, self._on_message, self.wire = write, on_message, wire
        self.t_ack_s, self.t_char_s, self.max_transmissions = t_ack_s, t_char_s, max_transmissions
        self._parser = p.FrameParser()
        self._last_byte_at = 0.0
        self._send_lock = threading.Lock()
        self._wait_lock = threading.Lock()
        self._wait: _AckWait | None = None

    # -- receiving (reader thread) ----------------------------------------------------------
    def feed(self, data: bytes) -> None:
        now = time.monotonic()
        if self._parser.in_frame and now - self._last_byte_at > self.t_char_s:
            log.debug("%s: partial frame dropped after a gap of %.2f s", self.wire.device,
                      now - self._last_byte_at)
            self._parser.reset()
        self._last_byte_at = now
        for item in self._parser.feed(data):
            if isinstance(item, p.Control):
                self._control(item)
            elif isinstance(item, p.BadFrame):
                self.wire.received(item.raw, item.reason)
                self._answer(p.NAK, item.reason)
            else:
                self._frame(item)

    def _control(self, item: p.Control) -> None:
        self.wire.received(bytes([item.byte]), "ACK" if item.is_ack else "NAK")
        with self._wait_lock:
            wait = self._wait
        if wait is None:
            log.debug("%s: %s with nothing waiting", self.wire.device,
                      "ACK" if item.is_ack else "NAK")
            return
        wait.answer = item.byte
        wait.event.set()

    def _frame(self, item: p.Frame) -> None:
        try:
            msg = p.decode(item.payload)
        except ProtocolError as e:
            self.wire.received(item.raw, str(e))
            self._answer(p.NAK, str(e))
            return
        self.wire.received(item.raw, type(msg).__name__)
        answer, handle = self.answer_for(msg)
        if answer is not None:
            self._answer(answer, "refused")
        if handle:
            self._on_message(msg)

    def answer_for(self, msg: p.Message) -> tuple[int | None, bool]:
        """(ACK/NAK/None to send, whether to handle) for a good frame; a simulator's faults."""
        return p.ACK, True

    def _answer(self, byte: int, why: str) -> None:
        try:
            self.transmit(bytes([byte]), "ACK" if byte == p.ACK else f"NAK: {why}")
        except LinkError as e:
            log.debug("%s: cannot answer: %s", self.wire.device, e)

    # -- sending ----------------------------------------------------------------------------
    def send(self, msg: p.Message, t_ack_s: float | None = None,
             max_transmissions: int | None = None, until: float | None = None) -> int:
        """Send one message and wait for its ACK; returns the transmissions it took.

        ``until`` (monotonic seconds) ends the ACK waits and retransmissions early: the caller's
        own deadline (a customer is waiting).

        Raises:
            LinkError: the link is down, or no ACK after the last transmission (the peer may
                still have received the frame: the caller treats a money request as unknown).
        """
        raw = p.frame(msg)
        t_ack = self.t_ack_s if t_ack_s is None else t_ack_s
        tries = self.max_transmissions if max_transmissions is None else max_transmissions
        sent = 0
        with self._send_lock:
            for attempt in range(1, tries + 1):
                left = t_ack if until is None else min(t_ack, until - time.monotonic())
                if attempt > 1 and left <= 0:
                    break
                wait = _AckWait()
                with self._wait_lock:
                    self._wait = wait
                try:
                    note = type(msg).__name__ + (f" (transmission {attempt})" if attempt > 1 else "")
                    self.transmit(raw, note)
                    sent = attempt
                    wait.event.wait(max(0.0, left))
                finally:
                    with self._wait_lock:
                        self._wait = None
                if wait.answer == p.ACK:
                    return attempt
                if wait.event.is_set() and wait.answer is None:
                    raise LinkError(f"{self.wire.device}: link lost while sending")
                log.info("%s: %s not acknowledged (%s), transmission %d of %d", self.wire.device,
                         type(msg).__name__, "NAK" if wait.answer == p.NAK else "timeout",
                         attempt, tries)
        raise LinkError(f"{self.wire.device}: {type(msg).__name__} not acknowledged after "
                        f"{sent} transmission{'s' if sent != 1 else ''}")

    def transmit(self, raw: bytes, note: str) -> None:
        """Put bytes on the wire and in the wire log (a simulator overrides it for faults)."""
        self.wire.sent(raw, note)
        self._write(raw)

    def link_lost(self) -> None:
        """The link dropped: fail the ACK wait at once and forget any partial frame."""
        self._parser.reset()
        with self._wait_lock:
            wait = self._wait
        if wait is not None:
            wait.answer = None
            wait.event.set()
