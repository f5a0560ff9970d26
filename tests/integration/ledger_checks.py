"""The money promise, checked from the outside: the backend simulator's ledger, the terminal
simulator's stored outcomes and the journal. Used by the crash and robot tests;
test_ledger_checks.py shows that it sees each kind of violation."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Verdict:
    violations: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)  # handed to a person (needs_attention)
    paid_orders: int = 0
    card_sales: int = 0
    octopus_sales: int = 0
    credits: int = 0
    refunds: int = 0
    holds: dict[str, int] = field(default_factory=dict)  # hold status -> count
    scan_orders: dict[str, int] = field(default_factory=dict)  # scan order status -> count


def check(ledger: dict, terminal_outcomes: dict, attention: set[str],
          kiosk_id: str = "K01", cash_refunds: dict[str, int] | None = None) -> Verdict:
    """Every paid order / approved sale: exactly one credit or one full refund; no credit
    without a payment; never two refunds. A refund inside a scan order's reverse counts as its
    refund. Holds: a credit naming a hold used exactly that hold, for the same subscriber, plan
    and amount; a used hold belongs to a credit. ``attention``: references of needs_attention
    rows."""
    v = Verdict()
    credited = defaultdict(list)
    for t in ledger["topups"]:
        if t["status"] == "credited" and t["kiosk_id"] == kiosk_id:
            credited[t["payment"]["reference"]].append(t)
    v.credits = sum(len(c) for c in credited.values())
    refunds = defaultdict(list)
    for r in ledger["refunds"]:
        refunds[r["out_trade_no"]].append(r["amount_cents"])
    for r in ledger.get("reversals", ()):
        if r["refunded_cents"]:
            refunds[r["out_trade_no"]].append(r["refunded_cents"])
    v.refunds = sum(len(r) for r in refunds.values())
    _holds(v, ledger, credited, kiosk_id)
    orders = {o["out_trade_no"]: o for o in ledger["orders"] if o["kiosk_id"] == kiosk_id}
    for no, o in orders.items():
        paid = o["status"] in ("paid", "refunded") or o["paid_at"] is not None
        v.paid_orders += paid
        _one_end(v, no, paid, o["amount_cents"], len(credited[no]), refunds[no], attention)
        if o.get("kind") == "scan":
            _scan_ended(v, no, o, attention)
    sales = {ref: r for ref, r in terminal_outcomes.items()
             if r["cmd"] == "SALE" and r["result"] == "APPROVED"}
    cash = dict(cash_refunds or {})
    for ref, sale in sales.items():
        octopus = sale.get("brand") == "OCTOPUS"
        v.octopus_sales += octopus
        v.card_sales += not octopus
        backs = [terminal_outcomes[r]["amount_cents"] for r in (ref + "V", ref + "F")
                 if terminal_outcomes.get(r, {}).get("result") == "APPROVED"]
        if octopus and backs:
            v.violations.append(f"{ref}: an Octopus sale reversed at the terminal")
        if ref in cash:
            backs.append(cash.pop(ref))
            if not octopus:
                v.violations.append(f"{ref}: a card sale refunded in cash")
        _one_end(v, ref, True, sale["amount_cents"], len(credited[ref]), backs, attention)
    for ref in cash:
        v.violations.append(f"{ref}: refunded in cash without an approved Octopus sale")
    for reference in credited:
        if reference not in orders and reference not in sales:
            v.violations.append(f"{reference}: credited without any payment")
    return v


def _holds(v: Verdict, ledger: dict, credited: dict, kiosk_id: str) -> None:
    holds = {h["hold_id"]: h for h in ledger.get("holds", ()) if h["kiosk_id"] == kiosk_id}
    for h in holds.values():
        v.holds[h["status"]] = v.holds.get(h["status"], 0) + 1
    topups = {t.get("topup_id", i): t
              for i, t in enumerate(t for ts in credited.values() for t in ts)}
    for t in topups.values():
        hold = holds.get(t.get("hold_id")) if t.get("hold_id") else None
        if t.get("hold_id") and hold is None:
            v.violations.append(f"{t['payment']['reference']}: credited on unknown hold "
                                f"{t['hold_id']}")
        elif hold is not None and (hold["status"] != "used" or hold["used_by"] != t.get("topup_id")
                                   or (hold["msisdn"], hold["plan_id"], hold["amount_cents"])
                                   != (t["msisdn"], t["plan_id"], t["amount_cents"])):
            v.violations.append(f"{t['payment']['reference']}: hold {hold['hold_id']} "
                                f"({hold['status']}) does not match its credit")
    for h in holds.values():
        if h["status"] == "used" and h["used_by"] not in topups:
            v.violations.append(f"hold {h['hold_id']}: used by {h['used_by']}, not a credit")


def _one_end(v: Verdict, ref: str, paid: bool, amount: int, credits: int, backs: list[int],
             attention: set[str]) -> None:
    if credits > 1:
        v.violations.append(f"{ref}: credited {credits} times")
    if len(backs) > 1:
        v.violations.append(f"{ref}: refunded {len(backs)} times")
    if credits and backs:
        v.violations.append(f"{ref}: credited and refunded")
    if credits and not paid:
        v.violations.append(f"{ref}: credited without payment")
    if paid and not credits and sum(backs) != amount:
        if ref in attention:
            v.escalated.append(ref)
        else:
            v.violations.append(f"{ref}: paid {amount}, not credited, refunded {sum(backs)}")


def _scan_ended(v: Verdict, no: str, order: dict, attention: set[str]) -> None:
    """Every scan order ends paid (credited or refunded), failed, or reversed: never left open
    (user_paying) once the kiosk has settled; one that is with a person is escalated."""
    v.scan_orders[order["status"]] = v.scan_orders.get(order["status"], 0) + 1
    if order["status"] in ("pending", "user_paying"):
        if no in attention:
            v.escalated.append(no)
        else:
            v.violations.append(f"{no}: scan order left {order['status']}")


def terminal_outcomes(state_path: Path) -> dict:
    if not state_path.exists():
        return {}
    return json.loads(state_path.read_text(encoding="utf-8"))["outcomes"]


def attention_refs(journal) -> set[str]:
    return {ref for t in journal.needing_attention() for ref in (t.out_trade_no, t.ecr_ref)}


def cash_refunds(journal) -> dict[str, int]:
    """The journal's Octopus payments refunded in cash by an operator: ecr_ref -> cents."""
    return {t.ecr_ref: t.amount_cents for t in journal.list(limit=10**9)
            if t.state == "refunded_manually"}
