"""A card purchase on a terminal that dies mid-sale: the customer's wait ends within the bound
(the real driver, the real purchase service and journal), the customer hears ``Retrying``, the
row stays sale_pending for the background recovery, which settles it by QUERY once the terminal
answers again: never a second SALE."""

from __future__ import annotations

import time

import pytest

from contract.clock import SystemClock
from devices.card_terminal.simulator import CardTerminalSimulator, Delays
from kiosk.hardware.card_terminal import open_terminal
from kiosk.journal.store import Journal
from kiosk.money.purchases import PurchaseService
from kiosk.money.recovery import recover
from kiosk.settings import load
from tests.fakes.backend import FakeBackend
from tests.integration.conftest import KIOSK_ID
from tests.kiosk.money.rig import offer, subscriber

BOUND_S, SLACK_S = 2.0, 3.0
TIMERS = dict(t_ack_s=0.3, t_char_s=0.1, evt_watchdog_s=30.0, answer_timeout_s=1.0,
              recovery_s=30.0, probe_interval_s=0.3, probe_timeout_s=0.3,
              reconnect_interval_s=0.05, connect_wait_s=3.0, silence_s=1.0,
              silence_bound_s=BOUND_S)


@pytest.fixture
def world(tmp_path):
    settings = load(None, {"payments.poll_interval_s": 0.05})
    journal = Journal.open(tmp_path / "journal.sqlite3", KIOSK_ID)
    sim = CardTerminalSimulator("silent", state_path=tmp_path / "terminal.json",
                                delays=Delays.none(), t_ack_s=0.3, t_char_s=0.1)
    driver = open_terminal(settings, sim.start("pty"), **TIMERS)
    yield settings, journal, sim, driver
    driver.close()
    sim.stop()
    journal.close()


def test_a_terminal_dying_mid_sale_ends_the_customers_wait_within_the_bound(world):
    settings, journal, sim, driver = world
    backend = FakeBackend()
    events = []
    service = PurchaseService(journal, backend, driver, settings, SystemClock())
    service.subscribe(events.append)
    started = time.monotonic()
    txn_id = service.start_card(subscriber("85291234567"), offer(), "en")
    assert service.join(BOUND_S + SLACK_S + 5)
    took = time.monotonic() - started
    assert took <= BOUND_S + SLACK_S, f"{took:.1f} s"
    assert [type(e).__name__ for e in events][-1] == "Retrying"
    txn = journal.get(txn_id)
    assert txn.state == "sale_pending" and txn.retrying
    assert backend.credits == []

    sim.set_scenario("approve", next_sale_only=False)
    sim.set_fault("silent", False)  # the power is back
    recover(journal, backend, driver, settings, SystemClock())
    txn = journal.get(txn_id)
    # The power went before the card was read: QUERY answers NOT_FOUND, nothing was charged.
    assert txn.state == "cancelled" and sim.charges == 0 and backend.credits == []
    assert driver.outcome_unknown is None  # a new sale may start
