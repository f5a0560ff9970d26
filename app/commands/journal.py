"""``kiosk journal list|show|pending``: the transactions, read-only, masked numbers only.

Opens the journal without its lock, so it works while the kiosk runs.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date, datetime

from kiosk import settings as settings_mod
from kiosk.journal.models import Event, Txn
from kiosk.journal.store import Journal, JournalError
from kiosk.money.amounts import hkd

log = logging.getLogger(__name__)


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("journal", parents=[common],
                                   help="list and show transactions (read-only)")
    sub = parser.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", parents=[_options()], help="transactions, newest first")
    listing.add_argument("--date", type=parse_day, default=None, metavar="YYYY-MM-DD",
                         help="only this local day")
    listing.add_argument("--limit", type=int, default=50, metavar="N")
    show = sub.add_parser("show", parents=[_options()],
                          help="one transaction and its events")
    show.add_argument("ref", metavar="REF",
                      help="transaction id, terminal reference (K01-000123) or key")
    sub.add_parser("pending", parents=[_options()],
                   help="unfinished transactions and those needing attention")
    parser.set_defaults(func=run)


def _options() -> argparse.ArgumentParser:
    opts = argparse.ArgumentParser(add_help=False)
    # --config again after the action; SUPPRESS keeps a value given before the action.
    opts.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                      help="settings profile (default: config/demo.toml)")
    opts.add_argument("--json", action="store_true", help="print JSON")
    opts.add_argument("--journal", metavar="PATH", default=None,
                      help="journal file (default: journal.path from settings)")
    return opts


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def open_reader(args) -> tuple[Journal, settings_mod.Settings]:
    """The journal named by ``--journal`` or the settings, opened read-only (never created).

    Raises:
        JournalMissing: no journal file there yet (a kiosk that has never run).
    """
    settings = settings_mod.load(args.config)
    path = args.journal or settings.resolve(settings.journal.path)
    return Journal.open_readonly(path, tz=settings.journal.timezone), settings


def run(args) -> int:
    """Run the action; 1 (and a one-line message) when there is no journal to read."""
    action = {"list": _list, "show": _show, "pending": _pending}[args.journal_command]
    try:
        journal, _ = open_reader(args)
        with journal:
            damaged = warn_if_damaged(journal)
            return action(journal, args) or int(damaged)
    except JournalError as e:
        print(f"kiosk: {e}", file=sys.stderr)
        return 1


def warn_if_damaged(journal: Journal) -> bool:
    """Run SQLite's quick check; on a damaged file say so on stderr (the rows may be wrong)."""
    problems = journal.integrity_problems()
    if problems:
        print(f"kiosk: warning: journal {journal.path} fails its integrity check "
              f"({problems[0]}): what follows may be incomplete or wrong; keep the file as it "
              "is (copy it for support) and see `kiosk doctor`", file=sys.stderr)
    return bool(problems)


def _list(journal: Journal, args) -> int:
    txns = journal.list(args.date, limit=args.limit)
    if args.json:
        print(json.dumps([t.public_dict() for t in txns], indent=2, ensure_ascii=False))
    else:
        print(table(journal, txns) if txns else "(no transactions)")
    return 0


def _show(journal: Journal, args) -> int:
    txn = journal.find(args.ref)
    if txn is None:
        print(f"kiosk: no transaction {args.ref!r}", file=sys.stderr)
        return 1
    events = journal.events(txn.id)
    if args.json:
        print(json.dumps({"transaction": txn.public_dict(),
                          "events": [_event_dict(e) for e in events]},
                         indent=2, ensure_ascii=False))
        return 0
    for key, value in txn.public_dict().items():
        if value not in (None, "", {}):
            print(f"{key:<18}{_text(value)}")
    print("\nevents:")
    for e in events:
        move = f"{e.from_state or ''} -> {e.to_state}" if e.to_state else ""
        detail = json.dumps(e.detail, ensure_ascii=False) if e.detail else ""
        print(f"  {local_time(journal, e.at, seconds=True)}  {e.kind:<14}{move:<34}{detail}")
    return 0


def _pending(journal: Journal, args) -> int:
    """Unfinished rows in three groups: in progress, retrying by themselves, needing a person."""
    unfinished = journal.unfinished()
    groups = (("unfinished", [t for t in unfinished if not t.retrying]),
              ("retrying", [t for t in unfinished if t.retrying]),
              ("needs_attention", journal.needing_attention()))
    if args.json:
        print(json.dumps({name: [t.public_dict() for t in txns] for name, txns in groups},
                         indent=2, ensure_ascii=False))
        return 0
    for name, txns in groups:
        print(f"{name.replace('_', ' ')}: {len(txns)}")
        if txns:
            print(table(journal, txns, reason=True))
    return 0


def table(journal: Journal, txns: list[Txn], reason: bool = False) -> str:
    """Fixed-width lines: id, local time, state, method, HKD, masked number, plan."""
    lines = [f"{'id':<22}{'time':<18}{'state':<17}{'method':<11}{'HKD':>10}  "
             f"{'number':<14}{'plan'}" + ("  reason" if reason else "")]
    for t in txns:
        line = (f"{t.id:<22}{local_time(journal, t.created_at):<18}{t.state:<17}{t.method:<11}"
                f"{hkd(t.amount_cents):>10}  {t.msisdn_masked:<14}{t.plan_id}")
        if reason:
            line += f"  {t.attention_reason or t.retry_error or ''}"
        lines.append(line)
    return "\n".join(lines)


def local_time(journal: Journal, at: str, seconds: bool = False) -> str:
    """An RFC 3339 UTC time as the kiosk's local time."""
    moment = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(journal.tz)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _event_dict(e: Event) -> dict:
    return {"id": e.id, "at": e.at, "kind": e.kind, "from_state": e.from_state,
            "to_state": e.to_state, "detail": e.detail}


def _text(value) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)


