"""The host side of a device link: ports from pyserial URLs, a reconnecting reader, a loopback.

Transports only move bytes; framing lives in each device's ``protocol.py``.

- ``open_port(url)`` opens ``/dev/ttyUSB0``, ``/dev/pts/7``, ``socket://127.0.0.1:9100``,
  ``spy://…``, ``loop://`` with pyserial; a missing port is a ``LinkError``.
- ``DeviceLink`` keeps a port open: a reader thread hands received bytes to a callback (or
  buffers them for ``read``), notices a disconnect (pty EIO, TCP EOF or reset, a failed probe
  of a silent device) and reopens the port by itself when the device comes back.
- ``Loopback.pair()`` gives two in-memory ends with a fault hook, for tests.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

import serial

from devices.interfaces import LinkError

log = logging.getLogger(__name__)


class Port(Protocol):
    """What a driver needs of a port; pyserial's ``Serial`` and ``LoopbackEnd`` both fit."""

    timeout: float | None

    @property
    def in_waiting(self) -> int: ...
    def read(self, size: int = 1) -> bytes: ...
    def write(self, data: bytes) -> int | None: ...
    def close(self) -> None: ...


def open_port(url: str, baudrate: int = 9600, timeout_s: float = 0.05) -> serial.SerialBase:
    """Open a device path or pyserial URL, 8N1, with a short read timeout.

    Raises:
        LinkError: naming the port, when it does not exist or cannot be opened.
    """
    if not url:
        raise LinkError("no port configured")
    try:
        port = serial.serial_for_url(url, baudrate=baudrate, timeout=timeout_s,
                                     write_timeout=2.0, exclusive=None)
    except (serial.SerialException, OSError, ValueError) as e:
        raise LinkError(f"cannot open port {url!r}: {e}") from None
    sock = getattr(port, "_socket", None)  # socket://: pyserial leaves Nagle on, which holds
    if sock is not None:                    # a 1-byte ACK back ~40 ms behind the peer's ACK
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return port


StatusCallback = Callable[[bool, str], None]


