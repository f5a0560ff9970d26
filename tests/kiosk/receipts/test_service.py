"""Receipts: what the customer reads on paper, in their language, and what happens without paper."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from devices.interfaces import CoverOpen, LinkError, PaperOut
from kiosk import settings as settings_mod
from kiosk.receipts import service as receipts
from kiosk.receipts.e_receipt import receipt_token


def txn(**kw):
    base = dict(
        id="K01-20261125-000123", state="credited", method="card", amount_cents=8820,
        list_price_cents=9800,
        msisdn_masked="*******4567", plan_name={"en": "30 days 10GB", "zh-Hant": "30日 10GB 數據",
                                                "zh-Hans": "30天 10GB 流量"},
        card_last4="0119", card_brand="VISA", auth_code="623892",
        balance_json='{"data_mb_left": 11469, "expires_at": "2026-12-31T15:59:59+00:00"}',
        updated_at="2026-11-25T13:03:00.000Z")
    base.update(kw)
    return SimpleNamespace(**base)


@pytest.fixture(scope="module")
def settings():
    return settings_mod.load()


def text_of(doc):
    return [line.text for line in doc.lines]


def test_card_receipt_in_traditional_chinese(settings):
    doc = receipts.compose(txn(), settings, "zh-Hant")
    lines = text_of(doc)
    assert doc.language == "zh-Hant"
    assert lines[0] == "數據卡增值收據"
    for expected in ("自助機: K01", "地點: Demo kiosk, Central MTR Exit A",
                     "時間: 2026-11-25 21:03 HKT", "參考編號: K01-20261125-000123",
                     "手機號碼: *******4567", "計劃: 30日 10GB 數據", "原價: HK$98.00",
                     "金額: HK$88.20", "付款方式: VISA **** 0119", "授權碼: 623892",
                     "剩餘數據: 11.2 GB", "有效期至: 2026-12-31", "客戶服務熱線: +852 3000 0000"):
        assert expected in lines
    assert doc.qr_data == "https://receipts.invalid/r/" + receipt_token("demo-kiosk-secret",
                                                                        "K01-20261125-000123")
    assert "K01-20261125-000123" not in doc.qr_data


def test_wallet_receipt_in_english_has_no_card_lines(settings):
    doc = receipts.compose(txn(method="fps", card_last4=None, card_brand=None, auth_code=None,
                               list_price_cents=8820, balance_json=None), settings, "en")
    lines = text_of(doc)
    assert "Paid by: FPS" in lines and "Plan: 30 days 10GB" in lines
    assert not any(x.startswith(("Auth code", "List price", "Valid until")) for x in lines)


def test_simplified_chinese_plan_name_comes_from_the_offer(settings):
    assert "套餐: 30天 10GB 流量" in text_of(receipts.compose(txn(), settings, "zh-Hans"))


class Printer:
    def __init__(self, error=None):
        self.error, self.printed = error, []

    def print_receipt(self, doc):
        if self.error:
            raise self.error
        self.printed.append(doc)


class Journal:
    def __init__(self, **row):
        self.updates = []
        self.row = row

    def get(self, txn_id):
        return txn(id=txn_id, **self.row)

    def update(self, txn_id, **fields):
        self.updates.append((txn_id, fields))


@pytest.mark.parametrize("printer,status", [
    (Printer(), "printed"),
    (Printer(PaperOut("out")), "paper_out"),
    (Printer(CoverOpen("open")), "failed"),
    (Printer(LinkError("gone")), "failed"),
    (None, "no_printer"),
])
def test_print_outcome_goes_to_the_journal_and_the_caller(settings, printer, status):
    journal, results = Journal(), []
    service = receipts.ReceiptService(printer, journal, settings, run_in_worker=lambda fn: fn())
    service.print_async("K01-20261125-000007", "en", lambda s, e: results.append((s, e)))
    link = "https://receipts.invalid/r/" + receipt_token("demo-kiosk-secret", "K01-20261125-000007")
    assert results == [(status, link)]
    assert journal.updates == [("K01-20261125-000007", {"receipt_status": status})]


def test_e_receipt_url_comes_from_settings(settings):
    s = dataclasses.replace(settings, kiosk=dataclasses.replace(
        settings.kiosk, e_receipt_url="https://r.example.hk/{reference}?t={token}"))
    token = receipt_token("demo-kiosk-secret", "K01-20261125-000123")
    assert receipts.compose(txn(), s, "en").qr_data == f"https://r.example.hk/K01-20261125-000123?t={token}"


def test_a_paid_purchase_still_being_confirmed_says_so_and_shows_no_balance(settings):
    """The credit is being retried: the receipt attests the payment and what happens next."""
    doc = receipts.compose(txn(state="credit_pending", balance_json=None), settings, "en")
    text = [line.text for line in doc.lines]
    assert text[0] == "Payment received, being confirmed"
    assert "Your plan will be credited, or your money returned in full, automatically." in text
    assert "Amount: HK$88.20" in text and not any("Valid until" in t for t in text)


def test_no_receipt_for_a_sale_not_known_to_be_paid(settings):
    journal = Journal(state="sale_pending")
    printer = SimpleNamespace(print_receipt=lambda doc: pytest.fail("nothing to attest"))
    service = receipts.ReceiptService(printer, journal, settings, lambda fn: fn())
    assert service.print_now("K01-20261125-000123", "en") == receipts.NOT_PAID


# -- Octopus --------------------------------------------------------------------------------
def octopus_txn(**kw):
    return txn(method="octopus", card_brand="OCTOPUS", card_last4="5678", auth_code=None, **kw)


@pytest.mark.parametrize(("cents", "shown"), [(12340, "HK$123.40"), (-1230, "-HK$12.30"),
                                              (0, "HK$0.00")])
def test_octopus_receipt_names_octopus_and_the_remaining_value(settings, cents, shown):
    lines = text_of(receipts.compose(octopus_txn(), settings, "en", remaining_value_cents=cents))
    assert "Paid by: Octopus **** 5678" in lines
    assert f"Remaining value: {shown}" in lines
    assert not any(x.startswith("Auth code") for x in lines)


def test_octopus_receipt_in_chinese(settings):
    lines = text_of(receipts.compose(octopus_txn(), settings, "zh-Hant", remaining_value_cents=100))
    assert "付款方式: 八達通 **** 5678" in lines and "八達通餘額: HK$1.00" in lines


def test_octopus_receipt_without_a_known_remaining_value_leaves_the_line_off(settings):
    lines = text_of(receipts.compose(octopus_txn(), settings, "en"))
    assert not any(x.startswith("Remaining value") for x in lines)


def test_claim_slip_has_the_reference_and_the_amount(settings):
    from kiosk.receipts import claim_slips

    doc = claim_slips.compose(octopus_txn(state="needs_attention"), settings, "en",
                              "2026-11-25 21:03 HKT")
    lines = text_of(doc)
    assert lines[0] == "Octopus refund claim"
    assert "Reference: K01-20261125-000123" in lines
    assert "Amount to refund: HK$88.20" in lines
    assert "Paid by: Octopus **** 5678" in lines
    assert doc.qr_data == "K01-20261125-000123"


def test_claim_slip_printing_reports_paper_out_and_no_printer(settings):
    from kiosk.receipts import claim_slips

    class Journal:
        notes = []

        def get(self, txn_id):
            return octopus_txn(state="needs_attention")

        def note(self, txn_id, kind, detail):
            self.notes.append(kind)

    class Printer:
        def __init__(self, error=None):
            self.docs, self.error = [], error

        def print_receipt(self, doc):
            if self.error:
                raise self.error
            self.docs.append(doc)

    ok = Printer()
    assert claim_slips.print_slip(ok, Journal(), settings, "K01-1", "zh-Hans") == "printed"
    assert ok.docs[0].language == "zh-Hans" and Journal.notes == ["claim_slip"]
    assert claim_slips.print_slip(Printer(PaperOut("out")), Journal(), settings, "K01-1",
                                  "en") == "paper_out"
    assert claim_slips.print_slip(None, Journal(), settings, "K01-1", "en") == "no_printer"

@pytest.mark.parametrize(("lang", "brand", "expected"), [
    ("en", "alipayhk", "Paid by: AlipayHK (payment code)"),
    ("zh-Hant", "wechatpay", "付款方式: 微信支付（付款碼）"),
    ("zh-Hans", None, "付款方式: 支付宝（付款码）"),
])
def test_a_scan_receipt_names_the_wallet_the_answer_named(settings, lang, brand, expected):
    method = "scan_wechatpay" if brand == "wechatpay" else "scan_alipay"
    lines = text_of(receipts.compose(txn(method=method, card_brand=brand, card_last4=None,
                                         auth_code=None), settings, lang))
    assert expected in lines, lines
    assert not any("**** " in line for line in lines)
