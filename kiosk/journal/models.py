"""The journal's values: transaction states and allowed moves, Txn, Event, Report, errors."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime

from contract.methods import METHODS, WALLET_METHODS  # noqa: F401 (the journal's methods)

log = logging.getLogger(__name__)


FINAL_STATES = ("credited", "refunded", "cancelled", "declined", "resolved",
                "refunded_manually")  # refunded_manually: an Octopus payment given back in cash
# States a recovery pass drives forward (needs_attention waits for an operator instead).
UNFINISHED_STATES = ("created", "order_pending", "awaiting_payment", "cancel_pending",
                     "sale_pending", "paid", "credit_pending", "refund_pending", "hold_pending",
                     "incomplete")  # incomplete: an Octopus sale the terminal is still resolving
FINAL_STATES += ("failed", "reversed")  # scan orders: a definite failure, or reversed
UNFINISHED_STATES += ("scan_pending", "user_paying", "reverse_pending")  # scan orders
ATTENTION = "needs_attention"
STATES = UNFINISHED_STATES + (ATTENTION,) + FINAL_STATES

# from_state -> states it may move to, for every method (needs_attention added below).
_COMMON_MOVES: dict[str, tuple[str, ...]] = {
    "paid": ("credit_pending",),
    "credit_pending": ("credited", "refund_pending"),
    "refund_pending": ("refunded",),
    ATTENTION: ("credit_pending", "refund_pending", "resolved"),
}
# A hold before money: created → hold_pending (hold key committed) → the payment, or cancelled
# (refused, or not confirmed while the customer waited: nothing charged).
_WALLET_MOVES = {
    "created": ("order_pending", "hold_pending"),
    "hold_pending": ("order_pending", "cancelled"),
    "order_pending": ("awaiting_payment", "cancelled"),
    "awaiting_payment": ("paid", "cancel_pending"),
    "cancel_pending": ("cancelled", "paid"),
}
# An order reported paid with another amount, or a sale approved for another amount or currency,
# is never paid: it goes straight to refund_pending (kiosk/money/answer_checks.py).
_WALLET_MOVES["awaiting_payment"] += ("refund_pending",)
_WALLET_MOVES["cancel_pending"] += ("refund_pending",)
_CARD_MOVES = {
    "created": ("sale_pending", "hold_pending"),
    "hold_pending": ("sale_pending", "cancelled"),
    "sale_pending": ("paid", "declined", "cancelled", "refund_pending"),
}

# Octopus on the card terminal: always held first; an INCOMPLETE sale stays pending until QUERY
# says APPROVED or CANCELLED; it cannot be reversed at the terminal, so a payment to give back
# goes to a person ("refund in cash") and ends refunded_manually.
_OCTOPUS_MOVES = {
    **_CARD_MOVES,
    "sale_pending": ("paid", "declined", "cancelled", "incomplete"),
    "incomplete": ("paid", "declined", "cancelled"),
    ATTENTION: _COMMON_MOVES[ATTENTION] + ("refunded_manually",),
}


def _table(specific: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    moves = {s: set() for s in STATES}
    for src, dests in {**_COMMON_MOVES, **specific}.items():
        moves[src].update(dests)
    for src in UNFINISHED_STATES:
        moves[src].add(ATTENTION)
    return {s: frozenset(d) for s, d in moves.items()}


# Scan to pay (the customer shows a wallet payment code, the kiosk scans it): one row per scan
# order (out_trade_no = the row's id, so a new code after a definite failure is a new row). The
# row's method is "scan_" + the wallet; the wallet the scan answer names replaces the one told
# from the code's prefix (alipay → alipayhk). Each state is committed before the call it leads
# to: scan_pending before the scan, reverse_pending before the reverse. The method (fixed at
# creation, like every key) is told from the code's prefix: scan_wechatpay, or scan_alipay for
# Alipay and AlipayHK alike; the wallet the scan answer names is kept in ``card_brand`` (the
# brand of the payment: a card's scheme, a scan order's wallet) and named in the credit.
_SCAN_MOVES = {
    "created": ("scan_pending", "hold_pending", "cancelled"),
    "hold_pending": ("scan_pending", "cancelled"),
    "scan_pending": ("paid", "user_paying", "failed", "reverse_pending"),
    "user_paying": ("paid", "failed", "reverse_pending"),
    # a reverse ends the order whatever it became: reversed (refunded in full if it was paid);
    # a paid order past the reverse window goes to the refund API instead
    "reverse_pending": ("reversed", "refund_pending"),
}
SCAN_PREFIX = "scan_"
SCAN_METHODS = (f"{SCAN_PREFIX}wechatpay", f"{SCAN_PREFIX}alipay")
# Reports show scan orders per wallet: the one the answer named (card_brand) when known.
SCAN_WALLETS = tuple(f"{SCAN_PREFIX}{w}" for w in ("wechatpay", "alipayhk", "alipay"))
JOURNAL_METHODS = METHODS + SCAN_WALLETS

WALLET_TABLE = _table(_WALLET_MOVES)
CARD_TABLE = _table(_CARD_MOVES)
OCTOPUS_TABLE = _table(_OCTOPUS_MOVES)

SCAN_TABLE = _table(_SCAN_MOVES)


def is_scan(method: str) -> bool:
    """A scan order's row (the customer showed a wallet payment code)."""
    return method in SCAN_METHODS


