"""``kiosk privacy report [--json]``: which journal rows still hold a full phone number, by
state and age, the oldest, and the retention setting (read-only: works while the kiosk runs).
``kiosk privacy statement [--lang L]``: the collection statement as customers will read it.
"""

from __future__ import annotations

import argparse
import logging
import sys

from app.commands.journal import open_reader
from kiosk.journal import retention
from kiosk.journal.store import JournalError
from kiosk.privacy_statement import PrivacyStatements, check_folder
from kiosk.settings import LANGUAGES, load

log = logging.getLogger(__name__)


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("privacy", parents=[common],
                                   help="personal data the journal still holds (read-only)")
    sub = parser.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    report = sub.add_parser("report", help="rows holding a full phone number, by state and age")
    # --config again after the action; SUPPRESS keeps a value given before the action.
    report.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                        help="settings profile (default: config/demo.toml)")
    report.add_argument("--json", action="store_true", help="print JSON")
    report.add_argument("--journal", metavar="PATH", default=None,
                        help="journal file (default: journal.path from settings)")
    statement = sub.add_parser("statement", help="the collection statement customers see")
    statement.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                           help="settings profile (default: config/demo.toml)")
    statement.add_argument("--lang", choices=LANGUAGES, default=None,
                           help="only this language (default: all three)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return (_statement if args.privacy_command == "statement" else _report)(args)


def _statement(args: argparse.Namespace) -> int:
    """Print each language's statement and where it came from; 1 when an operator file is unusable."""
    settings = load(args.config)
    statements = PrivacyStatements(settings)
    for language in (args.lang,) if args.lang else LANGUAGES:
        s = statements.statement(language)
        print(f"[{language}] {s.title}  ({s.source})\n\n{s.body}\n")
    if not settings.privacy.statement_dir:
        return 0
    problems = check_folder(settings.resolve(settings.privacy.statement_dir))
    for problem in problems:
        print(f"kiosk: privacy.statement_dir: {problem} (the default text is shown instead)",
              file=sys.stderr)
    return 1 if problems else 0


def _report(args: argparse.Namespace) -> int:
    """Print the report; 1 (and a one-line message) when there is no journal to read."""
    try:
        journal, settings = open_reader(args)
        with journal:
            kept = journal.numbers_kept(settings.journal.phone_retention_days)
    except JournalError as e:
        print(f"kiosk: {e}", file=sys.stderr)
        return 1
    print(retention.to_json(kept) if args.json else retention.to_text(kept, settings.kiosk.id))
    return 0
