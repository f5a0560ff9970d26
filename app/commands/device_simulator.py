"""``kiosk device-simulator card-terminal|printer|scanner [--link pty|tcp] [--port N] [--scenario S]``.

``scanner`` emulates a serial 2D scanner; ``--scan CODE`` (repeatable) queues codes the
simulated customer shows, sent one per trigger (``kiosk scanner read --port P`` reads one).

Starts a device simulator speaking the real wire protocol, prints ``port <path-or-url>`` (the
port a driver opens: ``/dev/pts/7`` or ``socket://127.0.0.1:N``) when ready, and serves until
SIGTERM or SIGINT.
"""

from __future__ import annotations

import logging
import sys

from app.commands.signals import serve_until_stopped, stop_on_signals
from devices.card_terminal.simulator import SCENARIOS
from kiosk import settings as settings_mod

log = logging.getLogger(__name__)

PRINTER_SCENARIOS = ("ok", "paper_low", "paper_out", "cover_open", "offline")


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("device-simulator", parents=[common],
                                   help="run a card terminal, printer or barcode scanner simulator "
                                        "on a pty or TCP")
    parser.add_argument("device", choices=("card-terminal", "printer", "scanner"))
    parser.add_argument("--link", choices=("pty", "tcp"), default="pty")
    parser.add_argument("--port", type=int, default=0, metavar="N",
                        help="TCP port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--scenario", default=None, metavar="S",
                        help=f"card terminal: {', '.join(SCENARIOS)}; "
                             f"printer: {', '.join(PRINTER_SCENARIOS)}")
    parser.add_argument("--state", default=None, metavar="FILE",
                        help="card terminal: keep outcomes in this JSON file across restarts")
    parser.add_argument("--output-dir", default=None, metavar="DIR",
                        help="printer: where printed receipts are saved "
                             "(default: devices.printer.output_dir)")
    parser.add_argument("--scan", action="append", default=[], metavar="CODE",
                        help="scanner: a code the customer shows (repeat for more; one per read)")
    parser.set_defaults(func=run)


def run(args) -> int:
    settings = settings_mod.load(args.config)
    try:
        if args.device == "scanner":
            simulator = _scanner(args)
        else:
            simulator = (_card_terminal(args) if args.device == "card-terminal"
                         else _printer(args, settings))
    except ValueError as e:
        print(f"kiosk device-simulator: {e}", file=sys.stderr)
        return 2
    stop = stop_on_signals()
    try:
        port = simulator.start(args.link, args.port)
    except OSError as e:
        print(f"kiosk device-simulator: cannot open a {args.link} link: {e}", file=sys.stderr)
        return 1
    print(f"port {port}", flush=True)
    serve_until_stopped(stop, simulator.stop)
    return 0


def _card_terminal(args):
    from app.simulators import card_terminal_simulator

    return card_terminal_simulator(scenario=args.scenario or "approve", state_path=args.state)


def _printer(args, settings):
    from app.simulators import printer_simulator

    scenario = args.scenario or "ok"
    if scenario not in PRINTER_SCENARIOS:
        raise ValueError(f"unknown printer scenario {scenario!r}: expected one of "
                         f"{PRINTER_SCENARIOS}")
    simulator = printer_simulator(settings, args.output_dir)
    if scenario in ("paper_low", "paper_out"):
        simulator.set_paper(scenario.split("_")[1])
    elif scenario == "cover_open":
        simulator.set_cover_open(True)
    elif scenario == "offline":
        simulator.set_offline(True)
    return simulator


def _scanner(args):
    from app.simulators import scanner_simulator

    if args.scenario:
        raise ValueError("the scanner simulator has no scenarios: give codes with --scan CODE")
    bad = [c for c in args.scan if not c or not c.isascii() or not c.isprintable()]
    if bad:
        raise ValueError("--scan takes printable ASCII codes (the digits a payment code shows)")
    simulator = scanner_simulator()
    for code in args.scan:
        simulator.present(code)
    return simulator
