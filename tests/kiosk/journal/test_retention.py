"""The retention report: which rows still hold a full number, by state and age."""

import pytest

from contract.clock import FakeClock
from kiosk.journal import retention
from kiosk.journal.store import Journal

NUMBER = "85291234567"
START, HOUR_S, DAY_S = 1_795_579_200.0, 3600, 86400


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def journal(tmp_path, clock):
    j = Journal.open(tmp_path / "j.sqlite3", "K01", clock, phone_retention_days=7)
    yield j
    j.close()


def new(journal, *states):
    txn = journal.create("fps", NUMBER, "P", "Q", {"en": "Day pass"}, 1800, 1800, "en")
    for state in states:
        journal.advance(txn.id, state)
    return txn


def test_an_empty_journal_reports_nothing_kept(journal):
    kept = journal.numbers_kept()
    assert kept.count == 0 and kept.oldest is None and kept.by_state() == {}
    data = retention.to_dict(kept)
    assert data["full_numbers"] == 0 and data["oldest"] is None and data["retention_days"] == 7
    assert "oldest: none" in retention.to_text(kept)


def test_rows_are_counted_by_state_and_age_and_final_ones_hold_none(journal, clock):
    old = new(journal, "order_pending", "awaiting_payment")          # created at START
    clock.advance(2 * DAY_S)
    new(journal, "order_pending", "awaiting_payment", "paid", "credit_pending", "credited")
    stuck = new(journal, "needs_attention")                          # START + 2 d
    clock.advance(3 * HOUR_S)
    recent = new(journal, "order_pending")                           # START + 2 d 3 h
    clock.advance(10 * 60)
    kept = journal.numbers_kept()
    assert kept.count == 3 and kept.final_count == 0 and kept.past_retention_count == 0
    assert kept.oldest.txn_id == old.id and kept.oldest.age_s == 2 * DAY_S + 3 * HOUR_S + 600
    assert kept.by_state() == {
        "order_pending": {"under_1h": 1, "1h_to_1d": 0, "1d_to_retention": 0, "past_retention": 0},
        "awaiting_payment": {"under_1h": 0, "1h_to_1d": 0, "1d_to_retention": 1,
                             "past_retention": 0},
        "needs_attention": {"under_1h": 0, "1h_to_1d": 1, "1d_to_retention": 0,
                            "past_retention": 0},
    }
    assert {r.txn_id for r in kept.rows} == {old.id, stuck.id, recent.id}


def test_a_row_past_retention_shows_until_the_sweep_masks_it(journal, clock):
    new(journal, "order_pending")
    clock.advance(7 * DAY_S + 1)
    kept = journal.numbers_kept()
    assert kept.past_retention_count == 1
    assert kept.by_state()["order_pending"]["past_retention"] == 1
    assert journal.mask_expired_numbers() == 1
    assert journal.numbers_kept().count == 0


def test_the_report_takes_the_retention_it_is_given(journal, clock):
    """A read-only opener does not know the setting: the caller passes it."""
    new(journal, "order_pending")
    clock.advance(2 * DAY_S)
    assert journal.numbers_kept(retention_days=1).past_retention_count == 1
    assert journal.numbers_kept(retention_days=3).past_retention_count == 0


def test_text_names_the_retention_the_oldest_and_never_the_number(journal, clock):
    txn = new(journal, "order_pending")
    clock.advance(5 * HOUR_S + 12 * 60)
    text = retention.to_text(journal.numbers_kept(), "K01")
    assert "retention: 7 days" in text and "rows holding a full number: 1" in text
    assert f"oldest: {txn.id} (order_pending)" in text and "5 h 12 min ago" in text
    (row,) = [ln for ln in text.splitlines() if ln.startswith("order_pending")]
    assert row.split() == ["order_pending", "0", "1", "0", "0"]
    assert NUMBER not in text and NUMBER not in retention.to_json(journal.numbers_kept())


@pytest.mark.parametrize("age_s,bucket", [
    (0, "under_1h"), (HOUR_S - 1, "under_1h"), (HOUR_S, "1h_to_1d"), (DAY_S, "1d_to_retention"),
    (7 * DAY_S, "1d_to_retention"), (7 * DAY_S + 1, "past_retention"),
])
def test_age_buckets(age_s, bucket):
    assert retention.age_bucket(age_s, 7) == bucket
