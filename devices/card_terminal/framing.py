"""The ECR link layer's framing, pure: bytes in, frames and control bytes out.

```
STX | payload (0x20-0x7E, fields split by FS 0x1C) | ETX | LRC
LRC = XOR of every byte after STX up to and including ETX (it may itself be 0x02 or 0x03)
```

Outside a frame only ACK and NAK mean something; anything else is discarded until STX. A STX
inside a payload starts the frame again (STX never occurs in a payload), and so does a STX taken
as the LRC of a frame that turns out bad (garbage that ended in ETX just before a real frame). The caller enforces
the inter-byte gap T_char by calling ``reset()``.
"""

from __future__ import annotations

from dataclasses import dataclass

STX, ETX, ACK, NAK, FS = 0x02, 0x03, 0x06, 0x15, 0x1C
MAX_PAYLOAD = 1024  # far above the longest RSP (~200 bytes); longer is garbage, not a frame


def lrc(data: bytes) -> int:
    """XOR of the bytes (pass payload + ETX)."""
    value = 0
    for b in data:
        value ^= b
    return value


def encode_frame(payload: bytes) -> bytes:
    """Wrap a payload: STX payload ETX LRC."""
    body = payload + bytes([ETX])
    return bytes([STX]) + body + bytes([lrc(body)])


@dataclass(frozen=True)
class Frame:
    """A complete frame with a good LRC and printable payload."""

    payload: bytes
    raw: bytes


@dataclass(frozen=True)
class BadFrame:
    """A frame that ended but must be NAKed: bad LRC, a byte out of range, too long."""

    reason: str
    raw: bytes


@dataclass(frozen=True)
class Control:
    """ACK or NAK received outside a frame."""

    byte: int

    @property
    def is_ack(self) -> bool:
        return self.byte == ACK


Parsed = Frame | BadFrame | Control

_IDLE, _PAYLOAD, _LRC, _SKIP, _SKIP_LRC = range(5)


class FrameParser:
    """Incremental parser: ``feed(bytes) -> [Frame | BadFrame | Control]``; never raises."""

    def __init__(self, max_payload: int = MAX_PAYLOAD):
        self.max_payload = max_payload
        self._state = _IDLE
        self._buf = bytearray()
        self.discarded = 0  # garbage bytes dropped while looking for STX (for the wire log)

    @property
    def in_frame(self) -> bool:
        """A frame has started and not ended (the caller times the T_char gap then)."""
        return self._state != _IDLE

    def reset(self) -> None:
        """Drop a partial frame (the T_char gap expired)."""
        self._state = _IDLE
        self._buf.clear()

    def feed(self, data: bytes) -> list[Parsed]:
        out: list[Parsed] = []
        for b in data:
            item = self._step(b)
            if item is not None:
                out.append(item)
        return out

    def _step(self, b: int) -> Parsed | None:
        state = self._state
        if state == _IDLE:
            if b == STX:
                self._start()
            elif b in (ACK, NAK):
                return Control(b)
            else:
                self.discarded += 1
            return None
        if state in (_LRC, _SKIP_LRC):
            return self._finish(b)
        if b == STX:  # a new frame starts: the partial one was garbage
            self._start()
        elif b == ETX:
            self._buf.append(b)
            self._state = _LRC if state == _PAYLOAD else _SKIP_LRC
        elif state == _PAYLOAD:
            self._buf.append(b)
            if len(self._buf) > self.max_payload:
                self._state = _SKIP
        return None

    def _start(self) -> None:
        self._state = _PAYLOAD
        self._buf = bytearray([STX])

    def _finish(self, check: int) -> Parsed:
        parsed = self._check(bytes(self._buf) + bytes([check]), self._state == _SKIP_LRC)
        self.reset()
        if isinstance(parsed, BadFrame) and check == STX:
            # Garbage ending in ETX took a real frame's STX as its LRC: that STX starts the frame.
            self._start()
        return parsed

    def _check(self, raw: bytes, skipped: bool) -> Parsed:
        if skipped:
            return BadFrame(f"frame longer than {self.max_payload} bytes", raw[:64])
        payload = raw[1:-2]
        if lrc(raw[1:-1]) != raw[-1]:
            return BadFrame("bad LRC", raw)
        if any(not (0x20 <= c <= 0x7E or c == FS) for c in payload):
            return BadFrame("byte outside printable ASCII", raw)
        return Frame(payload, raw)
