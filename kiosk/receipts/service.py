"""Receipts in the customer's language: composed from the journal row, printed on a worker.

Printing never blocks the flow or a money state: it runs after the credit, on a worker; the
result goes to the journal's ``receipt_status`` and back to the controller (``printed``,
``paper_out``, ``failed``, ``no_printer``). Whatever happens, the customer can scan the
e-receipt QR (``e_receipt_payload``) on the screen.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from devices.interfaces import DeviceError, PaperOut
from devices.receipt_printer.document import ReceiptDocument, ReceiptLine
from kiosk import i18n
from kiosk.journal.models import is_scan, payment_method
from kiosk.money import octopus_payment
from kiosk.money.amounts import money
from kiosk.receipts.e_receipt import e_receipt_url

log = logging.getLogger(__name__)

HK_TIME = ZoneInfo("Asia/Hong_Kong")
PRINTED, PAPER_OUT, FAILED, NO_PRINTER = "printed", "paper_out", "failed", "no_printer"
NOT_PAID = "not_paid"  # the row is not known to be paid (a sale still being asked about)
# Rows a receipt attests: credited, or paid with the credit (or its refund) still being retried.
RECEIPT_STATES = frozenset({"credited", "paid", "credit_pending", "refund_pending"})

Done = Callable[[str, str], None]  # (receipt status, e-receipt payload)


def e_receipt_payload(settings, reference: str) -> str:
    """The e-receipt's QR payload: the settings' URL template with the unguessable token (and
    the reference, where the template names it) filled in (``kiosk/receipts/e_receipt.py``)."""
    return e_receipt_url(settings.kiosk.e_receipt_url, settings.backend_secret(), reference)


def local_time(rfc3339: str) -> str:
    """``2026-11-25 21:03 HKT`` from a journal time (RFC 3339 UTC)."""
    when = datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).astimezone(HK_TIME)
    return when.strftime("%Y-%m-%d %H:%M HKT")


def plan_name(names: dict, language: str) -> str:
    return names.get(language) or names.get("en") or next(iter(names.values()), "")


def compose(txn, settings, language: str,
            remaining_value_cents: int | None = None) -> ReceiptDocument:
    """The receipt of a credited transaction (a journal ``Txn``) in *language*; for a paid one
    whose credit is still being retried, the same receipt saying so (no new balance yet).
    *remaining_value_cents*: an Octopus card's value after the deduction (may be negative)."""
    pending = txn.state != "credited"
    _ = i18n.translator(language)
    k = settings.kiosk

    def row(label: str, value: str) -> ReceiptLine:
        return ReceiptLine(f"{_(label)}: {value}")

    title = _("receipt.pending.title") if pending else _("receipt.title")
    lines = [ReceiptLine(title, align="center", size="large", bold=True),
             row("receipt.kiosk", k.id), row("receipt.location", k.location),
             row("receipt.time", local_time(txn.updated_at)),
             row("receipt.reference", txn.id),
             row("receipt.number", txn.msisdn_masked),
             row("receipt.plan", plan_name(txn.plan_name, language))]
    if txn.list_price_cents > txn.amount_cents:
        lines.append(row("receipt.list_price", money(txn.list_price_cents)))
    lines.append(ReceiptLine(f"{_('receipt.amount')}: {money(txn.amount_cents)}", size="large", bold=True))
    lines.append(row("receipt.method", _payment(txn, _)))
    if txn.method == "card" and txn.auth_code:
        lines.append(row("receipt.auth_code", txn.auth_code))
    if txn.method == "octopus" and remaining_value_cents is not None:
        lines.append(row("receipt.octopus_remaining", money(remaining_value_cents)))
    lines += ([ReceiptLine(_("receipt.pending.next"), bold=True)] if pending
              else _balance_lines(txn.balance_json, language, _))
    lines += [row("receipt.hotline", k.hotline),
              ReceiptLine(_("receipt.thanks"), align="center", bold=True),
              ReceiptLine(_("receipt.qr_hint"), align="center")]
    payload = e_receipt_payload(settings, txn.id)
    return ReceiptDocument(tuple(lines), qr_data=payload, language=language)


