"""The robot's Octopus customers: the simulated terminal takes Octopus, and each customer's
behaviour is a terminal scenario (approve, not enough value, blocked, over the limit, retap,
incomplete then resolved, a lost answer, or a kiosk-side cancel while the reader waits).

An INCOMPLETE sale is resolved by the simulated Octopus system after ``DELAYS``'s
``octopus_resolve_s`` (real seconds); the kiosk keeps selling and its reconciler settles it by
QUERY.
"""

from __future__ import annotations

import dataclasses

# Real seconds: the customer taps again at once; nobody waits long for a retap that never
# comes; the Octopus system resolves an incomplete sale soon after.
DELAYS = {"retap_s": 0.0, "retap_window_s": 0.05, "octopus_resolve_s": 0.5}


def with_octopus(settings):
    """The settings with the Octopus tender on a simulated terminal (the robot's terminal is
    always its own simulator, which takes Octopus); other terminals are left as configured."""
    cfg = settings.devices.card_terminal
    if cfg.kind != "simulator" or "octopus" in cfg.tenders:
        return settings
    terminal = dataclasses.replace(cfg, tenders=tuple(cfg.tenders) + ("octopus",))
    return dataclasses.replace(settings, devices=dataclasses.replace(settings.devices,
                                                                     card_terminal=terminal))


def play(simulator, customer) -> None:
    """Set the terminal simulator's next sale to the customer's behaviour, with the customer's
    own card: a stored value from HK$0 to HK$400 (a purchase may take it below zero, as
    Octopus allows down to -HK$35; one it cannot cover is declined IV by the terminal)."""
    simulator.octopus_card.set_value(round(customer.offer_pick * 40_000))
    behaviour = customer.behaviour
    simulator.set_scenario("no_card" if behaviour == "kiosk_cancel" else behaviour)