def payment_method(method: str, brand: str | None = None) -> str:
    """The contract's payment method of a row: a scan order's wallet (the one its answer named,
    *brand*, else the one told from the code), else the method itself."""
    if not is_scan(method):
        return method
    return brand if brand in WALLET_METHODS else method[len(SCAN_PREFIX):]


def allowed_moves(method: str, from_state: str) -> frozenset[str]:
    """The states a transaction paid by *method* may move to from *from_state*."""
    table = {"card": CARD_TABLE, "octopus": OCTOPUS_TABLE}.get(method, WALLET_TABLE)
    if is_scan(method):
        table = SCAN_TABLE
    return table.get(from_state, frozenset())


def is_final(state: str) -> bool:
    return state in FINAL_STATES


class JournalError(Exception):
    """Base of every journal error."""


class JournalLocked(JournalError):
    """Another process (or another open in this one) owns the journal."""

    def __init__(self, path: str, pid: int | None):
        who = f"process {pid}" if pid else "another process"
        super().__init__(f"journal {path} is in use by {who}")
        self.path = path
        self.pid = pid


class JournalCorrupt(JournalError):
    """The file is not a journal we can trust; it is left untouched."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"journal {path} is unusable: {reason} (file kept as it is)")
        self.path = path
        self.reason = reason


class JournalMissing(JournalError):
    """A read-only open of a journal file that does not exist."""


class JournalReadOnly(JournalError):
    """A write on a journal opened with ``open_readonly``."""


class DiskFull(JournalError):
    """The disk (or the database's size limit) is full; nothing of the failed write was kept."""


class IllegalTransition(JournalError):
    """A state move the table does not allow."""

    def __init__(self, txn_id: str, method: str, from_state: str, to_state: str):
        super().__init__(f"{txn_id} ({method}): {from_state} -> {to_state} is not allowed")
        self.txn_id = txn_id
        self.from_state = from_state
        self.to_state = to_state


class TxnNotFound(JournalError, KeyError):
    """No transaction with this id."""

    def __str__(self) -> str:
        return f"no transaction {self.args[0]!r}"


@dataclass(frozen=True)
class Txn:
    """One purchase, as its journal row stands. Times are RFC 3339 UTC strings."""

    id: str
    seq: int
    state: str
    method: str
    amount_cents: int
    list_price_cents: int
    msisdn: str | None
    msisdn_masked: str
    plan_id: str
    quote_id: str
    plan_name: dict
    language: str
    out_trade_no: str
    credit_key: str
    refund_key: str
    ecr_ref: str
    void_ecr_ref: str
    refund_ecr_ref: str
    batch_no: int | None
    card_last4: str | None
    card_brand: str | None
    auth_code: str | None
    rrn: str | None
    entry: str | None
    topup_id: str | None
    balance_json: str | None
    attention_reason: str | None
    receipt_status: str
    created_at: str
    updated_at: str
    retry_attempts: int = 0  # automatic retries of an ambiguous outside call so far
    retry_at: str | None = None  # when the next one is due (ISO UTC); None: not retrying
    retry_error: str | None = None  # why the last attempt could not settle the row
    hold_key: str | None = None  # the hold's idempotency key, committed before it is asked
    hold_id: str | None = None  # the backend's hold, once known
    hold_state: str | None = None  # None: no hold; see kiosk.money.holds (HOLD_STATES)

    @property
    def final(self) -> bool:
        return is_final(self.state)

    @property
    def retrying(self) -> bool:
        """Unfinished, and waiting for its next automatic retry (not a person's case)."""
        return self.retry_at is not None and self.state in UNFINISHED_STATES

    def public_dict(self) -> dict:
        """The row for display and JSON output: everything but the full phone number."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "msisdn"}


TXN_FIELDS = tuple(f.name for f in fields(Txn))
COLUMNS = ", ".join("plan_name_json" if f == "plan_name" else f for f in TXN_FIELDS)
# Columns added by later schema versions, with what a row of an older journal reads as.
LATER_COLUMNS = {"retry_attempts": "0", "retry_at": "NULL", "retry_error": "NULL",
                 "hold_key": "NULL", "hold_id": "NULL", "hold_state": "NULL"}


def columns_for(present: set[str]) -> str:
    """The SELECT list for a transactions table with *present* columns: a column a journal of an
    older schema lacks (opened read-only, so not migrated) reads as its default."""
    return ", ".join(
        ("plan_name_json" if f == "plan_name" else f) if f in present or f == "plan_name"
        else f"{LATER_COLUMNS[f]} AS {f}" for f in TXN_FIELDS)
# Fields `update`/`advance` may set; ids, keys, amounts, number and state are fixed otherwise.
UPDATABLE_FIELDS = frozenset({
    "batch_no", "card_last4", "card_brand", "auth_code", "rrn", "entry", "topup_id",
    "balance_json", "attention_reason", "receipt_status", "hold_key", "hold_id", "hold_state",
})
# Set only by the journal's own retry methods (retry_later, retry_now, revive).
RETRY_FIELDS = frozenset({"retry_attempts", "retry_at", "retry_error"})


@dataclass(frozen=True)
class Event:
    """One line of a transaction's append-only history."""

    id: int
    txn_id: str
    at: str
    kind: str
    from_state: str | None
    to_state: str | None
    detail: dict


@dataclass(frozen=True)
class ReportLine:
    method: str
    state: str
    count: int
    amount_cents: int


@dataclass(frozen=True)
class Report:
    """Counts and HKD sums (cents) per method and state for one local day."""

    day: date
    lines: tuple[ReportLine, ...]

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(sorted({ln.method for ln in self.lines}))

    @property
    def count(self) -> int:
        return sum(ln.count for ln in self.lines)

    def by_state(self) -> dict[str, tuple[int, int]]:
        """State -> (count, amount_cents) over all methods, in table order."""
        totals: dict[str, tuple[int, int]] = {}
        for state in STATES:
            picked = [ln for ln in self.lines if ln.state == state]
            if picked:
                totals[state] = (sum(ln.count for ln in picked),
                                 sum(ln.amount_cents for ln in picked))
        return totals

    def cell(self, method: str, state: str) -> tuple[int, int]:
        for ln in self.lines:
            if ln.method == method and ln.state == state:
                return ln.count, ln.amount_cents
        return 0, 0


def iso_utc(ts: float) -> str:
    """Epoch seconds → ``2026-11-25T04:05:06.789Z`` (fixed width, so it sorts as text)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def make_keys(kiosk_id: str, day: date, seq: int, instance: str = "") -> dict[str, str]:
    """Every idempotency key and terminal reference of transaction *seq*.

    The terminal reference carries the journal's *instance* (``journal_instance``), so it never
    repeats in the kiosk's lifetime, even after the journal is replaced: a terminal that keeps
    old outcomes by reference never hands an old sale's outcome to a new one. At most 20
    characters of ``A-Z0-9-`` with the ``V``/``F`` suffix (``K01-TAB3X0-000001V``).
    """
    txn_id = f"{kiosk_id}-{day:%Y%m%d}-{seq:06d}"
    prefix = kiosk_id[-5:].upper()
    ref = f"{prefix}-{instance}-{seq:06d}" if instance else f"{kiosk_id}-{seq:06d}"
    return {"id": txn_id, "out_trade_no": txn_id, "credit_key": f"{txn_id}-C",
            "refund_key": f"{txn_id}-R", "ecr_ref": ref, "void_ecr_ref": f"{ref}V",
            "refund_ecr_ref": f"{ref}F"}


_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def journal_instance(created_s: float) -> str:
    """A journal's instance name: its creation second in base 36 (six characters until 2038),
    so two journals of one kiosk (a replaced one, a reinstall) never share terminal references."""
    n, out = int(created_s), ""
    while n:
        n, digit = divmod(n, 36)
        out = _BASE36[digit] + out
    return out.rjust(6, "0")[-6:]


def txn_from_row(row: tuple) -> Txn:
    """A ``SELECT COLUMNS`` row → Txn."""
    values = dict(zip(TXN_FIELDS, row, strict=True))
    values["plan_name"] = json.loads(values["plan_name"])
    return Txn(**values)


def check_new(method: str, msisdn: str, amount_cents: int, list_price_cents: int) -> None:
    """ValueError unless the arguments of a new transaction make sense."""
    if method not in JOURNAL_METHODS:
        raise ValueError(f"unknown payment method {method!r}")
    if not (isinstance(msisdn, str) and msisdn.isdigit() and 8 <= len(msisdn) <= 15):
        raise ValueError("msisdn must be 8 to 15 digits")
    for name, value in (("amount_cents", amount_cents), ("list_price_cents", list_price_cents)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number of cents >= 0, got {value!r}")


def check_fields(fields_: dict) -> dict:
    """The column values of settable fields; ValueError naming any field that is not."""
    unknown = set(fields_) - UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"journal fields that cannot be set: {sorted(unknown)}")
    values = dict(fields_)
    if isinstance(values.get("balance_json"), dict | list):
        values["balance_json"] = json.dumps(values["balance_json"], ensure_ascii=False)
    return values
