"""The driver over an in-memory loopback whose fault hook splits and records every write."""

import serial

from devices.links import LinkServer
from devices.receipt_printer.driver import WRITE_CHUNK_BYTES
from devices.transport import Loopback

from .conftest import receipt


class LoopbackServer(LinkServer):
    """The simulator's side of a ``Loopback`` pair, as a LinkServer."""

    port = "loop"

    def __init__(self, end):
        self.end = end

    def read(self, timeout_s):
        self.end.timeout = timeout_s
        try:
            return self.end.read(4096)
        except serial.SerialException:
            return b""

    def write(self, data):
        self.end.write(data)

    def close(self):
        self.end.close()


def test_receipt_split_into_small_pieces_is_reassembled(simulator, make_driver):
    """GIVEN a link delivering every write in 97-byte pieces and status bytes apart WHEN a receipt
    prints THEN the simulator saves it whole, and no single write was larger than 1 KB."""
    writes = []

    def split_and_record(data):
        writes.append(len(data))
        return [data[i:i + 97] for i in range(0, len(data), 97)]

    host, device = Loopback.pair(host_to_device=split_and_record)
    simulator.attach(LoopbackServer(device))
    driver = make_driver("loop://", opener=lambda: host)
    assert driver.wait_ready(3.0)
    driver.print_receipt(receipt("zh-Hant"))
    assert simulator.wait_printed(1)
    assert simulator.printed[0].qr_data == ("https://receipts.example/K01-000123",)
    assert simulator.printed[0].height > 300
    assert max(writes) <= WRITE_CHUNK_BYTES and sum(writes) > 10_000


def test_font_for_gives_each_receipt_its_languages_face(simulator, make_driver, cjk_font, cjk_bold):
    asked = []

    def font_for(language, bold):
        asked.append((language, bold))
        return cjk_bold if bold else cjk_font

    host, device = Loopback.pair()
    simulator.attach(LoopbackServer(device))
    driver = make_driver("loop://", opener=lambda: host, font_for=font_for)
    driver.print_receipt(receipt("zh-Hans"))
    assert simulator.wait_printed(1)
    assert set(asked) == {("zh-Hans", False), ("zh-Hans", True)}
