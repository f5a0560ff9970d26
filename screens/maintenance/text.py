"""Staff-facing text of the maintenance screens (English), and outcome messages by code."""

from __future__ import annotations

from screens.text import money

MESSAGES = {
    "wrong": "Wrong operator ID or PIN. {attempts} tries left before entry locks.",
    "short_pin": "A PIN has 6 to 12 digits.",
    "locked": "Too many wrong PINs: entry is locked for {minutes} more minutes.",
    "unavailable": "Sign-in is unavailable: the PIN pepper is not set on this kiosk "
                   "(see kiosk doctor).",
    "retry_now.ok": "Due now: the reconciler tries it on its next pass.",
    "retry_now.not_retrying": "It is no longer retrying: it has settled.",
    "retry_credit.credited": "Credited.",
    "retry_credit.already_credited": "Already credited (same key): nothing more was done.",
    "retry_credit.needs_attention": "The backend still cannot confirm: left for later.",
    "retry_credit.credit_pending":
        "Sent again; the backend has not confirmed yet. The kiosk keeps checking (same key).",
    "refund.refunded": "Refunded.",
    "refund.refund_pending":
        "Refund sent; not confirmed yet. The kiosk keeps checking (same key).",
    "refund.already_refunded": "Already refunded (same key): nothing more was done.",
    "refund.already_credited": "Not refunded: the plan was credited.",
    "resolve.resolved": "Marked resolved with the note.",
    "resolve.already_resolved": "Already resolved.",
    "test_print.printed": "Test page printed.",
    "test_print.no_printer": "No printer configured.",
    "terminal_status.online": "Terminal online.",
    "settle.settled": "Batch {batch_no} settled and closed.",
    "print_settlement.printed": "Settlement report printed.",
    "paper_replaced.alert_cleared": "Low-paper alert cleared.",
    "take_out_of_service.out_of_service":
        "Out of service (after the current customer, if one is paying).",
    "put_in_service.in_service": "Back in service.",
    "put_in_service.degraded": "Back in service, with limits (see status).",
    "put_in_service.out_of_service": "Switched on, but still out of service (see status).",
    "restart_app.restarting": "Restarting…",
    "refunded_in_cash.refunded_in_cash": "Recorded as refunded in cash (final: refunded_manually).",
    "refunded_in_cash.already_refunded_in_cash": "Already recorded as refunded in cash.",
    "refunded_in_cash.amount_differs": "Not recorded: the amount must be the payment's amount.",
    "refunded_in_cash.already_credited":
        "Not recorded: the plan was credited after all. Do not pay cash.",
}
CASH_NOTE = "cash refunded against the customer's claim slip"

NOTES = {
    "Resolve: refunded by hand": "refunded to the customer by hand",
    "Resolve: no payment found": "checked the wallet/terminal records: no payment",
    "Resolve: customer contacted": "customer contacted by the hotline",
}

ACTION_LABELS = {"retry_credit": "Retry credit", "refund": "Refund", "retry_now": "Retry now"}


def message(code: str, args: dict) -> str:
    """The text for an outcome code, or a readable form of the code itself."""
    template = MESSAGES.get(code)
    if template is None and code.endswith(".failed"):
        action = code[:-len(".failed")].replace("_", " ")
        return f"{action.capitalize()} failed: {args.get('message') or args.get('error', '')}"
    if template is None:
        return code.replace("_", " ").replace(".", ": ") if code else ""
    if "amount_cents" in args and "amount" not in args:
        args = {**args, "amount": money(args["amount_cents"])}
    try:
        return template.format(**args)
    except (KeyError, IndexError, ValueError):
        return template


def txn_line(txn) -> str:
    if txn.retrying:  # the money engine's, not a person's: say so, with the last error
        return (f"{txn.id}  {txn.method}  {money(txn.amount_cents)}  retrying automatically "
                f"(attempt {txn.retry_attempts}, since {txn.created_at[:16]}Z): {txn.retry_error}")
    return (f"{txn.id}  {txn.method}  {money(txn.amount_cents)}  "
            f"{txn.attention_reason or txn.state}")


def event_line(event) -> str:
    if event.to_state and event.from_state:
        move = f"{event.from_state} → {event.to_state}"
    else:
        move = event.to_state or event.kind
    detail = ", ".join(f"{k}={v}" for k, v in sorted(event.detail.items()))[:90]
    return f"{event.at[11:19]}  {move}  {detail}".rstrip()
