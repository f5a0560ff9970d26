"""Hypothesis: whatever the customers do, whatever answers are lost and wherever the process
dies, every paid order ends with exactly one credit or one full refund, and nothing is
credited without a payment."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.money.crash_points import CrashPoints
from kiosk.money.purchases import LastSaleUnsettled, PurchaseService
from kiosk.money.recovery import Reconciler, recover
from tests.kiosk.money.rig import REJECTED_MSISDN, Rig, offer, subscriber

OPS = ("create_payment", "get_payment", "close_payment", "create_topup", "get_topup",
       "create_refund", "get_refund")
faults = st.lists(st.tuples(st.sampled_from(OPS), st.sampled_from(["lost", "drop", "reject"])),
                  max_size=4)
numbers = st.sampled_from(["85291234567", "85261234567", REJECTED_MSISDN])
crash_after = st.one_of(st.none(), st.integers(min_value=1, max_value=25))


class Crash(BaseException):
    """The power goes: nothing after this point runs (not an Exception: nothing catches it)."""


class CrashAt(CrashPoints):
    def __init__(self):
        super().__init__()
        self.countdown: int | None = None
        self.crashes = 0

    @property
    def active(self) -> bool:
        return True

    def hit(self, name: str) -> None:
        if self.countdown is None:
            return
        self.countdown -= 1
        if self.countdown <= 0:
            self.countdown = None
            self.crashes += 1
            raise Crash(name)


class MoneyMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.dir = Path(tempfile.mkdtemp(prefix="purchase-props-"))
        self.rig = Rig(self.dir)
        self.crash = CrashAt()
        self.power_back()
        self._hook = threading.excepthook
        threading.excepthook = self._swallow_crash

    def _swallow_crash(self, args):
        if not issubclass(args.exc_type, Crash):
            self._hook(args)

    def teardown(self):
        if hasattr(self, "rig"):
            self.settle_everything()
            self.rig.close()
            threading.excepthook = self._hook
            shutil.rmtree(self.dir, ignore_errors=True)

    def _arm(self, fault_list, crash):
        for op, mode in fault_list:
            if mode != "reject" or op == "create_topup":
                self.rig.backend.fault(op, mode)
        self.crash.countdown = crash

    @rule(msisdn=numbers, when=st.sampled_from(["at_once", "late", "at_close", "never", "cancel"]),
          nth=st.integers(1, 70), fault_list=faults, crash=crash_after)
    def wallet_customer(self, msisdn, when, nth, fault_list, crash):
        rig = self.rig
        if when == "at_once":
            rig.pay_on("get_payment", 1)
        elif when == "late":
            rig.pay_on("get_payment", nth)
        elif when == "at_close":
            rig.pay_on("close_payment", 1)
        elif when == "cancel":
            rig.pay_on("get_payment", nth, then=rig.service.cancel)
        else:
            rig.backend.on_call = None
        self._arm(fault_list, crash)
        try:
            rig.service.start_qr(subscriber(msisdn), offer(), "wechatpay", "en")
        except Crash:  # on the caller's thread, right after the row was created
            self.power_back()
        assert rig.service.join(20)
        self.crash.countdown = None
        rig.backend.on_call = None

    @rule(msisdn=numbers, outcome=st.sampled_from(["APPROVED", "DECLINED", "CANCELLED"]),
          lose=st.integers(0, 2), fault_list=faults, crash=crash_after)
    def card_customer(self, msisdn, outcome, lose, fault_list, crash):
        rig = self.rig
        rig.terminal.plan = {"result": outcome, "rc": "00" if outcome == "APPROVED" else "05"}
        rig.terminal.lose_answers = lose
        self._arm(fault_list, crash)
        try:
            rig.service.start_card(subscriber(msisdn), offer(), "en")
        except LastSaleUnsettled:
            self.crash.countdown = None
            return
        except Crash:
            self.power_back()
        assert rig.service.join(20)
        self.crash.countdown = None
        rig.terminal.lose_answers = 0

    def power_back(self):
        """A new process: a new purchase service on the same journal and devices."""
        rig = self.rig
        rig.service = PurchaseService(rig.journal, rig.backend, rig.terminal, rig.settings,
                                      rig.clock, self.crash)
        rig.service.subscribe(rig.events.append)

    @rule()
    def restart(self):
        """Start-up recovery, with whatever faults are still armed."""
        recover(self.rig.journal, self.rig.backend, self.rig.terminal, self.rig.settings,
                self.rig.clock)

    @rule()
    def settle_everything(self):
        """The backend is back: recovery and the reconciler settle every row, exactly once."""
        rig = self.rig
        rig.backend.faults.clear()
        rig.terminal.lose_answers = 0
        recover(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock)
        Reconciler(rig.journal, rig.backend, rig.terminal, rig.settings, rig.clock).run_once()
        assert rig.journal.unfinished() == []
        assert rig.backend.violations() == []
        self.check_cards()

    def check_cards(self):
        rig = self.rig
        credited = {ref for ref, _ in rig.backend.credits}
        reversals = rig.terminal.reversals()
        for ref in rig.terminal.approved_sales():
            assert (ref in credited) + reversals.get(ref, 0) == 1, ref

    @invariant()
    def never_credited_twice(self):
        if hasattr(self, "rig"):
            refs = [ref for ref, _ in self.rig.backend.credits]
            assert len(refs) == len(set(refs))
            assert all(n <= 1 for n in self.rig.terminal.reversals().values())


MoneyMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=10, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestMoneyMachine = pytest.mark.slow(MoneyMachine.TestCase)
