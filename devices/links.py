"""The device side of a link: where a simulator listens, on a pty pair or on TCP loopback.

``serve("pty")`` opens a pty pair in raw mode and returns a ``LinkServer`` whose ``port`` is the
slave path a driver opens (``/dev/pts/7``, or a stable symlink to it when one is asked for, like
udev's ``/dev/serial/by-id``); ``serve("tcp", port)`` listens on ``127.0.0.1`` and gives
``socket://127.0.0.1:N``. Either way the simulator reads with a timeout, writes and closes the
same way. Closing the server looks like an unplugged cable to the driver (EIO on the pty, EOF on
the socket).

A simulator built on this has ``start(link="pty"|"tcp", port=0) -> str`` returning ``port``, and
``stop()``.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import threading
import tty
from pathlib import Path

log = logging.getLogger(__name__)

LINKS = ("pty", "tcp")


class LinkServer:
    """A simulator's byte endpoint: ``read(timeout_s)``, ``write(data)``, ``close()``."""

    port: str

    def read(self, timeout_s: float) -> bytes:
        """Bytes received (some), or b"" after ``timeout_s`` or when no peer is connected."""
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        """Send bytes to the connected driver; dropped (like an unplugged cable) when none is."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def serve(link: str, port: int = 0, symlink: str | os.PathLike | None = None) -> LinkServer:
    """Open the simulator's end of a link.

    Args:
        link: ``pty`` or ``tcp``.
        port: TCP port (0 picks a free one); ignored for a pty.
        symlink: pty only: also make this path a symlink to the slave (replaced atomically, so
            a restarted simulator appears at the same path and a driver can reconnect).
    Raises:
        ValueError: an unknown link kind.
        OSError: the pty or port cannot be opened.
    """
    if link == "pty":
        return PtyServer(symlink)
    if link == "tcp":
        return TcpServer(port)
    raise ValueError(f"unknown link {link!r}: expected one of {LINKS}")


class PtyServer(LinkServer):
    """The master side of a raw pty pair; keeps a slave fd open so the driver may come and go."""

    def __init__(self, symlink: str | os.PathLike | None = None):
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.slave_path = os.ttyname(self._slave)
        self._symlink = Path(symlink) if symlink else None
        if self._symlink is not None:
            tmp = self._symlink.with_name(self._symlink.name + ".tmp")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(self.slave_path)
            tmp.replace(self._symlink)  # removed again on close()
        self.port = str(self._symlink) if self._symlink else self.slave_path
        self._lock = threading.Lock()
        self._closed = False

    def read(self, timeout_s: float) -> bytes:
        with self._lock:
            if self._closed:
                return b""
            fd = self._master
        try:
            ready, _, _ = select.select([fd], [], [], timeout_s)
            return os.read(fd, 4096) if ready else b""
        except (OSError, ValueError):
            return b""  # closed under us, or EIO while nobody holds the slave

    def write(self, data: bytes) -> None:
        with self._lock:
            if self._closed:
                return
            view = memoryview(data)
            while view:
                try:
                    n = os.write(self._master, view)
                except BlockingIOError:
                    select.select([], [self._master], [], 0.5)
                    continue
                except OSError as e:
                    log.debug("pty write failed: %s", e)
                    return
                view = view[n:]

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._remove_symlink()
            for fd in (self._master, self._slave):
                try:
                    os.close(fd)
                except OSError:
                    pass


    def _remove_symlink(self) -> None:
        """Like udev on unplug: the stable name goes, so nobody opens a reused /dev/pts/N."""
        if self._symlink is None:
            return
        try:
            if os.readlink(self._symlink) == self.slave_path:
                self._symlink.unlink()
        except OSError:
            pass


class TcpServer(LinkServer):
    """A listening socket on 127.0.0.1; one driver at a time (a new one replaces the old)."""

    def __init__(self, port: int = 0):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(1)
        self.port = f"socket://127.0.0.1:{self._listener.getsockname()[1]}"
        self._client: socket.socket | None = None
        self._lock = threading.Lock()
        self._closed = False

    def read(self, timeout_s: float) -> bytes:
        with self._lock:
            if self._closed:
                return b""
            client, listener = self._client, self._listener
        try:
            ready, _, _ = select.select([listener] + ([client] if client else []), [], [],
                                        timeout_s)
            if listener in ready:
                self._accept()
            if client is not None and client in ready:
                data = client.recv(4096)
                if not data:
                    self._drop(client, "driver disconnected")
                return data
        except (OSError, ValueError) as e:
            if client is not None:
                self._drop(client, f"read failed: {e}")
        return b""

    def write(self, data: bytes) -> None:
        with self._lock:
            client = self._client
        if client is None:
            return
        try:
            client.sendall(data)
        except OSError as e:
            self._drop(client, f"write failed: {e}")

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            client, self._client = self._client, None
        for s in (client, self._listener):
            if s is not None:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def _accept(self) -> None:
        conn, _ = self._listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            old, self._client = self._client, conn
        if old is not None:
            old.close()
        log.debug("tcp link: driver connected")

    def _drop(self, client: socket.socket, why: str) -> None:
        with self._lock:
            if self._client is client:
                self._client = None
        client.close()
        log.debug("tcp link: %s", why)
