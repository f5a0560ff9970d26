"""The states of a purchase's hold and how they follow the row's state (no outside calls).

See ``kiosk.money.holds`` for the steps; ``MoneyContext.commit`` commits ``hold_fields`` with
every state so the hold's fate is never a separate, forgettable write.
"""

from __future__ import annotations

# hold_state values (None: the row has no hold).
REQUESTED = "requested"  # the key is committed; the hold may or may not exist
HELD = "held"
REFUSED = "refused"
RELEASE_PENDING = "release_pending"
RELEASED = "released"
USED = "used"
ABANDONED = "abandoned"  # to release, but its id is unknown: it expires by itself
HOLD_STATES = (REQUESTED, HELD, REFUSED, RELEASE_PENDING, RELEASED, USED, ABANDONED)

# Row states after which a live (or maybe live) hold will not be used.
_NOT_USED = ("cancelled", "declined", "refund_pending", "refunded", "resolved",
             "refunded_manually")
_NOT_USED += ("failed", "reversed")  # scan orders that took nothing, or gave it back


def hold_fields(txn, state: str) -> dict:
    """The hold fields that go with moving *txn* to *state* (committed with the state)."""
    if txn.hold_state in (HELD, REQUESTED):
        if state == "credited":
            return {"hold_state": USED} if txn.hold_state == HELD else {}
        if state in _NOT_USED:
            return {"hold_state": RELEASE_PENDING}
    return {}
