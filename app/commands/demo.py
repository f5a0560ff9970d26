"""``kiosk demo --screenshots DIR``: the real app off-screen, walked through every screen.

The core is the composition root's on the demo profile, in a fresh data directory, with the
backend simulator on a free loopback port and the device simulators behind the real drivers.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kiosk.settings import LANGUAGES

log = logging.getLogger(__name__)


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "demo", parents=[common],
        help="walk the real app off-screen through every screen, saving one PNG per screen")
    parser.add_argument("--screenshots", metavar="DIR", required=True,
                        help="folder for the PNGs (one sub-folder per language)")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="only this language (default: all three)")
    parser.set_defaults(func=demo)


def demo(args) -> int:
    from screens.boot import prepare_environment

    prepare_environment(headless=True)
    from app.simulators import build_kiosk
    from kiosk import log as kiosk_log
    from screens.demo import demo_settings, run_demo
    from simulators.backend.control import SimulatorControl

    settings = demo_settings(args.config)
    kiosk_log.setup_from_settings(settings, console=False)
    languages = (args.lang,) if args.lang else LANGUAGES

    def build_core(post, clock):
        return build_kiosk(settings, post, clock)

    backend = SimulatorControl(settings.backend.url)
    try:
        summary = run_demo(settings, Path(args.screenshots), languages, build_core, backend)
    finally:
        backend.close()
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0 if summary["screenshots"] and not summary["skipped"] else 1
