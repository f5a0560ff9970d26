"""A card terminal emulator speaking the ECR protocol over a pty pair or TCP (``devices.links``).

It ACKs, sends EVT progress then one RSP, replays the stored outcome for a repeated ecr_ref,
answers QUERY from its outcome store (a JSON state file survives restarts), keeps a batch for
VOID/REFUND/SETTLE, and has the spec's fault switches: link faults in ``simulator_faults``,
sale outcomes as scenarios (``SCENARIOS``), for every sale or only for the next one.

``silent`` is a power loss once the card is asked for: the terminal stays silent (nothing
stored for that sale) until ``set_fault("silent", False)``. ``lose_response`` approves and
stores the sale but never sends its RSP, so only QUERY can tell. ``busy`` answers STATUS with
BUSY and a sale with RSP ERROR.

Octopus (``simulator_octopus``): a SALE with tender OCTOPUS is answered in the Octopus shape
(remaining value, declines IV/BL/LM, RETAP, INCOMPLETE resolved later), when ``tenders``
includes ``OCTOPUS`` (else RSP ERROR rc NS, as for an unknown tender); VOID/REFUND of an Octopus
sale answer ERROR NS. The Octopus-only scenarios wait for the next Octopus sale; a card sale
meanwhile approves.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass

from devices import links
from devices.card_terminal import protocol as p
from devices.card_terminal.scenarios import OCTOPUS_ONLY_SCENARIOS, SCENARIOS  # noqa: F401
from devices.card_terminal.simulator_faults import Faults, SimulatorFrameLink
from devices.card_terminal.simulator_octopus import (
    OctopusCard,
    OctopusSaleRun,
    in_progress_about,
)
from devices.card_terminal.simulator_sale import SaleRun
from devices.card_terminal.simulator_store import OutcomeStore
from devices.interfaces import LinkError
from devices.wirelog import WireLog

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class Delays:
    """How long the simulated customer and acquirer take (tests use ``Delays.none()``)."""

    stage_s: float = 0.6  # between progress events: a sale approves in about 3 s
    no_card_s: float | None = None  # no card presented: time out after this (None: the sale's timeout_s)
    cancel_s: float = 1.5  # the customer presses cancel on the terminal after this
    retap_s: float = 2.0  # Octopus: after EVT RETAP the customer taps the same card again
    retap_window_s: float = 20.0  # Octopus: how long the terminal waits for that tap
    octopus_resolve_s: float = 30.0  # Octopus INCOMPLETE: QUERY says IN_PROGRESS this long

    @classmethod
    def none(cls) -> Delays:
        """No waiting (an INCOMPLETE still resolves after ``octopus_resolve_s``, or on
        ``resolve_incomplete``)."""
        return cls(stage_s=0.0, no_card_s=0.0, cancel_s=0.0, retap_s=0.0, retap_window_s=0.0)


class CardTerminalSimulator:
    """The terminal side. ``start(link, port) -> str`` (what the driver opens), ``stop()``.

    Args:
        scenario: the outcome of every sale (one of ``SCENARIOS``).
        state_path: JSON file keeping outcomes across restarts (None: memory only).
        delays: the simulated customer's pace.
        faults: link fault switches by name (``nak_frames=2``…), see ``simulator_faults``.
        tenders: what the terminal takes (``CARD``, ``OCTOPUS``); others answer ERROR NS.
        octopus_value_cents: the stored value of the simulated customer's Octopus card.
    """

    def __init__(self, scenario: str = "approve", state_path: str | os.PathLike | None = None,
                 delays: Delays | None = None, t_ack_s: float = 2.0, t_char_s: float = 0.5,
                 symlink: str | os.PathLike | None = None,
                 tenders: tuple[str, ...] = ("CARD", "OCTOPUS"),
                 octopus_value_cents: int = 50_000,
                 **faults: int | bool | tuple[int, str]):
        self._check(scenario)
        self.scenario = scenario
        self._next_scenario: str | None = None
        self.delays = delays or Delays()
        self.store = OutcomeStore(state_path)
        self.faults = Faults(slow_gap_s=t_char_s + 0.2, **faults)
        self.wire = WireLog("card_terminal_simulator")
        self._t_ack_s, self._t_char_s, self._symlink = t_ack_s, t_char_s, symlink
        self._server: links.LinkServer | None = None
        self._link: SimulatorFrameLink | None = None
        self._outbox: queue.Queue[p.Message | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._running: SaleRun | None = None
        self.port = ""
        self.tenders = tuple(t.upper() for t in tenders)
        self.octopus_card = OctopusCard(octopus_value_cents)

    # -- life cycle -------------------------------------------------------------------------
    def start(self, link: str = "pty", port: int = 0) -> str:
        self._server = links.serve(link, port, symlink=self._symlink if link == "pty" else None)
        self._link = SimulatorFrameLink(self._server.write, self._handle, self.wire,
                                        t_ack_s=self._t_ack_s, t_char_s=self._t_char_s,
                                        faults=self.faults)
        self._stop.clear()
        for target, name in ((self._read_loop, "reader"), (self._send_loop, "sender")):
            t = threading.Thread(target=target, name=f"terminal-simulator-{name}", daemon=True)
            self._threads.append(t)
            t.start()
        self.port = self._server.port
        log.info("card terminal simulator on %s (scenario %s)", self.port, self.scenario)
        return self.port

    def stop(self) -> None:
        """Stop serving (for the driver: the terminal was unplugged). Outcomes stay stored."""
        self._stop.set()
        with self._lock:
            run = self._running
        if run is not None:
            run.cancel_quietly()
        self._outbox.put(None)
        if self._server is not None:
            self._server.close()
        if self._link is not None:
            self._link.link_lost()
        for t in self._threads:
            t.join(timeout=3.0)
        self._threads.clear()
        self._outbox = queue.Queue()

    # -- switches ---------------------------------------------------------------------------
    def set_scenario(self, scenario: str, next_sale_only: bool = True) -> None:
        """The outcome of the next sale (or of every sale)."""
        self._check(scenario)
        if next_sale_only:
            self._next_scenario = scenario
        else:
            self.scenario, self._next_scenario = scenario, None

    def set_fault(self, name: str, value: int | bool, only: str | None = None) -> None:
        """Turn a link fault switch on (a count of frames, or True) or off (0); ``only``
        limits it to frames of one command (``"SALE"``, ``"RSP"``…)."""
        self.faults.set(name, value, only)

    def resolve_incomplete(self, ecr_ref: str | None = None) -> int:
        """Resolve Octopus INCOMPLETE sales now (all, or one) instead of after
        ``Delays.octopus_resolve_s``; how many were resolved."""
        return self.store.resolve_all(ecr_ref)

    @property
    def charges(self) -> int:
        """Approved sales actually charged (a replayed duplicate is not counted)."""
        return self.store.charges

    def _check(self, scenario: str) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}: expected one of {SCENARIOS}")

    def _busy_now(self) -> bool:
        return self.scenario == "busy" or self._next_scenario == "busy"

    # -- threads ----------------------------------------------------------------------------
    def _read_loop(self) -> None:
        server, link = self._server, self._link
        while not self._stop.is_set():
            data = server.read(0.05)
            if data:
                link.feed(data)

    def _send_loop(self) -> None:
        outbox = self._outbox
        while True:
            msg = outbox.get()
            if msg is None or self._stop.is_set():
                return
            if self.faults.silent:
                continue
            try:
                self._link.send(msg)
            except LinkError as e:
                log.info("simulator: %s", e)

    def send(self, msg: p.Message) -> None:
        self._outbox.put(msg)

    # -- requests (reader thread) -----------------------------------------------------------
    def _handle(self, msg: p.Message) -> None:
        handler = {p.Sale: self._sale, p.Abort: self._abort, p.Query: self._query,
                   p.Status: self._status, p.Void: self._void, p.Refund: self._refund,
                   p.Settle: self._settle}.get(type(msg))
        if handler is None:
            log.info("simulator: ignoring %s from the ECR", type(msg).__name__)
            return
        handler(msg)

    def _status(self, msg: p.Status) -> None:
        with self._lock:
            busy = self._running is not None or self._busy_now()
        self.send(p.TerminalResult("STATUS", msg.ecr_ref, "BUSY" if busy else "READY"))

    def _sale(self, msg: p.Sale) -> None:
        self.store.unresolved(msg.ecr_ref, time.time())  # an INCOMPLETE one due: resolve it
        stored = self.store.get(msg.ecr_ref)
        if stored is not None:
            log.info("simulator: %s seen again, replaying its outcome", msg.ecr_ref)
            self.send(stored)
            return
        with self._lock:
            running = self._running
            if running is not None and running.sale.ecr_ref == msg.ecr_ref:
                return  # a duplicate of the running sale: it answers once, when done
            tender = msg.tender or p.TENDER_CARD
            if tender not in self.tenders:
                log.info("simulator: SALE %s with tender %r: not supported", msg.ecr_ref,
                         tender[:16])
                self.send(p.TerminalResult("SALE", msg.ecr_ref, "ERROR", p.RC_NOT_SUPPORTED,
                                           amount_cents=msg.amount_cents, currency=msg.currency))
                return
            scenario = self._next_scenario or self.scenario
            if not msg.octopus and scenario in OCTOPUS_ONLY_SCENARIOS:
                scenario = "approve"  # an Octopus-only next scenario waits for an Octopus sale
                keep_next = True
            else:
                keep_next = False
            if running is not None or scenario == "busy":
                if scenario == "busy" and running is None:
                    self._next_scenario = None
                self.send(p.TerminalResult("SALE", msg.ecr_ref, "ERROR", amount_cents=msg.amount_cents,
                                           currency=msg.currency))
                return
            if not keep_next:
                self._next_scenario = None
            kind, extra = SaleRun, {}
            if msg.octopus:
                kind = OctopusSaleRun
                extra = {"card": self.octopus_card, "on_incomplete": self._incomplete}
            self._running = kind(msg, scenario, self.delays, self.store, self.send,
                                 on_silent=lambda: self.faults.set("silent", True),
                                 on_done=self._sale_done, **extra)
        self._running.start()

    def _incomplete(self, final: p.TerminalResult, resolve_after_s: float) -> None:
        self.store.add_unresolved(final, time.time() + resolve_after_s)

    def _sale_done(self, run: SaleRun) -> None:
        with self._lock:
            if self._running is run:
                self._running = None

    def _abort(self, msg: p.Abort) -> None:
        with self._lock:
            run = self._running
        if run is not None and run.sale.ecr_ref == msg.ecr_ref:
            run.abort()
            return
        stored = self.store.get(msg.ecr_ref)
        self.send(stored or p.TerminalResult("ABORT", msg.ecr_ref, "NOT_FOUND"))

    def _query(self, msg: p.Query) -> None:
        with self._lock:
            run = self._running
        if run is not None and run.sale.ecr_ref == msg.target_ecr_ref:
            self.send(p.TerminalResult("QUERY", msg.target_ecr_ref, "IN_PROGRESS"))
            return
        if self.store.unresolved(msg.target_ecr_ref, time.time()):
            self.send(in_progress_about(self.store.get(msg.target_ecr_ref)))
            return
        stored = self.store.get(msg.target_ecr_ref)
        self.send(stored or p.TerminalResult("QUERY", msg.target_ecr_ref, "NOT_FOUND"))

    def _void(self, msg: p.Void) -> None:
        stored = self.store.get(msg.ecr_ref)
        original = self.store.get(msg.orig_ecr_ref)
        if stored is None and original is not None and original.octopus:
            stored = p.TerminalResult("VOID", msg.ecr_ref, "ERROR", p.RC_NOT_SUPPORTED)
            self.store.record(stored)
        if stored is None:
            orig = self.store.voidable(msg.orig_ecr_ref)
            if orig is None:
                stored = p.TerminalResult("VOID", msg.ecr_ref, "DECLINED", "12")
            else:
                stored = SaleRun.approval("VOID", msg.ecr_ref, orig.amount_cents, orig.currency,
                                          self.store, orig=orig)
                self.store.mark_voided(msg.orig_ecr_ref)
            self.store.record(stored)
        self.send(stored)

    def _refund(self, msg: p.Refund) -> None:
        stored = self.store.get(msg.ecr_ref)
        original = self.store.find_rrn(msg.orig_rrn)
        if stored is None and original is not None and original.octopus:
            stored = p.TerminalResult("REFUND", msg.ecr_ref, "ERROR", p.RC_NOT_SUPPORTED,
                                      amount_cents=msg.amount_cents, currency=msg.currency)
            self.store.record(stored)
        if stored is None:
            stored = SaleRun.approval("REFUND", msg.ecr_ref, msg.amount_cents, msg.currency,
                                      self.store)
            self.store.record(stored)
        self.send(stored)

    def _settle(self, msg: p.Settle) -> None:
        stored = self.store.get(msg.ecr_ref)
        if stored is None:
            count, net = self.store.close_batch()
            stored = SaleRun.approval("SETTLE", msg.ecr_ref, abs(net), "344", self.store)
            log.info("simulator: batch closed, %d items, net %d cents", count, net)
            self.store.record(stored)
        self.send(stored)
