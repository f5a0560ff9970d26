"""A customer never waits on a dead terminal: the real driver against terminals that stop making
sense (silent, NAKs everything, ACKs but never answers, partial frames, bad LRC forever, endless
garbage) ends the sale with ``OutcomeUnknown`` within its bound of the last valid frame; a terminal
that keeps sending EVT progress, or announced a RETAP window, is waited for.

Timers are shortened (bound 2 s instead of 15 s) with the same shape; the wall-clock limits are
generous for a busy machine, and far below what the spec's other timers would have taken
(T_result here is 60 s; the recovery budget 30 s).
"""

from __future__ import annotations

import random
import threading
import time

import pytest

from devices.card_terminal import protocol as p
from devices.card_terminal.driver import SerialCardTerminal
from devices.interfaces import OutcomeUnknown
from devices.transport import Loopback

# Sub-second probe timers measured in real time: run alone, not beside a second test worker.
pytestmark = pytest.mark.timing
QUIET_S, BOUND_S = 1.0, 2.0
SLACK_S = 3.0  # a busy 2-core machine
TIMERS = dict(t_ack_s=0.3, t_char_s=0.1, result_grace_s=60.0, evt_watchdog_s=30.0,
              answer_timeout_s=1.0, recovery_s=30.0, probe_interval_s=0.3, probe_timeout_s=0.3,
              reconnect_interval_s=0.05, connect_wait_s=0.2, silence_s=QUIET_S,
              silence_bound_s=BOUND_S)


class Terminal:
    """The device end of a loopback: ``on_frame(msg)`` scripts the answers, ``pump()`` (called
    every ``pump_s``) sends unasked bytes; ``ack`` says whether good frames are ACKed."""

    def __init__(self, end, ack=True, nak=False, on_frame=None, pump=None, pump_s=0.05):
        self.end, self.ack, self.nak = end, ack, nak
        self.on_frame, self.pump, self.pump_s = on_frame, pump, pump_s
        self.parser = p.FrameParser()
        self.received: list[p.Message] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._read, daemon=True)]
        if pump is not None:
            self.threads.append(threading.Thread(target=self._pump, daemon=True))
        for t in self.threads:
            t.start()

    def send(self, msg) -> None:
        self.end.write(p.frame(msg))

    def _read(self):
        while not self.stop.is_set():
            try:
                data = self.end.read(4096)
            except Exception:
                return
            for item in self.parser.feed(data):
                if isinstance(item, p.Frame | p.BadFrame):
                    self._frame(item)

    def _frame(self, item):
        if self.nak or isinstance(item, p.BadFrame):
            self.end.write(bytes([p.NAK]))
            return
        if self.ack:
            self.end.write(bytes([p.ACK]))
        msg = p.decode(item.payload)
        self.received.append(msg)
        if self.on_frame is not None:
            self.on_frame(self, msg)

    def _pump(self):
        while not self.stop.wait(self.pump_s):
            try:
                self.pump(self)
            except Exception:
                return

    def close(self):
        self.stop.set()


@pytest.fixture
def rig():
    made = []

    def make(**terminal):
        host, device = Loopback.pair(timeout_s=0.01)
        term = Terminal(device, **terminal)
        driver = SerialCardTerminal(opener=lambda: host, **TIMERS)
        made.append((driver, term))
        return driver, term

    yield make
    for driver, term in made:
        term.close()
        driver.close()


def timed_sale(driver, ref="K01-000001"):
    started = time.monotonic()
    try:
        return driver.sale(ref, 8820, timeout_s=10), time.monotonic() - started
    except OutcomeUnknown as e:
        return e, time.monotonic() - started


def partial_frames(term):
    term.end.write(bytes([p.STX]) + b"RSP\x1cSALE\x1cK01")  # never an ETX
    time.sleep(0.15)  # the fault itself: a gap longer than T_char inside the frame


def bad_lrc(term):
    raw = p.frame(p.Progress("K01-000001", "READING"))
    term.end.write(raw[:-1] + bytes([raw[-1] ^ 0x5A]))


_rng = random.Random(18)


def garbage(term):
    term.end.write(bytes(_rng.randrange(256) for _ in range(64)))


DEAD = {
    "silent": dict(ack=False),
    "naks every frame": dict(nak=True),
    "acks but never answers": dict(ack=True),
    "partial frames forever": dict(ack=False, pump=partial_frames, pump_s=0.01),
    "bad LRC forever": dict(ack=False, pump=bad_lrc),
    "endless garbage": dict(ack=False, pump=garbage, pump_s=0.005),
}


@pytest.mark.parametrize("case", list(DEAD))
def test_a_dead_terminal_ends_the_wait_within_the_bound(rig, case):
    driver, _ = rig(**DEAD[case])
    outcome, took = timed_sale(driver)
    assert isinstance(outcome, OutcomeUnknown), outcome
    assert "query it later" in str(outcome)
    assert BOUND_S - 0.5 <= took <= BOUND_S + SLACK_S, f"{case}: {took:.1f} s"
    assert driver.outcome_unknown == "K01-000001"  # no new SALE until it is queried


