"""The ``kiosk`` command line: one sub-command per module in ``app/commands``.

Each command module has ``register(subparsers, common)`` that adds its parser (with
``common`` as a parent, giving ``--config``) and sets ``func`` to a function taking the parsed
arguments and returning the exit status.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys

from kiosk import __version__

# Sub-command modules under app.commands, in the order --help lists them.
COMMANDS: tuple[str, ...] = (
    "backend_simulator",
    "journal",
    "report",
    "privacy",
    "set_pin",
    "doctor",
    "fonts",
    "printer",
    "terminal",
    "scanner",
    "device_simulator",
    "robot",
    "run",
    "demo",
    "audit",
    "metrics",
    "support_bundle",
)


# Commands whose module is imported alone when they are run: ``kiosk run`` must not pay for
# importing every other command's module before its first frame (bench/README.md, start-up).
ALONE: dict[str, str] = {"run": "run"}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command of COMMANDS, or with only the module *only*'s commands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", default=None,
                        help="settings profile (default: config/demo.toml)")
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Hong Kong mobile data top-up kiosk.")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f"{__package__}.commands.{name}").register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    first = next((a for a in argv if not a.startswith("-")), None)
    if first == "run":
        # Start-up makes ~300,000 objects that live as long as the kiosk: the cyclic collector's
        # passes over them cost ~13 ms before the first frame. It is back, with those objects
        # frozen out of its way, once the kiosk is ready to sell (screens/running.py).
        gc.disable()
    args = build_parser(ALONE.get(first)).parse_args(argv)
    from app.failures import guarded  # expected failures as one line and a status (no traceback)

    return guarded(args.func, args)
