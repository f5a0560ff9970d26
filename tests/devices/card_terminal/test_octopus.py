"""Octopus on the multi-tender terminal: the 5-field SALE, the remaining value, RETAP, INCOMPLETE,
the Octopus declines and NS, with the real driver against the simulator over a pty and TCP."""

from __future__ import annotations

import time

import pytest

from devices.card_terminal import protocol as p
from devices.card_terminal.driver import SerialCardTerminal
from devices.card_terminal.simulator import CardTerminalSimulator, Delays
from devices.interfaces import ProtocolError

from .conftest import DRIVER_TIMERS, WAIT_S

pytestmark = pytest.mark.timeout(30)

FS = "\x1c"
SPEC_OCTOPUS_SALE = ("02 53 41 4C 45 1C 4B 30 31 2D 30 30 30 32 30 30 1C 30 30 30 30 30 30 30 30 "
                     "38 38 32 30 1C 33 34 34 1C 36 30 1C 4F 43 54 4F 50 55 53 03 17")


# --- protocol ---------------------------------------------------------------------------------

def test_the_spec_octopus_sale_frame_encodes_and_decodes_byte_for_byte():
    sale = p.Sale("K01-000200", 8820, "344", 60, "OCTOPUS")
    assert p.frame(sale).hex(" ").upper() == SPEC_OCTOPUS_SALE
    assert p.decode(bytes.fromhex(SPEC_OCTOPUS_SALE)[1:-2]) == sale
    assert sale.octopus


def test_a_card_sale_stays_four_fields_and_a_five_field_card_sale_is_a_card_sale():
    assert p.encode(p.Sale("K01-1", 100)).count(b"\x1c") == 4
    assert p.decode(f"SALE{FS}K01-1{FS}000000000100{FS}344{FS}60{FS}CARD".encode()).tender == "CARD"
    with pytest.raises(ProtocolError):
        p.decode(f"SALE{FS}K01-1{FS}000000000100{FS}344{FS}60{FS}CARD{FS}X".encode())


def _octopus_rsp(remaining):
    return p.TerminalResult("SALE", "K01-2", "APPROVED", "00", "", "123456000001", "****5678",
                            "OCTOPUS", "CTLS", "T1", "M1", "000001", "20261203120000", 8820, "344",
                            remaining)


@pytest.mark.parametrize("remaining, text", [(12340, "000000012340"), (-3500, "-000000003500"),
                                             (None, "")])
def test_an_octopus_rsp_has_the_remaining_value_as_its_sixteenth_field(remaining, text):
    payload = p.encode(_octopus_rsp(remaining))
    fields = payload.decode().split(FS)
    assert len(fields) == 17 and fields[-1] == text  # the command name + 16 fields
    decoded = p.decode(payload)
    assert decoded.remaining_value_cents == remaining and decoded.octopus


def test_a_card_rsp_has_fifteen_fields_and_no_remaining_value():
    card = p.TerminalResult("SALE", "K01-3", "APPROVED", "00", brand="VISA", amount_cents=1)
    assert len(p.encode(card).decode().split(FS)) == 16
    assert p.decode(p.encode(card)).remaining_value_cents is None


@pytest.mark.parametrize("bad", ["12340", "+000000012340", "-00000000350", "00000001234x"])
def test_a_malformed_remaining_value_is_a_protocol_error(bad):
    fields = p.encode(_octopus_rsp(1)).decode().split(FS)
    fields[-1] = bad
    with pytest.raises(ProtocolError, match="remaining_value"):
        p.decode(FS.join(fields).encode())


def test_incomplete_is_not_definite_and_ns_is_not_supported():
    incomplete = p.TerminalResult("SALE", "K", "INCOMPLETE", "RT", brand="OCTOPUS")
    assert incomplete.incomplete and not incomplete.definite and not incomplete.approved
    assert p.TerminalResult("SALE", "K", "ERROR", "NS").not_supported


# --- driver against the simulator ----------------------------------------------------------------

