"""The claim slip of an Octopus payment to be given back in cash.

Octopus cannot be reversed at the terminal: when the plan cannot be credited after an Octopus
payment, the row goes to a person ("refund in cash") and the customer takes this slip, with the
reference and the amount, to the operator (or the hotline). The operator records the cash
refund on the maintenance screen (the row ends ``refunded_manually``).
"""

from __future__ import annotations

import logging

from devices.interfaces import DeviceError, PaperOut
from devices.receipt_printer.document import ReceiptDocument, ReceiptLine
from kiosk import i18n
from kiosk.money.amounts import money

log = logging.getLogger(__name__)

PRINTED, PAPER_OUT, FAILED, NO_PRINTER = "printed", "paper_out", "failed", "no_printer"


def compose(txn, settings, language: str, now_text: str) -> ReceiptDocument:
    """The slip of *txn* (a journal ``Txn``) in *language*; the reference is also its QR."""
    _ = i18n.translator(language)
    k = settings.kiosk

    def row(label: str, value: str) -> ReceiptLine:
        return ReceiptLine(f"{_(label)}: {value}")

    card = f" **** {txn.card_last4}" if txn.card_last4 else ""
    lines = (
        ReceiptLine(_("claim.title"), align="center", size="large", bold=True),
        ReceiptLine(_("claim.what"), bold=True),
        row("receipt.reference", txn.id),
        ReceiptLine(f"{_('claim.amount')}: {money(txn.amount_cents)}", size="large", bold=True),
        row("receipt.method", f"{_('receipt.octopus')}{card}"),
        row("receipt.number", txn.msisdn_masked),
        row("receipt.kiosk", k.id), row("receipt.location", k.location),
        row("receipt.time", now_text),
        ReceiptLine(_("claim.next")),
        row("receipt.hotline", k.hotline),
        ReceiptLine(_("claim.keep"), align="center", bold=True),
    )
    return ReceiptDocument(lines, qr_data=txn.id, language=language)


def print_slip(printer, journal, settings, txn_id: str, language: str) -> str:
    """Print the slip; its status (printed, paper_out, failed, no_printer). Never raises."""
    if printer is None:
        return NO_PRINTER
    try:
        from kiosk.receipts.service import local_time
        txn = journal.get(txn_id)
        printer.print_receipt(compose(txn, settings, language, local_time(txn.updated_at)))
        journal.note(txn_id, "claim_slip", {"status": PRINTED, "language": language})
    except PaperOut:
        log.warning("%s: paper out, claim slip not printed", txn_id)
        return PAPER_OUT
    except DeviceError as e:
        log.warning("%s: claim slip not printed: %s", txn_id, e)
        return FAILED
    except Exception:
        log.exception("%s: claim slip not printed", txn_id)
        return FAILED
    log.info("%s: claim slip printed", txn_id)
    return PRINTED
