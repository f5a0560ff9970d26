"""A tiny sd_notify: tell systemd we are ready and alive, over the NOTIFY_SOCKET datagram.

The UI thread's main loop calls ``Watchdog.ping()`` every frame (or from a clock tick); it sends
``WATCHDOG=1`` at most every half of ``WatchdogSec``, so a frozen UI stops the pings and systemd
restarts the kiosk. Outside systemd (no ``NOTIFY_SOCKET``) everything here does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

from contract.clock import Clock, SystemClock

log = logging.getLogger(__name__)


def notify(message: str, env: Mapping[str, str] | None = None) -> bool:
    """Send one sd_notify message; False when not under systemd or the send failed."""
    env = os.environ if env is None else env
    address = env.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # an abstract socket
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode("utf-8"))
        return True
    except OSError as e:
        log.warning("sd_notify %r failed: %s", message.split("\n")[0], e)
        return False


def watchdog_interval_s(env: Mapping[str, str] | None = None) -> float | None:
    """Half of systemd's ``WatchdogSec`` (from ``WATCHDOG_USEC``), or None when it is off.

    ``WATCHDOG_PID``, when set, must be this process: a child must not feed its parent's dog,
    unless ``KIOSK_WATCHDOG_CHILD=1`` says the kiosk runs under a launcher (``cage``) on purpose
    (the unit then needs ``NotifyAccess=all``).
    """
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    foreign = pid and pid != str(os.getpid()) and env.get("KIOSK_WATCHDOG_CHILD") != "1"
    if not usec.isdigit() or int(usec) == 0 or foreign:
        return None
    return int(usec) / 1_000_000 / 2


class Watchdog:
    """``ready()`` once the first screen is up; ``ping()`` from the UI loop; ``stopping()``."""

    def __init__(self, clock: Clock | None = None, env: Mapping[str, str] | None = None):
        self._clock = clock or SystemClock()
        self._env = os.environ if env is None else env
        self._interval_s = watchdog_interval_s(self._env)
        self._last = float("-inf")

    @property
    def enabled(self) -> bool:
        return self._interval_s is not None

    def ready(self, status: str = "serving customers") -> None:
        notify(f"READY=1\nSTATUS={status}", self._env)

    def ping(self) -> bool:
        """Send WATCHDOG=1 when half the watchdog time has passed; True when sent."""
        if self._interval_s is None:
            return False
        now = self._clock.monotonic()
        if now - self._last < self._interval_s:
            return False
        self._last = now
        return notify("WATCHDOG=1", self._env)

    def status(self, text: str) -> None:
        notify(f"STATUS={text}", self._env)

    def stopping(self) -> None:
        notify("STOPPING=1", self._env)
