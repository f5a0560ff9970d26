"""``kiosk run``: the kiosk app full screen, on the simulators the profile asks for.

Kivy is imported only inside the command, after the environment is prepared, so ``kiosk --help``
and the other commands never load it. The attract screen comes first; the core (and the
simulators) are built right after the first frame.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "run", parents=[common], help="start the kiosk app full screen (demo profile: simulators)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from screens.boot import prepare_environment

    prepare_environment()
    from kiosk import log as kiosk_log
    from kiosk.settings import load

    settings = load(args.config)
    from kiosk.settings.paths import require
    require(settings)  # the journal's, logs' and PINs' folders usable, before anything opens
    kiosk_log.setup_from_settings(settings)
    from screens.running import KioskSession, exit_after_first_frame

    def build_core(post, clock):  # after the first frame: the core's imports wait till then
        from app.simulators import build_kiosk

        return build_kiosk(settings, post, clock)

    with KioskSession(settings, build_core, core_after_first_frame=True) as session:
        if os.environ.get("KIOSK_EXIT_AFTER_FIRST_FRAME") == "1":
            exit_after_first_frame(session)
        session.app.run()
    return 0
