"""Daily reports: counts and HKD sums per method and state, to the cent, text and JSON."""

import json
import random
from datetime import date

import pytest

from contract.clock import FakeClock
from kiosk.journal import reports
from kiosk.journal.store import Journal

START = 1_795_579_200.0  # 2026-11-25 12:00 Hong Kong
ENDINGS = {
    "credited": ["paid", "credit_pending", "credited"],
    "refunded": ["paid", "credit_pending", "refund_pending", "refunded"],
    "cancelled": ["cancelled"],
    "declined": ["declined"],
    "needs_attention": ["needs_attention"],
    "paid": ["paid"],
}


def play(journal, method, ending, amount):
    t = journal.create(method, "85291234567", "P", "Q", {}, amount, amount, "en")
    first = ["sale_pending"] if method == "card" else ["order_pending", "awaiting_payment"]
    if ending == "cancelled" and method != "card":
        first = ["order_pending"]
    for state in first + ENDINGS[ending]:
        journal.advance(t.id, state)


@pytest.fixture
def journal(tmp_path):
    clock = FakeClock(START)
    j = Journal.open(tmp_path / "j.sqlite3", "K01", clock)
    j.clock = clock
    yield j
    j.close()


def test_sums_to_the_cent_on_generated_data(journal):
    rng = random.Random(7)
    expected: dict[tuple[str, str], list[int]] = {}
    for _ in range(300):
        method = rng.choice(["card", "fps", "wechatpay", "payme"])
        ending = rng.choice([e for e in ENDINGS if method == "card" or e != "declined"])
        amount = rng.randrange(1, 100_000)
        play(journal, method, ending, amount)
        expected.setdefault((method, ending), []).append(amount)
    journal.clock.advance(86400)
    play(journal, "card", "credited", 99)  # the next day: not in this report
    report = journal.report(date(2026, 11, 25))
    got = {(ln.method, ln.state): (ln.count, ln.amount_cents) for ln in report.lines}
    assert got == {k: (len(v), sum(v)) for k, v in expected.items()}
    assert report.count == 300
    credited = sum(sum(v) for (m, s), v in expected.items() if s == "credited")
    assert report.by_state()["credited"] == (
        sum(len(v) for (m, s), v in expected.items() if s == "credited"), credited)
    data = json.loads(reports.to_json(report))
    assert sum(m["credited_cents"] for m in data["method_totals"].values()) == credited
    assert data["state_totals"]["credited"]["amount_cents"] == credited
    assert journal.report(date(2026, 11, 26)).count == 1


def test_day_boundary_is_local_midnight(journal):
    journal.clock.advance(11 * 3600 + 59 * 60)  # 23:59 in Hong Kong
    play(journal, "fps", "credited", 100)
    journal.clock.advance(120)  # 00:01 the next day
    play(journal, "fps", "credited", 200)
    assert journal.report(date(2026, 11, 25)).by_state()["credited"] == (1, 100)
    assert journal.report(date(2026, 11, 26)).by_state()["credited"] == (1, 200)


def test_text_table(journal):
    play(journal, "card", "credited", 8820)
    play(journal, "card", "credited", 123456)
    play(journal, "fps", "refunded", 1800)
    text = reports.to_text(journal.report(date(2026, 11, 25)), "K01")
    lines = text.splitlines()
    assert lines[0] == "Settlement report 2026-11-25  kiosk K01"
    assert any(ln.split() == ["card", "credited", "2", "1,322.76"] for ln in lines)
    assert any(ln.split() == ["fps", "refunded", "1", "18.00"] for ln in lines)
    assert any(ln.split() == ["TOTAL", "transactions", "3"] for ln in lines)


def test_empty_day(journal):
    report = journal.report(date(2020, 1, 1))
    assert report.count == 0 and report.lines == ()
    assert "(no transactions)" in reports.to_text(report)


def test_json_of_an_empty_day_has_the_keys_of_a_day_with_sales_all_zero(journal):
    play(journal, "fps", "refunded", 1800)
    sales = reports.to_dict(journal.report(date(2026, 11, 25)))
    empty = reports.to_dict(journal.report(date(2026, 11, 24)))
    assert empty.keys() == sales.keys() and empty["count"] == 0 and empty["methods"] == {}
    for totals in ("method_totals", "state_totals"):
        assert list(empty[totals]) == list(sales[totals])
        assert {k: v.keys() for k, v in empty[totals].items()} == {
            k: v.keys() for k, v in sales[totals].items()}
        assert {n for cell in empty[totals].values() for n in cell.values()} == {0}
    assert sales["method_totals"]["fps"] == {"count": 1, "credited_cents": 0,
                                             "refunded_cents": 1800,
                                             "refunded_manually_cents": 0}
    assert sales["state_totals"]["refunded"] == {"count": 1, "amount_cents": 1800}
    assert sales["state_totals"]["credited"] == {"count": 0, "amount_cents": 0}


@pytest.mark.parametrize(("cents", "text"), [(0, "0.00"), (5, "0.05"), (123456789, "1,234,567.89"),
                                             (-250, "-2.50")])
def test_hkd_formatting(cents, text):
    assert reports.hkd(cents) == text
