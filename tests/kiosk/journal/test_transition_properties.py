"""Property: random sequences of allowed and refused moves keep the journal's invariants.

The model uses the table written out in transition_table.py (not the code's own table).
"""

import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from contract.clock import FakeClock
from kiosk.journal.models import STATES
from kiosk.journal.store import IllegalTransition, Journal
from tests.kiosk.journal.transition_table import FINAL, expected_moves

RETENTION_S = 7 * 86400


class JournalMachine(RuleBasedStateMachine):
    txns = Bundle("txns")

    def __init__(self):
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        self.clock = FakeClock()
        self.journal = Journal.open(Path(self.dir.name) / "j.sqlite3", "K01", self.clock)
        self.model: dict[str, dict] = {}

    def teardown(self):
        self.journal.close()
        self.dir.cleanup()

    @rule(target=txns, method=st.sampled_from(["card", "fps", "wechatpay"]),
          amount=st.integers(0, 10**7))
    def create(self, method, amount):
        t = self.journal.create(method, "85291234567", "P", "Q", {}, amount, amount, "en")
        kind = "card" if method == "card" else "wallet"
        self.model[t.id] = {"kind": kind, "state": "created", "events": 1, "amount": amount,
                            "born": self.clock.now(), "expired": False}
        return t.id

    @rule(txn_id=txns, dest=st.sampled_from(STATES), seconds=st.integers(0, 3 * 86400))
    def move(self, txn_id, dest, seconds):
        self.clock.advance(seconds)
        entry = self.model[txn_id]
        if dest in expected_moves(entry["kind"], entry["state"]):
            assert self.journal.advance(txn_id, dest).state == dest
            entry["state"] = dest
            entry["events"] += 1
        else:
            try:
                self.journal.advance(txn_id, dest)
            except IllegalTransition:
                pass
            else:
                raise AssertionError(f"{entry['state']} -> {dest} was allowed")

    @rule(txn_id=txns, status=st.sampled_from(["printed", "paper_out", "e_receipt"]))
    def receipt(self, txn_id, status):
        assert self.journal.update(txn_id, receipt_status=status).receipt_status == status
        self.model[txn_id]["events"] += 1

    @rule(txn_id=txns)
    def note(self, txn_id):
        self.journal.note(txn_id, "poll", {"status": "pending"})
        self.model[txn_id]["events"] += 1

    @rule()
    def expire(self):
        masked = self.journal.mask_expired_numbers(self.clock.now())
        due = [e for e in self.model.values() if not e["expired"] and e["state"] not in FINAL
               and e["born"] < self.clock.now() - RETENTION_S]
        for entry in due:
            entry["expired"] = True
            entry["events"] += 1
        assert masked == len(due)

    @invariant()
    def rows_match_the_model(self):
        rows = self.journal.list(limit=10_000)
        assert sorted(t.seq for t in rows) == list(range(1, len(self.model) + 1))
        for t in rows:
            entry = self.model[t.id]
            assert t.state == entry["state"] and t.state in STATES
            assert t.amount_cents == entry["amount"]
            assert (t.msisdn is None) == (t.state in FINAL or entry["expired"])
            assert len(self.journal.events(t.id)) == entry["events"]


JournalMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30,
                                            deadline=None)
TestJournalProperties = JournalMachine.TestCase
