"""Crash tests: the robot is killed (SIGKILL, as a power cut) at every step of the money engine,
restarted for recovery, and the money promise is checked against the simulators' records.

One backend simulator (in this process, so it outlives every kill) and one journal and terminal
state file serve the whole module: each crash is followed by a recovery run and a check of
everything so far. The crash points are shared out among ``WORLDS`` such worlds, each killing
its share one after the other, side by side (a robot run mostly waits for its start-up and its
timers, so two cores carry them). ``CRASH_STATS`` keeps the counts, printed after the module.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.journal.store import Journal
from kiosk.money.crash_points import ENV_AT, ENV_TRACE
from simulators.backend import BackendSimulator
from simulators.backend.control import SimulatorControl
from tests.child_env import child_env
from tests.integration.conftest import CRASH_NOTE
from tests.integration.ledger_checks import (
    attention_refs,
    cash_refunds,
    check,
    terminal_outcomes,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SECRET = "demo-kiosk-secret"
WORLDS = 2  # worlds killing their share of the crash points side by side
STATS_LOCK = threading.Lock()  # the worlds' threads count into CRASH_STATS
CRASH_STATS = {"points": 0, "points_reached": 0, "recovery_kills": 0, "random_kills": 0,
               "fault_kills": 0, "transactions": 0, "violations": 0, "octopus_sales": 0}
# Rows a recovery pass picks up again: a crash there is also tried during recovery itself.
RECOVERED_STATES = ("hold_pending", "awaiting_payment", "cancel_pending", "sale_pending", "paid",
                    "credit_pending", "refund_pending", "incomplete")
# The Octopus steps a plain robot run must pass through (its customers include Octopus ones).
OCTOPUS_POINTS = ("sale_pending:octopus_sale:before", "sale_pending:octopus_sale:after",
                  "incomplete:commit", "incomplete:octopus_query:before",
                  "incomplete:octopus_query:after")
RECOVERED_STATES += ("scan_pending", "user_paying", "reverse_pending")  # scan orders
# Scan steps the census must pass through (every new journal step is a crash point).
SCAN_POINTS = ("scan_pending:commit", "scan_pending:scan_payment:before",
               "scan_pending:scan_payment:after", "user_paying:commit", "failed:commit",
               "reverse_pending:commit", "reverse_pending:reverse_payment:before",
               "reverse_pending:reverse_payment:after", "reversed:commit")


@dataclass
class World:
    dir: Path
    config: Path
    url: str
    new_month: object = None  # () -> None: the subscribers' monthly top-up counts start again

    @property
    def journal_path(self) -> Path:
        return self.dir / "data" / "journal.sqlite3"

    @property
    def terminal_state(self) -> Path:
        return self.dir / "data" / "card-terminal-simulator.json"


def make_world(dir_: Path, extra: str = "") -> tuple[World, BackendSimulator]:
    sim = BackendSimulator(port=0, secrets={"K01": SECRET}).start()
    config = dir_ / "robot.toml"
    config.write_text(
        f'[kiosk]\nid = "K01"\ndata_dir = "{dir_ / "data"}"\n'
        f'[backend]\nurl = "{sim.url}"\nsecret = "{SECRET}"\nsecret_env = ""\n'
        '[log]\nlevel = "WARNING"\nwire = false\n'
        '[simulator.backend]\nenabled = false\n' + extra, encoding="utf-8")
    return World(dir_, config, sim.url, _month_restarter(sim)), sim


def _month_restarter(sim: BackendSimulator):
    """Each kill run starts a new month for the demo subscribers (their monthly caps would
    otherwise fill after a few hundred purchases and refuse every hold, so late crash points,
    the Octopus ones among them, would never be reached). The ledger is kept."""
    with sim.store.lock:
        seeded = {no: s["limits"]["monthly_used_cents"]
                  for no, s in sim.store.data["subscribers"].items()}

    def new_month() -> None:
        with sim.store.lock:
            for no, used in seeded.items():
                sim.store.data["subscribers"][no]["limits"]["monthly_used_cents"] = used
    return new_month


@pytest.fixture(autouse=True)
def crash_counts(request):
    """After each test: the counts so far, carried on its report (also from a worker process
    under pytest-xdist) to the closing note on the terminal (tests/integration/conftest.py)."""
    yield
    with STATS_LOCK:
        request.node.user_properties.append((CRASH_NOTE, dict(CRASH_STATS)))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w, sim = make_world(tmp_path_factory.mktemp("crash"))
    yield w
    sim.stop()


def robot_cmd(world: World, transactions: int, seed: int, faults: float = 0.0) -> list[str]:
    return [sys.executable, "-m", "app", "robot", "--config", str(world.config),
            "--backend-url", world.url, "--transactions", str(transactions), "--seed", str(seed),
            "--faults", str(faults), "--settle-timeout-s", "10"]


def robot_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in (ENV_AT, ENV_TRACE)}
    return child_env(env, **extra)


def run_robot(world: World, transactions: int, seed: int, faults: float = 0.0,
              **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(robot_cmd(world, transactions, seed, faults), env=robot_env(**env),
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def recover_and_check(world: World) -> None:
    """Restart with --transactions 0 (recovery only), then check every record so far."""
    done = run_robot(world, 0, 0)
    assert done.returncode == 0, done.stderr[-2000:]
    ledger = SimulatorControl(world.url).ledger()
    journal = Journal.open_readonly(world.journal_path)
    try:
        unfinished = [t.id for t in journal.unfinished()]
        verdict = check(ledger, terminal_outcomes(world.terminal_state), attention_refs(journal),
                        cash_refunds=cash_refunds(journal))
        rows = journal.list(limit=10**9)
    finally:
        journal.close()
    with STATS_LOCK:
        CRASH_STATS["octopus_sales"] = verdict.octopus_sales
        CRASH_STATS["transactions"] = len(rows)
        CRASH_STATS["octopus_rows"] = sum(t.method == "octopus" for t in rows)
        CRASH_STATS["violations"] += len(verdict.violations)
    assert unfinished == []
    assert verdict.violations == []
    world.new_month()


def census(world: World) -> list[str]:
    """Every crash point a plain robot run passes through, in first-seen order."""
    trace = world.dir / "trace.txt"
    done = run_robot(world, 120, 7, **{ENV_TRACE: str(trace)})
    assert done.returncode == 0, done.stderr[-2000:]
    return list(dict.fromkeys(trace.read_text().split()))


def count(key: str, n: int = 1) -> None:
    with STATS_LOCK:
        CRASH_STATS[key] += n


def crash_at(world: World, i: int, point: str) -> bool:
    """Kill a robot run at ``point``, and again during recovery where recovery redoes it; then
    recover and check everything so far. True when the point was reached."""
    world.new_month()
    # 30 customers reach most points; a rare path (a decline, a card refund) needs more
    run = run_robot(world, 130, 100 + i, **{ENV_AT: f"{point}#1"})
    assert run.returncode in (0, -signal.SIGKILL), run.stderr[-2000:]
    if run.returncode == 0:
        with STATS_LOCK:
            CRASH_STATS.setdefault("not_reached", []).append(point)
    elif point.split(":")[0] in RECOVERED_STATES:
        # the power goes again while recovery redoes the same step
        again = run_robot(world, 0, 0, **{ENV_AT: f"{point}#1"})
        assert again.returncode in (0, -signal.SIGKILL), again.stderr[-2000:]
        count("recovery_kills", again.returncode == -signal.SIGKILL)
    recover_and_check(world)
    return run.returncode == -signal.SIGKILL


@pytest.mark.timeout(1200)  # ~60 points, each a robot run, a recovery run and a check
def test_every_crash_point_recovers_to_exactly_one_credit_or_refund(world, tmp_path):
    points = census(world)
    assert len(points) >= 25, points  # journal steps and both sides of each outside call
    assert [p for p in OCTOPUS_POINTS if p not in points] == [], points
    assert set(SCAN_POINTS) <= set(points), sorted(set(SCAN_POINTS) - set(points))
    worlds, sims = [world], []
    for n in range(1, WORLDS):
        (tmp_path / f"world{n}").mkdir()
        w, sim = make_world(tmp_path / f"world{n}")
        worlds.append(w)
        sims.append(sim)
    failed = threading.Event()  # one world's failure stops the others at their next point

    def kill_share(k: int) -> int:
        reached = 0
        for i in range(k, len(points), WORLDS):
            if failed.is_set():
                break
            try:
                reached += crash_at(worlds[k], i, points[i])
            except BaseException:
                failed.set()
                raise
        return reached

    try:
        with ThreadPoolExecutor(WORLDS) as pool:
            shares = [pool.submit(kill_share, k) for k in range(WORLDS)]
            reached = sum(share.result() for share in shares)
    finally:
        for sim in sims:
            sim.stop()
    CRASH_STATS.update(points=len(points), points_reached=reached)
    assert reached >= len(points) * 0.8, (f"only {reached} of {len(points)} points were "
                                          f"reached; not: {CRASH_STATS.get('not_reached')}")


def kill_at_random(world: World, rng: random.Random, seed: int, faults: float) -> bool:
    proc = subprocess.Popen(robot_cmd(world, 40, seed, faults), env=robot_env(), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=rng.uniform(0.5, 2.5))  # the power goes at a random moment
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        return True


@pytest.mark.parametrize("faults", [0.0, 0.5], ids=["plain", "with_faults"])
def test_random_kills_recover_to_exactly_one_credit_or_refund(world, faults):
    rng = random.Random(4242 + int(faults * 10))
    kills = 0
    for i in range(5):
        kills += kill_at_random(world, rng, 500 + i + int(faults * 100), faults)
        recover_and_check(world)
    CRASH_STATS["fault_kills" if faults else "random_kills"] += kills
    assert kills >= 3
    assert CRASH_STATS["octopus_rows"] > 0  # Octopus sales among the customers killed


# The crash points only a terminal approving a wrong amount passes through (the reversal after
# them shares its names with a rejected credit's: tests/kiosk/money/test_answer_checks.py kills
# at each of those on the mismatch path itself).
MISMATCH_POINTS = ("amount_mismatch:noted", "amount_mismatch:refund_pending:commit")


def seed_with_a_wrong_amount(customers: int) -> int:
    """A seed whose first customers include one the terminal approves for the wrong amount."""
    from app.robot.customers import CustomerSource
    from app.robot.octopus import with_octopus
    from kiosk.money import octopus_payment
    from kiosk.settings import load

    settings = load(None)
    for seed in range(10_000):
        # the methods the robot offers its customers (its simulated terminal takes Octopus too)
        methods = octopus_payment.offered_methods(with_octopus(settings))
        source = CustomerSource(seed, methods, settings.payments.qr_expires_in_s)
        if any(source.next().behaviour == "approve_wrong_amount" for _ in range(customers)):
            return seed
    raise AssertionError("no seed plays approve_wrong_amount")


@pytest.fixture(scope="module")
def card_world(tmp_path_factory):
    """A world whose card sales are not held first: a customer the seed picks for a wrong
    amount reaches the terminal even when the monthly cap filled up earlier in the module."""
    w, sim = make_world(tmp_path_factory.mktemp("crash-card"),
                        '[payments.holds]\nbefore = ["wechatpay", "alipayhk", "fps", "payme"]\n')
    yield w
    sim.stop()


@pytest.mark.parametrize("point", MISMATCH_POINTS)
def test_a_crash_on_the_wrong_amount_path_recovers_to_one_reversal(card_world, point):
    world = card_world
    seed = seed_with_a_wrong_amount(15)
    run = run_robot(world, 15, seed, **{ENV_AT: f"{point}#1"})
    assert run.returncode == -signal.SIGKILL, run.stderr[-2000:]
    # the power goes again while recovery redoes the same step (QUERY, the check, the note)
    again = run_robot(world, 0, 0, **{ENV_AT: f"{point}#1"})
    assert again.returncode in (0, -signal.SIGKILL), again.stderr[-2000:]
    CRASH_STATS["recovery_kills"] += again.returncode == -signal.SIGKILL
    recover_and_check(world)
    journal = Journal.open_readonly(world.journal_path)
    try:
        wrong = [t for t in journal.needing_attention()
                 if (t.attention_reason or "").startswith("amount_mismatch")]
    finally:
        journal.close()
    assert wrong and all("reversed" in t.attention_reason for t in wrong)
    outcomes = terminal_outcomes(world.terminal_state)
    for t in wrong:
        assert outcomes[t.void_ecr_ref]["result"] == "APPROVED"  # voided, once (ledger checks)
