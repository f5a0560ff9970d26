"""The card terminal contract: the real driver against the simulator over a real pty and TCP,
each fault switch in turn. Every test is bounded; none sleeps to wait."""

from __future__ import annotations

import time

import pytest

from devices.card_terminal import protocol as p
from devices.card_terminal.driver import SerialCardTerminal
from devices.card_terminal.simulator import Delays
from devices.interfaces import CardTerminal, DeviceState, OutcomeUnknown

from .conftest import DRIVER_TIMERS, WAIT_S

pytestmark = pytest.mark.timeout(30)

SLOW_CUSTOMER = Delays(stage_s=5.0, no_card_s=5.0, cancel_s=5.0)


def test_the_driver_is_a_card_terminal(make_rig):
    assert isinstance(make_rig().terminal, CardTerminal)


def test_an_approved_sale_reports_progress_and_charges_once(make_rig):
    """GIVEN a terminal that approves WHEN the kiosk sells HK$1.00 THEN the customer saw the
    stages, the answer is APPROVED for 100 cents with the card's last 4, charged once."""
    rig = make_rig()
    result = rig.terminal.sale("K01-000001", 100)
    assert result.approved and result.rc == "00"
    assert result.amount_cents == 100 and result.currency == "344"
    assert len(result.last4) == 4 and result.last4 == result.masked_pan[-4:]
    assert rig.events.stages("K01-000001") == [
        "PRESENT_CARD", "READING", "AUTHORISING", "REMOVE_CARD"]
    assert rig.sim.charges == 1
    assert rig.terminal.status().state is DeviceState.ONLINE


def test_every_frame_is_in_the_wire_ring_in_hex(make_rig):
    rig = make_rig()
    rig.terminal.sale("K01-000001", 100)
    frames = rig.terminal.recent_frames()
    sale_hex = p.frame(p.Sale("K01-000001", 100, "344", 60)).hex(" ").upper()
    assert any(f.direction == "tx" and f.hex == sale_hex for f in frames)
    assert any(f.direction == "rx" and f.note == "TerminalResult" for f in frames)


@pytest.mark.parametrize("rc", ["05", "51", "54", "55", "91"])
def test_a_decline_carries_its_response_code_and_charges_nothing(make_rig, rc):
    rig = make_rig(scenario=f"decline_{rc}")
    result = rig.terminal.sale("K01-000002", 2500)
    assert (result.result, result.rc, result.approved) == ("DECLINED", rc, False)
    assert rig.sim.charges == 0
    if rc == "55":
        assert "PIN_ENTRY" in rig.events.stages("K01-000002")


@pytest.mark.parametrize("scenario, outcome", [("cancel", "CANCELLED"), ("no_card", "TIMEOUT")])
def test_customer_cancel_and_no_card_end_without_a_charge(make_rig, scenario, outcome):
    rig = make_rig(scenario=scenario)
    assert rig.terminal.sale("K01-000003", 100).result == outcome
    assert rig.sim.charges == 0


def test_scenario_for_the_next_sale_only(make_rig):
    rig = make_rig()
    rig.sim.set_scenario("decline_51")
    assert rig.terminal.sale("K01-000004", 100).rc == "51"
    assert rig.terminal.sale("K01-000005", 100).approved


def test_abort_mid_sale_ends_it_cancelled(make_rig):
    rig = make_rig(delays=SLOW_CUSTOMER)
    started = time.monotonic()
    answer = rig.in_background(rig.terminal.sale, "K01-000006", 100)
    rig.events.wait_for(lambda e: getattr(e, "stage", "") == "PRESENT_CARD")
    rig.terminal.abort("K01-000006")
    result = answer.get(timeout=WAIT_S)
    assert result.result == "CANCELLED" and rig.sim.charges == 0
    assert time.monotonic() - started < 4.0  # not the simulated customer's 5 s


