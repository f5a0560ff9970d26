"""Journal basics: creating, moving and reading transactions; keys fixed at creation."""

import sqlite3
import threading

import pytest

from contract.clock import FakeClock
from kiosk.journal.store import IllegalTransition, Journal, TxnNotFound

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
    ref = f"K01-{journal.instance}-000001"  # the journal's instance: never repeats
    assert (t.ecr_ref, t.void_ecr_ref, t.refund_ecr_ref) == (ref, ref + "V", ref + "F")
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


def test_keys_are_created_once_and_survive_moves_and_restart(tmp_path, clock):
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, "K01", clock) as j:
        t = new(j, method="card")
        keys = (t.id, t.out_trade_no, t.credit_key, t.refund_key, t.ecr_ref, t.void_ecr_ref,
                t.refund_ecr_ref)
        clock.advance(86400)  # a day later the keys still carry the creation date
        j.advance(t.id, "sale_pending", batch_no=j.current_batch())
        j.update(t.id, receipt_status="printed")
    with Journal.open(path, "K01", clock) as j:
        again = j.get(keys[0])
        assert (again.id, again.out_trade_no, again.credit_key, again.refund_key, again.ecr_ref,
                again.void_ecr_ref, again.refund_ecr_ref) == keys
        assert again.state == "sale_pending" and again.receipt_status == "printed"
        assert new(j).seq == 2  # numbering continues after a restart


def test_keys_and_amounts_cannot_be_set(journal):
    t = new(journal)
    for field in ("credit_key", "ecr_ref", "amount_cents", "msisdn", "state", "id"):
        with pytest.raises(ValueError, match=field):
            journal.update(t.id, **{field: "x"})
    with pytest.raises(sqlite3.IntegrityError, match="fixed at creation"):
        journal._conn.execute("UPDATE transactions SET refund_key = 'x'")


def test_events_are_append_only_and_transactions_never_deleted(journal):
    t = new(journal)
    journal.note(t.id, "backend_answer", {"status": "pending"})
    for sql in ("UPDATE events SET kind = 'x'", "DELETE FROM events",
                "DELETE FROM transactions"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only|never deleted"):
            journal._conn.execute(sql)
    assert [e.kind for e in journal.events(t.id)] == ["created", "backend_answer"]
    assert journal.events(t.id)[1].detail == {"status": "pending"}


def test_update_sets_fields_and_records_an_event(journal):
    t = new(journal, method="card")
    t = journal.update(t.id, card_last4="4242", card_brand="VISA", auth_code="A1B2C3",
                       rrn="000000123456", entry="contactless")
    assert (t.card_last4, t.card_brand, t.auth_code, t.state) == ("4242", "VISA", "A1B2C3",
                                                                   "created")
    assert journal.events(t.id)[-1].kind == "updated"


def test_unfinished_and_needing_attention(journal):
    a, b, c = new(journal), new(journal), new(journal)
    journal.advance(a.id, "order_pending")
    journal.advance(b.id, "needs_attention", attention_reason="credit outcome unknown")
    journal.advance(c.id, "order_pending")
    journal.advance(c.id, "cancelled")
    assert [t.id for t in journal.unfinished()] == [a.id]
    attention = journal.needing_attention()
    assert [t.id for t in attention] == [b.id]
    assert attention[0].attention_reason == "credit outcome unknown"


def test_find_by_id_terminal_refs_and_keys(journal):
    t = new(journal, method="card")
    for ref in (t.id, t.ecr_ref, t.void_ecr_ref, t.refund_ecr_ref, t.credit_key,
                t.refund_key, t.ecr_ref.lower()):
        assert journal.find(ref).id == t.id
    assert journal.find("K01-999999") is None


def test_card_batches(journal):
    assert journal.current_batch() == 1
    t = journal.advance(new(journal, method="card").id, "sale_pending",
                        batch_no=journal.current_batch())
    assert journal.close_batch({"count": 1, "total_cents": 8820}) == 1
    assert journal.current_batch() == 2
    assert journal.get(t.id).batch_no == 1  # that sale now needs a REFUND, not a VOID


def test_gap_free_seq_under_concurrent_creators(journal):
    errors = []

    def worker():
        try:
            for _ in range(25):
                new(journal)
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors
    seqs = sorted(t.seq for t in journal.list(limit=1000))
    assert seqs == list(range(1, 101))
    assert len({t.ecr_ref for t in journal.list(limit=1000)}) == 100


def test_bad_arguments_are_refused_before_writing(journal):
    with pytest.raises(ValueError, match="method"):
        new(journal, method="cash")
    with pytest.raises(ValueError, match="amount_cents"):
        new(journal, amount=88.2)
    with pytest.raises(ValueError, match="msisdn"):
        new(journal, msisdn="9123-4567")
    assert journal.list() == []
