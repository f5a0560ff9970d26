"""Every move of the state table, allowed and refused, through the real journal.

The expected table (transition_table.py) is written out from internals.md, independently of the
code's table.
"""

import pytest

from contract.clock import FakeClock
from kiosk.journal.models import STATES
from kiosk.journal.store import IllegalTransition, Journal
from tests.kiosk.journal.transition_table import FINAL, PATHS, UNFINISHED, expected_moves


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    j = Journal.open(tmp_path_factory.mktemp("t") / "j.sqlite3", "K01", FakeClock())
    yield j
    j.close()


CASES = [(kind, src) for kind in ("wallet", "card", "octopus", "scan") for src in STATES
         if PATHS[kind][src] is not None]


def test_the_state_list_is_the_documented_one():
    assert set(STATES) == FINAL | UNFINISHED | {"needs_attention"}


@pytest.mark.parametrize(("kind", "src"), CASES)
def test_every_move_from_a_state(journal, kind, src):
    method = {"card": "card", "octopus": "octopus", "scan": "scan_alipay"}.get(kind, "fps")
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