def _payment(txn, _) -> str:
    if txn.method == "octopus":
        name = _("receipt.octopus")
        return f"{name} **** {txn.card_last4}" if txn.card_last4 else name
    if txn.method == "card" and txn.card_last4:
        return f"{txn.card_brand or _('method.card')} **** {txn.card_last4}"
    if is_scan(txn.method):  # the wallet the scan answer named, and that a code was shown
        return _("receipt.scan", wallet=_("method." + payment_method(txn.method, txn.card_brand)))
    return _("method." + txn.method)


def _balance_lines(balance_json: str | None, language: str, _) -> list[ReceiptLine]:
    """The new balance the backend reported with the credit, when it did."""
    if not balance_json:
        return []
    try:
        balance = json.loads(balance_json)
        expires = datetime.fromisoformat(balance["expires_at"].replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("balance %r not understood: left off the receipt", balance_json)
        return []
    mb = balance.get("data_mb_left")
    data = _("data.unlimited") if mb is None else data_amount(int(mb))
    return [ReceiptLine(f"{_('receipt.data_left')}: {data}"),
            ReceiptLine(f"{_('receipt.valid_until')}: {expires.astimezone(HK_TIME):%Y-%m-%d}")]


def data_amount(data_mb: int) -> str:
    """``10 GB``, ``1.5 GB``, ``500 MB``."""
    if data_mb < 1024:
        return f"{data_mb} MB"
    tenths = round(data_mb * 10 / 1024)
    return f"{tenths // 10} GB" if tenths % 10 == 0 else f"{tenths / 10:.1f} GB"


class ReceiptService:
    """Prints a credited transaction's receipt on a worker and records the outcome."""

    def __init__(self, printer, journal, settings, run_in_worker: Callable[[Callable[[], None]], None]):
        self._printer = printer
        self._journal = journal
        self._settings = settings
        self._run_in_worker = run_in_worker

    def e_receipt(self, txn_id: str) -> str:
        return e_receipt_payload(self._settings, txn_id)

    def print_async(self, txn_id: str, language: str, done: Done) -> None:
        """Print on a worker; *done(status, e_receipt)* is called there when it is over."""
        self._run_in_worker(lambda: done(self.print_now(txn_id, language), self.e_receipt(txn_id)))

    def print_claim_async(self, txn_id: str, language: str, done: Done) -> None:
        """Print an Octopus cash refund's claim slip on a worker (``claim_slips``)."""
        self._run_in_worker(lambda: done(self.print_claim_now(txn_id, language), ""))

    def print_claim_now(self, txn_id: str, language: str) -> str:
        """Compose and print the claim slip (blocking); its status. Never raises."""
        from kiosk.receipts import claim_slips
        return claim_slips.print_slip(self._printer, self._journal, self._settings, txn_id,
                                      language)

    def print_now(self, txn_id: str, language: str) -> str:
        """Compose and print (blocking); records and returns the receipt status. Never raises."""
        status = self._print(txn_id, language)
        try:
            self._journal.update(txn_id, receipt_status=status)
        except Exception:  # the receipt is a courtesy: a journal hiccup must not reach the customer
            log.exception("%s: receipt status %s not recorded", txn_id, status)
        return status

    def _print(self, txn_id: str, language: str) -> str:
        if self._printer is None:
            return NO_PRINTER
        try:
            txn = self._journal.get(txn_id)
            if txn.state not in RECEIPT_STATES:  # not known to be paid: nothing to attest
                log.info("%s: no receipt in state %s", txn_id, txn.state)
                return NOT_PAID
            doc = compose(txn, self._settings, language,
                          octopus_payment.remaining_value(self._journal, txn_id)
                          if txn.method == "octopus" else None)
            self._printer.print_receipt(doc)
        except PaperOut:
            log.warning("%s: paper out, e-receipt shown", txn_id)
            return PAPER_OUT
        except DeviceError as e:
            log.warning("%s: receipt not printed: %s", txn_id, e)
            return FAILED
        except Exception:
            log.exception("%s: receipt not printed", txn_id)
            return FAILED
        log.info("%s: receipt printed", txn_id)
        return PRINTED
