"""The robot: customers through the real engine; the journal's report agrees with the backend's
ledger to the cent; one robot per journal; a recovery-only run settles what a crash left."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from app.robot.run import Robot, RobotOptions
from kiosk.journal.store import Journal
from kiosk.settings import load
from tests.child_env import child_env
from tests.integration.conftest import SECRET
from tests.integration.ledger_checks import (
    attention_refs,
    cash_refunds,
    check,
    terminal_outcomes,
)

ROOT = Path(__file__).resolve().parents[2]


def robot_config(tmp_path: Path, url: str, extra: str = "") -> Path:
    config = tmp_path / "robot.toml"
    config.write_text(
        f'[kiosk]\nid = "K01"\ndata_dir = "{tmp_path / "data"}"\n'
        f'[backend]\nurl = "{url}"\nsecret = "{SECRET}"\nsecret_env = ""\n'
        '[simulator.backend]\nenabled = false\n' + extra, encoding="utf-8")
    return config


# Holds for every method but WeChat Pay: the capped subscriber is refused before paying by the
# others, and paid then refunded by WeChat Pay, so both paths run.
HOLDS_BUT_WECHAT = ('[payments.holds]\n'
                    'before = ["alipayhk", "alipay", "fps", "payme", "card"]\n')


def ledger_totals(ledger: dict) -> dict[str, dict[str, int]]:
    """Per wallet method: cents credited and cents refunded, as the backend recorded them (a scan
    order under scan_<its wallet>, as the kiosk's report shows it)."""
    method_of = {o["out_trade_no"]: scan_method(o) for o in ledger["orders"]}
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"credited": 0, "refunded": 0})
    for t in ledger["topups"]:
        if t["status"] == "credited" and t["payment"]["method"] != "card":
            method = method_of.get(t["payment"]["reference"], t["payment"]["method"])
            totals[method]["credited"] += t["amount_cents"]
    for r in ledger["refunds"]:
        totals[method_of[r["out_trade_no"]]]["refunded"] += r["amount_cents"]
    return dict(totals)


def scan_method(order: dict) -> str:
    if order.get("kind") != "scan":
        return order["method"]
    return f"scan_{order['method']}"  # per wallet, as the scan answer named it


def report_totals(journal: Journal) -> dict[str, dict[str, int]]:
    report = journal.report(journal.today())
    return {m: {"credited": report.cell(m, "credited")[1], "refunded": report.cell(m, "refunded")[1]}
            for m in report.methods if m != "card"}


def nonzero(totals: dict) -> dict:
    return {m: t for m, t in totals.items() if any(t.values())}


@pytest.mark.slow
def test_robot_keeps_the_promise_and_the_report_agrees_with_the_ledger(
        tmp_path, backend_simulator, simulator_control):
    settings = load(robot_config(tmp_path, backend_simulator.url, HOLDS_BUT_WECHAT))
    summary = Robot(settings, RobotOptions(60, seed=3, backend_url=backend_simulator.url,
                                           fault_rate=0.3)).run()
    assert summary["transactions"] + sum(summary["skipped"].values()) == 60
    assert summary["unsettled"] == 0
    assert sum(summary["states"].values()) == summary["transactions"]
    ledger = simulator_control.ledger()
    journal = Journal.open_readonly(settings.resolve(settings.journal.path))
    try:
        verdict = check(ledger, terminal_outcomes(tmp_path / "data" / "card-terminal-simulator.json"),
                        attention_refs(journal), cash_refunds=cash_refunds(journal))
        assert verdict.violations == []
        assert verdict.credits > 0 and verdict.refunds > 0 and verdict.card_sales > 0
        assert verdict.octopus_sales > 0
        octopus = sum(summary["octopus_played"].values())
        assert octopus >= 0.2 * summary["transactions"], summary["octopus_played"]
        rows = journal.list(limit=1000)
        assert verdict.holds.get("used", 0) > 0
        # scan customers: paid and credited, failed, reversed; none left confirming
        assert {"failed", "reversed"} <= set(verdict.scan_orders), verdict.scan_orders
        scans = [t for t in rows if t.method.startswith("scan_")]
        assert len(scans) >= 60 * 0.15 and any(t.state == "credited" for t in scans)
        assert sum(n for k, n in summary["customers"].items() if k.startswith("scan ")) >= 10
        # every hold of a finished row was used, released or refused: none left live
        live = sum(t.hold_state == "held" for t in rows if not t.final)
        assert verdict.holds.get("live", 0) == live
        assert any(t.hold_state == "refused" for t in rows)  # refused before paying
        assert not [t.id for t in rows
                    if t.final and t.hold_state in ("requested", "held", "release_pending")]
        assert nonzero(report_totals(journal)) == nonzero(ledger_totals(ledger))
    finally:
        journal.close()


def test_recovery_only_run_settles_what_a_crash_left(tmp_path, backend_simulator,
                                                    backend_client, simulator_control):
    settings = load(robot_config(tmp_path, backend_simulator.url))
    offer = backend_client.get_subscriber("85291234567").offers[1]
    with Journal.open(settings.resolve(settings.journal.path), "K01") as journal:
        txn = journal.create("alipayhk", "85291234567", offer.plan_id, offer.quote_id,
                             offer.name, offer.price_cents, offer.list_price_cents, "en")
        for state in ("order_pending", "awaiting_payment"):
            journal.advance(txn.id, state)
    backend_client.create_payment(txn.out_trade_no, "alipayhk", offer.price_cents, "x", 120)
    simulator_control.pay(txn.out_trade_no)  # paid while the kiosk was down
    summary = Robot(settings, RobotOptions(0, backend_url=backend_simulator.url)).run()
    assert summary["recovered"] == 1 and summary["states"] == {"credited": 1}
    credited = [t for t in simulator_control.ledger()["topups"] if t["status"] == "credited"]
    assert [t["payment"]["reference"] for t in credited] == [txn.out_trade_no]


def test_a_second_robot_on_the_same_journal_refuses_and_says_why(tmp_path, backend_simulator):
    config = robot_config(tmp_path, backend_simulator.url)
    settings = load(config)
    with Journal.open(settings.resolve(settings.journal.path), "K01"):
        done = subprocess.run(
            [sys.executable, "-m", "app", "robot", "--config", str(config), "--backend-url",
             backend_simulator.url, "--transactions", "1"],
            capture_output=True, text=True, timeout=60, cwd=ROOT,
            env=child_env())
    assert done.returncode == 2
    assert f"in use by process {os.getpid()}" in done.stderr
    assert done.stdout == ""


def test_the_robot_plays_the_phone_but_never_reads_the_ledger():
    for path in sorted((ROOT / "app" / "robot").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "ledger" not in source.replace("never reads the\nsimulator's ledger", "")


def test_a_corrupt_journal_is_refused_with_the_reason_and_kept(tmp_path, backend_simulator):
    config = robot_config(tmp_path, backend_simulator.url)
    path = load(config).resolve("journal.sqlite3")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    done = subprocess.run(
        [sys.executable, "-m", "app", "robot", "--config", str(config), "--backend-url",
         backend_simulator.url, "--transactions", "1"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
        env=child_env())
    assert done.returncode == 2 and "not an SQLite database" in done.stderr
    assert path.read_bytes() == b"this is not a database" * 100
