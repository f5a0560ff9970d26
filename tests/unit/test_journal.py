"""Journal basics: creating, moving and reading transactions; keys fixed at creation."""

import pytest

from kiosk.clock import FakeClock
from kiosk.journal import IllegalTransition, Journal, TxnNotFound

# 2026-11-25 04:00 UTC = 12:00 in Hong Kong.
NOON_HK = 1_795_579_200.0


@pytest.fixture
def clock():
    return FakeClock(NOON_HK)


@pytest.fixture
def journal(tmp_path, clock):
    j = Journal.open(tmp_path / "journal.sqlite3", "K01", clock)
    yield j
    j.close()


def new(journal, method="wechatpay", msisdn="85291234567", amount=8820):
    return journal.create(method, msisdn, "P30", "Q1", {"en": "30-day pack", "zh-Hant": "30日"},
                          amount, 9800, "en")


def test_create_assigns_every_key_from_kiosk_local_date_and_seq(journal):
    t = new(journal)
    assert t.id == "K01-20261125-000001"
    assert t.seq == 1 and t.state == "created"
    assert t.out_trade_no == t.id
    assert (t.credit_key, t.refund_key) == (f"{t.id}-C", f"{t.id}-R")
    assert (t.ecr_ref, t.void_ecr_ref, t.refund_ecr_ref) == ("K01-000001", "K01-000001V",
                                                             "K01-000001F")
    assert t.msisdn == "85291234567" and t.msisdn_masked == "*******4567"
    assert t.plan_name["zh-Hant"] == "30日"
    assert t.created_at == "2026-11-25T04:00:00.000Z"


def test_local_date_is_hong_kong_not_utc(journal, clock):
    clock.advance(12 * 3600)  # 16:00 UTC = 00:00 next day in Hong Kong
    assert new(journal).id == "K01-20261126-000001"


def test_wallet_purchase_to_credited(journal):
    t = new(journal)
    for state in ("order_pending", "awaiting_payment", "paid", "credit_pending"):
        t = journal.advance(t.id, state)
    t = journal.advance(t.id, "credited", topup_id="T9", balance_json={"data_mb_left": 5})
    assert journal.get(t.id).state == "credited"
    assert t.topup_id == "T9" and t.balance_json == '{"data_mb_left": 5}'
    kinds = [(e.kind, e.from_state, e.to_state) for e in journal.events(t.id)]
    assert kinds[0] == ("created", None, "created")
    assert kinds[-1] == ("state", "credit_pending", "credited")
    assert len(kinds) == 6


def test_refused_move_changes_nothing(journal):
    t = new(journal)
    with pytest.raises(IllegalTransition, match="created -> paid"):
        journal.advance(t.id, "paid")
    assert journal.get(t.id).state == "created"
    assert len(journal.events(t.id)) == 1


def test_unknown_transaction(journal):
    with pytest.raises(TxnNotFound):
        journal.get("K01-20261125-999999")
