"""Rows retrying by themselves, rows taken back from needs_attention, and terminal references
that never repeat in a kiosk's lifetime (schema version 2)."""

import re
import sqlite3
from datetime import date

import pytest

from contract.clock import FakeClock
from kiosk.journal import schema
from kiosk.journal.models import journal_instance, make_keys
from kiosk.journal.store import IllegalTransition, Journal

NOON_HK = 1_795_579_200.0  # 2026-11-25 12:00 Hong Kong


@pytest.fixture
def clock():
    return FakeClock(NOON_HK)


@pytest.fixture
def journal(tmp_path, clock):
    j = Journal.open(tmp_path / "journal.sqlite3", "K01", clock)
    yield j
    j.close()


def card_sale(journal):
    txn = journal.create("card", "85291234567", "P30", "Q1", {"en": "30-day"}, 8820, 9800, "en")
    return journal.advance(txn.id, "sale_pending")


def test_a_retry_is_scheduled_counted_and_kept_apart_from_needs_attention(journal, clock):
    txn = card_sale(journal)
    txn = journal.retry_later(txn.id, "card sale outcome unknown", 4.0)
    assert txn.state == "sale_pending" and txn.retrying
    assert (txn.retry_attempts, txn.retry_error) == (1, "card sale outcome unknown")
    assert txn.retry_at == "2026-11-25T04:00:04.000Z"
    assert [t.id for t in journal.retrying()] == [txn.id] and journal.needing_attention() == []
    assert journal.retry_later(txn.id, "again", 8.0).retry_attempts == 2
    assert [e.kind for e in journal.events(txn.id)][-2:] == ["retry_scheduled", "retry_scheduled"]


def test_retry_now_makes_it_due_and_a_settled_row_stops_retrying(journal, clock):
    txn = journal.retry_later(card_sale(journal).id, "card sale outcome unknown", 300.0)
    clock.advance(10)
    assert journal.retry_now(txn.id, who="1001").retry_at == "2026-11-25T04:00:10.000Z"
    txn = journal.advance(txn.id, "declined")
    assert not txn.retrying and txn.retry_at is None and journal.retrying() == []
    assert journal.retry_now(txn.id).state == "declined"  # nothing to hurry


def test_revive_takes_a_row_back_to_the_state_it_left(journal):
    txn = journal.advance(card_sale(journal).id, "needs_attention",
                          attention_reason="not settled automatically: card sale outcome unknown")
    txn = journal.revive(txn.id, "an ambiguity, retried")
    assert txn.state == "sale_pending" and txn.retrying and txn.attention_reason is None
    moves = [(e.from_state, e.to_state) for e in journal.events(txn.id) if e.kind == "state"]
    assert moves[-1] == ("needs_attention", "sale_pending")
    with pytest.raises(IllegalTransition):  # only a row in needs_attention can be revived
        journal.revive(txn.id, "again")


def test_references_are_unique_short_and_carry_the_journal_instance(journal):
    txn = card_sale(journal)
    assert journal.instance == journal_instance(NOON_HK)
    assert txn.ecr_ref == f"K01-{journal.instance}-000001"
    for ref in (txn.ecr_ref, txn.void_ecr_ref, txn.refund_ecr_ref):
        assert re.fullmatch(r"[A-Z0-9-]{1,20}", ref), ref


def test_a_replaced_journal_never_reuses_a_terminal_reference(tmp_path, clock):
    """GIVEN a journal set aside and a new one created later (a reinstall) THEN the new
    journal's first sale has another reference than the old one's first sale."""
    old = Journal.open(tmp_path / "old.sqlite3", "K01", clock)
    first_old = card_sale(old)
    old.close()
    clock.advance(1)
    new = Journal.open(tmp_path / "new.sqlite3", "K01", clock)
    first_new = card_sale(new)
    new.close()
    assert first_new.seq == first_old.seq == 1
    assert first_new.ecr_ref != first_old.ecr_ref


def test_the_instance_is_written_once_and_survives_reopening(tmp_path, clock):
    path = tmp_path / "journal.sqlite3"
    first = Journal.open(path, "K01", clock)
    instance = first.instance
    first.close()
    clock.advance(3600)
    again = Journal.open(path, "K01", clock)
    try:
        assert again.instance == instance
    finally:
        again.close()


def test_a_version_1_journal_is_migrated_and_keeps_its_old_references(tmp_path, clock):
    path = tmp_path / "journal.sqlite3"
    conn = sqlite3.connect(path)
    for statement in schema._statements(schema.MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    keys = make_keys("K01", date(2026, 11, 24), 1)
    conn.execute(
        "INSERT INTO transactions (id, kiosk_id, seq, local_day, state, method, amount_cents,"
        " list_price_cents, msisdn, msisdn_masked, plan_id, quote_id, plan_name_json, language,"
        " out_trade_no, credit_key, refund_key, ecr_ref, void_ecr_ref, refund_ecr_ref,"
        " created_at, updated_at) VALUES (?, 'K01', 1, '2026-11-24', 'credited', 'card', 100,"
        " 100, NULL, '*******4567', 'P', 'Q', '{}', 'en', ?, ?, ?, ?, ?, ?, ?, ?)",
        (keys["id"], keys["out_trade_no"], keys["credit_key"], keys["refund_key"],
         keys["ecr_ref"], keys["void_ecr_ref"], keys["refund_ecr_ref"],
         "2026-11-24T04:00:00.000Z", "2026-11-24T04:00:00.000Z"))
    conn.execute("INSERT INTO kiosk_seq (kiosk_id, last_seq) VALUES ('K01', 1)")
    conn.commit()
    conn.close()
    journal = Journal.open(path, "K01", clock)
    try:
        old = journal.get(keys["id"])
        assert old.ecr_ref == "K01-000001" and old.retry_attempts == 0 and not old.retrying
        assert card_sale(journal).ecr_ref == f"K01-{journal.instance}-000002"
    finally:
        journal.close()
