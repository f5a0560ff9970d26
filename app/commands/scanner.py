"""``kiosk scanner read [--port P] [--timeout-s N]``: trigger one read and print the whole code.

Switches the scanner on, waits for one complete code, switches it off and prints the code on
stdout (the operator asked for it; logs keep only its last 4 digits). A second line on stderr
says whether it is a wallet payment code (WeChat Pay, Alipay) or why not. Exits 1 when nothing
was read in time or the scanner cannot be reached, 2 on bad arguments. Without ``--port`` the
scanner of the settings is used (on the demo profile, a simulator started for the occasion,
which has nothing to scan).
"""

from __future__ import annotations

import logging
import sys

from contract.wallet_codes import check_wallet_code
from devices.interfaces import LinkError
from devices.transport import open_port
from kiosk import settings as settings_mod
from kiosk.hardware.handle import DeviceHandle

log = logging.getLogger(__name__)


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("scanner", parents=[common],
                                   help="barcode scanner: read one code")
    parser.add_argument("action", choices=("read",))
    parser.add_argument("--port", default=None, metavar="URL",
                        help="serial scanner: device path or pyserial URL "
                             "(default: the scanner of the settings)")
    parser.add_argument("--timeout-s", type=float, default=30.0, metavar="N",
                        help="how long to wait for a code (default 30)")
    parser.set_defaults(func=run)


def run(args) -> int:
    if not args.timeout_s > 0:
        print("kiosk scanner: --timeout-s must be a positive number of seconds", file=sys.stderr)
        return 2
    settings = settings_mod.load(args.config)
    try:
        handle = _open(settings, args.port)
    except LinkError as e:
        print(f"kiosk scanner: {e}", file=sys.stderr)
        return 1
    try:
        return _read(handle.device, args.timeout_s)
    finally:
        handle.close()


def _open(settings, port: str | None) -> DeviceHandle:
    from app.simulators import scanner as build_scanner
    from kiosk.hardware.scanner import open_scanner

    if not port:
        handle = build_scanner(settings)
        if handle.device is None:
            raise LinkError("devices.scanner.kind is none: give --port")
        return handle
    open_port(port, settings.devices.scanner.baudrate).close()  # a clear error if missing
    return DeviceHandle(open_scanner(settings, port))


def _read(scanner, timeout_s: float) -> int:
    status = scanner.status()
    if not status.usable:
        print(f"kiosk scanner: the scanner is {status.state.value}: {status.detail}",
              file=sys.stderr)
        return 1
    scanner.start_reading(single=True)
    try:
        code = scanner.read_code(timeout_s)
    finally:
        scanner.stop_reading()
    if code is None:
        print(f"kiosk scanner: no code read within {timeout_s:g} s", file=sys.stderr)
        return 1
    print(code, flush=True)
    check = check_wallet_code(code)
    verdict = f"a {check.wallet} payment code" if check.ok else f"not a wallet code: {check.detail}"
    print(f"kiosk scanner: {verdict}", file=sys.stderr)
    return 0
