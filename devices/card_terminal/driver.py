"""The ECR side of the card terminal link (``devices.interfaces.CardTerminal``).

A reader thread (``DeviceLink``) feeds the link layer, which ACKs frames, hands EVTs to
subscribers and RSPs to the request waiting for them. A prober sends STATUS when the line is
idle, so a silent terminal is reported offline within about 2 s, and the link reopens by itself.

A sale waits for its RSP up to T_result (timeout_s + 60 s); every EVT re-arms a 30 s watchdog,
on which it QUERYs. If the answer is lost (link down, T_result, no ACK) it settles the true
outcome through QUERY, ABORTing a sale still in progress, and raises ``OutcomeUnknown`` only if
it cannot; no new sale starts until that outcome has been queried.

A customer never waits on a dead terminal (``liveness.py``): without a valid frame for
``silence_s`` (9 s) a sale QUERYs (an IN_PROGRESS answer is a valid frame: the wait goes on; a
VOID/REFUND settles by QUERY at once), and ``silence_bound_s`` (15 s) after the last valid frame
it raises ``OutcomeUnknown`` whatever it was doing (an EVT with a window, RETAP, extends both by
the window).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from itertools import count

from devices.card_terminal import protocol as p
from devices.card_terminal.link_layer import FrameLink
from devices.card_terminal.liveness import RETAP_WINDOW_S, Liveness
from devices.card_terminal.pending import Pending, PendingAnswers
from devices.card_terminal.protocol import TerminalResult
from devices.interfaces import (
    DeviceEvent,
    DeviceState,
    DeviceStatus,
    DeviceTimeout,
    LinkError,
    OutcomeUnknown,
    StatusChanged,
    Subscribers,
    TerminalProgress,
)
from devices.transport import DeviceLink, Port, open_port
from devices.wirelog import WireFrame, WireLog

log = logging.getLogger(__name__)

__all__ = ["SerialCardTerminal", "TerminalResult"]

_STATUS_STATE = {"READY": DeviceState.ONLINE, "BUSY": DeviceState.ONLINE,
                 "OFFLINE": DeviceState.OFFLINE, "ERROR": DeviceState.HARDWARE_ERROR}


def _wire_tender(tender: str) -> str:
    """The SALE's 5th field for a tender name: card → none (4 fields), octopus → OCTOPUS."""
    name = tender.lower()
    if name == "card":
        return ""
    if name == "octopus":
        return p.TENDER_OCTOPUS
    raise ValueError(f"unknown tender {tender!r}: expected card or octopus")


