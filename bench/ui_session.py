"""The real app off-screen in this process, for the UI benchmarks (taps, QR, the app soak).

The core comes from the composition root as in ``kiosk run`` (``screens.running.KioskSession``);
the backend is a simulator in its own process (``bench.sim_process``) unless told otherwise, so
its growing ledger stays out of this process's memory. Frames are driven by
``screens.offscreen.AppDriver``. Kivy's frame pacing (``maxfps``) is switched off here: the driver
dispatches a tap right after a frame, where the real loop would dispatch it right after the
pacing sleep; without the sleep, tap-to-frame is the app's own work, as in the real loop.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator

from bench.sim_process import SECRET, SimulatorProcess


def bench_settings(backend_url: str, data_dir: str, overrides: dict | None = None):
    """The demo profile on a fresh data dir; *overrides* (dotted keys, as ``load`` takes them)
    replace the bench's own choices below."""
    from kiosk.settings import load

    return load(None, {  # the demo profile (config/demo.toml) on a fresh data dir
        "kiosk.data_dir": data_dir,
        "backend.url": backend_url,
        "backend.secret": SECRET,
        "log.level": "WARNING",
        "simulator.backend.enabled": False,
        "simulator.backend.auto_pay_after_s": 0.0,
        # The shown order is asked about every 0.1 s instead of 2 s: a customer who has paid
        # goes on at once, so a soak of many customers is not mostly waiting for the next poll.
        "payments.poll_interval_s": 0.1,
    } | (overrides or {}))


@contextlib.contextmanager
def running_app(overrides: dict | None = None) -> Iterator[tuple[object, object]]:
    """``with running_app() as (driver, kiosk):`` the started app on attract, and its core;
    *overrides* go to ``bench_settings``."""
    from screens.boot import prepare_environment

    prepare_environment(headless=True)
    from kivy.clock import Clock

    Clock._max_fps = 0  # no frame pacing: see the module's docstring
    from kiosk import log as kiosk_log
    from kiosk.fonts import default_cache_dir

    with SimulatorProcess() as url, tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        settings = bench_settings(url, tmp, overrides)
        kiosk_log.setup_from_settings(settings, console=False)
        from screens.boot import configure_window

        configure_window(settings.display)  # before anything below opens Kivy's window
        from app.simulators import build_kiosk
        from screens.offscreen import AppDriver
        from screens.running import KioskSession

        def build_core(post, clock):
            return build_kiosk(settings, post, clock)

        with KioskSession(settings, build_core, font_cache=default_cache_dir()) as session:
            driver = AppDriver(session.app)
            driver.start()
            try:
                driver.wait_state("attract")
                yield driver, session.kiosk
            finally:
                driver.stop()
