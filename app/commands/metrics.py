"""``kiosk metrics``: the Prometheus exposition once, from the journal and the last health
state (for a cron job, a node_exporter textfile, or a look by hand)."""

from __future__ import annotations

import sys

from kiosk.journal.store import Journal, JournalError, JournalMissing
from kiosk.settings import load


def register(subparsers, common) -> None:
    p = subparsers.add_parser("metrics", parents=[common],
                              help="print the Prometheus metrics once (read-only)")
    p.add_argument("--journal", metavar="PATH", default=None,
                   help="journal file (default: journal.path from settings)")
    p.add_argument("--textfile", action="store_true",
                   help="write kiosk.prom into metrics.textfile_dir (atomically) instead")
    p.set_defaults(func=run)


def run(args) -> int:
    from kiosk.ops.health_record import write_atomically
    from kiosk.ops.metrics_exporter import TEXTFILE_NAME
    from kiosk.ops.metrics_once import exposition_once

    settings = load(args.config)
    path = args.journal or settings.resolve(settings.journal.path)
    journal = None
    try:
        journal = Journal.open_readonly(path, tz=settings.journal.timezone)
    except JournalMissing as e:
        print(f"kiosk metrics: {e}; journal figures left out", file=sys.stderr)
    except JournalError as e:
        print(f"kiosk metrics: {e}", file=sys.stderr)
        return 1
    try:
        text = exposition_once(settings, journal)
    finally:
        if journal is not None:
            journal.close()
    if not args.textfile:
        sys.stdout.write(text)
        return 0
    if not settings.metrics.textfile_dir:
        print("kiosk metrics: --textfile needs metrics.textfile_dir in the settings",
              file=sys.stderr)
        return 2
    target = settings.resolve(settings.metrics.textfile_dir) / TEXTFILE_NAME
    try:
        write_atomically(target, text)
    except OSError as e:
        print(f"kiosk metrics: cannot write {target}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"wrote {target}")
    return 0
