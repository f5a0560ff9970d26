"""Commits per sale: each one before the outside call it leads to, none more.

A wallet sale: created + order_pending (before the order), awaiting_payment (the order exists),
paid + credit_pending (before the credit), credited: 4 commits. A card sale: created,
sale_pending (before the SALE), paid + credit_pending, credited: 4. Without holds: a held plan
adds its own commits before any money moves (below).
"""

from __future__ import annotations

import pytest

from tests.kiosk.money.rig import Rig


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path, **{"payments.holds.before": []})
    yield r
    r.service.join(10)
    r.close()


def trace_commits(rig) -> list[str]:
    """Records, at each commit, the outside calls made since the one before ("|" = a commit)."""
    log: list[str] = []
    write = rig.journal._write

    def counted():
        log.append("|")
        return write()

    rig.journal._write = counted
    for name in ("create_hold", "create_payment", "get_payment", "create_topup", "close_payment"):
        original = getattr(rig.backend, name)

        def call(*args, _name=name, _original=original, **kwargs):
            log.append(_name)
            return _original(*args, **kwargs)

        setattr(rig.backend, name, call)
    return log


def moves(rig, txn_id):
    return [e.to_state for e in rig.journal.events(txn_id) if e.kind in ("created", "state")]


def test_a_wallet_sale_commits_four_times_each_before_its_call(rig):
    log = trace_commits(rig)
    rig.pay_on("get_payment")
    txn_id = rig.qr()
    assert rig.state(txn_id) == "credited"
    assert log == ["|", "create_payment", "|", "get_payment", "|", "create_topup", "|"]
    assert moves(rig, txn_id) == ["created", "order_pending", "awaiting_payment", "paid",
                                  "credit_pending", "credited"]
    assert rig.kinds() == ["QrReady", "Paid", "Credited"]
    assert rig.backend.violations() == []


def test_a_card_sale_commits_four_times(rig):
    log = trace_commits(rig)
    txn_id = rig.card()
    assert rig.state(txn_id) == "credited"
    assert log.count("|") == 4
    assert log[-3:] == ["|", "create_topup", "|"]  # paid + credit_pending, then the credit
    assert moves(rig, txn_id) == ["created", "sale_pending", "paid", "credit_pending",
                                  "credited"]
    assert rig.journal.get(txn_id).auth_code  # the card's details are kept with paid


def test_paid_at_the_close_is_committed_with_credit_pending_before_the_credit(rig):
    log = trace_commits(rig)
    rig.pay_on("close_payment")
    txn_id = rig.qr()
    assert rig.state(txn_id) == "credited"
    topup = log.index("create_topup")
    assert log[topup - 1] == "|"
    assert moves(rig, txn_id)[-3:] == ["paid", "credit_pending", "credited"]


def test_a_held_wallet_sale_commits_the_hold_key_before_the_hold_and_order_pending_before_the_order(
        tmp_path):
    r = Rig(tmp_path)
    try:
        log = trace_commits(r)
        r.pay_on("get_payment")
        txn_id = r.qr()
        assert r.state(txn_id) == "credited"
        for call in ("create_hold", "create_payment", "create_topup"):
            assert log[log.index(call) - 1] == "|", log  # committed right before the call
        assert moves(r, txn_id)[:3] == ["created", "hold_pending", "order_pending"]
        assert moves(r, txn_id)[-3:] == ["paid", "credit_pending", "credited"]
        print("commits per held wallet sale:", log.count("|"), log)
    finally:
        r.service.join(10)
        r.close()
