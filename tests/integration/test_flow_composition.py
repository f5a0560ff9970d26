"""The composition root on the demo profile: ``app.simulators.build_kiosk`` starts the simulators
the profile asks for and ``kiosk.composition.build`` puts the core on them; it comes up whole
and closes clean. The core alone never starts a simulator."""

from __future__ import annotations

import socket
import threading

import pytest

from app.simulators import build_kiosk
from kiosk import composition
from kiosk import settings as settings_mod
from kiosk.flow.post_queue import PostQueue


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_settings(tmp_path, port):
    return settings_mod.load(None, {"kiosk.data_dir": str(tmp_path),
                                    "backend.url": f"http://127.0.0.1:{port}",
                                    "simulator.backend.auto_pay_after_s": 0.0,
                                    "maintenance.heartbeat_interval_s": 3600.0})


def test_demo_profile_builds_sells_nothing_yet_and_closes_every_thread(tmp_path):
    before = set(threading.enumerate())
    post = PostQueue()
    kiosk = build_kiosk(demo_settings(tmp_path, free_port()), post)
    try:
        c = kiosk.controller
        assert kiosk.recovery.settled == () and kiosk.recovery.still_open == ()
        assert kiosk.terminal.simulator is not None and kiosk.terminal.device is not None
        assert post.run_until(lambda: "card" in c._availability.methods(), 10)
        assert c.state == "attract"
        c.start("en")
        for d in "91234567":
            c.press_digit(d)
        c.submit_number()
        assert post.run_until(lambda: c.state == "card_shown", 10)
        assert c.view.subscriber.owner_hint == "CHAN T** M***"
    finally:
        kiosk.close()
    post.run_pending()
    leftover = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert [t.name for t in leftover if not t.daemon or t.name != "kiosk-worker"] == []


def test_port_taken_is_a_clear_error_and_nothing_is_left_open(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(composition.CompositionError, match=f"127.0.0.1:{port}.*already in use"):
            build_kiosk(demo_settings(tmp_path, port), PostQueue())
    assert not (tmp_path / "journal.sqlite3").exists()


def test_a_sale_paid_while_the_kiosk_was_down_is_credited_before_the_first_customer(tmp_path):
    from kiosk.backend.client import BackendClient
    from kiosk.journal.store import Journal
    from simulators.backend.control import SimulatorControl
    from simulators.backend.server import BackendSimulator

    settings = demo_settings(tmp_path, free_port())
    sim = BackendSimulator("127.0.0.1", int(settings.backend.url.rsplit(":", 1)[1]),
                           state_path=settings.resolve(settings.simulator.backend.state_path)).start()
    try:  # the kiosk showed a QR, the customer paid, the power went before the credit
        backend = BackendClient.from_settings(settings)
        offer = backend.get_subscriber("85291234567").offers[0]
        journal = Journal.from_settings(settings)
        txn = journal.create("fps", "85291234567", offer.plan_id, offer.quote_id, dict(offer.name),
                             offer.price_cents, offer.list_price_cents, "en")
        journal.advance(txn.id, "order_pending")
        backend.create_payment(txn.out_trade_no, "fps", offer.price_cents, "top-up", 120)
        journal.advance(txn.id, "awaiting_payment")
        SimulatorControl(sim.url).pay(txn.out_trade_no)
        journal.close()
        backend.close()
    finally:
        sim.stop()
    kiosk = build_kiosk(settings, PostQueue())
    try:
        assert kiosk.recovery.settled == (txn.id,)
        assert kiosk.journal.get(txn.id).state == "credited"
    finally:
        kiosk.close()


def test_the_core_alone_never_starts_a_simulator(tmp_path):
    """A simulated device the caller did not start is a clear error, and nothing stays open."""
    settings = demo_settings(tmp_path, free_port())
    before = set(threading.enumerate())
    with pytest.raises(composition.CompositionError, match="devices.card_terminal.kind.*app/simulators.py"):
        composition.build(settings, PostQueue())
    assert [t for t in set(threading.enumerate()) - before if t.is_alive()] == []