def test_a_busy_terminal_says_so_and_refuses_a_sale(make_rig):
    rig = make_rig(scenario="busy")
    assert rig.terminal.status_result().result == "BUSY"
    assert rig.terminal.status().state is DeviceState.BUSY
    result = rig.terminal.sale("K01-000007", 100)
    assert result.result == "ERROR" and rig.sim.charges == 0


def test_a_lost_final_answer_is_settled_through_query(make_rig):
    """GIVEN a terminal that approves but loses the RSP WHEN the EVT watchdog fires
    THEN QUERY brings the true outcome (APPROVED), so the kiosk can fulfil or void."""
    rig = make_rig(scenario="lose_response")
    result = rig.terminal.sale("K01-000008", 4200)
    assert result.approved and result.ecr_ref == "K01-000008" and result.amount_cents == 4200
    assert rig.sim.charges == 1
    assert any(f.direction == "tx" and f.note == "Query" for f in rig.terminal.recent_frames())
    void = rig.terminal.void("K01-000009", "K01-000008")
    assert void.approved and void.cmd == "VOID"


@pytest.mark.parametrize("fault, frames", [
    ("nak_frames", "SALE"), ("drop_acks", "SALE"), ("corrupt_lrc", "RSP"), ("slow_frames", "RSP"),
    ("corrupt_lrc", "EVT")])
def test_link_faults_are_survived_without_a_double_charge(make_rig, fault, frames):
    rig = make_rig(**{fault: (1, frames)})
    result = rig.terminal.sale("K01-000010", 100)
    assert result.approved
    assert rig.sim.charges == 1
    assert rig.sim.faults.get(fault) == 0  # the fault really happened


def test_a_duplicate_sale_frame_is_replayed_not_charged_again(make_rig):
    """GIVEN the terminal's ACK of SALE is lost THEN the driver sends SALE again; the terminal
    sees it twice and still charges once; and a repeated sale ref replays the stored answer."""
    rig = make_rig(drop_acks=(1, "SALE"))
    first = rig.terminal.sale("K01-000011", 100)
    sim_rx = [f for f in rig.sim.wire.recent() if f.direction == "rx" and f.note == "Sale"]
    assert len(sim_rx) == 2
    again = rig.terminal.sale("K01-000011", 100)
    assert first == again and rig.sim.charges == 1


def test_three_naks_are_a_link_error_then_query_settles_nothing_charged(make_rig):
    rig = make_rig(nak_frames=(3, "SALE"))
    result = rig.terminal.sale("K01-000012", 100)
    assert result.result == "NOT_FOUND" and rig.sim.charges == 0
    assert rig.terminal.outcome_unknown is None


def test_an_answer_for_another_ecr_ref_is_ignored_and_logged(make_rig, caplog):
    rig = make_rig(delays=Delays(stage_s=0.3))
    answer = rig.in_background(rig.terminal.sale, "K01-000013", 100)
    rig.events.wait_for(lambda e: getattr(e, "stage", "") == "PRESENT_CARD")
    rig.sim.send(p.TerminalResult("SALE", "K01-999999", "APPROVED", "00", amount_cents=1))
    result = answer.get(timeout=WAIT_S)
    assert result.ecr_ref == "K01-000013" and result.amount_cents == 100
    assert "K01-999999" in caplog.text and "ignored" in caplog.text


@pytest.mark.slow
def test_power_loss_mid_sale_is_seen_and_no_new_sale_until_queried(make_rig):
    rig = make_rig()
    rig.sim.set_scenario("silent")
    with pytest.raises(OutcomeUnknown):
        rig.terminal.sale("K01-000014", 100)
    rig.events.wait_state(DeviceState.OFFLINE)
    with pytest.raises(OutcomeUnknown, match="K01-000014"):
        rig.terminal.sale("K01-000015", 100)
    assert rig.terminal.outcome_unknown == "K01-000014"

    rig.sim.set_fault("silent", False)  # power back
    rig.events.wait_state(DeviceState.ONLINE)
    assert rig.terminal.query("K01-000014").result == "NOT_FOUND"
    assert rig.terminal.outcome_unknown is None
    assert rig.terminal.sale("K01-000015", 100).approved


