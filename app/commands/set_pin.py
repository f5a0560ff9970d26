"""``kiosk set-pin --operator ID``: set an operator's maintenance PIN, read from standard input.

On a terminal the PIN is asked twice without echo; from a pipe one line is read. A PIN given
as an argument is refused: it would stay in the shell history and the process list.
"""

from __future__ import annotations

import getpass
import logging
import sys

from contract.clock import SystemClock
from kiosk import settings as settings_mod
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.audit_chain import chain_key
from kiosk.maintenance.pins import (
    PinError,
    PinStore,
    check_new_pin,
    check_operator_id,
    pepper_from_settings,
)

log = logging.getLogger(__name__)

REFUSED = ("kiosk set-pin: a PIN on the command line is refused (it would stay in the shell "
           "history and the process list). Run `kiosk set-pin --operator ID` and type it when "
           "asked, or pipe it:  printf '%s\\n' \"$PIN\" | kiosk set-pin --operator ID")


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("set-pin", parents=[common],
                                   help="set an operator's maintenance PIN (read from stdin)")
    parser.add_argument("--operator", required=True, metavar="ID",
                        help="operator id: 2 to 8 digits (typed on the kiosk's keypad)")
    # Accepted only to refuse them with a clear message instead of argparse's usage error.
    parser.add_argument("--pin", default=None, help="refused: the PIN is read from stdin")
    parser.add_argument("pin_argument", nargs="?", default=None, help="refused as well")
    parser.set_defaults(func=run)


def read_pin(stdin=None) -> str:
    """Twice without echo on a terminal (must match); otherwise one line of standard input."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first = getpass.getpass("New PIN (6-12 digits): ")
        second = getpass.getpass("Same PIN again: ")
        if first != second:
            raise PinError("the two PINs differ")
        return first.strip()
    return stdin.readline().strip()


def run(args) -> int:
    if args.pin is not None or args.pin_argument is not None:
        print(REFUSED, file=sys.stderr)
        return 2
    settings = settings_mod.load(args.config)
    try:
        operator_id = check_operator_id(args.operator)
        pin = check_new_pin(read_pin(), operator_id)
    except PinError as e:
        print(f"kiosk set-pin: {e}", file=sys.stderr)
        return 2
    clock = SystemClock()
    pepper = pepper_from_settings(settings)
    store = PinStore(settings.resolve(settings.maintenance.pins_path), pepper)
    audit = AuditLog(settings.resolve(settings.maintenance.audit_path), clock, chain_key(pepper))
    try:
        store.set_pin(operator_id, pin, clock.now())
        audit.record("cli", "set_pin", "ok", operator=operator_id)
    finally:
        store.close()
        audit.close()
    print(f"PIN set for operator {operator_id}")
    return 0