def test_valid_progress_keeps_the_sale_alive_beyond_the_bound(rig):
    def answer(term, msg):
        if isinstance(msg, p.Sale):
            def progress():
                for _ in range(int(3 * BOUND_S / 0.3)):  # 3 bounds' worth of EVTs
                    time.sleep(0.3)
                    term.send(p.Progress(msg.ecr_ref, "AUTHORISING"))
                term.send(p.TerminalResult("SALE", msg.ecr_ref, "APPROVED", "00",
                                           amount_cents=msg.amount_cents, currency="344"))
            threading.Thread(target=progress, daemon=True).start()

    driver, _ = rig(on_frame=answer)
    outcome, took = timed_sale(driver)
    assert not isinstance(outcome, Exception), outcome
    assert outcome.approved
    assert took >= 2 * BOUND_S


def test_a_retap_window_is_honoured(rig):
    window_s = 2 * BOUND_S  # RETAP's window (20 s) scaled like the bound

    def answer(term, msg):
        if isinstance(msg, p.Sale):
            def retap():
                term.send(p.Progress(msg.ecr_ref, "RETAP"))
                time.sleep(window_s - 0.5)  # the customer taps again near the end of the window
                term.send(p.TerminalResult("SALE", msg.ecr_ref, "APPROVED", "00",
                                           amount_cents=msg.amount_cents, currency="344"))
            threading.Thread(target=retap, daemon=True).start()

    host, device = Loopback.pair(timeout_s=0.01)
    term = Terminal(device, on_frame=answer)
    driver = SerialCardTerminal(opener=lambda: host, **{**TIMERS, "retap_window_s": window_s})
    try:
        outcome, took = timed_sale(driver)
    finally:
        term.close()
        driver.close()
    assert not isinstance(outcome, Exception), outcome
    assert outcome.approved and took > BOUND_S


def test_a_terminal_dying_after_progress_ends_within_the_bound_of_its_last_frame(rig):
    last = {}

    def answer(term, msg):
        if isinstance(msg, p.Sale):
            def then_die():
                for _ in range(5):
                    time.sleep(0.3)
                    term.send(p.Progress(msg.ecr_ref, "PIN_ENTRY"))
                last["at"] = time.monotonic()
                term.ack = False
                term.on_frame = None  # power loss: nothing more, not even ACKs
            threading.Thread(target=then_die, daemon=True).start()

    driver, _ = rig(on_frame=answer)
    outcome, _took = timed_sale(driver)
    ended = time.monotonic()
    assert isinstance(outcome, OutcomeUnknown), outcome
    assert ended - last["at"] <= BOUND_S + SLACK_S


def test_a_live_terminal_waiting_for_the_card_answers_the_probe_and_is_waited_for(tmp_path):
    """No EVT for longer than the bound, but the terminal answers STATUS (BUSY): alive."""
    from devices.card_terminal.simulator import CardTerminalSimulator, Delays

    sim = CardTerminalSimulator("no_card", state_path=tmp_path / "t.json",
                                delays=Delays(stage_s=0.0, no_card_s=2 * BOUND_S, cancel_s=0.0),
                                t_ack_s=0.3, t_char_s=0.1)
    driver = SerialCardTerminal(sim.start("pty"), **{**TIMERS, "connect_wait_s": 3.0})
    try:
        outcome, took = timed_sale(driver)
    finally:
        driver.close()
        sim.stop()
    assert not isinstance(outcome, Exception), outcome
    assert outcome.result == "TIMEOUT" and took >= 2 * BOUND_S - 0.5


def test_a_void_on_a_dead_terminal_is_bounded_too(rig):
    driver, _ = rig(ack=True)  # ACKs, never answers
    started = time.monotonic()
    with pytest.raises(OutcomeUnknown):
        driver.void("K01-000001V", "K01-000001")
    assert time.monotonic() - started <= BOUND_S + SLACK_S


def test_settle_is_not_cut_by_the_customer_bound():
    """Nobody waits on the day's batch close: it keeps the spec's T_result-style wait."""
    host, device = Loopback.pair(timeout_s=0.01)
    term = Terminal(device, ack=True)
    driver = SerialCardTerminal(opener=lambda: host, **{**TIMERS, "result_grace_s": BOUND_S + 1.5,
                                                        "recovery_s": 0.5})
    started = time.monotonic()
    try:
        with pytest.raises(OutcomeUnknown):
            driver.settle("K01-S0001")
    finally:
        term.close()
        driver.close()
    assert time.monotonic() - started >= BOUND_S + 1.5


def test_a_busy_terminal_quiet_but_answering_query_is_not_aborted(rig):
    """No EVT and no STATUS answer while it authorises, but QUERY says IN_PROGRESS: alive; the
    sale is waited for (T_result), never ABORTed."""
    done = threading.Event()

    def answer(term, msg):
        if isinstance(msg, p.Sale):
            def authorise():
                time.sleep(3 * BOUND_S)
                done.set()
                term.send(p.TerminalResult("SALE", msg.ecr_ref, "APPROVED", "00",
                                           amount_cents=msg.amount_cents, currency="344"))
            threading.Thread(target=authorise, daemon=True).start()
        elif isinstance(msg, p.Query) and not done.is_set():
            term.send(p.TerminalResult("QUERY", msg.target_ecr_ref, "IN_PROGRESS"))

    driver, term = rig(on_frame=answer)
    outcome, took = timed_sale(driver)
    assert not isinstance(outcome, Exception), outcome
    assert outcome.approved and took >= 3 * BOUND_S - 0.5
    assert not any(isinstance(m, p.Abort) for m in term.received)
    assert any(isinstance(m, p.Query) for m in term.received)
