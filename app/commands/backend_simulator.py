"""``kiosk backend-simulator``: run the backend simulator on loopback until stopped."""

from __future__ import annotations

import logging
import sys

from app.commands.signals import serve_until_stopped, stop_on_signals
from contract.redact import Redactor
from kiosk.log import RedactionFilter
from kiosk.settings import load


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "backend-simulator", parents=[common],
        help="run the backend simulator on 127.0.0.1 (demo numbers in the README)")
    p.add_argument("--port", type=int, default=None,
                   help="port to listen on (default: the port of backend.url; 0 = any free)")
    p.add_argument("--auto-pay-after-s", type=float, default=None, metavar="X",
                   help="pay every wallet order X seconds after it is created (0 = never)")
    p.add_argument("--state", metavar="FILE", default=None,
                   help="state file kept across restarts (default: simulator.backend.state_path)")
    p.set_defaults(func=run)


def run(args) -> int:
    from urllib.parse import urlsplit

    from app.simulators import backend_simulator
    from kiosk.composition import CompositionError

    settings = load(args.config)
    port = args.port if args.port is not None else (urlsplit(settings.backend.url).port or 8765)
    secret = settings.backend_secret()
    _console_logging(settings.log.level, secret)
    stop = stop_on_signals()
    try:
        sim = backend_simulator(settings, port=port, state_path=args.state,
                                auto_pay_after_s=args.auto_pay_after_s)
    except CompositionError as e:
        print(f"kiosk backend-simulator: {e}", file=sys.stderr)
        return 1
    print(f"listening on {sim.url}", flush=True)
    serve_until_stopped(stop, sim.stop)
    return 0


def _console_logging(level: str, secret: str) -> None:
    """Log lines on stderr (stdout carries only the ready line), redacted like the kiosk's."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactionFilter(Redactor((secret,))))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level.upper())
