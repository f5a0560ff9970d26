"""Needs-attention actions replayed safely (same keys, never deleted), device actions, audit."""

import pytest

from contract.clock import FakeClock
from devices.interfaces import DeviceState, DeviceStatus, PaperState
from kiosk.journal.store import Journal
from kiosk.maintenance.actions import Devices, MaintenanceActions
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.operator_session import MaintenanceSession
from kiosk.ops.health import HealthMonitor
from tests.fakes.backend import FakeBackend, Order
from tests.fakes.card_terminal import FakeTerminal
from tests.fakes.printer import FakePrinter
from tests.fakes.retries import FakeRetries


@pytest.fixture
def kit(tmp_path):
    clock = FakeClock()
    journal = Journal.open(tmp_path / "journal.sqlite3", "K01", clock)
    audit = AuditLog(tmp_path / "audit.sqlite3", clock)
    health = HealthMonitor(clock, min_free_disk_mb=50, backend_grace_s=60)
    backend = FakeBackend()
    retries = FakeRetries(journal, backend)
    printer, terminal, restarts = FakePrinter(), FakeTerminal(), []
    actions = MaintenanceActions(
        journal, audit, health, clock, kiosk_id="K01", location="Central",
        devices=Devices(terminal=terminal, printer=printer, backend=backend),
        retry_credit=retries.retry_credit, retry_refund=retries.retry_refund,
        request_restart=lambda: restarts.append(1))
    session = MaintenanceSession("1001", clock, 300)
    yield actions, journal, audit, backend, printer, terminal, health, session, restarts
    journal.close()
    audit.close()


def stuck(journal, backend, paid=True, method="fps"):
    """A transaction that ended in needs_attention, after payment (or before it): the wallet
    order is at the backend, paid or not."""
    txn = journal.create(method, "85291234567", "HK-30D-10GB", "q-1", {"en": "30 days 10 GB"},
                         8820, 9800, "en")
    path = ["order_pending", "awaiting_payment"] + (["paid", "credit_pending"] if paid else [])
    for state in path:
        journal.advance(txn.id, state)
    backend.orders[txn.out_trade_no] = Order(method, 8820, "paid" if paid else "pending")
    return journal.advance(txn.id, "needs_attention", attention_reason="credit_unsettled")


def credit_at_backend(backend, txn):
    """The backend credits the row's key, as the kiosk asked before the answer was lost."""
    backend.create_topup(txn.credit_key, txn.msisdn, txn.quote_id, txn.plan_id,
                         txn.amount_cents, txn.method, txn.out_trade_no, txn.id)


def test_safe_actions_depend_on_whether_money_was_taken(kit):
    actions, journal, _audit, backend, *_ = kit
    assert actions.safe_actions(stuck(journal, backend)) == ("retry_credit", "refund", "resolve")
    assert actions.safe_actions(stuck(journal, backend, paid=False)) == ("resolve",)


def test_retry_credit_then_replay_is_harmless_and_shown_as_already_credited(kit):
    actions, journal, audit, backend, *_, session, _ = kit
    txn = stuck(journal, backend)
    first = actions.retry_credit(session, txn.id)
    assert (first.ok, first.outcome) == (True, "credited")
    again = actions.retry_credit(session, txn.id)
    assert (again.ok, again.outcome) == (True, "already_credited")
    assert backend.posted == [("create_topup", txn.credit_key)]
    assert journal.get(txn.id).state == "credited"
    assert [(e.action, e.result) for e in reversed(audit.entries())] == [
        ("retry_credit", "credited"), ("retry_credit", "already_credited")]


def test_retry_when_the_backend_had_credited_but_the_answer_was_lost(kit):
    actions, journal, _audit, backend, *_, session, _ = kit
    txn = stuck(journal, backend)
    credit_at_backend(backend, txn)  # credited at the backend; the kiosk never heard
    result = actions.retry_credit(session, txn.id)
    assert result.outcome == "already_credited"
    assert set(backend.topups) == {txn.credit_key} and len(backend.topups) == 1


def test_refund_is_refused_when_the_credit_had_gone_through(kit):
    actions, journal, _audit, backend, *_, session, _ = kit
    txn = stuck(journal, backend)
    credit_at_backend(backend, txn)
    result = actions.refund(session, txn.id)
    assert (result.ok, result.outcome) == (False, "already_credited")
    assert journal.get(txn.id).state == "needs_attention"
    assert ("create_refund", txn.refund_key) not in backend.posted


def test_refund_uses_the_stored_key_and_a_replay_does_nothing_more(kit):
    actions, journal, _audit, backend, *_, session, _ = kit
    txn = stuck(journal, backend)
    assert actions.refund(session, txn.id).outcome == "refunded"
    assert actions.refund(session, txn.id).outcome == "already_refunded"
    assert actions.retry_credit(session, txn.id).outcome == "not_allowed_in_refunded"
    assert backend.posted == [("create_refund", txn.refund_key)]


