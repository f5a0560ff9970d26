"""The demo's Octopus scenes (``kiosk demo``): tap, retap, remaining value on done, a decline
for not enough value, a payment being confirmed (incomplete), and a refund in cash with the
printed claim slip (the printer simulator's PNG, copied beside the screenshots).

Each scene takes the language's ``Walk`` (``screens.demo_walk``) and uses its helpers.
"""

from __future__ import annotations

import dataclasses
import shutil

MONEY_TIMEOUT_S = 30.0
RETAP_WINDOW_DEMO_S = 3.0  # the simulated terminal's retap window in the demo (20 s for real)


def scenes(walk) -> tuple:
    """The scenes bound to *walk*, each keeping its name (for the skipped list)."""
    def bound(scene):
        def run() -> None:
            scene(walk)
        run.__name__ = scene.__name__
        return run
    return tuple(bound(s) for s in (octopus_purchase, octopus_retap, octopus_not_enough_value,
                                    octopus_incomplete, octopus_refund_in_cash))


def _terminal(walk):
    return walk.kiosk.terminal.simulator


def _tap_prompt(walk) -> None:
    walk.driver.wait_state("paying_octopus")
    walk.driver.wait_for(lambda: walk.controller.view.terminal_stage, MONEY_TIMEOUT_S,
                         "the Octopus prompt")


def octopus_purchase(walk) -> None:
    """Tap the Octopus card; done shows the card's remaining value."""
    _terminal(walk).octopus_card.set_value(21_160)
    before = _printed(walk)
    walk.to_confirming()
    walk.shoot("octopus")  # the confirm screen with its Octopus button
    walk.pay("octopus")
    _tap_prompt(walk)
    walk.shoot("tap")
    walk.driver.wait_state("done", MONEY_TIMEOUT_S)
    walk.driver.wait_for(lambda: walk.controller.view.receipt_status not in (None, "printing"),
                         MONEY_TIMEOUT_S, "the receipt")
    walk.shoot("octopus_remaining")
    _copy_printout(walk, "octopus_receipt", before)


def octopus_retap(walk) -> None:
    """The card left the reader too soon: "tap the same card again", with the countdown."""
    _terminal(walk).set_scenario("retap", next_sale_only=True)
    walk.to_confirming()
    walk.pay("octopus")
    walk.driver.wait_state("paying_octopus")
    walk.driver.wait_for(lambda: walk.controller.view.terminal_stage == "RETAP",
                         MONEY_TIMEOUT_S, "the retap prompt")
    walk.shoot("retap")
    walk.driver.wait_state("done", MONEY_TIMEOUT_S)


def octopus_not_enough_value(walk) -> None:
    _terminal(walk).set_scenario("decline_iv", next_sale_only=True)
    walk.to_confirming()
    walk.pay("octopus")
    walk.driver.wait_state("payment_failed", MONEY_TIMEOUT_S)
    walk.shoot("octopus_iv")


def octopus_incomplete(walk) -> None:
    """Nobody taps again: the payment is being confirmed, with a reference; the simulated
    Octopus system then resolves it and the reconciler credits it."""
    sim = _terminal(walk)
    delays = sim.delays
    sim.delays = dataclasses.replace(delays, retap_window_s=RETAP_WINDOW_DEMO_S)
    sim.set_scenario("incomplete_approved", next_sale_only=True)
    try:
        walk.to_confirming()
        walk.pay("octopus")
        walk.driver.wait_state("retrying", MONEY_TIMEOUT_S)
        txn_id = walk.controller.view.txn_id
        walk.shoot("octopus_incomplete")
    finally:
        sim.delays = delays
    sim.resolve_incomplete()
    walk.kiosk.journal.retry_now(txn_id)
    walk.kiosk.reconciler.run_once()


def octopus_refund_in_cash(walk) -> None:
    """The credit is refused after the Octopus payment: a claim slip for a cash refund."""
    walk.backend.fault("POST /v1/topups", "reject", count=1)
    before = _printed(walk)
    walk.to_confirming()
    walk.pay("octopus")
    walk.driver.wait_state("needs_attention", MONEY_TIMEOUT_S)
    walk.driver.wait_for(lambda: walk.controller.view.receipt_status not in (None, "printing"),
                         MONEY_TIMEOUT_S, "the claim slip")
    walk.shoot("refund_in_cash")
    _copy_printout(walk, "claim_slip", before)


def _printed(walk) -> int:
    printer = _printer(walk)
    return printer.printed_count if printer is not None else 0


def _printer(walk):
    handle = walk.kiosk.printer
    return getattr(handle, "simulator", None) if handle is not None else None


def _copy_printout(walk, variant: str, before: int) -> None:
    """The printer simulator's newest printout (a PNG), beside the screenshots."""
    printer = _printer(walk)
    if printer is None or not printer.wait_printed(before + 1, MONEY_TIMEOUT_S):
        walk.skipped.append(f"{walk.language}/printout-{variant}")
        return
    source = printer.printed[-1].png_path
    name = f"{len(walk.shots) + 1:02d}-printout-{variant}.png"
    target = walk.folder / name
    shutil.copyfile(source, target)
    walk.shots.append(target)


def offered(settings) -> tuple[str, ...]:
    """The methods the kiosk offers (Octopus included when the terminal takes it)."""
    from kiosk.money.octopus_payment import offered_methods

    return offered_methods(settings)
