"""``kiosk demo``: the real app, off-screen, walked through every customer screen.

The core is the real one from the composition root, on the demo profile: the backend simulator
on a free loopback port, the card terminal and printer simulators behind the real drivers. Faults
come from the simulators' own switches (a held answer to see a waiting screen, a declined card,
no paper, a refused credit). Taps are real touches on the widgets. The clock is the system clock
plus an offset the demo moves forward to show the "still there?" warning without waiting.
"""

from __future__ import annotations

import logging
import socket
import statistics
import tempfile
import threading
from pathlib import Path

from contract.clock import SystemClock

log = logging.getLogger(__name__)


class OffsetClock(SystemClock):
    """The system clock, moved forward on demand (for the walk-away screens)."""

    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds

    def now(self) -> float:
        return super().now() + self._offset

    def monotonic(self) -> float:
        return super().monotonic() + self._offset


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_settings(path=None):
    """The demo profile in a fresh data directory, its simulator on a free port, no auto-pay."""
    from kiosk.settings import load

    data_dir = tempfile.mkdtemp(prefix="kiosk-demo-")
    return load(path, {
        "kiosk.data_dir": data_dir,
        "backend.url": f"http://127.0.0.1:{_free_port()}",
        "backend.retry_deadline_s": 4.0,
        "simulator.backend.enabled": True,
        "simulator.backend.auto_pay_after_s": 0.0,
    })


def run_demo(settings, out_dir: Path, languages, build_core, backend) -> dict:
    """Walk every screen in each language; the PNGs written and the measured figures.

    Args:
        build_core: ``build_core(post, clock)``, the kiosk core on the profile's simulators.
        backend: the backend simulator's control (``SimulatorControl``), for the phone and faults.
    """
    from screens.boot import configure_window

    configure_window(settings.display)  # before anything below opens Kivy's window
    from kiosk.fonts import default_cache_dir
    from screens.demo_walk import Walk
    from screens.offscreen import AppDriver
    from screens.running import KioskSession

    clock = OffsetClock()
    shots: list[Path] = []
    skipped: list[str] = []
    with KioskSession(settings, build_core, clock, font_cache=default_cache_dir()) as session:
        driver = AppDriver(session.app)
        driver.start()
        try:
            common_path_taps = None
            for language in languages:
                walk = Walk(driver, session.kiosk, clock, Path(out_dir) / language, language,
                            backend)
                shots += walk.all()
                skipped += walk.skipped
                common_path_taps = walk.common_path_taps
            shots += _maintenance(driver, session.kiosk, Path(out_dir), skipped)
        finally:
            driver.stop()
    times = driver.tap_times_s
    return {
        "screenshots": len(shots),
        "folder": str(out_dir),
        "skipped": skipped,
        "common_path_taps": common_path_taps,
        "tap_to_next_screen_ms": {
            "median": round(statistics.median(times) * 1000, 1) if times else None,
            "max": round(max(times) * 1000, 1) if times else None,
            "taps_timed": len(times),
        },
    }


def _maintenance(driver, kiosk, out_dir: Path, skipped: list[str]) -> list[Path]:
    """The operators' screens, when the maintenance part is there (its own walk). A failure
    there is reported in *skipped* and does not lose the customer screens already saved."""
    if kiosk.operations is None:
        return []
    try:
        from screens.maintenance import demo as maintenance_demo
    except ImportError:
        return []
    from screens.offscreen import NotShown

    maintenance_demo.ensure_demo_operator(kiosk.operations.pins, kiosk.clock.now())
    try:
        return maintenance_demo.walk(driver, kiosk.operations.console, out_dir / "maintenance")
    except NotShown as e:
        log.warning("maintenance screens skipped: %s", e)
    except Exception:
        log.exception("the maintenance walk failed")
    skipped.append("maintenance")
    return []
