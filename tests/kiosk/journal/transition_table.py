"""The journal's state table as docs/internals.md writes it, independently of the code's table:
the moves each state allows per method, and a way to reach each state (no tests here)."""

FINAL = {"credited", "refunded", "cancelled", "declined", "resolved", "refunded_manually"}
UNFINISHED = {"created", "order_pending", "awaiting_payment", "cancel_pending", "sale_pending",
              "paid", "credit_pending", "refund_pending", "hold_pending", "incomplete"}
FINAL |= {"failed", "reversed"}  # scan orders
UNFINISHED |= {"scan_pending", "user_paying", "reverse_pending"}
COMMON = {
    "paid": {"credit_pending"},
    "credit_pending": {"credited", "refund_pending"},
    "refund_pending": {"refunded"},
    "needs_attention": {"credit_pending", "refund_pending", "resolved"},
}
EXPECTED = {
    "wallet": {**COMMON,
               "created": {"order_pending", "hold_pending"},
               "hold_pending": {"order_pending", "cancelled"},
               "order_pending": {"awaiting_payment", "cancelled"},
               "awaiting_payment": {"paid", "cancel_pending", "refund_pending"},
               "cancel_pending": {"cancelled", "paid", "refund_pending"}},
    "card": {**COMMON,
             "created": {"sale_pending", "hold_pending"},
             "hold_pending": {"sale_pending", "cancelled"},
             "sale_pending": {"paid", "declined", "cancelled", "refund_pending"}},
    "octopus": {**COMMON,
                "created": {"sale_pending", "hold_pending"},
                "hold_pending": {"sale_pending", "cancelled"},
                "sale_pending": {"paid", "declined", "cancelled", "incomplete"},
                "incomplete": {"paid", "declined", "cancelled"},
                "needs_attention": COMMON["needs_attention"] | {"refunded_manually"}},
}
# A way to reach each state, per method (None: the state is not reachable by that method).
PATHS = {
    "wallet": {
        "created": [], "order_pending": ["order_pending"], "hold_pending": ["hold_pending"],
        "awaiting_payment": ["order_pending", "awaiting_payment"],
        "cancel_pending": ["order_pending", "awaiting_payment", "cancel_pending"],
        "sale_pending": None,
        "paid": ["order_pending", "awaiting_payment", "paid"],
        "credit_pending": ["order_pending", "awaiting_payment", "paid", "credit_pending"],
        "refund_pending": ["order_pending", "awaiting_payment", "paid", "credit_pending",
                           "refund_pending"],
        "needs_attention": ["order_pending", "needs_attention"],
        "credited": ["order_pending", "awaiting_payment", "paid", "credit_pending", "credited"],
        "refunded": ["order_pending", "awaiting_payment", "paid", "credit_pending",
                     "refund_pending", "refunded"],
        "cancelled": ["order_pending", "cancelled"],
        "declined": None,
        "resolved": ["needs_attention", "resolved"],
    },
    "card": {
        "created": [], "order_pending": None, "awaiting_payment": None, "cancel_pending": None,
        "hold_pending": ["hold_pending"],
        "sale_pending": ["sale_pending"],
        "paid": ["sale_pending", "paid"],
        "credit_pending": ["sale_pending", "paid", "credit_pending"],
        "refund_pending": ["sale_pending", "paid", "credit_pending", "refund_pending"],
        "needs_attention": ["sale_pending", "needs_attention"],
        "credited": ["sale_pending", "paid", "credit_pending", "credited"],
        "refunded": ["sale_pending", "paid", "credit_pending", "refund_pending", "refunded"],
        "cancelled": ["sale_pending", "cancelled"],
        "declined": ["sale_pending", "declined"],
        "resolved": ["sale_pending", "needs_attention", "resolved"],
        "incomplete": None, "refunded_manually": None,
    },
}
PATHS["wallet"].update({"incomplete": None, "refunded_manually": None})
PATHS["octopus"] = {**PATHS["card"], "incomplete": ["sale_pending", "incomplete"],
                    "refunded_manually": ["sale_pending", "needs_attention", "refunded_manually"]}

# Scan orders (the customer shows a wallet code): created → scan_pending → paid | user_paying |
# failed; user_paying → paid | failed; reverse_pending → reversed (or the refund after 24 h).
EXPECTED["scan"] = {**COMMON,
                    "created": {"scan_pending", "hold_pending", "cancelled"},
                    "hold_pending": {"scan_pending", "cancelled"},
                    "scan_pending": {"paid", "user_paying", "failed", "reverse_pending"},
                    "user_paying": {"paid", "failed", "reverse_pending"},
                    "reverse_pending": {"reversed", "refund_pending"}}
_SCAN_PAID = ["scan_pending", "paid", "credit_pending"]
PATHS["scan"] = {
    "created": [], "order_pending": None, "awaiting_payment": None, "cancel_pending": None,
    "sale_pending": None, "declined": None, "hold_pending": ["hold_pending"],
    "scan_pending": ["scan_pending"], "user_paying": ["scan_pending", "user_paying"],
    "reverse_pending": ["scan_pending", "user_paying", "reverse_pending"],
    "paid": ["scan_pending", "paid"], "credit_pending": _SCAN_PAID,
    "refund_pending": [*_SCAN_PAID, "refund_pending"],
    "needs_attention": ["scan_pending", "needs_attention"],
    "credited": [*_SCAN_PAID, "credited"],
    "refunded": [*_SCAN_PAID, "refund_pending", "refunded"],
    "cancelled": ["cancelled"], "failed": ["scan_pending", "failed"],
    "reversed": ["scan_pending", "reverse_pending", "reversed"],
    "resolved": ["scan_pending", "needs_attention", "resolved"],
}
PATHS["scan"].update({"incomplete": None, "refunded_manually": None})
for _kind in ("wallet", "card", "octopus"):
    PATHS[_kind].update({s: None for s in ("scan_pending", "user_paying", "reverse_pending",
                                           "failed", "reversed")})


def expected_moves(kind: str, state: str) -> set[str]:
    moves = set(EXPECTED[kind].get(state, set()))
    if state in UNFINISHED:
        moves.add("needs_attention")
    return moves
