"""The flow table: every allowed transition goes where DESIGN.md says, every other event raises."""

from __future__ import annotations

import pytest

from kiosk.flow.machine import MONEY_STATES, CustomerFlow, TransitionNotAllowed

CUSTOMER = ("entering_number", "looking_up", "card_shown", "confirming", "lookup_failed", "done",
            "refunded", "needs_attention", "retrying", "payment_failed")
PAYING = ("paying_qr", "paying_card", "paying_octopus")

ALLOWED: dict[tuple[str, str], str] = {
    ("attract", "started"): "entering_number",
    ("entering_number", "number_entered"): "looking_up",
    ("looking_up", "subscriber_found"): "card_shown",
    ("looking_up", "lookup_went_wrong"): "lookup_failed",
    ("card_shown", "offer_chosen"): "confirming",
    ("confirming", "method_chosen"): "paying_qr",  # method "fps"; "card" → paying_card, below
    ("confirming", "went_back"): "card_shown",
    ("card_shown", "went_back"): "entering_number",
    ("lookup_failed", "went_back"): "entering_number",
    ("payment_failed", "went_back"): "confirming",
    ("paying_qr", "qr_ready"): "paying_qr",
    ("paying_card", "card_progressed"): "paying_card",
    ("paying_qr", "paid"): "crediting",
    ("paying_card", "paid"): "crediting",
    ("paying_card", "card_declined"): "payment_failed",
    ("paying_qr", "payment_cancelled"): "payment_failed",
    ("paying_card", "payment_cancelled"): "payment_failed",
    ("crediting", "credited"): "done",
    ("paying_qr", "credited"): "done",
    ("paying_card", "credited"): "done",
    ("crediting", "credit_rejected"): "refunding",
    ("crediting", "refund_completed"): "refunded",
    ("refunding", "refund_completed"): "refunded",
    ("paying_qr", "attention_needed"): "needs_attention",
    ("paying_card", "attention_needed"): "needs_attention",
    ("crediting", "attention_needed"): "needs_attention",
    ("refunding", "attention_needed"): "needs_attention",
    ("paying_qr", "retry_scheduled"): "retrying",
    ("paying_card", "retry_scheduled"): "retrying",
    ("crediting", "retry_scheduled"): "retrying",
    ("refunding", "retry_scheduled"): "retrying",
    ("attract", "went_out_of_service"): "out_of_service",
    ("out_of_service", "came_back"): "attract",
    ("maintenance", "maintenance_closed"): "attract",
    ("attract", "maintenance_opened"): "maintenance",
    ("out_of_service", "maintenance_opened"): "maintenance",
    # Octopus on the card terminal ("octopus" → paying_octopus)
    ("paying_octopus", "card_progressed"): "paying_octopus",
    ("paying_octopus", "paid"): "crediting",
    ("paying_octopus", "card_declined"): "payment_failed",
    ("paying_octopus", "payment_cancelled"): "payment_failed",
    ("paying_octopus", "credited"): "done",
    ("paying_octopus", "attention_needed"): "needs_attention",
    ("paying_octopus", "retry_scheduled"): "retrying",
}
# Scan to pay: the customer shows a wallet code on the scan screen.
ALLOWED.update({
    ("confirming", "scan_chosen"): "paying_scan",
    ("paying_scan", "code_read"): "paying_scan",
    ("paying_scan", "confirm_on_phone"): "paying_scan",
    ("paying_scan", "scan_failed"): "paying_scan",
    ("paying_scan", "paid"): "crediting",
    ("paying_scan", "payment_cancelled"): "payment_failed",
    ("paying_scan", "credited"): "done",
    ("paying_scan", "refund_completed"): "refunded",
    ("paying_scan", "attention_needed"): "needs_attention",
    ("paying_scan", "retry_scheduled"): "retrying",
})
PAYING += ("paying_scan",)
for _s in CUSTOMER:
    ALLOWED[(_s, "timed_out")] = "attract"
    ALLOWED[(_s, "cancelled")] = "attract"
    if _s != "looking_up":
        ALLOWED[(_s, "maintenance_opened")] = "maintenance"
for _s in PAYING:  # the screen stays: the payment is asked to stop, the outcome decides
    ALLOWED[(_s, "timed_out")] = _s
    ALLOWED[(_s, "cancelled")] = _s

STATES = [s.id for s in CustomerFlow.states]
EVENTS = sorted({e.id for e in CustomerFlow().events})
ARGS = {"number_entered": {"number": "85291234567"}, "method_chosen": {"method": "fps"}}


def flow_in(state: str) -> CustomerFlow:
    return CustomerFlow(start_value=state)


def test_the_table_names_every_state_and_event():
    assert len(STATES) == 19 and {s for s, _ in ALLOWED} == set(STATES)
    assert {e for _, e in ALLOWED} == set(EVENTS)


@pytest.mark.parametrize("state,event", sorted(ALLOWED))
def test_allowed_transition(state, event):
    flow = flow_in(state)
    flow.send(event, **ARGS.get(event, {}))
    assert flow.state == ALLOWED[(state, event)]


@pytest.mark.parametrize("state,event", sorted(
    (s, e) for s in STATES for e in EVENTS if (s, e) not in ALLOWED))
def test_refused_transition_raises_and_stays(state, event):
    flow = flow_in(state)
    with pytest.raises(TransitionNotAllowed):
        flow.send(event, **ARGS.get(event, {}))
    assert flow.state == state


def test_card_goes_to_the_terminal():
    flow = flow_in("confirming")
    flow.send("method_chosen", method="card")
    assert flow.state == "paying_card"


def test_octopus_goes_to_its_own_paying_state_which_is_a_money_state():
    flow = flow_in("confirming")
    flow.send("method_chosen", method="octopus")
    assert flow.state == "paying_octopus" and "paying_octopus" in MONEY_STATES


@pytest.mark.parametrize("method", ["card", "fps"])
def test_a_second_tap_finds_the_flow_already_paying(method):
    """One purchase at a time is the money engine's rule (PurchaseBusy); the flow's part is
    that choosing a method is possible only from confirming."""
    flow = flow_in("confirming")
    flow.send("method_chosen", method=method)
    paying = flow.state
    with pytest.raises(TransitionNotAllowed):
        flow.send("method_chosen", method=method)
    assert flow.state == paying and not flow.can("method_chosen")


def test_a_number_is_needed_to_look_up():
    flow = flow_in("entering_number")
    with pytest.raises(TransitionNotAllowed):
        flow.send("number_entered")


@pytest.mark.parametrize("state", sorted(MONEY_STATES))
def test_money_never_drops_to_attract_on_timeout_or_cancel(state):
    for event in ("timed_out", "cancelled", "went_back", "maintenance_opened"):
        flow = flow_in(state)
        try:
            flow.send(event)
        except TransitionNotAllowed:
            pass
        assert flow.state == state
