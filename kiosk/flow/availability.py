"""What the health monitor lets the flow sell: which configured methods can take money now,
and whether the kiosk may sell at all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Availability:
    """The health monitor's last verdict: which configured methods can take money, and whether
    the kiosk may sell at all."""

    configured: tuple[str, ...]
    available: frozenset[str]
    in_service: bool = True
    reason: str = ""

    @classmethod
    def everything(cls, configured: tuple[str, ...]) -> Availability:
        return cls(tuple(configured), frozenset(configured))

    def methods(self) -> tuple[str, ...]:
        """The methods to offer now, in the configured order."""
        return tuple(m for m in self.configured if m in self.available)

    def verdict(self) -> tuple[bool, str]:
        """(may sell, reason when not)."""
        if not self.in_service:
            return False, self.reason or "unavailable"
        if not self.methods():
            return False, "no_payment_method"
        return True, ""
