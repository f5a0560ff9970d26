"""The Octopus part of the card terminal contract, run over the real driver on the simulator
and over the tests' FakeTerminal, so engine tests on the fake see what the terminal does."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from devices.card_terminal.driver import SerialCardTerminal
from devices.card_terminal.simulator import CardTerminalSimulator, Delays
from devices.interfaces import TerminalProgress
from tests.devices.card_terminal.conftest import DRIVER_TIMERS, SIM_TIMERS
from tests.fakes.card_terminal import FakeTerminal

pytestmark = pytest.mark.timeout(30)


def _real(tmp_path):
    sim = CardTerminalSimulator(state_path=tmp_path / "t.json", delays=Delays.none(), **SIM_TIMERS)
    terminal = SerialCardTerminal(sim.start("pty"), **DRIVER_TIMERS)
    plans = {"approve": "approve", "iv": "decline_iv", "retap": "retap",
             "incomplete_approved": "incomplete_approved"}
    return SimpleNamespace(
        terminal=terminal, plan=lambda name: sim.set_scenario(plans[name]),
        value=sim.octopus_card.set_value, resolve=sim.resolve_incomplete,
        close=lambda: (terminal.close(), sim.stop()))


def _fake(tmp_path):
    fake = FakeTerminal()
    plans = {"approve": {"result": "APPROVED", "rc": "00"},
             "iv": {"result": "DECLINED", "rc": "IV"},
             "retap": {"result": "APPROVED", "rc": "00", "retap": True},
             "incomplete_approved": {"result": "INCOMPLETE", "rc": "RT", "final": "APPROVED"}}

    def value(cents):
        fake.octopus_value_cents = cents

    return SimpleNamespace(terminal=fake, plan=lambda name: setattr(fake, "plan", plans[name]),
                           value=value, resolve=fake.resolve_incomplete, close=fake.close)


@pytest.fixture(params=["real", "fake"])
def part(request, tmp_path):
    made = {"real": _real, "fake": _fake}[request.param](tmp_path)
    made.stages = []
    made.terminal.subscribe(lambda e: isinstance(e, TerminalProgress) and made.stages.append(e.stage))
    yield made
    made.close()


def test_approved_with_the_remaining_value_and_not_reversible(part):
    part.value(10_000)
    part.plan("approve")
    sale = part.terminal.sale("K01-000300", 2500, tender="octopus")
    assert (sale.result, sale.brand, sale.last4, sale.remaining_value_cents) == (
        "APPROVED", "OCTOPUS", "5678", 7500)
    assert part.terminal.void("K01-000301", "K01-000300").not_supported
    assert part.terminal.refund("K01-000302", 2500, sale.rrn).not_supported


def test_declined_iv_carries_the_card_value(part):
    part.value(300)
    part.plan("iv")
    sale = part.terminal.sale("K01-000303", 2500, tender="octopus")
    assert (sale.result, sale.rc, sale.remaining_value_cents) == ("DECLINED", "IV", 300)


def test_retap_then_approved(part):
    part.plan("retap")
    assert part.terminal.sale("K01-000304", 100, tender="octopus").approved
    assert "RETAP" in part.stages


def test_incomplete_is_queried_in_progress_until_resolved(part):
    part.plan("incomplete_approved")
    sale = part.terminal.sale("K01-000305", 100, tender="octopus")
    assert sale.incomplete and sale.rc == "RT" and not sale.definite
    assert part.terminal.query("K01-000305").result == "IN_PROGRESS"
    part.plan("approve")
    assert part.terminal.sale("K01-000306", 100).approved  # not blocked
    part.resolve("K01-000305")
    settled = part.terminal.query("K01-000305")
    assert settled.approved and settled.octopus and settled.remaining_value_cents is not None
