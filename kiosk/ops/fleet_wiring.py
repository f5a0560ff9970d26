"""Fleet operations wired into a built kiosk core: metrics, the health record, support
bundles on a heartbeat command, and the update state reported in the heartbeat.

``wire_fleet`` is called by the composition root once the core (and its operations, when it
has them) exist; ``Fleet.close`` is one of the core's closers.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import __version__
from kiosk.ops.health_record import HealthRecord
from kiosk.ops.metrics_exporter import MetricsExporter
from kiosk.ops.metrics_figures import read_figures

log = logging.getLogger(__name__)


@dataclass
class Fleet:
    metrics: MetricsExporter | None = None
    health_record: HealthRecord | None = None
    last_bundle: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def attach_operations(self, settings, kiosk, ops) -> None:
        """Follow the operations' health and hook into their heartbeat; before ``ops.start()``,
        so the first heartbeat already knows ``support_bundle`` and ``rolled_back_from``."""
        controller = kiosk.controller

        def state_name(health) -> str:
            if controller is not None and getattr(controller, "state", "") == "maintenance":
                return "maintenance"
            return health.state

        path = settings.resolve(settings.fleet.health_path)
        self.health_record = HealthRecord(path, settings.fleet.health_history_lines,
                                          version=__version__, state_name=state_name)
        self.health_record.attach(ops.health)
        if self.metrics is not None:
            self.metrics.attach_health(ops.health, state_name)
            record = self.health_record
            self.metrics.on_refresh.append(lambda: record.recheck(ops.health))
        if ops.heartbeat is not None:
            _wire_heartbeat(settings, kiosk, self, ops.heartbeat, ops.health)

    def start(self) -> None:
        if self.metrics is not None:
            self.metrics.start()

    def close(self) -> None:
        if self.metrics is not None:
            self.metrics.close()


def devices_of(settings) -> tuple[str, ...]:
    """The devices this kiosk is configured with (a configured device that fails still shows)."""
    d = settings.devices
    return tuple(name for name, kind in (("card_terminal", d.card_terminal.kind),
                                         ("printer", d.printer.kind),
                                         ("scanner", d.scanner.kind)) if kind != "none")


def rolled_back_from(settings) -> dict:
    """``{"rolled_back_from": "1.3.0"}`` while deploy/kiosk-update's last update rolled back to
    this version; else nothing."""
    path = settings.resolve(settings.fleet.update_state_path)
    try:
        state = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if isinstance(state, dict) and state.get("rolled_back_from") \
            and state.get("rolled_back_to", __version__) == __version__:
        return {"rolled_back_from": str(state["rolled_back_from"])}
    return {}


def wire_fleet(settings, kiosk) -> Fleet:
    """The fleet parts of a core (before its operations: the backend's first calls are seen);
    then ``attach_operations`` when it has operations, and ``start``."""
    fleet = Fleet()
    m = settings.metrics
    if m.listen or m.textfile_dir:
        journal = kiosk.journal
        fleet.metrics = MetricsExporter(
            settings, figures=lambda: read_figures(journal._read, journal.path),
            disk_path=Path(journal.path), version=__version__, devices=devices_of(settings))
        if hasattr(kiosk.backend, "observer"):
            kiosk.backend.observer = fleet.metrics.observe_backend
    return fleet


def _wire_heartbeat(settings, kiosk, fleet: Fleet, heartbeat, health=None) -> None:
    from kiosk.ops.support_bundle import build_bundle, light_doctor

    pending = {"path": ""}

    def bundle() -> str:
        try:
            path = build_bundle(settings, doctor=light_doctor(settings, health, fleet),
                                journal=kiosk.journal)
        except Exception as e:
            log.error("support bundle not built: %s", e)
            return "failed"
        with fleet._lock:
            pending["path"] = fleet.last_bundle = str(path)
        return "done"

    def bundle_field() -> dict:
        with fleet._lock:
            return {"support_bundle": pending["path"]} if pending["path"] else {}

    def bundle_heard() -> None:
        with fleet._lock:
            pending["path"] = ""

    heartbeat.add_command("support_bundle", bundle)
    heartbeat.add_fields(bundle_field, bundle_heard)
    heartbeat.add_fields(lambda: rolled_back_from(settings))
