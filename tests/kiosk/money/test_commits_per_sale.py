"""Commits per sale: each one before the outside call it leads to, none more.

Without holds (``payments.holds.before`` empty): a wallet sale commits created + order_pending
(before the order), awaiting_payment (the order exists), paid + credit_pending (before the
credit), credited: 4 commits. A card sale: created, sale_pending (before the SALE), paid +
credit_pending, credited: 4.

Held first (the default for every method; Octopus always): created + hold_pending (the hold key,
before the hold) in the row's first commit, and the hold's answer (its id, ``held``) in the next
step's commit (order_pending / sale_pending / scan_pending, before the order, the SALE or the
scan), which it leads to; then as without a hold. A held wallet sale: 5 (was 7); a held card
sale: 4 (was 6); an Octopus sale (always held): 5, its fifth the card's remaining value noted
(was 8); a held scan sale: 4 (was 7), paid and credit_pending now one commit as for the others.
"""

from __future__ import annotations

import pytest

from tests.kiosk.money.rig import Rig, offer, subscriber

SALE_CODE = "134567890123456780"  # a WeChat Pay payment code the fake backend pays at once


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path, **{"payments.holds.before": []})
    yield r
    r.service.join(10)
    r.close()


@pytest.fixture
def held(tmp_path):
    r = Rig(tmp_path)  # the default configuration: every method held first
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

    def traced(target, name):
        original = getattr(target, name)

        def call(*args, _name=name, _original=original, **kwargs):
            log.append(_name)
            return _original(*args, **kwargs)

        setattr(target, name, call)

    for name in ("create_hold", "create_payment", "get_payment", "create_topup", "close_payment",
                 "scan_payment"):
        traced(rig.backend, name)
    traced(rig.terminal, "sale")
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
    assert log == ["|", "|", "sale", "|", "create_topup", "|"]
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


def held_history(rig, txn_id, step: str) -> None:
    """The hold key was in the row's first commit, its answer in *step*'s commit."""
    events = [e for e in rig.journal.events(txn_id) if e.kind in ("created", "state")]
    assert [e.to_state for e in events[:3]] == ["created", "hold_pending", step]
    assert events[1].detail == {"hold_key": f"{txn_id}-H", "hold_state": "requested"}
    assert events[2].detail["hold_state"] == "held" and events[2].detail["hold_id"]
    assert "updated" not in [e.kind for e in rig.journal.events(txn_id)]
    txn = rig.journal.get(txn_id)
    assert (txn.state, txn.hold_state, txn.hold_id) == ("credited", "used",
                                                        events[2].detail["hold_id"])


def test_a_held_wallet_sale_commits_five_times_each_before_its_call(held):
    log = trace_commits(held)
    held.pay_on("get_payment")
    txn_id = held.qr()
    assert log == ["|", "create_hold", "|", "create_payment", "|", "get_payment", "|",
                   "create_topup", "|"]
    assert moves(held, txn_id) == ["created", "hold_pending", "order_pending",
                                   "awaiting_payment", "paid", "credit_pending", "credited"]
    held_history(held, txn_id, "order_pending")
    assert held.kinds() == ["QrReady", "Paid", "Credited"]
    assert held.backend.violations() == []



def test_a_held_card_sale_commits_four_times_like_an_unheld_one(held):
    log = trace_commits(held)
    txn_id = held.card()
    assert log == ["|", "create_hold", "|", "sale", "|", "create_topup", "|"]
    assert moves(held, txn_id) == ["created", "hold_pending", "sale_pending", "paid",
                                   "credit_pending", "credited"]
    held_history(held, txn_id, "sale_pending")
    assert held.journal.get(txn_id).auth_code  # the card's details are kept with paid


def test_an_octopus_sale_commits_five_times_each_before_its_call(held):
    log = trace_commits(held)
    txn_id = held.service.start_octopus(subscriber("85291234567"), offer(), "en")
    assert held.service.join(10), "the purchase did not finish"
    # the fifth: the card's remaining value noted between the SALE's answer and paid
    assert log == ["|", "create_hold", "|", "sale", "|", "|", "create_topup", "|"]
    assert moves(held, txn_id) == ["created", "hold_pending", "sale_pending", "paid",
                                   "credit_pending", "credited"]
    held_history(held, txn_id, "sale_pending")
    assert held.kinds()[-2:] == ["Paid", "Credited"]


def test_a_held_scan_sale_commits_four_times_each_before_its_call(held):
    log = trace_commits(held)
    txn_id = held.service.start_scan(subscriber("85291234567"), offer(), SALE_CODE, "en")
    assert held.service.join(10), "the purchase did not finish"
    assert log == ["|", "create_hold", "|", "scan_payment", "|", "create_topup", "|"]
    assert moves(held, txn_id) == ["created", "hold_pending", "scan_pending", "paid",
                                   "credit_pending", "credited"]
    held_history(held, txn_id, "scan_pending")
    assert held.kinds() == ["Paid", "Credited"]
