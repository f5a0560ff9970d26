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
from dataclasses import asdict

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


def diagnose(settings, build_terminal: Callable | None = None,
             build_printer: Callable | None = None, client=None) -> list[Verdict]:
    """Every check, in the order an installer fixes things; builders/client injectable."""
    verdicts = checks.check_settings(settings) + checks.check_journal(settings)
    terminal, printer = settings.devices.card_terminal, settings.devices.printer
    verdicts.append(_device(terminal.kind, terminal.port, build_terminal or _terminal_factory,
                            settings, checks.check_terminal))
    verdicts.append(_device(printer.kind, printer.port, build_printer or _printer_factory,
                            settings, checks.check_printer))
    verdicts.append(_backend(settings, client))
    verdicts.append(checks.check_font(settings))
    verdicts.append(checks.check_disk(settings))
    from kiosk.accessibility.check import check_speech  # the accessible mode's speech

    verdicts.append(check_speech(settings))
    return verdicts


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
    try:
        client = BackendClient.from_settings(settings)
    except Exception as e:
        return Verdict("backend", FAIL, f"cannot build the client: {e}")
    try:
        return checks.check_backend(client)
    finally:
        client.close()


def _terminal_factory(settings):
    from app.simulators import card_terminal
    return card_terminal(settings)


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
