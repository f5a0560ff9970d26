"""Retry until definite: the backoff, when a row is due, and which rows go to a person."""

import random
from types import SimpleNamespace

import pytest

from contract.clock import FakeClock
from kiosk.journal.store import Journal
from kiosk.money import retrying
from kiosk.money.context import MoneyContext, Unsettled

NOON_HK = 1_795_579_200.0
SETTINGS = SimpleNamespace(payments=SimpleNamespace(retry_initial_s=1.0, retry_max_s=300.0))
EVENTS: list = []  # what the money engine told the flow


@pytest.fixture
def ctx(tmp_path):
    clock = FakeClock(NOON_HK)
    journal = Journal.open(tmp_path / "journal.sqlite3", "K01", clock)
    context = MoneyContext(journal, None, None, SETTINGS, clock, EVENTS.append)
    EVENTS.clear()
    yield context
    journal.close()


def credit_pending(ctx):
    txn = ctx.journal.create("fps", "85291234567", "P", "Q", {}, 8820, 8820, "en")
    for state in ("order_pending", "awaiting_payment", "paid", "credit_pending"):
        txn = ctx.journal.advance(txn.id, state)
    return txn


@pytest.mark.parametrize("attempt, full_s", [(0, 1), (1, 2), (2, 4), (8, 256), (9, 300),
                                             (60, 300)])
def test_backoff_doubles_to_the_cap_with_jitter_of_at_most_half(attempt, full_s):
    waits = [retrying.backoff_s(attempt, SETTINGS, random.Random(seed)) for seed in range(50)]
    assert all(full_s / 2 <= w <= full_s for w in waits)
    assert max(waits) - min(waits) > full_s / 10  # spread: a fleet does not retry in step


def test_an_ambiguity_waits_for_its_next_retry_and_is_due_when_the_time_comes(ctx):
    txn = credit_pending(ctx)
    txn = retrying.unsettled(ctx, txn.id, Unsettled(txn.id, "credit not confirmed"))
    assert txn.state == "credit_pending" and txn.retrying and txn.retry_attempts == 1
    assert not retrying.due(txn, ctx.clock.now())
    ctx.clock.advance(1.0)  # the first wait is at most retry_initial_s
    assert retrying.due(txn, ctx.clock.now())
    assert EVENTS == []  # the purchase tells the customer (Retrying); this step only schedules


def test_a_definite_answer_no_step_can_act_on_goes_to_a_person(ctx):
    txn = credit_pending(ctx)
    txn = retrying.unsettled(ctx, txn.id, Unsettled(txn.id, "credit refused: 409", retry=False))
    assert txn.state == "needs_attention" and not txn.retrying
    assert txn.attention_reason == "not settled automatically: credit refused: 409"


@pytest.mark.parametrize("reason, retryable", [
    ("not settled automatically: credit not confirmed", True),
    ("not settled automatically: refund not confirmed", True),
    ("not settled automatically: order close not confirmed (close None, status pending)", True),
    ("not settled automatically: card sale outcome unknown", True),
    ("not settled automatically: credit refused: 409", False),
    ("refund refused: not_refundable", False),
    ("amount_mismatch: the terminal approved 1 cents for a sale of 8820", False),
    (None, False),
])
def test_which_old_needs_attention_reasons_are_retried(reason, retryable):
    assert retrying.retryable_attention(reason) is retryable


def test_revive_takes_back_only_the_ambiguities(ctx):
    ambiguous = credit_pending(ctx)
    ctx.journal.advance(ambiguous.id, "needs_attention",
                        attention_reason="not settled automatically: credit not confirmed")
    refused = credit_pending(ctx)
    ctx.journal.advance(refused.id, "refund_pending")
    ctx.journal.advance(refused.id, "needs_attention",
                        attention_reason="refund refused: not_refundable")
    assert retrying.revive_retryable(ctx) == [ambiguous.id]
    assert ctx.journal.get(ambiguous.id).state == "credit_pending"
    assert ctx.journal.get(refused.id).state == "needs_attention"
