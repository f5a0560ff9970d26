"""The app on the real core (composition root, backend simulator over HTTP, device simulators),
and the app as a process: lockdown and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.ui.steps import enter_number_and_choose_offer, pay_button, texts_on_screen

pytestmark = [pytest.mark.ui, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_kiosk(app_driver, kiosk):
    """The composition root's kiosk (backend simulator on a free port), shown by the shared app."""
    from app.simulators import build_kiosk
    from screens.app import post
    from screens.demo import demo_settings

    core = build_kiosk(demo_settings(), post, operations=False)
    app_driver.app.attach(core.controller)
    app_driver.wait_state("attract")
    app_driver.frames(3)
    kiosk.controller = core.controller
    yield kiosk, core
    core.close()


def test_the_qr_on_screen_is_the_backend_order_and_paying_it_credits_the_plan(real_kiosk, tmp_path):
    import zxingcpp
    from PIL import Image

    from simulators.backend.control import SimulatorControl

    kiosk, core = real_kiosk
    enter_number_and_choose_offer(kiosk, quote_id=None, timeout_s=20.0)
    kiosk.driver.tap(pay_button(kiosk, "fps"))
    kiosk.driver.wait_for(lambda: core.controller.view.qr_payload, 20.0, "the QR")
    kiosk.driver.frames(2)
    out_trade_no = core.journal.get(core.controller.view.txn_id).out_trade_no
    control = SimulatorControl(core.settings.backend.url)
    try:
        order = next(o for o in _orders(control.ledger()) if o.get("out_trade_no") == out_trade_no)
        shot = kiosk.driver.screenshot(tmp_path / "qr.png")
        decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(shot))]
        assert decoded == [order["qr_payload"]]
        control.pay(out_trade_no)
    finally:
        control.close()
    kiosk.driver.wait_state("done", 30.0)
    assert kiosk.tr("done.title") in texts_on_screen(kiosk.driver)


def test_a_refused_credit_shows_refunding_then_refunded_with_the_reference(real_kiosk):
    from simulators.backend.control import SimulatorControl

    kiosk, core = real_kiosk
    states = []
    core.controller.subscribe(lambda state, view: states.append(state))
    control = SimulatorControl(core.settings.backend.url)
    control.fault("POST /v1/topups", "reject")  # refused after the payment (the hold was fine)
    enter_number_and_choose_offer(kiosk, quote_id=None, timeout_s=20.0)
    kiosk.driver.tap(pay_button(kiosk, "payme"))
    kiosk.driver.wait_for(lambda: core.controller.view.qr_payload, 20.0, "the QR")
    try:
        control.pay(core.journal.get(core.controller.view.txn_id).out_trade_no)
    finally:
        control.close()
    kiosk.driver.wait_state("refunded", 30.0)
    kiosk.driver.frames(3)
    assert "refunding" in states
    assert core.controller.view.txn_id in " ".join(texts_on_screen(kiosk.driver))


def test_the_window_refuses_to_close_and_ignores_escape(app_driver):
    from kivy.core.window import Window

    state = app_driver.state
    assert Window.dispatch("on_request_close") is True
    Window.dispatch("on_keyboard", 27, 41, None, [])
    Window.dispatch("on_key_down", 282, 58, None, [])  # F1: no settings panel
    app_driver.frames(2)
    assert app_driver.state == state
    assert app_driver.app._app_settings is None


def test_kiosk_run_stops_cleanly_on_sigterm(tmp_path):
    profile = _profile(tmp_path)
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-m", "app", "run", "--config", str(profile)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ready, lines = threading.Event(), []

    def read_stderr():
        for line in proc.stderr:
            lines.append(line.decode(errors="replace"))
            if "customer screens ready" in lines[-1]:
                ready.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert ready.wait(60), "".join(lines)[-2000:]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, "".join(lines)[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(10)


def _orders(ledger: dict) -> list[dict]:
    return list(ledger["orders"])


def _profile(tmp_path: Path) -> Path:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    profile = tmp_path / "run.toml"
    profile.write_text(f"""
[kiosk]
id = "K01"
data_dir = "{tmp_path / 'data'}"
[backend]
url = "http://127.0.0.1:{port}"
secret = "demo-kiosk-secret"
secret_env = ""
[simulator.backend]
enabled = true
auto_pay_after_s = 5.0
""", encoding="utf-8")
    return profile
