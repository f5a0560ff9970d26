"""Full phone numbers: kept only while needed, masked at a final state or after retention."""

import logging

import pytest

from contract.clock import FakeClock
from kiosk.journal.store import Journal

NUMBER = "85291234567"
DAY_S = 86400


@pytest.fixture
def clock():
    return FakeClock(1_795_579_200.0)


@pytest.fixture
def journal(tmp_path, clock):
    j = Journal.open(tmp_path / "j.sqlite3", "K01", clock, phone_retention_days=7)
    yield j
    j.close()


def new(journal, method="fps"):
    return journal.create(method, NUMBER, "P", "Q", {"en": "Day pass"}, 1800, 1800, "en")


def stored_numbers(journal) -> list:
    return [r[0] for r in journal._conn.execute("SELECT msisdn FROM transactions ORDER BY seq")]


@pytest.mark.parametrize("path", [
    ["order_pending", "awaiting_payment", "paid", "credit_pending", "credited"],
    ["order_pending", "awaiting_payment", "paid", "credit_pending", "refund_pending", "refunded"],
    ["order_pending", "cancelled"],
    ["needs_attention", "resolved"],
])
def test_number_cleared_at_final_state_masked_copy_kept(journal, path):
    t = new(journal)
    for state in path[:-1]:
        t = journal.advance(t.id, state)
        assert t.msisdn == NUMBER  # still needed to credit or refund
    t = journal.advance(t.id, path[-1])
    assert t.msisdn is None and t.msisdn_masked == "*******4567"
    assert stored_numbers(journal) == [None]


def test_card_decline_clears_the_number(journal):
    t = journal.advance(new(journal, method="card").id, "sale_pending")
    assert journal.advance(t.id, "declined").msisdn is None


def test_retention_masks_any_state_only_after_the_limit(journal, clock):
    waiting = journal.advance(new(journal).id, "needs_attention", attention_reason="unknown")
    clock.advance(6 * DAY_S)
    fresh = new(journal)
    assert journal.mask_expired_numbers(clock.now()) == 0
    clock.advance(1 * DAY_S + 1)
    assert journal.mask_expired_numbers(clock.now()) == 1
    assert journal.get(waiting.id).msisdn is None
    assert journal.get(waiting.id).state == "needs_attention"  # still visible to operators
    assert journal.get(fresh.id).msisdn == NUMBER
    assert journal.events(waiting.id)[-1].kind == "number_masked"
    clock.advance(7 * DAY_S)
    assert journal.mask_expired_numbers() == 1  # defaults to the journal's clock
    assert stored_numbers(journal) == [None, None]


def test_no_full_number_in_logs_or_events(journal, caplog):
    caplog.set_level(logging.DEBUG)
    t = new(journal)
    journal.note(t.id, "lookup", {"msisdn": NUMBER, "text": f"number {NUMBER} looked up"})
    journal.advance(t.id, "order_pending", detail={"echo": NUMBER})
    stored = journal.update(t.id, attention_reason=f"backend said {NUMBER}")
    assert stored.attention_reason == "backend said *******4567"
    journal.advance(t.id, "cancelled")
    assert NUMBER not in caplog.text
    for event in journal.events(t.id):
        assert NUMBER not in str(event.detail)
    assert "*******4567" in str(journal.events(t.id)[1].detail)
