"""A fake of the flow controller's inputs from operations (``kiosk.flow.controller.Controller``):
the health verdict and the end of maintenance, recorded."""

from __future__ import annotations


class FakeController:
    def __init__(self):
        self.health: list[tuple[tuple[str, ...], bool, str]] = []  # (methods, in_service, reason)
        self.closed = 0

    def set_health(self, available_methods, in_service=True, reason=""):
        self.health.append((tuple(available_methods), in_service, reason))

    def close_maintenance(self):
        self.closed += 1
