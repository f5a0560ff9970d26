"""``kiosk doctor``: settings, journal, devices, backend, CJK font and disk, one verdict each.

Exit status 0 when nothing FAILs, 1 otherwise. On a profile whose backend is the simulator
(``simulator.backend.enabled``, the demo) it starts the simulator itself, on a free port, and
simulated devices likewise (``app/simulators.py``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import asdict, replace

from kiosk import settings as settings_mod
from kiosk.maintenance import checks
from kiosk.maintenance.checks import FAIL, Verdict

log = logging.getLogger(__name__)


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("doctor", parents=[common],
                                   help="check settings, journal, devices, backend, font, disk")
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    parser.set_defaults(func=run)


def run(args) -> int:
    settings = settings_mod.load(args.config)
    with contextlib.ExitStack() as stack:
        settings = _with_backend_simulator(settings, args.config, stack)
        verdicts = diagnose(settings)
    _print(verdicts, args.json)
    return 1 if any(v.level == FAIL for v in verdicts) else 0


# Each check's time bound (seconds): past it, the item is a FAIL and doctor goes on.
BOUNDS_S = {"settings": 5.0, "journal": 20.0, "card terminal": 10.0, "printer": 10.0,
            "barcode scanner": 10.0, "backend": 5.0, "CJK font": 10.0, "disk": 5.0, "paths": 5.0,
            "metrics": 5.0, "speech": 5.0}


def diagnose(settings, build_terminal: Callable | None = None,
             build_printer: Callable | None = None, client=None,
             bounds_s: dict[str, float] | None = None) -> list[Verdict]:
    """Every check, side by side, each within its bound (BOUNDS_S); the verdicts in the order
    an installer fixes things. Builders, client and bounds are injectable."""
    from kiosk.maintenance.bounded import Check, run_all

    bounds = {**BOUNDS_S, **(bounds_s or {})}
    terminal, printer = settings.devices.card_terminal, settings.devices.printer
    scanner = settings.devices.scanner
    jobs = {
        "settings": lambda: checks.check_settings(settings),
        "journal": lambda: checks.check_journal(settings),
        "paths": lambda: _paths(settings),
        "card terminal": lambda: [_device(terminal.kind, terminal.port,
                                          build_terminal or _terminal_factory, settings,
                                          checks.check_terminal)],
        "printer": lambda: [_device(printer.kind, printer.port, build_printer or _printer_factory,
                                    settings, checks.check_printer)],
        "barcode scanner": lambda: [_device(scanner.kind, scanner.port or scanner.evdev_device,
                                            _scanner_factory, settings, checks.check_scanner)],
        "backend": lambda: [_backend(settings, client)],
        "CJK font": lambda: [checks.check_font(settings)],
        "disk": lambda: [checks.check_disk(settings)],
    }
    jobs["metrics"] = lambda: _metrics(settings)
    jobs["speech"] = lambda: [_speech(settings)]
    return run_all([Check(item, job, bounds[item]) for item, job in jobs.items()])


def _paths(settings) -> list[Verdict]:
    """The other files and folders the kiosk writes (the journal has its own line)."""
    from kiosk.settings.paths import problems

    found = [(key, why) for key, why in problems(settings) if key != "journal.path"]
    if not found:
        return []
    return [Verdict("paths", FAIL, "; ".join(f"{key}: {why}" for key, why in found))]


def _speech(settings) -> Verdict:
    from kiosk.accessibility.check import check_speech  # the accessible mode's speech

    return check_speech(settings)


def _metrics(settings) -> list[Verdict]:
    from kiosk.ops.metrics_check import check_metrics

    return check_metrics(settings)


def _device(kind: str, port: str, build: Callable, settings, check: Callable) -> Verdict:
    if kind == "none":
        return check(kind, None)
    try:
        handle = build(settings)
    except Exception as e:  # a missing port, a driver that cannot start: that is the verdict
        verdict = check(kind, None, f"cannot open: {e}")
    else:
        try:
            verdict = check(kind, handle.device)
        finally:
            handle.close()
    if verdict.level == FAIL and kind == "serial":
        verdict = Verdict(verdict.item, FAIL, f"{verdict.message} (port {port})")
    return verdict


def _backend(settings, client) -> Verdict:
    from kiosk.backend.client import BackendClient

    if client is not None:
        return checks.check_backend(client)
    b = settings.backend  # one quick try: doctor reports, the kiosk retries
    quick = replace(settings, backend=replace(
        b, connect_timeout_s=min(b.connect_timeout_s, 2.0),
        read_timeout_s=min(b.read_timeout_s, 3.0), retry_deadline_s=0.0))
    try:
        client = BackendClient.from_settings(quick)
    except Exception as e:
        return Verdict("backend", FAIL, f"cannot build the client: {e}")
    try:
        return checks.check_backend(client)
    finally:
        client.close()


def _terminal_factory(settings):
    from app.simulators import card_terminal
    return card_terminal(settings)


def _scanner_factory(settings):
    from app.simulators import scanner
    return scanner(settings)


def _printer_factory(settings):
    from app.simulators import printer
    return printer(settings)


def _with_backend_simulator(settings, config, stack: contextlib.ExitStack):
    """Start the backend simulator on a free port when the profile uses it; the new settings."""
    if not settings.simulator.backend.enabled:
        return settings
    from app.simulators import backend_simulator

    sim = backend_simulator(settings, port=0, state_path="", auto_pay_after_s=0)
    stack.callback(sim.stop)
    return settings_mod.load(config, {"backend.url": sim.url})


def _print(verdicts: list[Verdict], as_json: bool) -> None:
    if as_json:
        print(json.dumps([asdict(v) for v in verdicts], indent=2, ensure_ascii=False))
        return
    width = max(len(v.item) for v in verdicts)
    for v in verdicts:
        print(f"{v.level:<5} {v.item:<{width}}  {v.message}")
    failed = sum(v.level == FAIL for v in verdicts)
    print(f"\n{'NOT READY' if failed else 'READY'}: {failed} FAIL, "
          f"{sum(v.level == 'WARN' for v in verdicts)} WARN", file=sys.stdout)
