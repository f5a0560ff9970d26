"""Holds before money: refused before paying, retried with the same key, named by the credit,
released when unused, settled after a crash; never money without a confirmed hold."""

from __future__ import annotations

import threading

import pytest

from kiosk.journal.store import Journal
from kiosk.money import holds
from kiosk.money.events import HoldRefused, PaymentCancelled
from kiosk.money.recovery import Reconciler, recover
from tests.kiosk.money.rig import REJECTED_MSISDN, Rig, offer, subscriber

HK = "85291234567"


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path)
    yield r
    r.close()


def released(rig, txn_id, timeout=5.0) -> str:
    """The row's hold_state once its background release has run (bounded wait)."""
    done = threading.Event()
    for _ in range(int(timeout / 0.01)):
        state = rig.journal.get(txn_id).hold_state
        if state != "release_pending":
            return state
        done.wait(0.01)
    return rig.journal.get(txn_id).hold_state


def test_a_refused_hold_ends_the_purchase_before_any_money(rig):
    rig.backend.refuse_holds[HK] = "plan_not_eligible"
    txn_id = rig.qr(HK)
    assert rig.events == [HoldRefused(txn_id, "plan_not_eligible")]
    txn = rig.journal.get(txn_id)
    assert (txn.state, txn.hold_state, txn.hold_key, txn.hold_id) == (
        "cancelled", "refused", f"{txn_id}-H", None)
    assert rig.backend.calls == ["create_hold"] and rig.backend.orders == {}
    assert [e.kind for e in rig.journal.events(txn_id)].count("hold_refused") == 1


def test_a_refused_hold_on_a_card_never_starts_a_sale(rig):
    rig.backend.refuse_holds[HK] = "monthly_cap_exceeded"
    txn_id = rig.card(HK)
    assert rig.kinds() == ["HoldRefused"] and rig.terminal.sent == []
    assert rig.state(txn_id) == "cancelled"


def test_the_hold_key_is_committed_before_the_call(rig):
    seen = []
    rig.backend.on_call = lambda op: op == "create_hold" and seen.append(
        (rig.journal.list()[0].state, rig.journal.list()[0].hold_key))
    txn_id = rig.qr(HK)
    assert seen == [("hold_pending", f"{txn_id}-H")]


def test_an_ambiguous_hold_is_asked_again_with_the_same_key(rig):
    rig.backend.fault("create_hold", "lost", "drop")
    rig.pay_on("get_payment")
    txn_id = rig.qr(HK)
    assert rig.kinds() == ["QrReady", "Paid", "Credited"]
    keys = [k for op, k in rig.backend.posted if op == "create_hold"]
    assert keys == [f"{txn_id}-H", f"{txn_id}-H"]  # "lost" did nothing; "drop" held, replayed
    assert len(rig.backend.holds) == 1
    txn = rig.journal.get(txn_id)
    assert (txn.state, txn.hold_state) == ("credited", "used")


def test_a_hold_still_unconfirmed_takes_no_money(rig):
    rig.backend.fault("create_hold", "drop", "drop", "drop")
    txn_id = rig.qr(HK)
    assert rig.events == [PaymentCancelled(txn_id, "unavailable")]
    assert rig.backend.orders == {} and "create_payment" not in rig.backend.calls
    # The hold may exist: its id was never learnt, so it is left to expire by itself.
    assert released(rig, txn_id) == "abandoned"


def test_the_credit_names_the_hold_and_uses_it(rig):
    rig.pay_on("get_payment")
    txn_id = rig.qr(HK)
    txn = rig.journal.get(txn_id)
    assert (txn.state, txn.hold_state, txn.hold_id) == ("credited", "used", "H-1")
    assert rig.backend.holds[f"{txn_id}-H"]["status"] == "used"
    assert rig.backend.live_holds() == []


def test_a_cancelled_qr_releases_its_hold(rig):
    txn_id = rig.qr(HK)  # nobody pays: the deadline cancels
    assert rig.kinds() == ["QrReady", "PaymentCancelled"]
    assert released(rig, txn_id) == "released"
    assert rig.backend.released == ["H-1"] and rig.backend.live_holds() == []


def test_a_declined_card_releases_its_hold(rig):
    rig.terminal.plan = {"result": "DECLINED", "rc": "51"}
    txn_id = rig.card(HK)
    assert rig.kinds()[-1] == "Declined"
    assert released(rig, txn_id) == "released" and rig.backend.live_holds() == []


