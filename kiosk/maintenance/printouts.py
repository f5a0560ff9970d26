"""What maintenance prints: the test page and the day's settlement report (English, for staff)."""

from __future__ import annotations

import logging

from contract.clock import utc_from
from devices.receipt_printer.document import ReceiptDocument, ReceiptLine
from kiosk.money.amounts import hkd

log = logging.getLogger(__name__)


def test_page(kiosk_id: str, location: str, now: float) -> ReceiptDocument:
    """A short page with both Chinese scripts, so a font problem shows at once."""
    stamp = utc_from(now).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = (
        ReceiptLine("PRINTER TEST", align="center", size="large", bold=True),
        ReceiptLine(f"Kiosk {kiosk_id}", align="center"),
        ReceiptLine(location, align="center"),
        ReceiptLine(stamp, align="center"),
        ReceiptLine("繁體中文 測試 數據增值", align="center"),
        ReceiptLine("简体中文 测试 数据充值", align="center"),
        ReceiptLine("0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    )
    return ReceiptDocument(lines, qr_data=f"TEST-{kiosk_id}", language="en")


def settlement_lines(report) -> list[tuple[str, str]]:
    """(label, value) rows of a ``journal.report(day)`` for the screen and the printout."""
    rows = []
    for line in report.lines:
        rows.append((f"{line.method} · {line.state}", f"{line.count}  HKD {hkd(line.amount_cents)}"))
    for state, (count, cents) in report.by_state().items():
        rows.append((f"TOTAL {state}", f"{count}  HKD {hkd(cents)}"))
    rows.append(("TOTAL transactions", str(report.count)))
    return rows


def settlement_page(report, kiosk_id: str) -> ReceiptDocument:
    lines = [ReceiptLine("SETTLEMENT", align="center", size="large", bold=True),
             ReceiptLine(f"Kiosk {kiosk_id}  {report.day.isoformat()}", align="center"),
             ReceiptLine("")]
    if not report.lines:
        lines.append(ReceiptLine("(no transactions)", align="center"))
    for label, value in settlement_lines(report):
        lines.append(ReceiptLine(f"{label}: {value}", bold=label.startswith("TOTAL")))
    return ReceiptDocument(tuple(lines), language="en")
