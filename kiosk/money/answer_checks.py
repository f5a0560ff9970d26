"""Checking that a "paid" answer pays for what was asked, in full, before anything counts it.

A card terminal's APPROVED and a backend's ``paid`` both carry the amount (and the terminal its
currency) that was actually taken. Anything else than the amount and currency asked for, an empty
amount or a zero included, is a fault: the payment is never counted as paid, it is given back and
a person looks at it. ``mismatch`` says why, in words an operator reads (what was asked, what was
answered), or "" when the answer is right.
"""

from __future__ import annotations

HKD_NUMERIC = "344"  # ISO 4217 numeric, as the card terminal speaks it
HKD = "HKD"  # as the backend speaks it
MISMATCH = "amount_mismatch"  # the prefix of the attention reason of such a row


def mismatch(asked_cents: int, answered_cents: int | None, answered_currency: str | None,
             asked_currency: str) -> str:
    """Why an answer cannot count as payment of ``asked_cents`` in ``asked_currency``, or ""."""
    problems = []
    if not answered_cents:
        problems.append("no amount" if answered_cents is None else "an amount of 0")
    elif answered_cents != asked_cents:
        problems.append("another amount")
    if answered_currency != asked_currency:
        problems.append("no currency" if not answered_currency else "another currency")
    if not problems:
        return ""
    return (f"{MISMATCH}: asked {asked_cents} cents in {asked_currency}, answered "
            f"{_amount(answered_cents)} in {answered_currency or '(none)'} "
            f"({', '.join(problems)})")


def evidence(asked_cents: int, asked_currency: str, answered_cents: int | None,
             answered_currency: str | None) -> dict:
    """What the journal keeps of a mismatch (the refund reads ``approved_cents`` from it)."""
    return {"asked_cents": asked_cents, "asked_currency": asked_currency,
            "approved_cents": answered_cents, "approved_currency": answered_currency or ""}


def _amount(cents: int | None) -> str:
    return "(no amount)" if cents is None else f"{cents} cents"