class SerialCardTerminal:
    """A card terminal on a serial port, pty or TCP URL. Timers are parameters (tests shorten them).

    Args:
        port: device path or pyserial URL (or give ``opener``).
        result_grace_s: T_result = the sale's timeout_s + this.
        evt_watchdog_s: QUERY a sale after this long without an EVT.
        recovery_s: how long a lost answer is chased through QUERY before ``OutcomeUnknown``.
        connect_wait_s: how long the constructor waits for the terminal to answer first.
        silence_s: no valid frame for this long: stop waiting for the RSP, settle by QUERY.
        silence_bound_s: no valid frame for this long: ``OutcomeUnknown`` (the customer's bound).
        retap_window_s: after ``EVT … RETAP`` the terminal may stay silent this long (+2 s).
    """

    def __init__(self, port: str = "", *, baudrate: int = 9600,
                 opener: Callable[[], Port] | None = None, name: str = "card_terminal",
                 t_ack_s: float = 2.0, t_char_s: float = 0.5, max_transmissions: int = 3,
                 result_grace_s: float = 60.0, evt_watchdog_s: float = 30.0,
                 answer_timeout_s: float = 5.0, recovery_s: float = 30.0,
                 probe_interval_s: float = 0.8, probe_timeout_s: float = 0.6,
                 reconnect_interval_s: float = 0.5, connect_wait_s: float = 2.0,
                 silence_s: float = 9.0, silence_bound_s: float = 15.0,
                 retap_window_s: float = RETAP_WINDOW_S):
        self.name = name
        self.wire = WireLog(name)
        self._subs = Subscribers()
        self._t_ack_s, self._grace_s, self._watchdog_s = t_ack_s, result_grace_s, evt_watchdog_s
        self._answer_s, self._recovery_s, self._probe_s = answer_timeout_s, recovery_s, probe_timeout_s
        self._pending = PendingAnswers()
        self._refs = count(1)
        self._ref_tag = f"{os.getpid() % 0x10000:04x}"
        self._money_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._status = DeviceStatus(DeviceState.OFFLINE, detail="connecting")
        self._sale_ref: str | None = None
        self._last_evt_at = 0.0
        self._unknown: str | None = None
        self._alive = Liveness(silence_s, silence_bound_s, windows={"RETAP": retap_window_s})
        self._link = DeviceLink(opener or (lambda: open_port(port, baudrate)), name,
                                on_data=self._on_data, on_change=self._on_link_change,
                                reconnect_interval_s=reconnect_interval_s, probe=self._probe,
                                probe_interval_s=probe_interval_s)
        self._frames = FrameLink(self._link.write, self._on_message, self.wire, t_ack_s=t_ack_s,
                                 t_char_s=t_char_s, max_transmissions=max_transmissions)
        self._link.start(wait_s=connect_wait_s)

    # -- CardTerminal -----------------------------------------------------------------------
    def subscribe(self, callback: Callable[[DeviceEvent], None]) -> None:
        self._subs.add(callback)

    def status(self) -> DeviceStatus:
        """Ask the terminal (STATUS); OFFLINE with the reason when it cannot answer."""
        try:
            answer = self.status_result()
        except (LinkError, DeviceTimeout) as e:
            return DeviceStatus(DeviceState.OFFLINE, detail=str(e))
        if answer.result == "BUSY":  # asked directly, say so (the idle probe does not flap on it)
            return DeviceStatus(DeviceState.BUSY, detail="BUSY")
        return self._status_of(answer)

    def status_result(self) -> TerminalResult:
        """The terminal's own STATUS answer. Raises ``LinkError`` / ``DeviceTimeout``."""
        ref = self._new_ref()
        return self._request(p.Status(ref), ref, lambda r: r.cmd == "STATUS", self._answer_s)

    def sale(self, ecr_ref: str, amount_cents: int, currency: str = "344",
             timeout_s: int = 60, tender: str = "card") -> TerminalResult:
        """Run a sale; *tender* ``card`` (a 4-field SALE) or ``octopus`` (5 fields, OCTOPUS).

        An Octopus sale may end ``INCOMPLETE`` (rc RT): that is returned, does not block the
        next sale, and is settled later by ``query`` (never ABORT it).
        """
        wire_tender = _wire_tender(tender)
        with self._money_lock:
            if self._unknown is not None:
                raise OutcomeUnknown(f"the outcome of {self._unknown} is unknown: query it first")
            with self._state_lock:
                self._sale_ref, self._last_evt_at = ecr_ref, time.monotonic()
            self._alive.restart()
            wait = self._pending.add(ecr_ref, lambda r: r.cmd == "SALE")
            try:
                result = self._run_sale(
                    p.Sale(ecr_ref, amount_cents, currency, timeout_s, wire_tender), wait)
            except OutcomeUnknown:
                self._unknown = ecr_ref
                raise
            finally:
                self._pending.remove(wait)
                with self._state_lock:
                    self._sale_ref = None
            return result

    def abort(self, ecr_ref: str) -> None:
        """Ask the terminal to cancel; the running ``sale()`` returns the outcome."""
        self._frames.send(p.Abort(ecr_ref))

    def abort_result(self, ecr_ref: str, timeout_s: float = 10.0) -> TerminalResult:
        """ABORT a request run by someone else (another process) and wait for its own RSP."""
        return self._request(p.Abort(ecr_ref), ecr_ref, lambda r: True, timeout_s)

    def query(self, target_ecr_ref: str) -> TerminalResult:
        """The stored outcome of an earlier request (or NOT_FOUND / IN_PROGRESS)."""
        return self._query(target_ecr_ref)

    def _query(self, target_ecr_ref: str, until: float | None = None) -> TerminalResult:
        """``query`` with ``until``: a monotonic deadline for the whole exchange."""
        ref = self._new_ref()
        result = self._request(p.Query(ref, target_ecr_ref), target_ecr_ref,
                               lambda r: True, self._answer_s, until=until)
        # An Octopus sale the terminal is still resolving (INCOMPLETE, its answer lost) is
        # known to be incomplete: it does not block new sales either.
        settled = result.definite or (result.result == "IN_PROGRESS" and result.octopus)
        if settled and self._unknown == target_ecr_ref:
            log.info("%s: outcome of %s settled by QUERY: %s", self.name, target_ecr_ref,
                     result.result)
            self._unknown = None
        return result

    def void(self, ecr_ref: str, orig_ecr_ref: str) -> TerminalResult:
        return self._money(p.Void(ecr_ref, orig_ecr_ref), "VOID")

    def refund(self, ecr_ref: str, amount_cents: int, orig_rrn: str,
               currency: str = "344") -> TerminalResult:
        return self._money(p.Refund(ecr_ref, amount_cents, currency, orig_rrn), "REFUND")

    def settle(self, ecr_ref: str) -> TerminalResult:
        # No customer waits on the day's batch close (an upload may keep a terminal quiet).
        return self._money(p.Settle(ecr_ref), "SETTLE", bounded=False)

    def close(self) -> None:
        self._link.close()
        self._pending.link_lost()

    # -- for health and maintenance ---------------------------------------------------------
    @property
    def last_status(self) -> DeviceStatus:
        """The last known status, without asking the terminal."""
        with self._state_lock:
            return self._status

    @property
    def outcome_unknown(self) -> str | None:
        """The ecr_ref of a sale whose outcome is still unknown (query it), or None."""
        return self._unknown

    def recent_frames(self) -> tuple[WireFrame, ...]:
        return self.wire.recent()

    # -- sales ------------------------------------------------------------------------------
    def _run_sale(self, sale: p.Sale, wait: Pending) -> TerminalResult:
        if not self._link.is_open:
            raise LinkError(f"{self.name}: link is down, sale not sent")
        try:
            self._frames.send(sale, until=self._alive.bound_at)
        except LinkError as e:
            return self._recover(sale.ecr_ref, wait, str(e))
        t_result_at = time.monotonic() + sale.timeout_s + self._grace_s
        while True:
            with self._state_lock:
                watchdog_at = self._last_evt_at + self._watchdog_s
            quiet_at, bound_at = self._alive.quiet_at, self._alive.bound_at
            if self._alive.quiet():  # already QUERYing: wait for the bound instead
                quiet_at = bound_at
            result = self._pending.wait(
                wait, min(t_result_at, watchdog_at, quiet_at) - time.monotonic())
            if result is not None:
                return result
            if wait.lost:
                return self._recover(sale.ecr_ref, wait, "link lost during the sale")
            now = time.monotonic()
            if now >= t_result_at:
                self._try_abort(sale.ecr_ref)
                return self._recover(sale.ecr_ref, wait, "no result within T_result")
            if self._alive.expired():  # the customer's bound: ask it to stop, leave it to QUERY
                self._try_abort(sale.ecr_ref, now + self._t_ack_s)
                return self._recover(sale.ecr_ref, wait, self._silence())
            with self._state_lock:
                watchdog_due = now >= self._last_evt_at + self._watchdog_s
            if watchdog_due or self._alive.quiet():
                # A live terminal answers (IN_PROGRESS is a valid frame: the wait goes on); a
                # dead one does not, and the bound ends the wait.
                answer = self._try_query(sale.ecr_ref, self._alive.bound_at)
                if answer is not None and answer.definite:
                    return answer
                with self._state_lock:
                    self._last_evt_at = now  # IN_PROGRESS (or no answer): keep waiting
                if answer is None:  # no answer at all: do not spin on a closed port
                    self._pending.wait(wait, min(self._t_ack_s,
                                                 self._alive.bound_at - time.monotonic()))

    def _recover(self, ecr_ref: str, wait: Pending, why: str,
                 bounded: bool = True) -> TerminalResult:
        """Settle a sale whose answer was lost through QUERY (ABORT if it is still running);
        ``bounded``: within the silence bound too (a customer is waiting)."""
        log.warning("%s: %s: settling %s through QUERY", self.name, why, ecr_ref)
        end = time.monotonic() + self._recovery_s

        def deadline() -> float:  # a terminal that answers keeps pushing the bound later
            return min(end, self._alive.bound_at) if bounded else end

        while time.monotonic() < deadline():
            self._pending.rearm(wait)
            if wait.result is not None:
                return wait.result
            if not self._link.wait_up(min(1.0, deadline() - time.monotonic())):
                continue
            answer = self._try_query(ecr_ref, deadline())
            if answer is not None and answer.definite:
                return answer
            if answer is not None:  # IN_PROGRESS: cancel it, then ask again
                self._try_abort(ecr_ref, deadline())
                self._pending.wait(wait, min(self._t_ack_s, deadline() - time.monotonic()))
        if wait.result is not None:
            return wait.result
        if bounded and self._alive.expired() and not why.startswith("no valid frame"):
            why = f"{why}; {self._silence()}"
        raise OutcomeUnknown(f"{self.name}: outcome of {ecr_ref} unknown ({why}); query it later")

    def _silence(self) -> str:
        return f"no valid frame from the terminal for {self._alive.silent_for():.0f} s"

    def _money(self, msg: p.Message, cmd: str, bounded: bool = True) -> TerminalResult:
        """VOID/REFUND (a customer may be waiting: the silence bound holds) or SETTLE."""
        with self._money_lock:
            wait = self._pending.add(msg.ecr_ref, lambda r: r.cmd == cmd)
            self._alive.restart()
            try:
                if not self._link.is_open:
                    raise LinkError(f"{self.name}: link is down, {cmd} not sent")
                try:
                    self._frames.send(msg, until=self._alive.bound_at if bounded else None)
                except LinkError as e:
                    return self._recover(msg.ecr_ref, wait, str(e), bounded)
                answer_by = time.monotonic() + self._grace_s
                while True:
                    quiet_at = self._alive.quiet_at if bounded else answer_by
                    result = self._pending.wait(wait, min(answer_by, quiet_at) - time.monotonic())
                    if result is not None:
                        return result
                    if wait.lost or time.monotonic() >= answer_by:
                        return self._recover(msg.ecr_ref, wait, f"no answer to {cmd}", bounded)
                    if bounded and self._alive.quiet():
                        return self._recover(msg.ecr_ref, wait, self._silence())
            finally:
                self._pending.remove(wait)

    def _try_query(self, target: str, until: float | None = None) -> TerminalResult | None:
        try:
            return self._query(target, until)
        except (LinkError, DeviceTimeout) as e:
            log.info("%s: QUERY %s failed: %s", self.name, target, e)
            return None

    def _try_abort(self, ecr_ref: str, until: float | None = None) -> None:
        try:
            self._frames.send(p.Abort(ecr_ref), until=until)
        except LinkError as e:
            log.info("%s: ABORT %s failed: %s", self.name, ecr_ref, e)

    # -- plumbing ---------------------------------------------------------------------------
    def _request(self, msg: p.Message, ref: str, accepts, timeout_s: float,
                 t_ack_s: float | None = None, tries: int | None = None,
                 until: float | None = None) -> TerminalResult:
        wait = self._pending.add(ref, accepts)
        try:
            self._frames.send(msg, t_ack_s=t_ack_s, max_transmissions=tries, until=until)
            if until is not None:
                timeout_s = min(timeout_s, until - time.monotonic())
            result = self._pending.wait(wait, timeout_s)
            if result is None:
                raise (LinkError if wait.lost else DeviceTimeout)(
                    f"{self.name}: no answer to {type(msg).__name__}")
            return result
        finally:
            self._pending.remove(wait)

    def _new_ref(self) -> str:
        return f"ECR-{self._ref_tag}-{next(self._refs):06d}"

    def _on_data(self, data: bytes) -> None:
        self._frames.feed(data)

    def _on_message(self, msg: p.Message) -> None:
        if isinstance(msg, p.Progress):
            with self._state_lock:
                ours = msg.ecr_ref == self._sale_ref
                if ours:
                    self._last_evt_at = time.monotonic()
            self._alive.heard(msg.stage if ours else "")  # valid progress extends the wait
            if ours:
                self._subs.emit(TerminalProgress(msg.ecr_ref, msg.stage))
            else:
                log.warning("%s: EVT for %s, which is not the running sale: ignored", self.name,
                            msg.ecr_ref)
        elif isinstance(msg, TerminalResult):
            self._alive.heard()
            if not self._pending.deliver(msg):
                log.warning("%s: %s answer for %s (%s) matches no request: ignored", self.name,
                            msg.cmd, msg.ecr_ref, msg.result)
        else:
            log.warning("%s: unexpected %s from the terminal", self.name, type(msg).__name__)

    def _probe(self) -> bool:
        ref = self._new_ref()
        try:
            rsp = self._request(p.Status(ref), ref, lambda r: r.cmd == "STATUS", self._probe_s,
                                t_ack_s=self._probe_s, tries=1)
        except DeviceTimeout:
            return True  # it ACKed: alive, the answer is late
        except LinkError:
            return False
        self._set_status(self._status_of(rsp))
        return True

    def _on_link_change(self, up: bool, detail: str) -> None:
        if not up:
            self._frames.link_lost()
            self._pending.link_lost()
            self._set_status(DeviceStatus(DeviceState.OFFLINE, detail=detail))
        else:
            self._set_status(DeviceStatus(DeviceState.ONLINE))

    def _status_of(self, rsp: TerminalResult) -> DeviceStatus:
        state = _STATUS_STATE.get(rsp.result, DeviceState.HARDWARE_ERROR)
        return DeviceStatus(state, detail="" if state is DeviceState.ONLINE else rsp.result)

    def _set_status(self, status: DeviceStatus) -> None:
        with self._state_lock:
            changed, self._status = status != self._status, status
        if changed:
            log.info("%s: %s %s", self.name, status.state, status.detail)
            self._subs.emit(StatusChanged(self.name, status))
