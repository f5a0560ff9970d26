"""The card terminal simulator's scenarios by name, without the simulator itself: the settings
check a configured scenario against these before the first frame, and importing the simulator
there (its protocol, links and threads) cost the kiosk's start-up ~15 ms."""

from __future__ import annotations

# Played only when the sale is an Octopus one (a card sale ignores them).
OCTOPUS_ONLY_SCENARIOS = ("decline_iv", "decline_bl", "decline_lm", "retap",
                          "incomplete_approved", "incomplete_cancelled")

SCENARIOS = ("approve", "decline_05", "decline_51", "decline_54", "decline_55", "decline_91",
             "cancel", "no_card", "silent", "lose_response", "busy") + OCTOPUS_ONLY_SCENARIOS
# A faulty terminal: APPROVED for 1 cent whatever was asked (the kiosk must not count it as paid).
SCENARIOS += ("approve_wrong_amount",)
