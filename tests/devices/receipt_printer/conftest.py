"""Fixtures for the receipt printer: the CJK font, a simulator and a driver on a real link."""

import threading

import pytest

from devices.receipt_printer.document import ReceiptDocument, ReceiptLine
from devices.receipt_printer.driver import SerialReceiptPrinter
from devices.receipt_printer.simulator import PrinterSimulator
from kiosk import fonts

RECEIPTS = {
    "zh-Hant": ("數據卡增值收據", "金額 HK$98.00", "多謝惠顧！繁體中文測試，這一行應該會自動換行到下一行。"),
    "zh-Hans": ("数据卡充值收据", "金额 HK$98.00", "谢谢惠顾！简体中文测试，这一行应该会自动换行到下一行。"),
    "en": ("Data top-up receipt", "Amount HK$98.00", "Thank you! This line is long enough to wrap onto a second line."),
}


def receipt(language: str = "zh-Hant", qr: str | None = "https://receipts.example/K01-000123"):
    title, amount, thanks = RECEIPTS[language]
    return ReceiptDocument((ReceiptLine(title, "center", "large", True), ReceiptLine(amount, "right"),
                            ReceiptLine(thanks)), qr, language)


@pytest.fixture(scope="session")
def cjk_font(tmp_path_factory):
    return fonts.font_path("zh-Hant", cache_dir=tmp_path_factory.mktemp("fonts"))


@pytest.fixture(scope="session")
def cjk_bold(cjk_font):
    return fonts.font_path("zh-Hant", bold=True, cache_dir=cjk_font.parent)


class Events:
    """Collects a driver's events; ``wait_for(pred)`` waits on a condition, never sleeps."""

    def __init__(self):
        self.items = []
        self._cond = threading.Condition()

    def __call__(self, event):
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def wait_for(self, predicate, timeout_s=2.0):
        with self._cond:
            return self._cond.wait_for(lambda: any(predicate(e.status) for e in self.items), timeout_s)

    @property
    def last(self):
        with self._cond:
            return self.items[-1].status


@pytest.fixture
def simulator(tmp_path):
    sim = PrinterSimulator(tmp_path / "printed")
    yield sim
    sim.stop()


@pytest.fixture
def make_driver(cjk_font, cjk_bold):
    drivers = []

    def make(port, **kw):
        kw.setdefault("status_timeout_s", 0.2)
        kw.setdefault("poll_interval_s", 0.2)
        driver = SerialReceiptPrinter(port, cjk_font, 576, bold_font_path=cjk_bold, **kw)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.close()
