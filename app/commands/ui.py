"""``kiosk run`` (the app, full screen) and ``kiosk demo --screenshots DIR`` (every screen as PNG).

Kivy is imported only inside the commands, after the environment is prepared, so ``kiosk --help``
and the other commands never load it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from kiosk.settings import LANGUAGES

log = logging.getLogger(__name__)


def register(subparsers, common) -> None:
    run_parser = subparsers.add_parser(
        "run", parents=[common], help="start the kiosk app full screen (demo profile: simulators)")
    run_parser.set_defaults(func=run)
    demo_parser = subparsers.add_parser(
        "demo", parents=[common],
        help="walk the real app off-screen through every screen, saving one PNG per screen")
    demo_parser.add_argument("--screenshots", metavar="DIR", required=True,
                             help="folder for the PNGs (one sub-folder per language)")
    demo_parser.add_argument("--lang", choices=LANGUAGES, default=None,
                             help="only this language (default: all three)")
    demo_parser.set_defaults(func=demo)


def run(args) -> int:
    from screens.boot import prepare_environment

    prepare_environment()
    from kiosk.settings import load

    settings = load(args.config)
    _setup_logging(settings)
    from screens.running import KioskSession

    with KioskSession(settings, core_after_first_frame=True) as session:
        if os.environ.get("KIOSK_EXIT_AFTER_FIRST_FRAME") == "1":
            _exit_after_first_frame(session)
        session.app.run()
    return 0


def _exit_after_first_frame(session) -> None:
    """Benchmark hook (bench/bench_startup.py): at the first frame on screen, print
    ``first-frame <unix time>``; once the core is built and attached, ``ready <unix time>``,
    and stop the app, which then shuts down as on SIGTERM."""
    from kivy.clock import Clock
    from kivy.core.window import Window

    def when_ready(_dt) -> bool:
        if not session.ready:
            return True
        print(f"ready {time.time():.6f}", flush=True)
        session.app.stop()
        return False

    def first_flip(*_args) -> None:
        Window.unbind(on_flip=first_flip)
        print(f"first-frame {time.time():.6f}", flush=True)
        Clock.schedule_interval(when_ready, 0)

    Window.bind(on_flip=first_flip)


def demo(args) -> int:
    from screens.boot import prepare_environment

    prepare_environment(headless=True)
    from screens.demo import demo_settings, run_demo

    settings = demo_settings(args.config)
    _setup_logging(settings, console=False)
    languages = (args.lang,) if args.lang else LANGUAGES
    summary = run_demo(settings, Path(args.screenshots), languages)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0 if summary["screenshots"] and not summary["skipped"] else 1


def _setup_logging(settings, console: bool = True) -> None:
    from kiosk import log as kiosk_log

    kiosk_log.setup_from_settings(settings, console=console)
