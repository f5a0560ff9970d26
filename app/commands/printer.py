"""``kiosk printer status|test-print [--port URL] [--lang L]``: ask the receipt printer, or print.

Prints JSON on stdout (``state``, ``paper``, ``cover_open``, ``detail``; test-print adds
``printed`` and, on the simulator, ``saved``) and exits 1 when the printer cannot print.
Without ``--port`` the printer of the settings is used (the simulator on the demo profile).
"""

from __future__ import annotations

import json
import logging

from app.simulators import printer as build_printer
from devices.interfaces import DeviceError, DeviceState, DeviceStatus, PaperState
from devices.receipt_printer.document import ReceiptDocument, ReceiptLine
from kiosk import settings as settings_mod
from kiosk.hardware.handle import DeviceHandle
from kiosk.hardware.printer import open_printer

log = logging.getLogger(__name__)

_SAMPLE = {
    "zh-Hant": ("數據卡增值收據", "香港 示範自助機", "電話號碼 9234 ****", "計劃 30日本地數據 20GB",
                "金額 HK$98.00", "付款 轉數快 FPS", "參考編號 K01-20261125-000123",
                "多謝惠顧！如有查詢，請致電客戶服務熱線。"),
    "zh-Hans": ("数据卡充值收据", "香港 示范自助机", "电话号码 9234 ****", "套餐 30日本地数据 20GB",
                "金额 HK$98.00", "付款 转数快 FPS", "参考编号 K01-20261125-000123",
                "谢谢惠顾！如有查询，请致电客户服务热线。"),
    "en": ("Data top-up receipt", "Hong Kong demo kiosk", "Number 9234 ****",
           "Plan 30-day local data 20GB", "Amount HK$98.00", "Paid by FPS",
           "Reference K01-20261125-000123",
           "Thank you! For any question, please call our customer hotline."),
}


def sample_receipt(language: str) -> ReceiptDocument:
    """A test receipt in *language* (zh-Hant, zh-Hans, en), with a QR code."""
    title, place, number, plan, amount, paid, ref, thanks = _SAMPLE[language]
    lines = (ReceiptLine(title, "center", "large", True), ReceiptLine(place, "center"),
             ReceiptLine(""), ReceiptLine(number), ReceiptLine(plan),
             ReceiptLine(amount, "right", "large", True), ReceiptLine(paid), ReceiptLine(ref),
             ReceiptLine(""), ReceiptLine(thanks, "center"))
    return ReceiptDocument(lines, "https://receipts.example/K01-20261125-000123", language)


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("printer", parents=[common],
                                   help="receipt printer status, or print a test receipt")
    parser.add_argument("action", choices=("status", "test-print"))
    parser.add_argument("--port", default=None, metavar="URL",
                        help="device path or pyserial URL (default: the printer of the settings)")
    parser.add_argument("--lang", default=None, choices=settings_mod.LANGUAGES,
                        help="language of the test receipt (default: kiosk.default_language)")
    parser.add_argument("--timeout-s", type=float, default=3.0,
                        help="how long to wait for the printer to answer")
    parser.set_defaults(func=run)


def printable(status: DeviceStatus) -> bool:
    return (status.state is DeviceState.ONLINE and status.paper in (PaperState.OK, PaperState.LOW)
            and not status.cover_open)


def _report(status: DeviceStatus, **extra) -> dict:
    return {"state": status.state.value, "paper": status.paper.value,
            "cover_open": status.cover_open, "detail": status.detail, **extra}


def run(args) -> int:
    settings = settings_mod.load(args.config)
    handle = (DeviceHandle(open_printer(settings, args.port)) if args.port
              else build_printer(settings))
    try:
        result, ok = _act(args, settings, handle)
    finally:
        handle.close()
    print(json.dumps(result, ensure_ascii=False))
    return 0 if ok else 1


def _act(args, settings, handle: DeviceHandle) -> tuple[dict, bool]:
    """The JSON answer, and whether the printer can print (and printed, for test-print)."""
    printer = handle.device
    if printer is None:
        return {"state": "none", "paper": "unknown", "cover_open": None,
                "detail": "devices.printer.kind is none"}, False
    printer.wait_ready(args.timeout_s)
    if args.action == "status":
        status = printer.status()
        return _report(status), printable(status)
    language = args.lang or settings.kiosk.default_language
    try:
        printer.print_receipt(sample_receipt(language))
    except DeviceError as e:
        return _report(printer.last_status, printed=False, error=f"{type(e).__name__}: {e}"), False
    extra = {}
    if handle.simulator is not None and handle.simulator.wait_printed(1, args.timeout_s):
        extra["saved"] = str(handle.simulator.printed[-1].png_path)
    return _report(printer.last_status, printed=True, language=language, **extra), True