def test_a_cancel_while_the_hold_is_asked_takes_no_money(rig):
    rig.backend.on_call = lambda op: op == "create_hold" and rig.service.cancel()
    txn_id = rig.qr(HK)
    assert rig.events == [PaymentCancelled(txn_id, "customer")]
    assert rig.backend.orders == {} and released(rig, txn_id) == "released"


def test_a_cancel_while_the_hold_is_asked_commits_its_id_with_cancelled(rig, tmp_path):
    from kiosk.money.crash_points import CrashPoints
    trace = tmp_path / "points.txt"
    rig.service._ctx.crash = CrashPoints(trace_path=str(trace))
    rig.backend.on_call = lambda op: op == "create_hold" and rig.service.cancel()
    txn_id = rig.qr(HK)
    cancelled = [e for e in rig.journal.events(txn_id) if e.to_state == "cancelled"]
    assert cancelled[0].detail == {"hold_id": "H-1", "hold_state": "release_pending"}
    assert released(rig, txn_id) == "released" and rig.backend.released == ["H-1"]
    points = trace.read_text().split()
    assert points[points.index("hold_held:commit") + 1] == "cancelled:commit"


def test_the_hold_key_goes_with_the_first_commit_and_its_answer_with_order_pending(rig,
                                                                                   tmp_path):
    from kiosk.money.crash_points import CrashPoints
    trace = tmp_path / "points.txt"
    rig.service._ctx.crash = CrashPoints(trace_path=str(trace))
    rig.pay_on("get_payment")
    rig.qr(HK)
    points = trace.read_text().split()
    assert points[:7] == ["created:commit", "hold_pending:commit",
                          "hold_pending:create_hold:before", "hold_pending:create_hold:after",
                          "hold_held:commit", "order_pending:commit",
                          "order_pending:create_payment:before"]


