"""The fleet heartbeat: report state to the backend every interval and act on its commands.

Each beat sends the service state, the app version, device status and the count of unfinished
transactions (``POST /v1/kiosks/{id}/heartbeat``), plus the audit chain's latest HMAC
(``audit_head``, when the audit log is chained), measures the round trip for the health
monitor, re-checks disk space, and acts on the commands in the answer: ``out_of_service``,
``in_service`` (clears only a switch-off made by the backend: an operator's switch-off on site
wins), ``reload_offers``. Every command is audited as operator ``backend``; an unknown kind is
ignored, logged and audited as ignored. ``add_command`` and ``add_fields`` let other parts add
commands and optional body fields (``kiosk.ops.fleet_wiring``: ``support_bundle``,
``rolled_back_from``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from contract.clock import Clock
from kiosk.backend.errors import BackendError
from kiosk.maintenance.audit import AuditLog
from kiosk.ops.disk import DiskGuard
from kiosk.ops.health import HealthMonitor

log = logging.getLogger(__name__)

REMOTE = "backend"


class Heartbeat:
    """``beat()`` does one round; ``start()`` runs it every ``interval_s`` on a worker thread."""

    def __init__(self, client, health: HealthMonitor, audit: AuditLog, clock: Clock, *,
                 interval_s: float, app_version: str, pending_count: Callable[[], int],
                 counts: Callable[[], dict[str, int]] = dict,
                 state_name: Callable[[], str] | None = None,
                 on_reload_offers: Callable[[], None] | None = None,
                 disk: DiskGuard | None = None):
        self._client = client
        self._health = health
        self._audit = audit
        self._clock = clock
        self._interval_s = interval_s
        self._version = app_version
        self._pending_count = pending_count
        self._counts = counts  # the optional heartbeat fields: retrying, needs attention
        self._state_name = state_name or (lambda: health.snapshot().state)
        self._on_reload_offers = on_reload_offers
        self._disk = disk
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._extra_commands: dict[str, Callable[[], str]] = {}
        self._fields: list[tuple[Callable[[], dict], Callable[[], None] | None]] = []

    def add_command(self, kind: str, handler: Callable[[], str]) -> None:
        """Act on commands of *kind* too; *handler* returns the audited result."""
        self._extra_commands[kind] = handler

    def add_fields(self, provide: Callable[[], dict],
                   delivered: Callable[[], None] | None = None) -> None:
        """Optional body fields from *provide()* in every beat; *delivered()* after one the
        backend answered (to report a field only until it was heard)."""
        self._fields.append((provide, delivered))

    def _extra_fields(self) -> dict:
        extra: dict = {}
        for provide, _delivered in self._fields:
            try:
                extra.update(provide())
            except Exception:
                log.exception("heartbeat field provider failed")
        return extra

    def beat(self) -> tuple:
        """One heartbeat; returns the commands received (empty when the backend did not answer)."""
        if self._disk is not None:
            self._health.disk(self._disk.check().free_mb)
        self._health.tick()
        snapshot = self._health.snapshot()
        extra = dict(self._counts())
        head = self._audit.head()
        if head:  # the audit chain's head: the backend sees the log only ever grow
            extra["audit_head"] = head
        started = self._clock.monotonic()
        try:
            commands = self._client.heartbeat(self._state_name(), self._version,
                                              snapshot.device_summary(), self._pending_count(),
                                              **extra, **self._extra_fields())
        except BackendError as e:
            log.warning("heartbeat failed: %s", e)
            self._health.backend_failed()
            return ()
        self._health.backend_ok(round((self._clock.monotonic() - started) * 1000))
        for _provide, delivered in self._fields:
            if delivered is not None:
                delivered()
        for command in commands:
            self.handle(command)
        return tuple(commands)

    def handle(self, command) -> str:
        """Act on one remote command; returns the audited result."""
        handler = {"out_of_service": self._out_of_service, "in_service": self._in_service,
                   "reload_offers": self._reload_offers,
                   **self._extra_commands}.get(command.kind)
        if handler is None:
            log.warning("heartbeat command %s of unknown kind %r ignored", command.id, command.kind)
            result = "ignored_unknown_kind"
        else:
            result = handler()
        self._audit.record(REMOTE, f"remote_{command.kind}", result, command_id=command.id)
        return result

    def _out_of_service(self) -> str:
        if "switched_off_by_operator" in self._health.snapshot().reasons:
            return "already_out_by_operator"
        self._health.switch_off(REMOTE)
        return "done"

    def _in_service(self) -> str:
        if "switched_off_by_operator" in self._health.snapshot().reasons:
            return "kept_out_by_operator"
        self._health.switch_on()
        return "done"

    def _reload_offers(self) -> str:
        if self._on_reload_offers is None:
            return "nothing_cached"
        self._on_reload_offers()
        return "done"

    # The worker -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.beat()
            except Exception:
                log.exception("heartbeat round failed")
            self._stop.wait(self._interval_s)
