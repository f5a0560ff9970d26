"""The headless robot: many customers through the real purchase service, journal, backend
client and card terminal driver, with no think time (the kiosk's clock is compressed).

It plays the customer's phone through the backend simulator's ``/_sim/payments/{no}/pay`` and
the customer at the terminal through the terminal simulator's scenarios; it never reads the
simulator's ledger. Recovery runs first, as in the app; the reconciler runs throughout.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass

from app import simulators
from app.robot import octopus as robot_octopus
from app.robot.customers import CustomerSource
from app.robot.scan_customers import SCAN
from kiosk.backend.client import BackendClient
from kiosk.backend.errors import BackendError
from kiosk.composition import Overrides, build
from kiosk.hardware.handle import DeviceHandle
from kiosk.money import octopus_payment
from kiosk.money.crash_points import CrashPoints
from kiosk.money.events import ConfirmOnPhone, QrReady
from kiosk.money.purchases import PurchaseError
from simulators.backend.control import SimulatorControl, SimulatorControlError

log = logging.getLogger(__name__)


class ScaledClock:
    """Real wall time for records; intervals and waits run ``scale`` times faster."""

    def __init__(self, scale: float):
        self.scale = float(scale)
        self._t0 = time.monotonic()

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return self._t0 + (time.monotonic() - self._t0) * self.scale

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.scale)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds) / self.scale)


@dataclass(frozen=True)
class RobotOptions:
    transactions: int
    seed: int = 1
    backend_url: str | None = None
    journal_path: str | None = None
    fault_rate: float = 0.0  # share of customers before whom one backend fault is armed
    time_scale: float = 1000.0  # kiosk-clock seconds per real second
    settle_timeout_s: float = 300.0  # real seconds to wait at the end for open/retrying rows


class Robot:
    """One robot run; ``run()`` returns the summary (also the last line the command prints)."""

    def __init__(self, settings, options: RobotOptions, customers=None):
        self.settings = robot_octopus.with_octopus(settings)
        self.options = options
        self._customers = customers  # a source with next() -> Customer (default: seeded mix)
        self.clock = ScaledClock(options.time_scale)
        self.crash = CrashPoints.from_env()
        self._timers: list[threading.Timer] = []
        self._durations: list[float] = []
        self._skipped: Counter[str] = Counter()
        self._octopus: Counter[str] = Counter()  # Octopus customers played, by behaviour
        self._played: Counter[tuple[str, str]] = Counter()  # (method, behaviour) played

    def run(self) -> dict:
        started = time.monotonic()
        kiosk = self._build()
        self.phone = SimulatorControl(kiosk.backend.base_url)
        try:
            self.service = kiosk.purchases
            self.service.subscribe(self._on_event)
            self._play_all(kiosk.backend, kiosk.terminal.simulator)
            self._settle(kiosk.journal, kiosk.reconciler)
            return self._summary(kiosk.journal, kiosk.recovery, time.monotonic() - started)
        finally:
            self.phone.close()
            kiosk.close()

    def _build(self):
        """The composition root's money engine, headless, on the robot's fast parts: the
        backend (a started simulator on the demo profile without --backend-url), a quick
        terminal simulator, the compressed clock and the crash points."""
        closers = []
        try:
            url = self.options.backend_url
            if url is None and self.settings.simulator.backend.enabled:
                simulator = simulators.backend_simulator(self.settings, port=0, auto_pay_after_s=0)
                closers.append(simulator.stop)
                url = simulator.url
            backend = robot_backend(self.settings, url or self.settings.backend.url)
            closers.append(backend.close)
            terminal = robot_terminal(self.settings)
        except BaseException:
            for closer in reversed(closers):
                closer()
            raise
        # A pass every 50 ms of real time at most: the compressed clock must not make the
        # reconciler a busy loop beside the customers.
        overrides = Overrides(
            backend=backend, journal_path=self.options.journal_path, terminal=terminal,
            printer=DeviceHandle(), crash=self.crash, headless=True, closers=tuple(closers),
            reconciler_interval_s=max(10.0, 0.05 * self.clock.scale))
        return build(self.settings, _no_ui, self.clock, overrides=overrides)

    def _play_all(self, backend, simulator) -> None:
        methods = tuple(m for m in octopus_payment.offered_methods(self.settings)
                        if m not in ("card", "octopus") or simulator is not None)
        source = self._customers or CustomerSource(
            self.options.seed, methods, self.settings.payments.qr_expires_in_s,
            self.options.fault_rate)
        for _ in range(self.options.transactions):
            customer = source.next()
            begun = time.monotonic()
            if self._play(customer, backend, simulator):
                self._durations.append(time.monotonic() - begun)
        for timer in self._timers:
            timer.join(10)

    def _play(self, customer, backend, simulator) -> bool:
        if customer.fault:
            route, mode = customer.fault
            self._control(lambda: self.phone.fault(route, mode, 1, hold_s=0.1))
        offer = self._offer(customer, backend)
        if offer is None:
            return False
        self._pay_after = customer.pay_after_s
        subscriber = _Subscriber(customer.msisdn)
        try:
            if customer.method == SCAN:
                self.service.start_scan(subscriber, offer, customer.code or "", "en")
            elif customer.method == "card":
                simulator.set_scenario("no_card" if customer.behaviour == "kiosk_cancel"
                                       else customer.behaviour)
                self.service.start_card(subscriber, offer, "en")
            elif customer.method == "octopus":
                robot_octopus.play(simulator, customer)
                self._octopus[customer.behaviour] += 1
                self.service.start_octopus(subscriber, offer, "en")
            else:
                self.service.start_qr(subscriber, offer, customer.method, "en")
        except PurchaseError as e:
            log.warning("robot: customer %d turned away: %s", customer.number, e)
            self._skipped["bad_code" if customer.behaviour == "bad_code" else "refused"] += 1
            return False
        self._played[(customer.method, customer.behaviour)] += 1
        if customer.cancel_after_s is not None:
            self._later(customer.cancel_after_s, self.service.cancel)
        if not self.service.join(120):
            raise RuntimeError("a purchase did not finish in 120 s")
        return True

    def _offer(self, customer, backend):
        for _ in range(3):
            try:
                offers = backend.get_subscriber(customer.msisdn).offers
                return offers[int(customer.offer_pick * len(offers))] if offers else None
            except BackendError as e:
                log.warning("robot: look-up failed (%s)", e)
        self._skipped["lookup_failed"] += 1
        return None

    def _on_event(self, event) -> None:
        if isinstance(event, ConfirmOnPhone) and self._pay_after is not None:
            no = event.txn_id  # the customer confirms on the phone (or too late)
            self._later(self._pay_after, lambda: self._control(lambda: self.phone.pay(no)))
        if isinstance(event, QrReady) and self._pay_after is not None:
            no = event.txn_id
            self._later(self._pay_after, lambda: self._control(lambda: self.phone.pay(no)))

    def _later(self, kiosk_s: float, fn) -> None:
        timer = threading.Timer(kiosk_s / self.clock.scale, fn)
        timer.daemon = True
        self._timers = [t for t in self._timers if t.is_alive()] + [timer]  # no growth in a soak
        timer.start()

    @staticmethod
    def _control(fn) -> None:
        try:
            fn()
        except (SimulatorControlError, OSError) as e:  # a closed order cannot be paid, etc.
            log.info("robot: simulator control: %s", e)

    def _settle(self, journal, reconciler) -> None:
        """Wait until nothing is unfinished or retrying and no unused hold waits for its release,
        at most ``settle_timeout_s`` (real); what is still open then is logged, and counted in
        the summary."""
        deadline = time.monotonic() + self.options.settle_timeout_s
        while ((journal.unfinished() or journal.holds_to_release())
               and time.monotonic() < deadline):
            reconciler.run_once()
            time.sleep(0.02)
        for txn in journal.unfinished():
            log.warning("robot: %s still %s after %.0f s (%s)", txn.id, txn.state,
                        self.options.settle_timeout_s, txn.retry_error or "not retried yet")

    def _summary(self, journal, recovered, elapsed_s: float) -> dict:
        rows = journal.list(limit=10**9)
        states = Counter(t.state for t in rows)
        median = statistics.median(self._durations) if self._durations else None
        return {"transactions": len(self._durations), "skipped": dict(self._skipped),
                "recovered": len(recovered.settled) + len(recovered.needs_attention),
                "states": dict(sorted(states.items())),
                "unsettled": len(journal.unfinished()),
                "retrying": len(journal.retrying()),
                "retries": sum(t.retry_attempts for t in rows),
                "left": [f"{t.id} {t.state}" for t in journal.unfinished()][:20],
                "needs_attention": states.get("needs_attention", 0),
                "holds": dict(sorted(Counter(t.hold_state for t in rows
                                             if t.hold_state).items())),
                "by_method": by_method(rows),
                "octopus_played": dict(sorted(self._octopus.items())),
                "customers": {f"{m} {b}": n for (m, b), n in sorted(self._played.items())},
                "median_txn_ms": None if median is None else round(median * 1000, 2),
                "elapsed_s": round(elapsed_s, 2), "seed": self.options.seed}


def by_method(rows) -> dict:
    """Journal rows counted by method (scan orders per wallet: scan_wechatpay, scan_alipay, and
    the wallet the answer named) and final state."""
    out: dict[str, Counter] = {}
    for t in rows:
        method = f"{t.method}/{t.card_brand}" if t.method.startswith("scan_") and t.card_brand \
            and t.card_brand != t.method[5:] else t.method
        out.setdefault(method, Counter())[t.state] += 1
    return {m: dict(sorted(c.items())) for m, c in sorted(out.items())}


@dataclass(frozen=True)
class _Subscriber:
    msisdn: str


# The robot's own network and terminal timings (real seconds): short, so a fault costs little.
CLIENT_TIMINGS = {"connect_timeout_s": 1.0, "read_timeout_s": 1.0, "retry_deadline_s": 2.0,
                  "backoff_initial_s": 0.02, "backoff_max_s": 0.2}
DRIVER_TIMINGS = {"evt_watchdog_s": 0.5, "result_grace_s": 3.0, "answer_timeout_s": 1.0,
                  "recovery_s": 3.0}


def _no_ui(_fn) -> None:
    """The robot has no UI thread: nothing is ever posted to one (headless build)."""


def robot_backend(settings, url: str) -> BackendClient:
    """The backend client with the robot's short timings."""
    return BackendClient(url, settings.kiosk.id, settings.backend_secret(),
                         ca_bundle=settings.backend.ca_bundle,
                         max_response_bytes=settings.backend.max_response_bytes, **CLIENT_TIMINGS)


def robot_terminal(settings) -> DeviceHandle:
    """The card terminal: on the simulator kind, a fast simulated customer and short timers."""
    from devices.card_terminal.simulator import Delays

    return simulators.card_terminal(
        settings, scenario="approve", delays=Delays(stage_s=0.0, no_card_s=0.05, cancel_s=0.0,
                                                    **robot_octopus.DELAYS),
        **DRIVER_TIMINGS)
