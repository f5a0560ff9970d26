"""The robot's scan customers: they show a wallet payment code at the scanner.

The code's last digit picks what the simulated wallet does (the backend simulator's convention,
docs/backend-contract.md); the robot plays the phone's confirmation through
``/_sim/payments/{no}/pay`` when the kiosk says "confirm on your phone". Times are kiosk-clock
seconds, compressed by the robot's clock.
"""

from __future__ import annotations

import random

SCAN = "scan"  # the robot's method name for a customer who shows a code
SCAN_SHARE = 0.25  # of all customers, by default (room is left for other tenders)
SCAN_DEADLINE_S = 45.0  # the kiosk reverses an unconfirmed scan order this long after its answer
# (behaviour, weight): what the customer does with the payment code.
SCAN_BEHAVIOURS = (("at_once", 40), ("confirm_soon", 15), ("confirm_late", 8), ("never", 8),
                   ("cancel", 5), ("fail", 16), ("bad_code", 4), ("confirm_itself", 4))
# last digit per behaviour (the simulator's convention)
_LAST = {"at_once": "0129", "confirm_soon": "4", "confirm_late": "4", "never": "4",
         "cancel": "4", "fail": "5678", "confirm_itself": "3"}
PRODUCT_BARCODE = "4006381333931"  # an EAN-13: the kiosk refuses it before any backend call


def pick_behaviour(rng: random.Random) -> str:
    return rng.choices([b for b, _ in SCAN_BEHAVIOURS], [w for _, w in SCAN_BEHAVIOURS])[0]


def code_for(behaviour: str, rng: random.Random) -> str:
    """A wallet code (WeChat Pay 10–15…, Alipay 25–27…, AlipayHK 28–30…) ending in the digit
    that makes the simulated wallet behave so; a product barcode for ``bad_code``."""
    if behaviour == "bad_code":
        return PRODUCT_BARCODE
    prefix = rng.choice(("13", "26", "28"))
    middle = "".join(rng.choice("0123456789") for _ in range(15))
    return prefix + middle + rng.choice(_LAST[behaviour])


def timing(behaviour: str, rng: random.Random) -> tuple[float | None, float | None]:
    """(confirm on the phone after, cancel after): kiosk-clock seconds, None = never."""
    d = SCAN_DEADLINE_S
    return {
        "confirm_soon": (rng.uniform(0.05, 0.5) * d, None),
        "confirm_late": (rng.uniform(1.0, 1.2) * d, None),
        "cancel": (None, rng.uniform(0.05, 0.5) * d),
    }.get(behaviour, (None, None))
