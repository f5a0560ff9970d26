"""``kiosk robot``: play many customers through the real money engine; last line a JSON summary."""

from __future__ import annotations

import json
import sys

from kiosk.settings import load


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "robot", parents=[common],
        help="play customers through the real purchase service (headless); prints a JSON summary")
    p.add_argument("--backend-url", default=None, metavar="URL",
                   help="the backend (default: on the demo profile, a backend simulator it starts)")
    p.add_argument("--journal", default=None, metavar="PATH",
                   help="the journal file (default: journal.path from settings)")
    p.add_argument("--transactions", type=int, default=100, metavar="N",
                   help="customers to play; 0 = only recover and settle what is open")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed of the customers")
    p.add_argument("--faults", type=float, default=0.0, metavar="RATE",
                   help="share of customers before whom one backend fault is switched on (0-1)")
    p.add_argument("--time-scale", type=float, default=1000.0, metavar="X",
                   help="the kiosk clock runs X times faster (poll, QR deadline, lateness)")
    p.add_argument("--settle-timeout-s", type=float, default=300.0, metavar="S",
                   help="real seconds to wait at the end until nothing is unfinished or retrying")
    p.add_argument("--log-console", action="store_true", help="also log to stderr")
    p.set_defaults(func=run)


def run(args) -> int:
    from app.robot.run import Robot, RobotOptions
    from kiosk.journal.store import JournalError
    from kiosk.log import setup_from_settings

    if args.transactions < 0 or not 0.0 <= args.faults <= 1.0 or args.time_scale <= 0:
        print("kiosk robot: --transactions >= 0, --faults in 0..1, --time-scale > 0",
              file=sys.stderr)
        return 2
    settings = load(args.config)
    from kiosk.settings.paths import require
    require(settings, journal=args.journal)  # a folder the journal or logs cannot go in: say so
    setup_from_settings(settings, console=args.log_console)
    options = RobotOptions(args.transactions, args.seed, args.backend_url, args.journal,
                           args.faults, args.time_scale, args.settle_timeout_s)
    try:
        summary = Robot(settings, options).run()
    except JournalError as e:
        print(f"kiosk robot: {e}", file=sys.stderr)
        return 2
    print(json.dumps(summary, sort_keys=True), flush=True)
    return 0