def test_a_crash_between_the_hold_answer_and_the_next_commit_abandons_the_hold(rig):
    """The answer (hold id) is lost with the crash: the row is hold_pending, requested, no id;
    recovery cancels it and the hold, never named, expires by itself."""
    ctx = rig.service._ctx
    o = offer()
    txn = rig.journal.create("fps", HK, o.plan_id, o.quote_id, dict(o.name), o.price_cents,
                             o.list_price_cents, "en", then="hold_pending",
                             then_fields=holds.request_fields)
    txn, held = holds.hold(ctx, txn)  # answered; the power goes before order_pending
    assert held is not None and held.fields["hold_id"] == "H-1"
    row = rig.journal.get(txn.id)
    assert (row.state, row.hold_state, row.hold_id) == ("hold_pending", "requested", None)
    report = recover(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
    assert report.settled == (txn.id,) and rig.state(txn.id) == "cancelled"
    Reconciler(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock).run_once()
    assert rig.journal.get(txn.id).hold_state == "abandoned"
    assert rig.backend.released == [] and rig.backend.orders == {}


def test_a_hold_refused_at_credit_time_is_refunded(rig):
    def expire():  # the hold runs out between the payment and the credit
        for hold in rig.backend.holds.values():
            hold["status"] = "released"
    rig.pay_on("get_payment")
    real_credit = rig.backend.create_topup

    def credit(*args, **kwargs):
        expire()
        return real_credit(*args, **kwargs)
    rig.backend.create_topup = credit
    txn_id = rig.qr(HK)
    assert rig.kinds() == ["QrReady", "Paid", "CreditRejected", "Refunded"]
    assert rig.events[2].reason == "hold_expired"
    assert rig.state(txn_id) == "refunded"
    assert rig.backend.refunds == {(txn_id, f"{txn_id}-R"): 8820}
    assert rig.backend.violations() == []


def test_a_credit_refused_for_another_reason_refunds_and_releases_the_hold(rig):
    rig.pay_on("get_payment")
    txn_id = rig.qr(REJECTED_MSISDN)  # the fake's cap refuses the credit, not the hold
    assert rig.kinds()[-1] == "Refunded"
    assert released(rig, txn_id) == "released" and rig.backend.live_holds() == []


def test_holds_switched_off_for_a_method(tmp_path):
    r = Rig(tmp_path, **{"payments.holds.before": ["card"]})
    try:
        r.pay_on("get_payment")
        txn_id = r.qr(HK)
        assert "create_hold" not in r.backend.calls
        assert r.journal.get(txn_id).hold_state is None
        r.card(HK)
        assert r.backend.calls.count("create_hold") == 1
    finally:
        r.close()


def test_a_release_that_gets_no_answer_is_retried_by_the_reconciler(rig):
    rig.backend.fault("release_hold", "lost")
    txn_id = rig.qr(HK)
    assert released(rig, txn_id) == "release_pending"
    reconciler = Reconciler(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
    reconciler.run_once()
    assert rig.journal.get(txn_id).hold_state == "released"
    assert rig.backend.live_holds() == [] and rig.journal.holds_to_release() == []


def test_a_crash_in_hold_pending_ends_cancelled_and_releases_the_hold(rig):
    txn = rig.journal.create("fps", HK, "HK-30D-10GB", "q-HK-30D-10GB", {"en": "x"}, 8820,
                             8820, "en")
    txn = rig.journal.advance(txn.id, "hold_pending", hold_key=f"{txn.id}-H",
                              hold_state="requested")
    hold = rig.backend.create_hold(txn.hold_key, HK, "q", "HK-30D-10GB", 8820, txn.id)
    rig.journal.update(txn.id, hold_id=hold.hold_id, hold_state="held")
    report = recover(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
    assert report.settled == (txn.id,) and rig.state(txn.id) == "cancelled"
    assert rig.journal.get(txn.id).hold_state == "release_pending"
    Reconciler(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock).run_once()
    assert rig.journal.get(txn.id).hold_state == "released"
    assert rig.backend.orders == {}


def test_release_is_idempotent_and_ignores_rows_without_a_pending_release(rig):
    rig.pay_on("get_payment")
    txn_id = rig.qr(HK)
    assert holds.release(rig.service._ctx, txn_id) == "used"
    assert rig.backend.released == []


def test_a_version_2_journal_is_migrated_and_old_rows_have_no_hold(tmp_path, rig):
    from kiosk.journal import schema
    path = tmp_path / "v2.sqlite3"
    conn = schema.connect(path)
    for script in schema.MIGRATIONS[:2]:
        for statement in schema._statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO journal_meta (key, value) VALUES ('instance', 'ABC123')")
    conn.execute(
        "INSERT INTO transactions (id, kiosk_id, seq, local_day, state, method, amount_cents,"
        " list_price_cents, msisdn, msisdn_masked, plan_id, quote_id, plan_name_json, language,"
        " out_trade_no, credit_key, refund_key, ecr_ref, void_ecr_ref, refund_ecr_ref,"
        " created_at, updated_at) VALUES ('K01-20261125-000001', 'K01', 1, '2026-11-25',"
        " 'credited', 'fps', 8820, 8820, NULL, '9123****', 'P', 'q', '{}', 'en',"
        " 'K01-20261125-000001', 'K01-20261125-000001-C', 'K01-20261125-000001-R', 'R1',"
        " 'R1V', 'R1F', '2026-11-25T00:00:00.000Z', '2026-11-25T00:00:00.000Z')")
    conn.close()
    old = Journal.open_readonly(path)  # read as it is, not migrated
    try:
        row = old.get("K01-20261125-000001")
        assert (row.state, row.hold_key, row.hold_state) == ("credited", None, None)
        assert old.holds_to_release() == [] and len(old.list()) == 1
    finally:
        old.close()
    migrated = Journal.open(path, "K02")
    try:
        assert migrated.get("K01-20261125-000001").hold_state is None
        assert schema.connect(path).execute("PRAGMA user_version").fetchone()[0] == 3
        txn = migrated.create("fps", HK, "P", "q", {"en": "x"}, 100, 100, "en")
        migrated.advance(txn.id, "hold_pending", hold_key=f"{txn.id}-H", hold_state="requested")
        assert migrated.get(txn.id).hold_key == f"{txn.id}-H"
    finally:
        migrated.close()


def test_an_unknown_method_in_holds_before_is_a_settings_error():
    from kiosk.settings import SettingsError, load
    with pytest.raises(SettingsError, match="payments.holds.before"):
        load(None, {"payments.holds.before": ["bitcoin"]})
    with pytest.raises(SettingsError, match="payments.long_poll.wait_s"):
        load(None, {"payments.long_poll.wait_s": 26})


def test_the_hold_rides_with_the_offer_of_the_purchase(rig):
    rig.pay_on("get_payment")
    txn_id = rig.service.start_qr(subscriber(HK), offer(5000, "HK-7D-5GB"), "fps", "en")
    assert rig.service.join(10)
    hold = rig.backend.holds[f"{txn_id}-H"]
    assert (hold["msisdn"], hold["plan_id"], hold["amount_cents"]) == (HK, "HK-7D-5GB", 5000)


def test_octopus_always_holds_whatever_the_setting(tmp_path):
    r = Rig(tmp_path, **{"payments.holds.before": []})
    try:
        assert holds.wanted(r.service._ctx, "octopus")
        assert not holds.wanted(r.service._ctx, "card")
    finally:
        r.close()
