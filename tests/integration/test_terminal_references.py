"""A terminal keeps outcomes by reference; a kiosk whose journal is replaced must never ask it
about a new sale under an old sale's reference (it would get the old outcome)."""

from __future__ import annotations

import pytest

from contract.clock import FakeClock
from devices.card_terminal.driver import SerialCardTerminal
from devices.card_terminal.simulator import CardTerminalSimulator, Delays
from kiosk.journal.store import Journal

pytestmark = pytest.mark.slow
NOON_HK = 1_795_579_200.0


def card_sale(journal):
    txn = journal.create("card", "85291234567", "P30", "Q1", {"en": "30-day"}, 8820, 9800, "en")
    return journal.advance(txn.id, "sale_pending")


def test_a_fresh_journal_never_gets_an_old_sales_outcome(tmp_path):
    """GIVEN a terminal (state kept on disk) that approved the first sale of a journal, and
    that journal set aside for a new one, WHEN the new journal's first sale is queried THEN the
    terminal does not know it (NOT_FOUND), rather than answering the old APPROVED."""
    clock = FakeClock(NOON_HK)
    simulator = CardTerminalSimulator(state_path=tmp_path / "terminal.json",
                                      delays=Delays(stage_s=0.0, cancel_s=0.0))
    terminal = SerialCardTerminal(simulator.start("pty"))
    try:
        old = Journal.open(tmp_path / "journal.sqlite3", "K01", clock)
        first = card_sale(old)
        old.close()
        assert terminal.sale(first.ecr_ref, first.amount_cents).result == "APPROVED"
        (tmp_path / "journal.sqlite3").rename(tmp_path / "journal.sqlite3.corrupt")
        clock.advance(86400)  # a reinstall the next day
        new = Journal.open(tmp_path / "journal.sqlite3", "K01", clock)
        again = card_sale(new)
        new.close()
        assert again.seq == first.seq and again.ecr_ref != first.ecr_ref
        assert terminal.query(again.ecr_ref).result == "NOT_FOUND"
        assert terminal.query(first.ecr_ref).result == "APPROVED"  # the terminal remembers
    finally:
        terminal.close()
        simulator.stop()