def test_an_unpaid_transaction_can_only_be_resolved_with_a_note(kit):
    actions, journal, audit, backend, *_, session, _ = kit
    txn = stuck(journal, backend, paid=False)
    assert actions.retry_credit(session, txn.id).outcome == "not_allowed_in_needs_attention"
    assert actions.refund(session, txn.id).outcome == "not_allowed_in_needs_attention"
    assert actions.resolve(session, txn.id, "  ").outcome == "note_required"
    assert actions.resolve(session, txn.id, "customer paid nothing, checked app").outcome == "resolved"
    assert actions.resolve(session, txn.id, "again").outcome == "already_resolved"
    assert backend.posted == []
    history = journal.events(txn.id)
    assert history[-2].kind == "operator_note"
    assert history[-2].detail == {"operator_id": "1001", "note": "customer paid nothing, checked app"}
    assert history[-1].to_state == "resolved"
    assert journal.get(txn.id).state == "resolved"  # still there: never deleted
    assert audit.entries()[1].detail["note"] == "customer paid nothing, checked app"


def test_test_print_and_failure_are_shown_and_audited(kit):
    actions, *_rest = kit
    printer, session = kit[4], kit[7]
    ok = actions.test_print(session)
    assert ok.outcome == "printed"
    texts = [line.text for line in printer.printed[0].lines]
    assert "PRINTER TEST" in texts and any("繁體" in t for t in texts)
    printer.fail = OSError("paper out")
    failed = actions.test_print(session)
    assert (failed.ok, failed.outcome, failed.detail["message"]) == (False, "failed", "paper out")


def test_settle_closes_the_journal_batch_and_a_repeat_uses_the_next_batch(kit):
    actions, journal, *_ = kit
    terminal, session = kit[5], kit[7]
    batch = journal.current_batch()
    result = actions.settle(session)
    assert (result.outcome, result.detail["batch_no"]) == ("settled", batch)
    assert journal.current_batch() == batch + 1
    assert terminal.settled == [f"K01-S{batch:05d}"]


def test_paper_replaced_service_switch_and_restart(kit):
    actions, _journal, audit, *_ = kit
    health, session, restarts = kit[6], kit[7], kit[8]
    health.set_device_status("printer", DeviceStatus(DeviceState.ONLINE, PaperState.LOW))
    assert health.snapshot().paper_alert
    actions.paper_replaced(session)
    assert not health.snapshot().paper_alert
    actions.take_out_of_service(session)
    assert health.snapshot().reasons[0] == "switched_off_by_operator"
    actions.put_in_service(session)
    assert "switched_off_by_operator" not in health.snapshot().reasons
    assert actions.restart_app(session).outcome == "restarting" and restarts == [1]
    assert [e.action for e in reversed(audit.entries())] == [
        "paper_replaced", "take_out_of_service", "put_in_service", "restart_app"]


def test_terminal_status_and_settlement_printout(kit):
    actions, journal, _audit, backend, *_ = kit
    printer, session = kit[4], kit[7]
    assert actions.terminal_status(session).outcome == "online"
    stuck(journal, backend)
    result = actions.print_settlement(session)
    assert result.outcome == "printed" and result.detail["count"] == 1
    texts = [line.text for line in printer.printed[-1].lines]
    assert "SETTLEMENT" in texts and any("fps · needs_attention" in t for t in texts)


def test_actions_keep_the_session_alive(kit):
    actions, *_ = kit
    session = kit[7]
    clock = actions._clock
    clock.advance(299)
    actions.paper_replaced(session)
    clock.advance(299)
    assert not session.expired()


def test_a_retrying_row_is_shown_apart_and_may_only_be_retried_now(kit):
    """Not a person's case: the operator sees it retrying (with its last error) and may hurry
    it; credit, refund and resolve stay with the money engine."""
    actions, journal, audit, backend, *_rest, session, _restarts = kit
    txn = journal.create("fps", "85291234567", "HK-30D-10GB", "q-1", {}, 8820, 9800, "en")
    for state in ("order_pending", "awaiting_payment", "paid", "credit_pending"):
        journal.advance(txn.id, state)
    txn = journal.retry_later(txn.id, "credit not confirmed", 300.0)
    assert actions.retrying() == [txn] and actions.needing_attention() == []
    assert actions.safe_actions(txn) == ("retry_now",)
    result = actions.retry_now(session, txn.id)
    assert result.outcome == "ok"
    assert journal.get(txn.id).retry_at == journal.get(txn.id).updated_at  # due now
    assert [e.kind for e in journal.events(txn.id)][-1] == "retry_now"
    assert any(r.action == "retry_now" for r in audit.entries())