def test_an_octopus_sale_is_approved_with_the_remaining_value(make_rig):
    rig = make_rig()
    rig.sim.octopus_card.set_value(20_000)
    result = rig.terminal.sale("K01-000200", 8820, tender="octopus")
    assert (result.result, result.rc, result.brand, result.entry) == ("APPROVED", "00", "OCTOPUS",
                                                                      "CTLS")
    assert result.remaining_value_cents == 20_000 - 8820 and result.auth_code == ""
    assert result.last4 == "5678" and rig.sim.charges == 1
    assert rig.events.stages("K01-000200")[0] == "PRESENT_CARD"
    sent = [f.hex for f in rig.terminal.recent_frames() if f.direction == "tx"]
    assert p.frame(p.Sale("K01-000200", 8820, "344", 60, "OCTOPUS")).hex(" ").upper() in sent


def test_a_card_sale_on_the_same_terminal_sends_four_fields(make_rig):
    rig = make_rig()
    result = rig.terminal.sale("K01-000201", 100, tender="card")
    assert result.approved and result.remaining_value_cents is None and not result.octopus
    sent = [f.hex for f in rig.terminal.recent_frames() if f.direction == "tx"]
    assert p.frame(p.Sale("K01-000201", 100, "344", 60)).hex(" ").upper() in sent


def test_a_card_without_enough_value_is_declined_iv_with_its_value(make_rig):
    rig = make_rig()
    rig.sim.octopus_card.set_value(1000)
    result = rig.terminal.sale("K01-000202", 4501, tender="octopus")  # 1000 - 4501 < -3500
    assert (result.result, result.rc, result.remaining_value_cents) == ("DECLINED", "IV", 1000)
    assert rig.terminal.sale("K01-000203", 4500, tender="octopus").remaining_value_cents == -3500
    assert rig.sim.charges == 1


@pytest.mark.parametrize("scenario, rc", [("decline_iv", "IV"), ("decline_bl", "BL"),
                                          ("decline_lm", "LM")])
def test_octopus_declines_charge_nothing(make_rig, scenario, rc):
    rig = make_rig(scenario=scenario)
    result = rig.terminal.sale("K01-000204", 100, tender="octopus")
    assert (result.result, result.rc, result.brand) == ("DECLINED", rc, "OCTOPUS")
    assert rig.sim.charges == 0 and rig.sim.octopus_card.value_cents == 50_000


def test_an_octopus_sale_above_the_limit_is_always_declined_lm(make_rig):
    rig = make_rig()
    rig.sim.octopus_card.set_value(200_000)
    result = rig.terminal.sale("K01-000205", p.OCTOPUS_MAX_SALE_CENTS + 1, tender="octopus")
    assert (result.result, result.rc, result.remaining_value_cents) == ("DECLINED", "LM", None)
    assert rig.terminal.sale("K01-000206", p.OCTOPUS_MAX_SALE_CENTS, tender="octopus").approved


def test_retap_is_a_progress_event_then_the_sale_approves(make_rig):
    rig = make_rig(scenario="retap")
    result = rig.terminal.sale("K01-000207", 500, tender="octopus")
    assert result.approved and result.remaining_value_cents == 50_000 - 500
    assert "RETAP" in rig.events.stages("K01-000207")


@pytest.mark.parametrize("scenario, final", [("incomplete_approved", "APPROVED"),
                                             ("incomplete_cancelled", "CANCELLED")])
def test_incomplete_is_its_own_result_queried_in_progress_until_resolved(make_rig, scenario, final):
    """GIVEN the customer never taps again WHEN the sale ends INCOMPLETE THEN QUERY says
    IN_PROGRESS (in the Octopus shape), new sales still go, and after resolution QUERY
    answers the final outcome."""
    rig = make_rig(scenario=scenario)
    result = rig.terminal.sale("K01-000208", 700, tender="octopus")
    assert (result.result, result.rc, result.incomplete) == ("INCOMPLETE", "RT", True)
    assert "RETAP" in rig.events.stages("K01-000208")
    assert rig.terminal.outcome_unknown is None  # it does not block the next sale
    pending = rig.terminal.query("K01-000208")
    assert (pending.result, pending.brand, pending.remaining_value_cents) == (
        "IN_PROGRESS", "OCTOPUS", None)
    assert rig.terminal.sale("K01-000209", 100, tender="card").approved
    assert rig.sim.resolve_incomplete("K01-000208") == 1
    settled = rig.terminal.query("K01-000208")
    assert settled.result == final and settled.octopus
    charged = final == "APPROVED"
    assert (settled.remaining_value_cents == 50_000 - 700) is charged
    assert rig.sim.charges == 1 + charged


