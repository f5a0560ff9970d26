"""The card terminal contract (``devices.interfaces.CardTerminal``), run over every implementation:
the real driver against the terminal simulator over a pty, and the tests' FakeTerminal.

Each test takes a ``part``: the terminal, the events it sent to a subscriber, and the few
switches a test needs (the next sale declined, a customer who takes their time, a lost answer),
thrown on the simulator or on the fake. Driver-only matters (frames, link faults, timers) are in
tests/devices/card_terminal/.
"""

from __future__ import annotations

import queue
import threading

import pytest

from devices.card_terminal.driver import SerialCardTerminal
from devices.card_terminal.protocol import TerminalResult
from devices.card_terminal.simulator import CardTerminalSimulator, Delays
from devices.interfaces import (
    CardTerminal,
    DeviceState,
    DeviceStatus,
    OutcomeUnknown,
    TerminalProgress,
)
from tests.devices.card_terminal.conftest import DRIVER_TIMERS, SIM_TIMERS, WAIT_S, Events
from tests.fakes.card_terminal import FakeTerminal
from tests.interfaces.signatures import interface_gaps

pytestmark = pytest.mark.timeout(30)


class Part:
    """A terminal under the contract, and its switches (the fake's are set on the fake)."""

    def __init__(self, terminal):
        self.terminal = terminal
        self.events = Events()
        terminal.subscribe(self.events)

    def decline_next(self, rc: str) -> None:
        self.terminal.plan = {"result": "DECLINED", "rc": rc}

    def customer_takes_their_time(self) -> None:
        self.terminal.hold = threading.Event()

    def lose_the_next_answer(self) -> None:
        self.terminal.lose_answers = 1

    def answers_again(self) -> None:
        pass

    def charges(self) -> int:
        return len(self.terminal.approved_sales())

    def close(self) -> None:
        self.terminal.close()


class RealPart(Part):
    def __init__(self, tmp_path):
        self.sim = CardTerminalSimulator(state_path=tmp_path / "terminal.json",
                                         delays=Delays.none(), **SIM_TIMERS)
        super().__init__(SerialCardTerminal(self.sim.start("pty"), **DRIVER_TIMERS))

    def decline_next(self, rc: str) -> None:
        self.sim.set_scenario(f"decline_{rc}")

    def customer_takes_their_time(self) -> None:
        self.sim.delays = Delays(stage_s=5.0, no_card_s=5.0, cancel_s=5.0)

    def lose_the_next_answer(self) -> None:
        self.sim.set_scenario("silent")  # the power goes: no answer, and no QUERY either

    def answers_again(self) -> None:
        self.events.wait_state(DeviceState.OFFLINE)  # the driver saw the terminal go silent
        self.events.clear()
        self.sim.set_fault("silent", False)
        self.events.wait_state(DeviceState.ONLINE)

    def charges(self) -> int:
        return self.sim.charges

    def close(self) -> None:
        super().close()
        self.sim.stop()


@pytest.fixture(params=["real", "fake"])
def part(request, tmp_path):
    made = RealPart(tmp_path) if request.param == "real" else Part(FakeTerminal())
    yield made
    made.close()


def in_background(fn, *args) -> queue.Queue:
    """Run a blocking call on a worker; the queue gets its result or its exception."""
    out: queue.Queue = queue.Queue()

    def work():
        try:
            out.put(fn(*args))
        except Exception as e:  # handed to the test to assert on
            out.put(e)

    threading.Thread(target=work, daemon=True).start()
    return out


def test_has_every_method_of_the_interface_with_its_signature(part):
    assert interface_gaps(part.terminal, CardTerminal) == []
    assert isinstance(part.terminal, CardTerminal)


def test_status_is_an_online_device_status(part):
    status = part.terminal.status()
    assert isinstance(status, DeviceStatus) and status.state is DeviceState.ONLINE and status.usable


def test_an_approved_sale_says_so_with_the_card_and_the_amount(part):
    result = part.terminal.sale("K01-000001", 100)
    assert type(result) is TerminalResult
    assert (result.cmd, result.ecr_ref, result.result, result.rc) == (
        "SALE", "K01-000001", "APPROVED", "00")
    assert result.approved and result.amount_cents == 100 and result.currency == "344"
    assert result.auth_code and result.rrn and result.brand
    assert len(result.last4) == 4 and result.last4 == result.masked_pan[-4:]
    assert part.events.stages("K01-000001")[0] == "PRESENT_CARD"
    assert all(isinstance(e, TerminalProgress) for e in part.events.all
               if getattr(e, "ecr_ref", "") == "K01-000001")
    assert part.charges() == 1