def test_unplugged_mid_sale_reports_offline_then_reconnects_and_settles(make_rig):
    """GIVEN a sale in progress WHEN the terminal is unplugged THEN the status goes offline and
    the sale does not hang; WHEN it comes back THEN the driver reconnects and QUERY answers."""
    rig = make_rig(delays=SLOW_CUSTOMER)
    answer = rig.in_background(rig.terminal.sale, "K01-000016", 100)
    rig.events.wait_for(lambda e: getattr(e, "stage", "") == "PRESENT_CARD")
    unplugged = time.monotonic()
    rig.sim.stop()
    rig.events.wait_state(DeviceState.OFFLINE, timeout_s=2.0)
    assert time.monotonic() - unplugged < 2.0
    assert isinstance(answer.get(timeout=WAIT_S + DRIVER_TIMERS["recovery_s"]), OutcomeUnknown)

    rig.events.clear()
    rig.sim.delays = Delays.none()
    rig.restart()
    rig.events.wait_state(DeviceState.ONLINE)
    assert rig.terminal.query("K01-000016").result == "NOT_FOUND"
    assert rig.terminal.sale("K01-000017", 100).approved


def test_a_restarted_terminal_answers_query_from_its_state_file(make_rig):
    rig = make_rig()
    sold = rig.terminal.sale("K01-000018", 700)
    rig.sim.stop()
    rig.events.wait_state(DeviceState.OFFLINE)
    from devices.card_terminal.simulator import CardTerminalSimulator
    reborn = CardTerminalSimulator(state_path=rig.sim.store.path, delays=Delays.none())
    assert reborn.store.get("K01-000018") == sold
    assert reborn.charges == 1


def test_void_refund_and_settle(make_rig):
    rig = make_rig()
    sale = rig.terminal.sale("K01-000019", 1000)
    rig.terminal.sale("K01-000020", 500)
    assert rig.terminal.void("K01-000021", "K01-000019").approved
    assert rig.terminal.void("K01-000022", "K01-000019").result == "DECLINED"  # already voided
    refund = rig.terminal.refund("K01-000023", 200, sale.rrn)
    assert refund.approved and refund.amount_cents == 200
    settle = rig.terminal.settle("K01-000024")
    assert settle.approved and settle.amount_cents == 300  # 500 sold - 200 refunded
    assert rig.terminal.void("K01-000025", "K01-000020").result == "DECLINED"  # batch closed


def test_query_of_an_unknown_ref_is_not_found(make_rig):
    assert make_rig().terminal.query("K01-NOPE").result == "NOT_FOUND"


def test_a_missing_port_is_reported_offline_not_raised():
    terminal = SerialCardTerminal("/dev/ttyNOPE7", **{**DRIVER_TIMERS, "connect_wait_s": 0.1})
    try:
        status = terminal.status()
        assert status.state is DeviceState.OFFLINE and "down" in status.detail
    finally:
        terminal.close()


@pytest.mark.slow
def test_a_silent_terminal_is_reported_offline_within_2_s_with_default_timers(link, tmp_path):
    from devices.card_terminal.simulator import CardTerminalSimulator

    from .conftest import Events
    sim = CardTerminalSimulator(delays=Delays.none())
    events = Events()
    terminal = SerialCardTerminal(sim.start(link))
    try:
        terminal.subscribe(events)
        assert terminal.status().state is DeviceState.ONLINE
        went_silent = time.monotonic()
        sim.set_fault("silent", True)
        events.wait_state(DeviceState.OFFLINE, timeout_s=2.5)
        assert time.monotonic() - went_silent <= 2.0
    finally:
        terminal.close()
        sim.stop()
