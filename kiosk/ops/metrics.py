"""The kiosk's Prometheus metrics: what they are named and how they are built from last values.

``MetricsState`` holds the last known values (journal figures, the health state, disk); a
scrape runs ``KioskCollector.collect`` over them and nothing else, so it never waits for the
journal or the UI thread. ``BackendMetrics`` measures every backend attempt (latency histogram,
errors by kind). ``registry_for`` puts both in one registry; ``exposition`` renders it.

Labels are only methods, states, devices, routes with their ids cut out, and error kinds: never
a phone number, card number, PIN or key. No sample carries a timestamp.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector

from devices.interfaces import DeviceState, PaperState
from kiosk.backend.errors import Ambiguous
from kiosk.ops.metrics_figures import JournalFigures

disable_created_metrics()  # no *_created series: a start time is kiosk_start_time_seconds

SERVICE_STATES = ("in_service", "degraded", "out_of_service", "maintenance")
DEVICE_STATES = tuple(s.value for s in DeviceState)
PAPER_STATES = tuple(p.value for p in PaperState)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# Every metric name the kiosk exposes (the dashboard and alert tests check against this).
NAMES = (
    "kiosk_build_info", "kiosk_start_time_seconds", "kiosk_service_state",
    "kiosk_device_status", "kiosk_device_up", "kiosk_printer_paper_state",
    "kiosk_printer_paper_alert", "kiosk_backend_reachable",
    "kiosk_transactions_total", "kiosk_money_hkd_cents_total",
    "kiosk_purchases_in_flight", "kiosk_needs_attention_rows", "kiosk_retrying_rows",
    "kiosk_oldest_unsettled_age_seconds", "kiosk_last_credited_sale_timestamp_seconds",
    "kiosk_journal_size_bytes", "kiosk_disk_free_bytes",
    "kiosk_metrics_refresh_timestamp_seconds",
    "kiosk_backend_request_duration_seconds", "kiosk_backend_errors_total",
)


@dataclass(frozen=True)
class Snapshot:
    """The last known values; replaced whole, never changed in place."""

    kiosk_id: str = ""
    version: str = ""
    started_at: float = 0.0
    figures: JournalFigures | None = None
    refreshed_at: float | None = None  # when the journal was last read
    health: dict | None = None  # ``health_record.health_dict`` of the last state
    devices: tuple[str, ...] = ()  # the devices this kiosk has (configured)
    disk_free_bytes: int | None = None


class MetricsState:
    """Thread-safe holder of the last ``Snapshot``; ``update`` swaps fields, ``get`` reads."""

    def __init__(self, snapshot: Snapshot):
        self._snapshot = snapshot
        self._lock = threading.Lock()

    def get(self) -> Snapshot:
        return self._snapshot  # one reference read: never blocks

    def update(self, **fields) -> None:
        with self._lock:
            self._snapshot = replace(self._snapshot, **fields)


class KioskCollector(Collector):
    """Builds every kiosk metric from the state's last snapshot (no I/O, no waiting)."""

    def __init__(self, state: MetricsState, now=None):
        self._state = state
        self._now = now

    def collect(self):
        s = self._state.get()
        info = InfoMetricFamily("kiosk_build", "Kiosk software version and id",
                                labels=("version", "kiosk_id"))
        info.add_metric((s.version, s.kiosk_id), {})
        yield info
        if s.started_at:
            yield GaugeMetricFamily("kiosk_start_time_seconds",
                                    "Start time of the kiosk process (Unix seconds)",
                                    s.started_at)
        yield from _health_families(s)
        yield from _journal_families(s, self._now() if self._now else None)
        if s.disk_free_bytes is not None:
            yield GaugeMetricFamily("kiosk_disk_free_bytes",
                                    "Free bytes on the journal's file system", s.disk_free_bytes)


def _state_set(name: str, doc: str, label: str, values: tuple[str, ...], current: str,
               extra: tuple[tuple[str, str], ...] = ()) -> GaugeMetricFamily:
    g = GaugeMetricFamily(name, doc, labels=[k for k, _ in extra] + [label])
    for v in values:
        g.add_metric([x for _, x in extra] + [v], 1.0 if v == current else 0.0)
    return g


