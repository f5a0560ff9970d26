"""deploy/kiosk-update with two throw-away releases in a temporary directory: a good one becomes
current and stays; one that never becomes ready to sell is rolled back by itself, the journal
untouched, and the kiosk's heartbeat then carries ``rolled_back_from``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import __version__
from kiosk.ops.fleet_wiring import rolled_back_from
from kiosk.settings import load
from tests.child_env import child_env

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "kiosk-update"

GOOD = """#!/bin/sh
# a release that sells: writes the health state as the kiosk does once it is ready (with the
# suite's Python, so a moved wall clock, scripts/test-any-day.sh, reaches it too)
exec "$KIOSK_TEST_PYTHON" - "$1" "$(dirname "$0")/VERSION" <<'PY'
import json, os, sys, time
target, version = sys.argv[1], open(sys.argv[2]).read().strip()
with open(target + ".tmp", "w") as f:
    json.dump({"version": version, "selling": True, "reasons": [], "at": time.time(),
               "pid": os.getpid()}, f)
os.replace(target + ".tmp", target)
PY
"""
NEVER_READY = """#!/bin/sh
# a release that starts but never becomes ready to sell
exit 0
"""


def release(tmp_path: Path, name: str, version: str, start: str) -> Path:
    path = tmp_path / "src" / name
    path.mkdir(parents=True)
    (path / "VERSION").write_text(version)
    (path / "start").write_text(start)
    return path


@pytest.fixture
def site(tmp_path):
    root, data = tmp_path / "opt-kiosk", tmp_path / "var-lib-kiosk"
    data.mkdir()
    (data / "journal.sqlite3").write_bytes(b"the journal: must never change" * 100)

    def update(*argv: str, timeout: float = 3.0) -> subprocess.CompletedProcess:
        common = ["--root", str(root), "--state", str(data / "update-state.json"),
                  "--restart", f'sh "{root}/current/start" "{data / "health.json"}"']
        extra = ["--health", str(data / "health.json"), "--timeout", str(timeout),
                 "--settle", "0.2", "--poll", "0.05"] if argv[0] == "install" else []
        return subprocess.run([sys.executable, str(SCRIPT), *argv[:3], *common, *extra,
                               *argv[3:]],
                              capture_output=True, text=True, timeout=60,
                              env=child_env(KIOSK_TEST_PYTHON=sys.executable))
    return root, data, update


def test_good_update_switches_and_broken_one_rolls_back_by_itself(tmp_path, site):
    root, data, update = site
    journal_before = (data / "journal.sqlite3").read_bytes()
    good = release(tmp_path, "good", __version__, GOOD)
    broken = release(tmp_path, "broken", "9.9.9", NEVER_READY)

    first = update("install", __version__, str(good))
    assert first.returncode == 0, first.stdout + first.stderr
    assert os.readlink(root / "current") == f"releases/{__version__}"
    assert "ready to sell" in first.stdout

    second = update("install", "9.9.9", str(broken), timeout=2.0)
    assert second.returncode == 3, second.stdout + second.stderr
    assert "ROLLED BACK" in second.stdout and "not ready to sell" in second.stdout
    assert os.readlink(root / "current") == f"releases/{__version__}"  # switched back
    assert not (root / "previous").exists()  # as before the attempt: there was none
    assert (root / "releases" / "9.9.9" / "start").exists()  # kept for a look
    state = json.loads((data / "update-state.json").read_text())
    assert state["rolled_back_from"] == "9.9.9" and state["rolled_back_to"] == __version__
    assert json.loads((data / "health.json").read_text())["version"] == __version__  # restarted
    assert (data / "journal.sqlite3").read_bytes() == journal_before
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no temporary links left

    settings = load(None, {"kiosk.data_dir": str(data),
                           "fleet.update_state_path": "update-state.json"})
    assert rolled_back_from(settings) == {"rolled_back_from": "9.9.9"}


def test_next_good_update_keeps_the_previous_and_clears_the_rollback(tmp_path, site):
    root, data, update = site
    assert update("install", "1.0.0", str(release(tmp_path, "a", "1.0.0", GOOD))).returncode == 0
    done = update("install", "1.1.0", str(release(tmp_path, "b", "1.1.0", GOOD)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert os.readlink(root / "current") == "releases/1.1.0"
    assert os.readlink(root / "previous") == "releases/1.0.0"
    state = json.loads((data / "update-state.json").read_text())
    assert state["result"] == "updated" and "rolled_back_from" not in state

    by_hand = update("rollback")
    assert by_hand.returncode == 0
    assert os.readlink(root / "current") == "releases/1.0.0"
    assert json.loads((data / "health.json").read_text())["version"] == "1.0.0"


def test_bad_input_is_a_clear_message(tmp_path, site):
    _root, _data, update = site
    missing = update("install", "2.0.0", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "does not exist" in missing.stdout
    assert "Traceback" not in missing.stderr


def test_a_failed_setup_switches_nothing(tmp_path, site):
    root, _data, update = site
    assert update("install", "1.0.0", str(release(tmp_path, "a", "1.0.0", GOOD))).returncode == 0
    failed = update("install", "1.1.0", str(release(tmp_path, "b", "1.1.0", GOOD)),
                    "--setup", "exit 7")
    assert failed.returncode == 2 and "nothing switched" in failed.stdout
    assert os.readlink(root / "current") == "releases/1.0.0"
    assert not (root / "releases" / "1.1.0").exists()
