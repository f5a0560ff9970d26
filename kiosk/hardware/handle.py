"""A device built from settings, with the simulator it talks to (if any), closed together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceHandle:
    """``device``: the driver (None when the kind is ``none``); ``simulator``: the emulator
    started for kind ``simulator`` (else None). ``close()`` closes the driver, then stops the
    simulator."""

    device: object | None = None
    simulator: object | None = None

    def close(self) -> None:
        if self.device is not None:
            try:
                self.device.close()
            except Exception:
                log.exception("closing %r failed", self.device)
        if self.simulator is not None:
            self.simulator.stop()


class SimulatedDevice(RuntimeError):
    """The settings ask for a simulated device: whoever builds the kiosk starts it (``app``)."""


def open_or_leave_out(name: str, factory: Callable[[object], DeviceHandle], settings) -> DeviceHandle:
    """*factory(settings)*, or no device when it cannot be opened: the health monitor then hides
    what needs it, rather than the kiosk not starting at all."""
    try:
        return factory(settings)
    except SimulatedDevice:
        raise
    except Exception as e:
        log.error("%s could not be opened (%s): running without it", name, e)
        return DeviceHandle()
