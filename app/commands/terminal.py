"""``kiosk terminal status|sale|abort|query|settle``: talk to the card terminal, print its answer.

Prints the terminal's RSP as JSON with the spec's field names and values (``"result":
"APPROVED"``; ``amount_cents`` in cents; an Octopus sale, ``--tender octopus``, adds the card's
``remaining_value_cents``). Exits 1 on a link error, and for sale/settle when the
answer is not APPROVED, and for a sale APPROVED for another amount or currency than asked (or
with none): the JSON then carries ``"mismatch"`` and stderr says what to do. Without ``--port`` the terminal of the settings is used (on the demo
profile, a simulator started for the occasion).
"""

from __future__ import annotations

import json
import logging
import sys
import time

from app.simulators import card_terminal as build_card_terminal
from devices.interfaces import DeviceError, LinkError
from devices.transport import open_port
from kiosk import settings as settings_mod
from kiosk.hardware.card_terminal import open_terminal
from kiosk.hardware.handle import DeviceHandle
from kiosk.money.answer_checks import HKD_NUMERIC, mismatch

log = logging.getLogger(__name__)

ACTIONS = ("status", "sale", "abort", "query", "settle")
MONEY_ACTIONS = ("sale", "settle")


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("terminal", parents=[common],
                                   help="card terminal: status, sale, abort, query, settle")
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument("--port", default=None, metavar="URL",
                        help="device path or pyserial URL (default: the terminal of the settings)")
    parser.add_argument("--amount-cents", type=int, default=None, metavar="N",
                        help="sale amount in cents (HKD)")
    parser.add_argument("--ref", default=None, metavar="R",
                        help="ecr_ref of this request (default: a new CLI-… reference)")
    parser.add_argument("--target", default=None, metavar="R",
                        help="the ecr_ref to query or abort")
    parser.add_argument("--timeout-s", type=int, default=60,
                        help="sale: the terminal's time for the customer to present a card")
    parser.add_argument("--tender", choices=("card", "octopus"), default="card",
                        help="sale: card (default) or octopus (the answer then carries the "
                             "card's remaining_value_cents)")
    parser.set_defaults(func=run)


def run(args) -> int:
    problem = _check(args)
    if problem:
        print(f"kiosk terminal: {problem}", file=sys.stderr)
        return 2
    settings = settings_mod.load(args.config)
    try:
        handle = _open(settings, args.port)
    except LinkError as e:
        return _fail(str(e))
    try:
        return _act(args, handle)
    except DeviceError as e:
        return _fail(f"{type(e).__name__}: {e}")
    finally:
        handle.close()


def _check(args) -> str:
    if args.action == "sale" and (args.amount_cents is None or args.amount_cents <= 0):
        return "sale needs --amount-cents N (a positive whole number of cents)"
    if args.action in ("query", "abort") and not (args.target or args.ref):
        return f"{args.action} needs --target R (the ecr_ref of the request)"
    return ""


def _open(settings, port: str | None) -> DeviceHandle:
    if not port:
        handle = build_card_terminal(settings)
        if handle.device is None:
            raise LinkError("devices.card_terminal.kind is none")
        return handle
    open_port(port, settings.devices.card_terminal.baudrate).close()  # a clear error if missing
    return DeviceHandle(open_terminal(settings, port))


def _act(args, handle: DeviceHandle) -> int:
    terminal = handle.device
    ref = args.ref or f"CLI-{time.strftime('%Y%m%d%H%M%S')}"
    if args.action == "status":
        result = terminal.status_result()
    elif args.action == "sale":
        result = terminal.sale(ref, args.amount_cents, timeout_s=args.timeout_s,
                               tender=args.tender)
    elif args.action == "settle":
        result = terminal.settle(ref)
    elif args.action == "abort":
        result = terminal.abort_result(args.target or args.ref)
    else:
        result = terminal.query(args.target or args.ref)
    fields = result.as_fields()
    wrong = ""
    if args.action == "sale" and result.approved:
        wrong = mismatch(args.amount_cents, result.amount_cents, result.currency, HKD_NUMERIC)
        if wrong:
            fields["mismatch"] = wrong
    print(json.dumps(fields, ensure_ascii=False), flush=True)
    if wrong:
        print(f"kiosk terminal: the terminal APPROVED something else than was asked ({wrong}): "
              f"not a payment of {args.amount_cents} cents; reverse it with VOID "
              f"(orig ecr_ref {result.ecr_ref})", file=sys.stderr)
        return 1
    if args.action in MONEY_ACTIONS and not result.approved:
        return 1
    return 0


def _fail(message: str) -> int:
    print(json.dumps({"error": message}), flush=True)
    print(f"kiosk terminal: {message}", file=sys.stderr)
    return 1
