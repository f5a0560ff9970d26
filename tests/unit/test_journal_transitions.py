"""Every move of the state table, allowed and refused, through the real journal.

The expected table is written out here from internals.md, independently of the code's table.
"""

import pytest

from contract.clock import FakeClock
from kiosk.journal.models import STATES
from kiosk.journal.store import IllegalTransition, Journal

FINAL = {"credited", "refunded", "cancelled", "declined", "resolved"}
UNFINISHED = {"created", "order_pending", "awaiting_payment", "cancel_pending", "sale_pending",
              "paid", "credit_pending", "refund_pending"}
COMMON = {
    "paid": {"credit_pending"},
    "credit_pending": {"credited", "refund_pending"},
    "refund_pending": {"refunded"},
    "needs_attention": {"credit_pending", "refund_pending", "resolved"},
}
EXPECTED = {
    "wallet": {**COMMON,
               "created": {"order_pending"},
               "order_pending": {"awaiting_payment", "cancelled"},
               "awaiting_payment": {"paid", "cancel_pending"},
               "cancel_pending": {"cancelled", "paid"}},
    "card": {**COMMON,
             "created": {"sale_pending"},
             "sale_pending": {"paid", "declined", "cancelled"}},
}
# A way to reach each state, per method (None: the state is not reachable by that method).
PATHS = {
    "wallet": {
        "created": [], "order_pending": ["order_pending"],
        "awaiting_payment": ["order_pending", "awaiting_payment"],
        "cancel_pending": ["order_pending", "awaiting_payment", "cancel_pending"],
        "sale_pending": None,
        "paid": ["order_pending", "awaiting_payment", "paid"],
        "credit_pending": ["order_pending", "awaiting_payment", "paid", "credit_pending"],
        "refund_pending": ["order_pending", "awaiting_payment", "paid", "credit_pending",
                           "refund_pending"],
        "needs_attention": ["order_pending", "needs_attention"],
        "credited": ["order_pending", "awaiting_payment", "paid", "credit_pending", "credited"],
        "refunded": ["order_pending", "awaiting_payment", "paid", "credit_pending",
                     "refund_pending", "refunded"],
        "cancelled": ["order_pending", "cancelled"],
        "declined": None,
        "resolved": ["needs_attention", "resolved"],
    },
    "card": {
        "created": [], "order_pending": None, "awaiting_payment": None, "cancel_pending": None,
        "sale_pending": ["sale_pending"],
        "paid": ["sale_pending", "paid"],
        "credit_pending": ["sale_pending", "paid", "credit_pending"],
        "refund_pending": ["sale_pending", "paid", "credit_pending", "refund_pending"],
        "needs_attention": ["sale_pending", "needs_attention"],
        "credited": ["sale_pending", "paid", "credit_pending", "credited"],
        "refunded": ["sale_pending", "paid", "credit_pending", "refund_pending", "refunded"],
        "cancelled": ["sale_pending", "cancelled"],
        "declined": ["sale_pending", "declined"],
        "resolved": ["sale_pending", "needs_attention", "resolved"],
    },
}


def expected_moves(kind: str, state: str) -> set[str]:
    moves = set(EXPECTED[kind].get(state, set()))
    if state in UNFINISHED:
        moves.add("needs_attention")
    return moves


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    j = Journal.open(tmp_path_factory.mktemp("t") / "j.sqlite3", "K01", FakeClock())
    yield j
    j.close()


CASES = [(kind, src) for kind in ("wallet", "card") for src in STATES
         if PATHS[kind][src] is not None]


def test_the_state_list_is_the_documented_one():
    assert set(STATES) == FINAL | UNFINISHED | {"needs_attention"}


@pytest.mark.parametrize(("kind", "src"), CASES)
def test_every_move_from_a_state(journal, kind, src):
    method = "card" if kind == "card" else "fps"
    allowed = expected_moves(kind, src)
    for dest in STATES:
        txn = journal.create(method, "85291234567", "P", "Q", {}, 100, 100, "en")
        for step in PATHS[kind][src]:
            journal.advance(txn.id, step)
        before = len(journal.events(txn.id))
        if dest in allowed:
            assert journal.advance(txn.id, dest).state == dest
            assert len(journal.events(txn.id)) == before + 1
        else:
            with pytest.raises(IllegalTransition):
                journal.advance(txn.id, dest)
            assert journal.get(txn.id).state == src
            assert len(journal.events(txn.id)) == before


def test_unknown_state_is_refused(journal):
    txn = journal.create("card", "85291234567", "P", "Q", {}, 100, 100, "en")
    with pytest.raises(IllegalTransition):
        journal.advance(txn.id, "teleported")
