"""An incremental ESC/POS command parser: bytes in (in any chunks), commands out.

Used by the printer simulator. Each command's length is known from its header (GS v 0 carries
its size, GS ( k its pL pH), so a ``10 04`` inside image or QR data is data, never a status
request. An unknown ESC/GS/FS sequence is skipped as two bytes; a declared size too large for a
receipt is reported as ``Garbage`` and skipped, so a bad stream cannot make the buffer grow
without bound.
"""

from __future__ import annotations

from dataclasses import dataclass

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
MAX_RASTER_BYTES = 4 * 1024 * 1024  # far above any receipt band; larger is garbage
MAX_LINE_BYTES = 4096  # text without a line feed beyond this is dropped
# ESC x taking one parameter byte (align, bold, mode, feed, feed dots, font, underline, ...).
_ESC_ONE = frozenset(b"aE!dJMt-GR{Ve3 ")
_GS_ONE = frozenset(b"!BHfhwIarb")


@dataclass(frozen=True)
class Command:
    """One parsed command: *name* (``init``, ``align``, ``raster``, ``qr``, ``status``, …)."""

    name: str
    args: tuple[int, ...] = ()
    data: bytes = b""


def _cmd(name: str, *args: int, data: bytes = b"") -> Command:
    return Command(name, tuple(args), data)


class EscPosParser:
    """Feed bytes with ``feed``; get back the commands completed so far (text as ``line``)."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._text = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held waiting for the rest of a command (bounded by MAX_RASTER_BYTES + 8)."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Command]:
        self._buf += data
        out: list[Command] = []
        while self._buf:
            parsed = self._next()
            if parsed is None:
                break
            length, command = parsed
            del self._buf[:length]
            if command is not None:
                out.append(command)
        return out

    def _next(self) -> tuple[int, Command | None] | None:
        """(bytes consumed, command or None) for the buffer's head; None if it is incomplete."""
        b = self._buf[0]
        if b == ESC:
            return self._esc()
        if b == GS:
            return self._gs()
        if b == DLE:
            return self._dle()
        if b == FS:
            return (2, _cmd("unknown", FS, self._buf[1])) if len(self._buf) >= 2 else None
        if b == 0x0A:
            line = self._text.decode("ascii", "replace")
            self._text.clear()
            return 1, _cmd("line", data=line.encode())
        if b >= 0x20 and len(self._text) < MAX_LINE_BYTES:
            self._text.append(b)
        return 1, None  # CR, other control bytes: nothing printed

    def _need(self, n: int) -> bool:
        return len(self._buf) >= n

    def _esc(self) -> tuple[int, Command | None] | None:
        if not self._need(2):
            return None
        op = self._buf[1]
        if op == 0x40:
            self._text.clear()
            return 2, _cmd("init")
        if op == 0x70:  # ESC p m t1 t2: drawer kick
            return (5, _cmd("drawer")) if self._need(5) else None
        if op in _ESC_ONE:
            if not self._need(3):
                return None
            names = {0x61: "align", 0x45: "bold", 0x21: "mode", 0x64: "feed", 0x4A: "feed_dots"}
            return 3, _cmd(names.get(op, f"esc_{op:02x}"), self._buf[2])
        return 2, _cmd("unknown", ESC, op)

    def _gs(self) -> tuple[int, Command | None] | None:
        if not self._need(2):
            return None
        op = self._buf[1]
        if op == 0x76:
            return self._raster()
        if op == 0x28:
            return self._gs_paren()
        if op == 0x56:  # GS V m, or GS V m n for m = 65, 66, 97, 98, 103, 104
            if not self._need(3):
                return None
            m = self._buf[2]
            if m in (65, 66, 97, 98, 103, 104):
                return (4, _cmd("cut", m, self._buf[3])) if self._need(4) else None
            return 3, _cmd("cut", m)
        if op in (0x4C, 0x57, 0x50):  # left margin, print width, motion units: 2 parameters
            return (4, _cmd(f"gs_{op:02x}", self._buf[2], self._buf[3])) if self._need(4) else None
        if op in _GS_ONE:
            if not self._need(3):
                return None
            return 3, _cmd("size" if op == 0x21 else f"gs_{op:02x}", self._buf[2])
        return 2, _cmd("unknown", GS, op)

    def _raster(self) -> tuple[int, Command | None] | None:
        """GS v 0 m xL xH yL yH d1...dk, k = (xL + 256 xH) * (yL + 256 yH)."""
        if not self._need(8):
            return None
        if self._buf[2] != 0x30:
            return 3, _cmd("unknown", GS, 0x76, self._buf[2])
        m, xl, xh, yl, yh = self._buf[3:8]
        width_bytes, height = xl + 256 * xh, yl + 256 * yh
        size = width_bytes * height
        if size > MAX_RASTER_BYTES or size == 0:
            return 8, _cmd("garbage", width_bytes, height)
        if not self._need(8 + size):
            return None
        return 8 + size, _cmd("raster", width_bytes, height, m, data=bytes(self._buf[8:8 + size]))

    def _gs_paren(self) -> tuple[int, Command | None] | None:
        """GS ( fn pL pH ...: pL + 256 pH bytes follow (for GS ( k: cn fn and the parameters)."""
        if not self._need(5):
            return None
        fn, length = self._buf[2], self._buf[3] + 256 * self._buf[4]
        if not self._need(5 + length):
            return None
        body = bytes(self._buf[5:5 + length])
        if fn == 0x6B and length >= 2 and body[0] == 0x31:
            return 5 + length, _cmd("qr", body[1], data=body[2:])
        return 5 + length, _cmd(f"gs_paren_{fn:02x}", data=body)

    def _dle(self) -> tuple[int, Command | None] | None:
        if not self._need(2):
            return None
        op = self._buf[1]
        if op in (0x04, 0x05):  # DLE EOT n (status), DLE ENQ n (recovery request)
            if not self._need(3):
                return None
            return 3, _cmd("status" if op == 0x04 else "recover", self._buf[2])
        return 2, _cmd("unknown", DLE, op)
