"""Journal at scale: 1 million transactions, then a day's report and look-ups by id and ref.

Bulk-loads the rows straight into a fresh journal's schema (one SQLite transaction, so the
load takes seconds), then times the calls the kiosk and its operators make through ``Journal``.
Budgets: a day's report ≤ 100 ms, a look-up by id ≤ 1 ms. Run: ``python -m bench.bench_journal_scale
[--rows N] [--days D]`` (``--days 1`` puts every row in one day: the worst case for a report).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.results import Figure, median, table
from contract.clock import FakeClock
from kiosk.journal.models import make_keys
from kiosk.journal.store import Journal

FIRST_DAY = date(2026, 1, 1)
ENDINGS = ("credited",) * 90 + ("refunded",) * 3 + ("cancelled",) * 5 + ("needs_attention",) * 2
METHODS = ("card", "fps", "wechatpay", "alipayhk", "payme")


def _rows(count: int, days: int, seed: int = 1):
    rng = random.Random(seed)
    for seq in range(1, count + 1):
        day = FIRST_DAY + timedelta(days=(seq - 1) * days // count)
        keys = make_keys("K01", day, seq)
        at = f"{day.isoformat()}T04:00:00.000Z"
        state = rng.choice(ENDINGS)
        amount = rng.choice((1800, 3800, 8820, 12800, 29800))
        number = None if state != "needs_attention" else "85291234567"
        yield (keys["id"], "K01", seq, day.isoformat(), state, rng.choice(METHODS), amount,
               amount, number, "*******4567", "P30", "Q", "{}", "en", keys["out_trade_no"],
               keys["credit_key"], keys["refund_key"], keys["ecr_ref"], keys["void_ecr_ref"],
               keys["refund_ecr_ref"], at, at)


def bulk_load(path: Path, count: int, days: int) -> float:
    """Fill a fresh journal with *count* rows (and one event each); returns seconds taken."""
    Journal.open(path, "K01").close()  # schema and migrations, as the kiosk makes them
    journal = Journal.open(path, "K01")
    conn = journal._conn
    started = time.perf_counter()
    conn.execute("PRAGMA synchronous = OFF")  # a bulk load, not a kiosk: no fsync per page
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO transactions (id, kiosk_id, seq, local_day, state, method, amount_cents,"
        " list_price_cents, msisdn, msisdn_masked, plan_id, quote_id, plan_name_json, language,"
        " out_trade_no, credit_key, refund_key, ecr_ref, void_ecr_ref, refund_ecr_ref,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?)", _rows(count, days))
    conn.execute("INSERT INTO events (txn_id, at, kind, to_state) SELECT id, created_at,"
                 " 'created', 'created' FROM transactions")
    conn.execute("INSERT INTO kiosk_seq (kiosk_id, last_seq) VALUES ('K01', ?)", (count,))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    journal.close()
    return time.perf_counter() - started


def _timed_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return median(times)


_KEPT: dict[tuple[int, int], tempfile.TemporaryDirectory] = {}  # loaded journals kept


def figures(rows: int = 1_000_000, days: int = 365, keep: bool = False) -> list[Figure]:
    """The figures on a freshly loaded journal; *keep* keeps it loaded for the next call with
    the same size (``make bench``'s busy set times the same calls on the quiet set's journal,
    plus the 20 rows that set created, rather than loading a million rows again)."""
    kept = _KEPT.get((rows, days))
    tmp = kept or tempfile.TemporaryDirectory()
    try:
        path = Path(tmp.name) / "journal.sqlite3"
        load_s = None if kept else bulk_load(path, rows, days)
        figs = _timed(path, rows, days, load_s)
    finally:
        if keep and not kept:
            _KEPT[(rows, days)] = tmp
        elif not keep:
            _KEPT.pop((rows, days), None)
            tmp.cleanup()
    return figs


def _timed(path: Path, rows: int, days: int, load_s: float | None) -> list[Figure]:
    t0 = time.perf_counter()
    journal = Journal.open(path, "K01", FakeClock())  # includes the quick_check
    open_s = time.perf_counter() - t0
    with journal:
        mid_day = FIRST_DAY + timedelta(days=days // 2)
        mid = make_keys("K01", FIRST_DAY, rows // 2)
        txn_id = journal.find(mid["ecr_ref"]).id
        report_ms = _timed_ms(lambda: journal.report(mid_day), 20)
        day_count = journal.report(mid_day).count
        figs = [  # the bulk load's rate only when this call loaded it
            *([Figure("journal bulk load (rows/s)", None, rows / load_s, "rows/s")]
              if load_s else []),
            Figure("journal open with quick_check", None, open_s * 1000, "ms"),
            Figure(f"report of one day ({day_count} txns)", 100, report_ms, "ms"),
            Figure("get by id", 1, _timed_ms(lambda: journal.get(txn_id), 200), "ms"),
            Figure("find by terminal ref", 1,
                   _timed_ms(lambda: journal.find(mid["ecr_ref"]), 200), "ms"),
            Figure("list of one day (50 newest)", None,
                   _timed_ms(lambda: journal.list(mid_day), 20), "ms"),
            Figure("unfinished + needs attention", None,
                   _timed_ms(lambda: (journal.unfinished(), journal.needing_attention()),
                             5), "ms"),
            Figure("create (one committed txn)", None,
                   _timed_ms(lambda: journal.create("fps", "85291234567", "P", "Q", {}, 1,
                                                    1, "en"), 20), "ms"),
        ]
    figs.append(Figure("journal file size", None, path.stat().st_size / 2**20, "MiB"))
    return figs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figs = figures(args.rows, args.days)
    if args.json:
        print(json.dumps([f.as_json() for f in figs], indent=2))
    else:
        print(f"{args.rows} transactions over {args.days} days")
        print(table(figs))


if __name__ == "__main__":
    main()