def test_a_repeated_sale_ref_replays_the_answer_and_charges_once(part):
    first = part.terminal.sale("K01-000002", 700)
    assert part.terminal.sale("K01-000002", 700) == first
    assert part.charges() == 1


def test_a_decline_carries_its_response_code_and_charges_nothing(part):
    part.decline_next("51")
    result = part.terminal.sale("K01-000003", 2500)
    assert (result.cmd, result.result, result.rc, result.approved) == ("SALE", "DECLINED", "51",
                                                                       False)
    assert result.auth_code == ""
    assert part.charges() == 0


def test_query_gives_the_stored_outcome_or_not_found(part):
    sold = part.terminal.sale("K01-000004", 300)
    assert part.terminal.query("K01-000004") == sold
    unknown = part.terminal.query("K01-NOPE")
    assert (type(unknown), unknown.cmd, unknown.ecr_ref, unknown.result) == (
        TerminalResult, "QUERY", "K01-NOPE", "NOT_FOUND")


def test_void_refund_and_settle_follow_the_batch(part):
    t = part.terminal
    sale = t.sale("K01-000019", 1000)
    t.sale("K01-000020", 500)
    void = t.void("K01-000021", "K01-000019")
    assert (void.cmd, void.result, void.amount_cents) == ("VOID", "APPROVED", 1000)
    assert t.void("K01-000022", "K01-000019").result == "DECLINED"  # already voided
    refund = t.refund("K01-000023", 200, sale.rrn)
    assert (refund.cmd, refund.result, refund.amount_cents) == ("REFUND", "APPROVED", 200)
    settle = t.settle("K01-000024")
    assert (settle.cmd, settle.result, settle.amount_cents) == ("SETTLE", "APPROVED", 300)
    assert t.void("K01-000025", "K01-000020").result == "DECLINED"  # the batch is closed


def test_abort_mid_sale_ends_it_cancelled(part):
    part.customer_takes_their_time()
    answer = in_background(part.terminal.sale, "K01-000006", 100)
    part.events.wait_for(lambda e: getattr(e, "stage", "") == "PRESENT_CARD")
    part.terminal.abort("K01-000006")
    result = answer.get(timeout=WAIT_S)
    assert (result.cmd, result.ecr_ref, result.result, result.approved) == (
        "SALE", "K01-000006", "CANCELLED", False)
    assert part.charges() == 0


@pytest.mark.slow
def test_a_lost_answer_is_outcome_unknown_and_no_sale_goes_until_it_is_queried(part):
    part.lose_the_next_answer()
    with pytest.raises(OutcomeUnknown):
        part.terminal.sale("K01-000014", 100)
    with pytest.raises(OutcomeUnknown, match="K01-000014"):
        part.terminal.sale("K01-000015", 100)
    part.answers_again()
    assert part.terminal.query("K01-000014").result in ("APPROVED", "NOT_FOUND")  # definite
    assert part.terminal.sale("K01-000015", 100).approved


# --- the suite catches a fake that drifted --------------------------------------------------

TerminalWithoutQuery = type("TerminalWithoutQuery", (), {
    k: v for k, v in vars(FakeTerminal).items() if k not in ("query", "__dict__", "__weakref__")})


class TerminalWithAnOldSale(FakeTerminal):
    def sale(self, ecr_ref, amount_cents):  # no currency, no timeout_s
        return super().sale(ecr_ref, amount_cents)


@pytest.mark.parametrize("broken, gap", [(TerminalWithoutQuery, "query: missing"),
                                         (TerminalWithAnOldSale, "sale(self, ecr_ref, amount_cents)")])
def test_a_fake_that_lacks_a_method_or_its_signature_fails_the_suite(broken, gap):
    part = Part(broken())
    with pytest.raises(AssertionError) as failed:
        test_has_every_method_of_the_interface_with_its_signature(part)
    assert gap in str(failed.value)


def test_a_fake_without_query_fails_the_behaviour_too():
    with pytest.raises(AttributeError, match="query"):
        test_query_gives_the_stored_outcome_or_not_found(Part(TerminalWithoutQuery()))