def test_an_incomplete_sale_whose_answer_was_lost_stops_blocking_once_queried(make_rig):
    """GIVEN an INCOMPLETE Octopus sale whose RSP never reached the kiosk (the driver blocks new
    sales until it is queried) WHEN QUERY says IN_PROGRESS in the Octopus shape THEN the sale
    is known incomplete, and new sales go on."""
    rig = make_rig(scenario="incomplete_approved")
    assert rig.terminal.sale("K01-000211", 700, tender="octopus").incomplete
    rig.terminal._unknown = "K01-000211"  # as after a lost RSP
    assert rig.terminal.query("K01-000211").result == "IN_PROGRESS"
    assert rig.terminal.outcome_unknown is None
    assert rig.terminal.sale("K01-000212", 100, tender="card").approved


def test_incomplete_resolves_by_itself_after_the_set_time(link, tmp_path):
    sim = CardTerminalSimulator("incomplete_approved", state_path=tmp_path / "t.json",
                                delays=Delays(0, 0, 0, 0, 0, octopus_resolve_s=0.3),
                                t_ack_s=0.3, t_char_s=0.1)
    port = sim.start(link)
    terminal = SerialCardTerminal(port, **DRIVER_TIMERS)
    try:
        assert terminal.sale("K01-000210", 700, tender="octopus").incomplete
        deadline = time.monotonic() + WAIT_S
        answer = terminal.query("K01-000210")
        while answer.result == "IN_PROGRESS" and time.monotonic() < deadline:
            answer = terminal.query("K01-000210")
        assert answer.approved and answer.remaining_value_cents == 50_000 - 700
    finally:
        terminal.close()
        sim.stop()


def test_a_terminal_without_octopus_answers_not_supported(link, tmp_path):
    sim = CardTerminalSimulator(state_path=tmp_path / "t.json", delays=Delays.none(),
                                tenders=("CARD",), t_ack_s=0.3, t_char_s=0.1)
    port = sim.start(link)
    terminal = SerialCardTerminal(port, **DRIVER_TIMERS)
    try:
        result = terminal.sale("K01-000211", 100, tender="octopus")
        assert (result.result, result.rc, result.not_supported) == ("ERROR", "NS", True)
        assert terminal.outcome_unknown is None and sim.charges == 0
        assert terminal.sale("K01-000212", 100).approved
    finally:
        terminal.close()
        sim.stop()


def test_an_octopus_sale_cannot_be_voided_or_refunded_at_the_terminal(make_rig):
    rig = make_rig()
    sale = rig.terminal.sale("K01-000213", 300, tender="octopus")
    void = rig.terminal.void("K01-000214", "K01-000213")
    refund = rig.terminal.refund("K01-000215", 300, sale.rrn)
    assert (void.result, void.rc) == ("ERROR", "NS")
    assert (refund.result, refund.rc) == ("ERROR", "NS")
    assert rig.sim.octopus_card.value_cents == 50_000 - 300


def test_an_octopus_only_scenario_waits_for_the_next_octopus_sale(make_rig):
    rig = make_rig()
    rig.sim.set_scenario("decline_bl")
    assert rig.terminal.sale("K01-000216", 100).approved  # a card sale is not affected
    assert rig.terminal.sale("K01-000217", 100, tender="octopus").rc == "BL"
    assert rig.terminal.sale("K01-000218", 100, tender="octopus").approved


def test_an_unknown_tender_name_is_refused_before_anything_is_sent(make_rig):
    rig = make_rig()
    with pytest.raises(ValueError, match="tender"):
        rig.terminal.sale("K01-000219", 100, tender="cash")
