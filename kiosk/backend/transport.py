"""Bounded HTTP attempts for the backend client: an overall deadline and a size cap.

``requests`` timeouts apply to each socket read, so a server that drips a byte now and then
(in the headers or the body) would hold a call for ever. ``DeadlineAdapter`` remembers the
connection each request uses, and ``AttemptDeadline`` shuts that socket down when the attempt's
deadline passes, which ends the blocked read at once. ``read_capped`` reads the body in a stream,
stopping at the size cap or the deadline.
"""

from __future__ import annotations

import heapq
import socket
import threading
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()  # the AttemptDeadline of the attempt running on this thread


class _Tracked:
    def request(self, *args, **kwargs):
        watch = getattr(_current, "watch", None)
        if watch is not None:
            watch.connection = self
        return super().request(*args, **kwargs)


class _TrackedHTTPConnection(_Tracked, HTTPConnection):
    pass


class _TrackedHTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _TrackedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections can be cut by an ``AttemptDeadline``."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class _Watcher:
    """One daemon thread for every attempt's deadline (a Timer thread per attempt started about a
    dozen threads per customer: each a thread start and join on the call's path, and on a busy
    machine each a malloc arena's worth of scattered free memory; bench/README.md)."""

    def __init__(self):
        self._cv = threading.Condition()
        self._due: list[tuple[float, int, AttemptDeadline]] = []
        self._seq = 0
        self._thread: threading.Thread | None = None

    def add(self, deadline: AttemptDeadline) -> None:
        with self._cv:
            self._seq += 1
            heapq.heappush(self._due, (deadline.started + deadline.seconds, self._seq, deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="backend-deadlines",
                                                daemon=True)
                self._thread.start()
            self._cv.notify()

    def _run(self) -> None:
        with self._cv:
            while True:
                while self._due and self._due[0][2].done:
                    heapq.heappop(self._due)  # ended in time: forgotten
                if not self._due:
                    self._cv.wait()
                    continue
                at, _seq, deadline = self._due[0]
                left = at - time.monotonic()
                if left > 0:
                    self._cv.wait(left)
                    continue
                heapq.heappop(self._due)
                deadline.cut()


_WATCHER = _Watcher()


class AttemptDeadline:
    """Context manager: past *seconds*, the socket of this thread's request is shut down."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.started = time.monotonic()
        self.connection = None
        self.fired = threading.Event()
        self.done = False
        self._lock = threading.Lock()

    def __enter__(self) -> AttemptDeadline:
        _current.watch = self
        _WATCHER.add(self)
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:  # once out, the socket is no longer this attempt's to cut
            self.done = True
        _current.watch = None

    @property
    def passed(self) -> bool:
        return self.fired.is_set() or time.monotonic() - self.started > self.seconds

    def cut(self) -> None:
        """The deadline passed (the watcher's thread): end the blocked read."""
        with self._lock:
            if self.done:
                return
            self.fired.set()
            sock = getattr(self.connection, "sock", None)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed


class TooLarge(Exception):
    """The answer is over the size cap."""


class TooSlow(Exception):
    """The answer did not arrive in full before the attempt's deadline."""


def read_capped(response: requests.Response, max_bytes: int, deadline: AttemptDeadline) -> bytes:
    """The whole body, or ``TooLarge`` / ``TooSlow``; other read errors propagate."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"answer of {declared} bytes is over the {max_bytes}-byte limit")
    chunks, size = [], 0
    read = getattr(response.raw, "read1", None) or response.raw.read
    while True:
        if deadline.passed:
            raise TooSlow(f"answer not complete after {deadline.seconds:.1f} s")
        chunk = read(65536)
        if not chunk:
            if deadline.fired.is_set():
                raise TooSlow(f"answer not complete after {deadline.seconds:.1f} s")
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"answer over the {max_bytes}-byte limit")
        chunks.append(chunk)
