"""Running a process to its first frame: wall time from spawn and peak RSS (from wait4)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Launch:
    first_frame_s: float
    peak_rss_mb: float
    ready_s: float | None = None  # kiosk run: the core built and attached (``ready <t>``)


def env(**extra: str) -> dict:
    e = dict(os.environ)
    e.update(SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_LOG_MODE="PYTHON",
             KIVY_NO_CONSOLELOG="1", SDL_NO_SIGNAL_HANDLERS="1", KIOSK_EXIT_AFTER_FIRST_FRAME="1")
    e.update(extra)
    return e


def launch(argv: list[str], timeout_s: float = 60.0, **extra_env: str) -> Launch:
    """Start *argv*, wait for its ``first-frame <t>`` line, and reap it for its peak RSS."""
    started = time.time()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env(**extra_env), cwd=ROOT, text=True)
    first = ready = None
    deadline = time.monotonic() + timeout_s
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("first-frame "):
            first = float(line.split()[1])
        if line.startswith("ready "):
            ready = float(line.split()[1])
        if time.monotonic() > deadline:
            break
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if first is None:
        raise RuntimeError(f"{argv} exited {proc.returncode} without reporting its first frame")
    return Launch(first - started, usage.ru_maxrss / 1024.0,
                  None if ready is None else ready - started)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def python() -> str:
    return sys.executable


@dataclass(frozen=True)
class Sample:
    """This process now: resident memory, open file descriptors, threads (from /proc)."""

    at: int  # how many customers/transactions had been served
    rss_mb: float
    fds: int
    threads: int

    def as_json(self) -> dict:
        return {"at": self.at, "rss_mb": round(self.rss_mb, 2), "fds": self.fds,
                "threads": self.threads}


def sample(at: int) -> Sample:
    rss_kb = 0
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
    threads = []
    for _ in range(10):  # the fewest over 0.2 s: a worker that is just ending is not growth
        threads.append(len(os.listdir("/proc/self/task")))
        time.sleep(0.02)
    return Sample(at, rss_kb / 1024.0, len(os.listdir("/proc/self/fd")), min(threads))
