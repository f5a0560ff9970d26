"""The money-promise checker (ledger_checks.py) sees each kind of violation, and no more."""

from __future__ import annotations

from tests.integration.ledger_checks import check


def _ledger(orders=(), topups=(), refunds=()):
    return {"orders": list(orders), "topups": list(topups), "refunds": list(refunds)}


def _order(no, status="paid", amount=100):
    return {"out_trade_no": no, "kiosk_id": "K01", "status": status, "amount_cents": amount,
            "paid_at": 1.0 if status in ("paid", "refunded") else None}


def _topup(ref, key="c"):
    return {"status": "credited", "kiosk_id": "K01", "payment": {"reference": ref}, "key": key}


def test_a_credited_order_and_a_refunded_order_are_fine():
    ledger = _ledger([_order("A"), _order("B", "refunded")], [_topup("A")],
                     [{"out_trade_no": "B", "amount_cents": 100}])
    assert check(ledger, {}, set()).violations == []


def test_each_kind_of_violation_is_seen():
    ledger = _ledger([_order("A"), _order("B"), _order("C", "closed"), _order("D")],
                     [_topup("A", "1"), _topup("A", "2"), _topup("C"), _topup("Z")],
                     [{"out_trade_no": "B", "amount_cents": 100},
                      {"out_trade_no": "B", "amount_cents": 100}])
    text = " ".join(check(ledger, {}, set()).violations)
    for expected in ("A: credited 2 times", "B: refunded 2 times", "C: credited without payment",
                     "D: paid 100, not credited", "Z: credited without any payment"):
        assert expected in text


def test_a_card_sale_needs_one_end_and_an_escalation_is_not_a_violation():
    sale = {"cmd": "SALE", "result": "APPROVED", "amount_cents": 100}
    void = {"cmd": "VOID", "result": "APPROVED", "amount_cents": 100}
    outcomes = {"K01-000001": sale, "K01-000001V": void, "K01-000002": sale, "K01-000003": sale}
    ledger = _ledger(topups=[_topup("K01-000001")])
    verdict = check(ledger, outcomes, {"K01-000003"})
    assert verdict.violations == ["K01-000001: credited and refunded",
                                  "K01-000002: paid 100, not credited, refunded 0"]
    assert verdict.escalated == ["K01-000003"]


def _hold(hold_id, status="used", used_by="tu-1", amount=100):
    return {"hold_id": hold_id, "kiosk_id": "K01", "status": status, "used_by": used_by,
            "msisdn": "85291234567", "plan_id": "P", "amount_cents": amount}


def _held_topup(ref, hold_id, topup_id="tu-1", amount=100):
    return {**_topup(ref), "topup_id": topup_id, "hold_id": hold_id, "msisdn": "85291234567",
            "plan_id": "P", "amount_cents": amount}


def test_a_credit_on_its_hold_is_fine_and_holds_are_counted():
    ledger = {**_ledger([_order("A")], [_held_topup("A", "hd-1")]),
              "holds": [_hold("hd-1"), _hold("hd-2", "released", None)]}
    verdict = check(ledger, {}, set())
    assert verdict.violations == [] and verdict.holds == {"used": 1, "released": 1}


def test_each_kind_of_hold_violation_is_seen():
    ledger = {**_ledger([_order("A"), _order("B"), _order("C")],
                        [_held_topup("A", "hd-1", "tu-1"), _held_topup("B", "hd-9", "tu-2"),
                         _held_topup("C", "hd-3", "tu-3", amount=100)]),
              "holds": [_hold("hd-1", "released", None), _hold("hd-3", amount=50, used_by="tu-3"),
                        _hold("hd-4", used_by="tu-404")]}
    text = " ".join(check(ledger, {}, set()).violations)
    for expected in ("A: hold hd-1 (released) does not match", "B: credited on unknown hold hd-9",
                     "C: hold hd-3 (used) does not match", "hold hd-4: used by tu-404"):
        assert expected in text


def test_a_reversed_scan_order_counts_its_refund():
    paid = {**_order("S"), "status": "reversed", "refunded_cents": 100}
    ledger = {**_ledger([paid]), "reversals": [{"out_trade_no": "S", "refunded_cents": 100}]}
    verdict = check(ledger, {}, set())
    assert verdict.violations == [] and verdict.refunds == 1
    unpaid = {**_order("U", "reversed"), "paid_at": None}
    ledger = {**_ledger([unpaid]), "reversals": [{"out_trade_no": "U", "refunded_cents": 0}]}
    assert check(ledger, {}, set()).violations == []


def test_octopus_sales_end_credited_or_refunded_in_cash_never_at_the_terminal():
    octo = {"cmd": "SALE", "result": "APPROVED", "amount_cents": 100, "brand": "OCTOPUS"}
    card = {"cmd": "SALE", "result": "APPROVED", "amount_cents": 100, "brand": "VISA"}
    void = {"cmd": "VOID", "result": "APPROVED", "amount_cents": 100}
    outcomes = {"O1": octo, "O2": octo, "O3": octo, "O4": octo, "O4V": void, "C1": card,
                "O5": octo}
    ledger = _ledger(topups=[_topup("O1"), _topup("O5")])
    verdict = check(ledger, outcomes, {"O3"},
                    cash_refunds={"O2": 100, "C1": 100, "O5": 100, "X9": 100})
    assert verdict.octopus_sales == 5 and verdict.card_sales == 1
    assert verdict.escalated == ["O3"]
    assert sorted(verdict.violations) == sorted([
        "O4: an Octopus sale reversed at the terminal",
        "C1: a card sale refunded in cash",
        "O5: credited and refunded",
        "X9: refunded in cash without an approved Octopus sale"])


def test_an_octopus_sale_taken_but_neither_credited_nor_refunded_is_a_violation():
    octo = {"cmd": "SALE", "result": "APPROVED", "amount_cents": 100, "brand": "OCTOPUS"}
    verdict = check(_ledger(), {"O1": octo}, set())
    assert verdict.violations == ["O1: paid 100, not credited, refunded 0"]

def test_a_scan_order_left_confirming_is_a_violation_unless_escalated():
    def scan(no, status):
        return {**_order(no, status), "kind": "scan"}
    ledger = _ledger([scan("S1", "user_paying"), scan("S2", "failed"), scan("S3", "user_paying"),
                      scan("S4", "paid")], [_topup("S4")])
    verdict = check(ledger, {}, {"S3"})
    assert verdict.violations == ["S1: scan order left user_paying"]
    assert verdict.escalated == ["S3"]
    assert verdict.scan_orders == {"user_paying": 2, "failed": 1, "paid": 1}
