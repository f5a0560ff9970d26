"""Several state moves in one commit: each move checked and in the history, one fsync."""

import pytest

from contract.clock import FakeClock
from kiosk.journal.store import IllegalTransition, Journal

NOON_HK = 1_795_579_200.0


@pytest.fixture
def journal(tmp_path):
    j = Journal.open(tmp_path / "journal.sqlite3", "K01", FakeClock(NOON_HK))
    yield j
    j.close()


def commits(journal) -> list[int]:
    """Counts the journal's committed write transactions from now on."""
    count = [0]
    write = journal._write

    def counted():
        count[0] += 1
        return write()

    journal._write = counted
    return count


def new(journal, method="wechatpay", then=None, then_fields=None):
    return journal.create(method, "85291234567", "P30", "Q1", {"en": "30-day pack"}, 8820, 9800,
                          "en", then=then, then_fields=then_fields)


def states(journal, txn_id):
    return [(e.from_state, e.to_state) for e in journal.events(txn_id) if e.to_state]


def test_create_then_order_pending_is_one_commit_with_both_steps(journal):
    counted = commits(journal)
    txn = new(journal, then="order_pending")
    assert counted[0] == 1
    assert txn.state == "order_pending" and journal.get(txn.id).state == "order_pending"
    assert states(journal, txn.id) == [(None, "created"), ("created", "order_pending")]


def test_create_then_hold_pending_sets_fields_made_from_the_new_row_in_the_one_commit(journal):
    counted = commits(journal)
    seen = []

    def hold(txn):
        seen.append((txn.id, txn.state))
        return {"hold_key": f"{txn.id}-H", "hold_state": "requested"}

    txn = new(journal, "card", then="hold_pending", then_fields=hold)
    assert counted[0] == 1
    assert seen == [(txn.id, "created")]
    assert (txn.state, txn.hold_key, txn.hold_state) == ("hold_pending", f"{txn.id}-H",
                                                         "requested")
    assert journal.get(txn.id) == txn
    moves = [e for e in journal.events(txn.id) if e.to_state]
    assert [(e.from_state, e.to_state) for e in moves] == [(None, "created"),
                                                          ("created", "hold_pending")]
    assert moves[-1].detail == {"hold_key": f"{txn.id}-H", "hold_state": "requested"}


def test_then_fields_that_cannot_be_set_keep_nothing(journal):
    with pytest.raises(ValueError, match="cannot be set"):
        new(journal, then="hold_pending", then_fields=lambda txn: {"amount_cents": 1})
    with pytest.raises(ValueError, match="then"):
        new(journal, then_fields=lambda txn: {"hold_state": "requested"})
    assert journal.list() == []


def test_paid_and_credit_pending_in_one_commit_fields_with_the_first(journal):
    txn = new(journal, "card")
    journal.advance(txn.id, "sale_pending", batch_no=1)
    counted = commits(journal)
    txn = journal.advance_through(txn.id, ("paid", "credit_pending"), auth_code="123456")
    assert counted[0] == 1
    assert txn.state == "credit_pending" and txn.auth_code == "123456"
    moves = [e for e in journal.events(txn.id) if e.kind == "state"]
    assert [(e.from_state, e.to_state) for e in moves][-2:] == [("sale_pending", "paid"),
                                                                 ("paid", "credit_pending")]
    assert moves[-2].detail == {"auth_code": "123456"} and moves[-1].detail == {}


def test_an_illegal_step_anywhere_keeps_nothing(journal):
    txn = new(journal, then="order_pending")
    with pytest.raises(IllegalTransition):
        journal.advance_through(txn.id, ("awaiting_payment", "credit_pending"))
    assert journal.get(txn.id).state == "order_pending"
    assert states(journal, txn.id)[-1] == ("created", "order_pending")
    with pytest.raises(IllegalTransition):
        new(journal, "card", then="order_pending")  # a card sale never has an order
    assert [t.method for t in journal.list()] == ["wechatpay"]


def test_the_number_is_dropped_when_the_last_step_is_final(journal):
    txn = new(journal, then="order_pending")
    journal.advance(txn.id, "awaiting_payment")
    txn = journal.advance_through(txn.id, ("cancel_pending", "cancelled"))
    assert txn.state == "cancelled" and txn.msisdn is None
