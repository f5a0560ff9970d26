"""Operator retries through the money engine against the backend simulator over real HTTP:
the same keys, so a replay or a lost first answer never credits or refunds twice."""

import pytest

from contract.clock import SystemClock
from kiosk.backend.client import BackendClient
from kiosk.journal.store import Journal
from kiosk.maintenance.actions import Devices, MaintenanceActions
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.operator_session import MaintenanceSession
from kiosk.maintenance.retry import OperatorRetries
from kiosk.ops.health import HealthMonitor
from kiosk.settings import load
from simulators.backend import BackendSimulator
from simulators.backend.control import SimulatorControl


@pytest.fixture
def world(tmp_path):
    sim = BackendSimulator(port=0, secrets={"K01": "demo-kiosk-secret"}).start()
    client = BackendClient(sim.url, "K01", "demo-kiosk-secret", retry_deadline_s=2)
    control = SimulatorControl(sim.url)
    clock = SystemClock()
    settings = load(None, {"kiosk.data_dir": str(tmp_path), "backend.url": sim.url})
    journal = Journal.open(tmp_path / "journal.sqlite3", "K01", clock)
    audit = AuditLog(tmp_path / "audit.sqlite3", clock)
    retries = OperatorRetries(journal, client, None, settings, clock)
    actions = MaintenanceActions(
        journal, audit, HealthMonitor(clock, min_free_disk_mb=1, backend_grace_s=60), clock,
        kiosk_id="K01", devices=Devices(backend=client), retry_credit=retries.retry_credit,
        retry_refund=retries.retry_refund)
    yield actions, journal, client, control, MaintenanceSession("1001", clock)
    audit.close()
    journal.close()
    control.close()
    client.close()
    sim.stop()


def paid_then_stuck(journal, client, control, credited_at_backend: bool):
    """A wallet purchase paid at the simulator whose credit answer was lost: needs attention."""
    offer = client.get_subscriber("85291234567").offers[0]
    txn = journal.create("fps", "85291234567", offer.plan_id, offer.quote_id, offer.name,
                         offer.price_cents, offer.list_price_cents, "en")
    journal.advance(txn.id, "order_pending")
    client.create_payment(txn.out_trade_no, "fps", offer.price_cents, "test", 120)
    journal.advance(txn.id, "awaiting_payment")
    control.pay(txn.out_trade_no)
    journal.advance(txn.id, "paid")
    journal.advance(txn.id, "credit_pending")
    if credited_at_backend:
        client.create_topup(txn.credit_key, "85291234567", offer.quote_id, offer.plan_id,
                            offer.price_cents, "fps", txn.out_trade_no, txn.id)
    return journal.advance(txn.id, "needs_attention", attention_reason="credit_unconfirmed")


def topups_for(control, key):
    return [t for t in control.ledger()["topups"] if key in str(t)]


def refunds_for(control, out_trade_no):
    return [r for r in control.ledger()["refunds"] if out_trade_no in str(r)]


def test_retry_after_a_lost_credit_answer_is_already_credited_and_replays_are_harmless(world):
    actions, journal, client, control, session = world
    txn = paid_then_stuck(journal, client, control, credited_at_backend=True)
    first = actions.retry_credit(session, txn.id)
    again = actions.retry_credit(session, txn.id)
    assert (first.outcome, again.outcome) == ("already_credited", "already_credited")
    assert journal.get(txn.id).state == "credited"
    assert len(topups_for(control, txn.credit_key)) == 1


def test_retry_credit_credits_once(world):
    actions, journal, client, control, session = world
    txn = paid_then_stuck(journal, client, control, credited_at_backend=False)
    assert actions.retry_credit(session, txn.id).outcome == "credited"
    assert actions.retry_credit(session, txn.id).outcome == "already_credited"
    assert len(topups_for(control, txn.credit_key)) == 1


def test_refund_with_the_stored_key_once_and_never_after_a_credit(world):
    actions, journal, client, control, session = world
    txn = paid_then_stuck(journal, client, control, credited_at_backend=False)
    assert actions.refund(session, txn.id).outcome == "refunded"
    assert actions.refund(session, txn.id).outcome == "already_refunded"
    assert len(refunds_for(control, txn.out_trade_no)) == 1

    credited = paid_then_stuck(journal, client, control, credited_at_backend=True)
    refused = actions.refund(session, credited.id)
    assert (refused.ok, refused.outcome) == (False, "already_credited")
    assert refunds_for(control, credited.out_trade_no) == []
    assert journal.get(credited.id).state == "needs_attention"
