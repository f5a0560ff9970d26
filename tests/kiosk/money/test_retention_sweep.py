"""Recovery and the reconciler apply the phone-number retention, whatever a row's state."""

import pytest

from contract.clock import FakeClock
from kiosk.journal.store import Journal
from kiosk.money.recovery import MASK_INTERVAL_S, Reconciler, recover
from kiosk.settings import load

DAY_S = 86400


@pytest.fixture
def clock():
    return FakeClock(1_795_579_200.0)


@pytest.fixture
def journal(tmp_path, clock):
    j = Journal.open(tmp_path / "j.sqlite3", "K01", clock, phone_retention_days=7)
    yield j
    j.close()


def waiting_for_a_person(journal):
    t = journal.create("fps", "85291234567", "P", "Q", {"en": "Day pass"}, 1800, 1800, "en")
    return journal.advance(t.id, "needs_attention", attention_reason="operator to check")


def test_start_up_recovery_masks_numbers_past_retention(journal, clock):
    old = waiting_for_a_person(journal)
    clock.advance(8 * DAY_S)
    recover(journal, backend=None, terminal=None, settings=load(), clock=clock)
    row = journal.get(old.id)
    assert row.msisdn is None and row.msisdn_masked == "*******4567"
    assert row.state == "needs_attention"  # masking never settles a row


def test_reconciler_sweeps_at_most_hourly(journal, clock):
    reconciler = Reconciler(journal, None, None, load(), clock=clock)
    first = waiting_for_a_person(journal)
    clock.advance(8 * DAY_S)
    reconciler.run_once()
    assert journal.get(first.id).msisdn is None
    second = waiting_for_a_person(journal)
    clock.advance(8 * DAY_S)
    reconciler.run_once()  # the last sweep was 8 days ago: sweeps again
    assert journal.get(second.id).msisdn is None
    third = waiting_for_a_person(journal)
    clock.advance(8 * DAY_S)
    reconciler._masked_at = clock.monotonic() - MASK_INTERVAL_S / 2
    reconciler.run_once()
    assert journal.get(third.id).msisdn == "85291234567"  # not yet: next sweep within the hour
