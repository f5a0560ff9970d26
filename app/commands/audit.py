"""``kiosk audit verify``: check the audit log's HMAC chain; name the first broken entry.

Needs the PIN pepper (the chain's key is derived from it), so on a kiosk run it as the service
does: ``sudo kiosk-as-service audit verify``. Read-only: works while the kiosk runs.
Exit status: 0 the chain holds, 1 it is broken (or the file is missing or unreadable).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys

from kiosk import settings as settings_mod
from kiosk.maintenance.audit import verify_file
from kiosk.maintenance.audit_chain import chain_key
from kiosk.maintenance.pins import pepper_from_settings


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("audit", parents=[common],
                                   help="check the audit log's tamper-evident chain")
    sub = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = sub.add_parser("verify", help="check every entry's HMAC; exit 1 on the first break")
    # --config again after the action; SUPPRESS keeps a value given before the action.
    verify.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                        help="settings profile (default: config/demo.toml)")
    verify.add_argument("--audit", metavar="PATH", default=None,
                        help="audit file (default: maintenance.audit_path from settings)")
    parser.set_defaults(func=run)


def run(args) -> int:
    settings = settings_mod.load(args.config)
    path = args.audit or settings.resolve(settings.maintenance.audit_path)
    key = chain_key(pepper_from_settings(settings))
    try:
        report = verify_file(path, key)
    except FileNotFoundError as e:
        print(f"kiosk audit verify: {e}", file=sys.stderr)
        return 1
    except (sqlite3.Error, OSError) as e:
        print(f"kiosk audit verify: audit log {path} cannot be read: {e}", file=sys.stderr)
        return 1
    before = (f"; {report.unchained} older entries before the chain, covered by its first entry"
              if report.unchained else "")
    if report.ok:
        head = report.head[:16] + "…" if report.head else "none"
        print(f"audit log {path}: {report.entries} entries, chain intact{before}; head {head}")
        return 0
    where = f"entry {report.broken_id} " if report.broken_id is not None else ""
    print(f"audit log {path}: BROKEN: {where}{report.problem} "
          f"({report.entries} entries{before})", file=sys.stderr)
    return 1