class DeviceLink:
    """A port kept open in the background, reopened after a disconnect.

    Args:
        opener: returns an open ``Port`` or raises ``LinkError`` (e.g. ``lambda: open_port(url)``).
        name: for logs.
        on_data: called on the reader thread with each chunk received; when None, chunks are
            buffered for ``read``.
        on_change: called with ``(up, detail)`` whenever the link goes up or down.
        probe: called on a monitor thread after ``probe_interval_s`` without bytes received; returns
            whether the device answered (a silent device is reported down, and probed again).
    """

    def __init__(self, opener: Callable[[], Port], name: str = "device",
                 on_data: Callable[[bytes], None] | None = None,
                 on_change: StatusCallback | None = None, reconnect_interval_s: float = 0.5,
                 probe: Callable[[], bool] | None = None, probe_interval_s: float = 1.0):
        self._opener, self.name = opener, name
        self._on_data, self._on_change = on_data, on_change
        self._reconnect_s, self._probe, self._probe_s = reconnect_interval_s, probe, probe_interval_s
        self._port: Port | None = None
        self._up = False
        self._buffer = bytearray()
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._last_traffic = time.monotonic()
        self._threads: list[threading.Thread] = []

    # -- life cycle -------------------------------------------------------------------------
    def start(self, wait_s: float = 0.0) -> bool:
        """Start the reader (and the prober); wait up to ``wait_s`` for the port to open."""
        self._spawn(self._read_loop, "reader")
        if self._probe is not None:
            self._spawn(self._probe_loop, "prober")
        return self.wait_up(wait_s) if wait_s else self.up

    def close(self) -> None:
        self._stop.set()
        self._drop_port("closed", report=False)
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout=2.0)

    def _spawn(self, target: Callable[[], None], role: str) -> None:
        t = threading.Thread(target=target, name=f"{self.name}-{role}", daemon=True)
        self._threads.append(t)
        t.start()

    @property
    def up(self) -> bool:
        """The port is open and the device answered its last probe."""
        with self._cond:
            return self._up

    @property
    def is_open(self) -> bool:
        with self._cond:
            return self._port is not None

    def wait_up(self, timeout_s: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._up or self._stop.is_set(), timeout_s) \
                and self._up

    # -- bytes ------------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        """Send bytes now. Raises ``LinkError`` when the port is not open or the write fails."""
        with self._cond:
            port = self._port
        if port is None:
            raise LinkError(f"{self.name}: link is down")
        try:
            with self._write_lock:
                port.write(data)
        except (serial.SerialException, OSError) as e:
            self._drop_port(f"write failed: {e}")
            raise LinkError(f"{self.name}: write failed: {e}") from None

    def read(self, max_bytes: int = 4096, timeout_s: float = 1.0) -> bytes:
        """Buffered bytes (without ``on_data``): at least one, or b"" after ``timeout_s``."""
        with self._cond:
            self._cond.wait_for(lambda: self._buffer or self._port is None, timeout_s)
            if not self._buffer and self._port is None:
                raise LinkError(f"{self.name}: link is down")
            data = bytes(self._buffer[:max_bytes])
            del self._buffer[:max_bytes]
            return data

    def clear_input(self) -> None:
        with self._cond:
            self._buffer.clear()

    # -- threads ----------------------------------------------------------------------------
    def _read_loop(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                port = self._port
            if port is None:
                if not self._try_open():
                    self._stop.wait(self._reconnect_s)
                continue
            try:
                # read(n) waits for all n bytes: ask for what is there, or for one byte
                data = port.read(min(4096, port.in_waiting) or 1)
            except (serial.SerialException, OSError, TypeError, AttributeError, ValueError) as e:
                # Type/Attribute/ValueError: pyserial reading a port close()d by another thread
                self._drop_port(f"read failed: {e}")
                continue
            if data:
                self._received(data)

    def _try_open(self) -> bool:
        try:
            port = self._opener()
        except LinkError as e:
            log.debug("%s: %s", self.name, e)
            return False
        with self._cond:
            if self._stop.is_set():
                port.close()
                return False
            self._port = port
            self._buffer.clear()
        self._last_traffic = time.monotonic()
        log.info("%s: port open", self.name)
        if self._probe is None:
            self._set_up(True, "port open")
        return True

    def _received(self, data: bytes) -> None:
        self._last_traffic = time.monotonic()
        if self._on_data is not None:
            try:
                self._on_data(data)
            except Exception:
                log.exception("%s: handling received bytes failed", self.name)
            return
        with self._cond:
            self._buffer.extend(data)
            self._cond.notify_all()

    def _probe_loop(self) -> None:
        while not self._stop.wait(min(0.1, self._probe_s)):
            if not self.is_open:
                continue
            idle = time.monotonic() - self._last_traffic
            if self.up and idle < self._probe_s:
                continue
            try:
                alive = bool(self._probe())
            except Exception as e:
                log.debug("%s: probe failed: %s", self.name, e)
                alive = False
            if self.is_open and not self._stop.is_set():
                self._set_up(alive, "device answers" if alive else "device silent")
            if not alive:
                self._stop.wait(self._probe_s / 2)

    def _drop_port(self, why: str, report: bool = True) -> None:
        with self._cond:
            port, self._port = self._port, None
            self._cond.notify_all()
        if port is not None:
            try:
                port.close()
            except Exception:
                log.debug("%s: closing the port failed", self.name, exc_info=True)
            (log.warning if report else log.debug)("%s: link down (%s)", self.name, why)
        if report:
            self._set_up(False, why)
        else:
            with self._cond:
                self._up = False

    def _set_up(self, up: bool, detail: str) -> None:
        with self._cond:
            changed = self._up != up
            self._up = up
            self._cond.notify_all()
        if changed and self._on_change is not None:
            try:
                self._on_change(up, detail)
            except Exception:
                log.exception("%s: link status callback failed", self.name)


Chunk = bytes | tuple[float, bytes]
Manipulator = Callable[[bytes], Iterable[Chunk]]


class LoopbackEnd:
    """One end of an in-memory link: ``read`` honours ``timeout`` like pyserial's ``Serial``."""

    def __init__(self, timeout: float | None = 0.05):
        self.timeout = timeout
        self.peer: LoopbackEnd | None = None
        self.manipulator: Manipulator | None = None
        self._inbox = bytearray()
        self._cond = threading.Condition()
        self._closed = False
        self.written = bytearray()  # everything this end sent, before faults (for assertions)

    @property
    def is_open(self) -> bool:
        return not self._closed

    @property
    def in_waiting(self) -> int:
        with self._cond:
            return len(self._inbox)

    def write(self, data: bytes) -> int:
        if self._closed or self.peer is None:
            raise serial.SerialException("loopback closed")
        self.written.extend(data)
        chunks = self.manipulator(bytes(data)) if self.manipulator else [bytes(data)]
        for chunk in chunks:
            delay, payload = chunk if isinstance(chunk, tuple) else (0.0, chunk)
            if delay > 0:
                threading.Timer(delay, self.peer._deliver, (payload,)).start()
            else:
                self.peer._deliver(payload)
        return len(data)

    def read(self, size: int = 1) -> bytes:
        with self._cond:
            self._cond.wait_for(lambda: self._inbox or self._closed, self.timeout)
            if self._closed and not self._inbox:
                raise serial.SerialException("loopback disconnected")
            data = bytes(self._inbox[:size])
            del self._inbox[:size]
            return data

    def close(self) -> None:
        for end in (self, self.peer):
            if end is not None:
                with end._cond:
                    end._closed = True
                    end._cond.notify_all()

    def _deliver(self, data: bytes) -> None:
        with self._cond:
            if not self._closed:
                self._inbox.extend(data)
                self._cond.notify_all()


class Loopback:
    """Two connected in-memory ends (like pymodbus's NullModem), with an optional fault hook.

    The hook sees each ``write`` and returns the chunks to deliver: ``[]`` drops the bytes,
    several chunks split them, a changed chunk corrupts them, ``(delay_s, chunk)`` delays one.
    """

    @staticmethod
    def pair(host_to_device: Manipulator | None = None, device_to_host: Manipulator | None = None,
             timeout_s: float = 0.05) -> tuple[LoopbackEnd, LoopbackEnd]:
        host, device = LoopbackEnd(timeout_s), LoopbackEnd(timeout_s)
        host.peer, device.peer = device, host
        host.manipulator, device.manipulator = host_to_device, device_to_host
        return host, device


def split_every(n: int) -> Manipulator:
    """A fault hook delivering each write in chunks of ``n`` bytes."""
    return lambda data: [data[i:i + n] for i in range(0, len(data), n)]
