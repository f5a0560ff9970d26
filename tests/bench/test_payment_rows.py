"""The payment rows' plumbing: plain poll drops wait_s, long polls are counted, and a long-poll
row that cannot be measured says so instead of showing a number."""

from __future__ import annotations

import inspect

from bench import bench_payment
from kiosk.backend.client import BackendClient


class Backend:
    def __init__(self):
        self.asked = []

    def get_payment(self, out_trade_no, **kwargs):
        self.asked.append((out_trade_no, kwargs))
        return "pending"


def test_plain_poll_drops_wait_s_and_counts_the_long_polls_asked():
    backend = Backend()
    queries = bench_payment._Queries(backend, plain=True)
    backend.get_payment("K01-1", wait_s=20)
    backend.get_payment("K01-1")
    assert backend.asked == [("K01-1", {}), ("K01-1", {})]
    assert queries.long_polls == 1


def test_long_poll_passes_wait_s_through():
    backend = Backend()
    queries = bench_payment._Queries(backend, plain=False)
    backend.get_payment("K01-1", wait_s=20)
    assert backend.asked == [("K01-1", {"wait_s": 20})] and queries.long_polls == 1


def test_the_long_poll_check_follows_the_client():
    takes = "wait_s" in inspect.signature(BackendClient.get_payment).parameters
    assert bench_payment.client_long_polls() is takes


def test_rows_not_measured_carry_the_reason_and_the_budget():
    rows = bench_payment.not_measured(bench_payment.LONG, 300.0, "no wait_s")
    assert [r.name for r in rows] == ["payment: paid → screen, long poll (median)",
                                      "payment: paid → screen, long poll (p95)"]
    assert [r.budget for r in rows] == [None, 300.0]
    assert all(r.verdict == "not measured" and r.note == "no wait_s" for r in rows)
