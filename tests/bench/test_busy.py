"""The bench's background load: CPU-bound children that run while asked and stop after."""

from __future__ import annotations

import os
import time

from bench.busy import Busy
from tests.child_env import child_env


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_busy_children_spin_while_the_block_runs_and_are_gone_after():
    with Busy(2, env=child_env()) as busy:
        pids = [p.pid for p in busy.procs]
        assert busy.running == 2
        end = time.monotonic() + 20
        while min(_cpu_seconds(pid) for pid in pids) < 0.2:  # they burn CPU, bounded wait
            assert time.monotonic() < end, "the busy children did not use the CPU"
            time.sleep(0.05)
    assert busy.running == 0
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or _zombie(pid)


def _zombie(pid: int) -> bool:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        return f.read().rsplit(")", 1)[1].split()[0] == "Z"
