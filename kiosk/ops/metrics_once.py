"""The exposition once, from the journal (read-only) and the last health state on disk: what
``kiosk metrics`` prints for a cron job or a check. Backend latency and errors live only in the
running kiosk's endpoint, so they have no samples here."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from kiosk import __version__
from kiosk.ops.fleet_wiring import devices_of
from kiosk.ops.health_record import read_last
from kiosk.ops.metrics import MetricsState, Snapshot, exposition, registry_for
from kiosk.ops.metrics_exporter import _existing
from kiosk.ops.metrics_figures import read_figures


def exposition_once(settings, journal, wall=time.time) -> str:
    """*journal*: a read-only ``Journal`` (or None: no journal figures)."""
    health = read_last(settings.resolve(settings.fleet.health_path))
    now = wall()
    figures = read_figures(journal._read, Path(journal.path)) if journal is not None else None
    path = settings.resolve(settings.journal.path)
    state = MetricsState(Snapshot(
        kiosk_id=settings.kiosk.id, version=__version__,
        started_at=float((health or {}).get("started_at") or 0.0), figures=figures,
        refreshed_at=now if figures is not None else None, health=health,
        devices=devices_of(settings), disk_free_bytes=shutil.disk_usage(_existing(path)).free))
    registry, _backend = registry_for(state, now=lambda: now)
    return exposition(registry)
