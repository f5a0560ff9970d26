"""A lock set by one process holds in the next one, on the real clocks and this boot's id."""

import subprocess
import sys

from tests.child_env import child_env

SCRIPT = """
import json, sys
from contract.clock import SystemClock
from kiosk.maintenance.db import Locked
from kiosk.maintenance.lockout import Lockout
db = Locked(sys.argv[1])
lockout = Lockout(db, SystemClock(), max_failures=5, lockout_s=900)
if sys.argv[2] == "lock":
    for _ in range(5):
        lockout.record_failure()
state = lockout.state()
print(json.dumps({"locked": state.locked, "left": state.seconds_left, "lockouts": state.lockouts}))
db.close()
"""


def run(path, what):
    import json
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(path), what], capture_output=True,
                          text=True, timeout=60, env=child_env())
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_new_process_sees_the_lock_with_the_time_left(tmp_path):
    path = tmp_path / "operators.sqlite3"
    first = run(path, "lock")
    assert first["locked"] and 895 < first["left"] <= 900
    second = run(path, "look")
    assert second["locked"] and second["lockouts"] == 1
    assert 0 < first["left"] - second["left"] < 60  # counted on: not restarted, not ended
