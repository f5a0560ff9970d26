"""``kiosk report [--date D] [--json]``: one local day's counts and HKD sums per method and state."""

from __future__ import annotations

import argparse
import logging
import sys

from app.commands.journal import open_reader, parse_day, warn_if_damaged
from kiosk.journal import reports
from kiosk.journal.store import JournalError

log = logging.getLogger(__name__)


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("report", parents=[common],
                                   help="settlement report of a day (read-only)")
    parser.add_argument("--date", type=parse_day, default=None, metavar="YYYY-MM-DD",
                        help="local day (default: today)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--journal", metavar="PATH", default=None,
                        help="journal file (default: journal.path from settings)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the day's report; 1 (and a one-line message) when there is no journal to read."""
    try:
        journal, settings = open_reader(args)
        with journal:
            damaged = warn_if_damaged(journal)
            report = journal.report(args.date or journal.today())
    except JournalError as e:
        print(f"kiosk: {e}", file=sys.stderr)
        return 1
    if args.json:
        if not report.count:  # still a report (zeros); the note keeps stdout pure JSON
            print(f"kiosk: no transactions on {report.day.isoformat()}", file=sys.stderr)
        print(reports.to_json(report))
    else:
        print(reports.to_text(report, settings.kiosk.id))
    return 1 if damaged else 0