def _health_families(s: Snapshot):
    h = s.health
    if h is None:
        return
    yield _state_set("kiosk_service_state",
                     "Service state of the kiosk (1 for the current state)", "state",
                     SERVICE_STATES, h.get("state", ""))
    status = GaugeMetricFamily("kiosk_device_status",
                               "Status of each device (1 for the current status)",
                               labels=["device", "status"])
    up = GaugeMetricFamily("kiosk_device_up", "1 when the device is online or busy",
                           labels=["device"])
    for device in s.devices:
        current = h.get("devices", {}).get(device, "")
        for v in DEVICE_STATES:
            status.add_metric([device, v], 1.0 if v == current else 0.0)
        up.add_metric([device], 1.0 if current in ("online", "busy") else 0.0)
    yield status
    yield up
    if "printer" in s.devices:
        yield _state_set("kiosk_printer_paper_state",
                         "Printer paper level (1 for the current level)", "state",
                         PAPER_STATES, h.get("paper", ""))
        yield GaugeMetricFamily("kiosk_printer_paper_alert",
                                "1 while paper is low and no operator has replaced the roll",
                                1.0 if h.get("paper_alert") else 0.0)
    yield GaugeMetricFamily("kiosk_backend_reachable",
                            "1 when the backend answered the last heartbeat",
                            1.0 if h.get("backend_reachable") else 0.0)


def _journal_families(s: Snapshot, now: float | None):
    f = s.figures
    if f is None:
        return
    count = CounterMetricFamily("kiosk_transactions", "Transactions that reached a final state",
                                labels=["method", "state"])
    money = CounterMetricFamily("kiosk_money_hkd_cents",
                                "HKD cents of transactions that reached a final state",
                                labels=["method", "state"])
    for (method, state), (n, cents) in sorted(f.final_counts().items()):
        count.add_metric([method, state], n)
        money.add_metric([method, state], cents)
    yield count
    yield money
    yield GaugeMetricFamily("kiosk_purchases_in_flight",
                            "Transactions not finished yet (money may be moving)", f.in_flight)
    yield GaugeMetricFamily("kiosk_needs_attention_rows",
                            "Transactions waiting for an operator", f.needs_attention)
    yield GaugeMetricFamily("kiosk_retrying_rows",
                            "Unfinished transactions waiting for an automatic retry", f.retrying)
    age = 0.0
    reference = now if now is not None else s.refreshed_at
    if f.oldest_unsettled_s is not None and reference is not None:
        age = max(0.0, reference - f.oldest_unsettled_s)
    yield GaugeMetricFamily("kiosk_oldest_unsettled_age_seconds",
                            "Age of the oldest unfinished or needs-attention row (0: none)", age)
    yield GaugeMetricFamily("kiosk_last_credited_sale_timestamp_seconds",
                            "When the last sale was credited (Unix seconds; 0: never)",
                            f.last_credited_s or 0.0)
    yield GaugeMetricFamily("kiosk_journal_size_bytes", "Journal size on disk (with its WAL)",
                            f.journal_bytes)
    if s.refreshed_at is not None:
        yield GaugeMetricFamily("kiosk_metrics_refresh_timestamp_seconds",
                                "When the journal figures were last read (Unix seconds)",
                                s.refreshed_at)


_ID_SEGMENT = re.compile(r"[a-z_]+|v\d+")


def route_of(method: str, path: str) -> str:
    """``GET /v1/subscribers/91234567/plans?x`` → ``GET /v1/subscribers/:id/plans``: every
    path segment that is not a plain lowercase word (an id, a number, a key) becomes ``:id``."""
    path = path.split("?", 1)[0]
    parts = [p if _ID_SEGMENT.fullmatch(p) else ":id" for p in path.strip("/").split("/") if p]
    return f"{method.upper()} /{'/'.join(parts)}"


def error_kind(error: BaseException) -> str:
    code = getattr(error, "code", "") or type(error).__name__.lower()
    return code if re.fullmatch(r"[a-z0-9_]{1,40}", code) else "other"


class BackendMetrics:
    """Backend attempts: latency histogram by route, errors (no usable answer) by kind."""

    def __init__(self, registry: CollectorRegistry):
        self.latency = Histogram("kiosk_backend_request_duration_seconds",
                                 "Backend request attempts by route, seconds",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=registry)
        self.errors = Counter("kiosk_backend_errors", "Backend attempts without a usable answer",
                              ["kind"], registry=registry)

    def observe(self, method: str, path: str, seconds: float,
                error: BaseException | None) -> None:
        """One attempt; *error* counts when it is ambiguous (no answer, 5xx, malformed)."""
        self.latency.labels(route_of(method, path)).observe(max(0.0, seconds))
        if isinstance(error, Ambiguous):
            self.errors.labels(error_kind(error)).inc()


def registry_for(state: MetricsState, now=None) -> tuple[CollectorRegistry, BackendMetrics]:
    """A fresh registry (never the process-global one) with the kiosk's collector."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(KioskCollector(state, now))
    return registry, BackendMetrics(registry)


def exposition(registry: CollectorRegistry) -> str:
    """The text exposition format (what a scrape answers and the textfile holds)."""
    return generate_latest(registry).decode("utf-8")

