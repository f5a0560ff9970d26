"""The simulator's faulty-terminal scenario: APPROVED for 1 cent whatever was asked (stored, so
QUERY repeats it, and VOIDable like any approved sale)."""

from __future__ import annotations


def test_approve_wrong_amount_approves_one_cent_and_query_repeats_it(make_rig):
    rig = make_rig(scenario="approve_wrong_amount")
    result = rig.terminal.sale("K01-000021", 8820)
    assert result.approved and result.amount_cents == 1 and result.currency == "344"
    assert rig.terminal.query("K01-000021").amount_cents == 1
    void = rig.terminal.void("K01-000021V", "K01-000021")
    assert void.approved and void.amount_cents == 1
