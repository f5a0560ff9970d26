"""Serving the kiosk's metrics: an HTTP endpoint, a node_exporter textfile, a refresher thread.

The exporter keeps the last known values (``metrics.MetricsState``). Its own thread reads the
journal figures and free disk every ``metrics.refresh_s`` and rewrites the textfile; health
changes arrive by subscription. A scrape (on the HTTP server's thread) only renders those
values: a busy journal makes the figures older, never the answer slower, and the UI thread is
never involved.

Nothing here stops the kiosk from selling: a port already taken is logged as an error (and
``kiosk doctor`` FAILs the metrics item), a textfile directory that cannot be written is a
warning; both leave the rest of the kiosk running.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

from contract.net import is_loopback
from kiosk.ops.health_record import health_dict, write_atomically
from kiosk.ops.metrics import MetricsState, Snapshot, exposition, registry_for
from kiosk.ops.metrics_figures import JournalFigures

log = logging.getLogger(__name__)

TEXTFILE_NAME = "kiosk.prom"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args) -> None:  # scrapes are not worth a log line each
        pass


def start_server(host: str, port: int, registry):
    """The endpoint on its own thread; it notices a shutdown within 50 ms."""
    server_class = _Server6 if ":" in host else _Server
    server = make_server(host, port, make_wsgi_app(registry), server_class, _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="metrics-http", daemon=True)
    thread.start()
    return server


class ListenError(ValueError):
    """``metrics.listen`` is not a usable host:port, or is off loopback without permission."""


def parse_listen(listen: str, allow_remote: bool = False) -> tuple[str, int] | None:
    """``"127.0.0.1:9464"`` → ``("127.0.0.1", 9464)``; ``""`` → None (not served)."""
    listen = listen.strip()
    if not listen:
        return None
    host, sep, port = listen.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ListenError(f"metrics.listen {listen!r} is not host:port (e.g. 127.0.0.1:9464)")
    if not allow_remote and not is_loopback(host):
        raise ListenError(f"metrics.listen {listen!r} is off loopback; set metrics.allow_remote"
                          " = true to serve metrics to other machines")
    return host, int(port)



class MetricsExporter:
    """``start()`` binds the endpoint and starts refreshing; ``close()`` stops both."""

    def __init__(self, settings, *, figures: Callable[[], JournalFigures] | None,
                 disk_path: Path | None, version: str, devices: tuple[str, ...] = (),
                 wall: Callable[[], float] = time.time):
        m = settings.metrics
        self.listen = m.listen
        self.listen_error = ""
        try:
            self.address = parse_listen(m.listen, m.allow_remote)
        except ListenError as e:
            self.address, self.listen_error = None, str(e)
            log.error("metrics endpoint NOT served: %s; the kiosk goes on selling", e)
        self.textfile = (settings.resolve(m.textfile_dir) / TEXTFILE_NAME
                         if m.textfile_dir else None)
        self._refresh_s = m.refresh_s
        self._figures = figures
        self._disk_path = disk_path
        self._wall = wall
        self.state = MetricsState(Snapshot(kiosk_id=settings.kiosk.id, version=version,
                                           started_at=wall(), devices=devices))
        self.registry, self.backend = registry_for(self.state, now=wall)
        self._health = None
        self.on_refresh: list[Callable[[], None]] = []  # also run on every refresh
        self.textfile_error = ""
        self._server = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # Inputs -------------------------------------------------------------------------------

    def attach_health(self, monitor, state_name: Callable[[object], str]) -> None:
        """Follow the health monitor; *state_name(health)* adds ``maintenance``."""
        def on_change(health) -> None:
            self.state.update(health=health_dict(
                health, state_name(health), version=self.state.get().version,
                started_at=self.state.get().started_at, at=self._wall()))
        self._health = (monitor, on_change)
        monitor.subscribe(on_change)
        on_change(monitor.snapshot())

    def observe_backend(self, method: str, path: str, seconds: float, error) -> None:
        """The backend client's observer: one attempt (never raises)."""
        try:
            self.backend.observe(method, path, seconds, error)
        except Exception:
            log.exception("backend metric not recorded")

    # Refreshing ---------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Read the journal and the disk again, then rewrite the textfile; False on failure
        (the previous values stay)."""
        ok = True
        if self._health is not None:  # maintenance is not a health change: look again
            monitor, on_change = self._health
            on_change(monitor.snapshot())
        if self._figures is not None:
            try:
                self.state.update(figures=self._figures(), refreshed_at=self._wall())
            except Exception as e:
                ok = False
                log.warning("metrics: journal figures not refreshed: %s", e)
        if self._disk_path is not None:
            try:
                self.state.update(disk_free_bytes=shutil.disk_usage(_existing(self._disk_path)).free)
            except OSError as e:
                log.warning("metrics: free disk unknown: %s", e)
        for hook in self.on_refresh:
            try:
                hook()
            except Exception:
                log.exception("metrics refresh hook failed")
        if self.textfile is not None:
            ok = self.write_textfile() and ok
        return ok

    def write_textfile(self) -> bool:
        try:
            write_atomically(self.textfile, exposition(self.registry), sync=False)
        except OSError as e:
            if not self.textfile_error:
                log.warning("metrics textfile %s cannot be written (%s); the kiosk goes on"
                            " selling", self.textfile, e.strerror or e)
            self.textfile_error = str(e)
            return False
        if self.textfile_error:
            log.info("metrics textfile %s written again", self.textfile)
        self.textfile_error = ""
        return True

    # Serving ------------------------------------------------------------------------------

    def serve(self) -> bool:
        """Bind the endpoint; a taken port is an error in the log, not a failed start."""
        if self.address is None or self._server is not None:
            return self._server is not None
        host, port = self.address
        try:
            self._server = start_server(host, port, self.registry)
        except OSError as e:
            self.listen_error = f"{host}:{port}: {e.strerror or e}"
            log.error("metrics endpoint NOT served: cannot listen on %s (%s); the kiosk goes on"
                      " selling; free the port or change metrics.listen", self.listen,
                      e.strerror or e)
            return False
        log.info("metrics served on http://%s:%d/metrics", host, self.port)
        return True

    @property
    def port(self) -> int | None:
        return self._server.server_address[1] if self._server is not None else None

    def start(self) -> None:
        self.serve()
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="metrics", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10.0)
            self._thread = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
            except Exception:
                log.exception("metrics refresh failed")
            self._stop.wait(self._refresh_s)


def _existing(path: Path) -> Path:
    for candidate in (Path(path), *Path(path).parents):
        if candidate.exists():
            return candidate
    return Path(os.sep)
