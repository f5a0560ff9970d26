"""Receipts at the end of the flow, through the real printer driver and the ESC/POS simulator:
printed in the customer's language, or, without paper, an e-receipt and the flow never waits."""

from __future__ import annotations

import pytest

from devices.receipt_printer.simulator import PrinterSimulator
from kiosk import settings as settings_mod
from kiosk.hardware.printer import open_printer
from kiosk.receipts.e_receipt import receipt_token
from tests.integration.world import make_world


@pytest.fixture
def printer_sim(tmp_path):
    sim = PrinterSimulator(tmp_path / "printed")
    yield sim
    sim.stop()


@pytest.fixture
def world(tmp_path, backend_sim, printer_sim):
    settings = settings_mod.load(None, {"kiosk.data_dir": str(tmp_path)})
    printer = open_printer(settings, printer_sim.start("pty"))
    real_print = printer.print_receipt
    printer.documents = []

    def print_receipt(doc):  # the real driver prints; the test also keeps what was sent
        printer.documents.append(doc)
        return real_print(doc)

    printer.print_receipt = print_receipt
    try:
        with make_world(tmp_path, backend_sim, printer) as w:
            w.printer = printer
            yield w
    finally:
        printer.close()


def buy_by_card(world, language):
    world.tap("start", language)
    world.to_confirming()
    world.tap("pay", "card")
    world.wait_state("done")


def test_receipt_is_printed_in_the_customers_language(world, printer_sim, tmp_path):
    buy_by_card(world, "zh-Hant")
    world.wait_for(lambda: world.c.view.receipt_status == "printed", "the printed receipt")
    assert printer_sim.wait_printed(1)
    txn = world.journal.get(world.c.view.txn_id)
    assert txn.receipt_status == "printed"
    printed = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "printed").glob("*.txt"))
    token = receipt_token(settings_mod.load().backend_secret(), txn.id)
    assert f"https://receipts.invalid/r/{token}" in printed  # the e-receipt QR: a token
    import zxingcpp
    from PIL import Image

    (png,) = (tmp_path / "printed").glob("*.png")  # the QR as printed on the paper, decoded
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(png))] == \
        [f"https://receipts.invalid/r/{token}"]
    (doc,) = world.printer.documents
    assert doc.language == "zh-Hant" and doc.lines[0].text == "數據卡增值收據"
    assert f"參考編號: {txn.id}" in [line.text for line in doc.lines]


def test_paper_out_shows_the_e_receipt_and_never_holds_the_flow(world, printer_sim):
    printer_sim.set_paper("out")
    buy_by_card(world, "en")
    assert world.c.state == "done"
    world.wait_for(lambda: world.c.view.receipt_status not in (None, "printing"), "the outcome")
    assert world.c.view.receipt_status == "paper_out"
    token = receipt_token(settings_mod.load().backend_secret(), world.c.view.txn_id)
    assert world.c.view.e_receipt == f"https://receipts.invalid/r/{token}"
    assert world.journal.get(world.c.view.txn_id).receipt_status == "paper_out"
    world.walk_away(21)
    assert world.c.state == "attract"
