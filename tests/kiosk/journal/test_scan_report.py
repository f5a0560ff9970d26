"""The settlement report shows scan orders per wallet: the one the scan answer named."""

from __future__ import annotations

from contract.clock import FakeClock
from kiosk.journal import reports
from kiosk.journal.store import Journal


def scan_row(journal, method, path, brand=None, cents=1800):
    txn = journal.create(method, "85291234567", "P", "Q", {}, cents, cents, "en")
    for i, state in enumerate(path):
        fields = {"card_brand": brand} if brand and i == 1 else {}
        journal.advance(txn.id, state, **fields)
    return txn


def test_scan_orders_are_reported_per_wallet(tmp_path):
    with Journal.open(tmp_path / "j.sqlite3", "K01", FakeClock()) as journal:
        paid = ["scan_pending", "paid", "credit_pending", "credited"]
        scan_row(journal, "scan_alipay", paid, "alipayhk")
        scan_row(journal, "scan_alipay", paid, "alipayhk", cents=8820)
        scan_row(journal, "scan_alipay", paid, "alipay")
        scan_row(journal, "scan_wechatpay", paid, "wechatpay")
        scan_row(journal, "scan_alipay", ["scan_pending", "failed"])
        scan_row(journal, "scan_wechatpay", ["scan_pending", "reverse_pending", "reversed"])
        journal.create("fps", "85291234567", "P", "Q", {}, 500, 500, "en")
        report = journal.report(journal.today())
    assert report.cell("scan_alipayhk", "credited") == (2, 10620)
    assert report.cell("scan_alipay", "credited") == (1, 1800)
    assert report.cell("scan_wechatpay", "credited") == (1, 1800)
    assert report.cell("scan_alipay", "failed") == (1, 1800)
    assert report.cell("scan_wechatpay", "reversed") == (1, 1800)
    assert report.cell("fps", "created") == (1, 500)
    assert report.count == 7
    data = reports.to_dict(report)
    assert data["method_totals"]["scan_alipayhk"] == {"count": 2, "credited_cents": 10620,
                                                       "refunded_cents": 0,
                                                       "refunded_manually_cents": 0}
    text = reports.to_text(report)
    assert "scan_alipayhk credited" in " ".join(text.split())
    lines = text.splitlines()
    head = next(line for line in lines if line.startswith("method"))
    row = next(line for line in lines if line.startswith("scan_alipayhk"))
    assert row.index("credited") == head.index("state")  # columns line up with longer names
