"""The simulator's ESC/POS parser: lengths, not patterns; any split; bounded on garbage."""

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.receipt_printer import escpos
from devices.receipt_printer.parser import MAX_RASTER_BYTES, EscPosParser


def parse(data: bytes, chunk: int | None = None):
    parser = EscPosParser()
    if chunk is None:
        return parser.feed(data)
    out = []
    for i in range(0, len(data), chunk):
        out += parser.feed(data[i:i + chunk])
    return out


def names(commands):
    return [c.name for c in commands]


def test_a_receipt_stream_parses_into_its_commands():
    stream = (escpos.initialise() + escpos.align("center") + escpos.text("HELLO")
              + escpos.raster(1, 2, b"\x80\x01") + escpos.qr_code("abc") + escpos.feed(3)
              + escpos.cut() + escpos.status_request(4))
    commands = parse(stream)
    assert names(commands) == ["init", "align", "line", "raster", "qr", "qr", "qr", "qr", "qr",
                               "feed", "cut", "status"]
    assert commands[2].data == b"HELLO"
    assert commands[3].args[:2] == (1, 2) and commands[3].data == b"\x80\x01"
    assert commands[7].args == (0x50,) and commands[7].data == b"\x30abc"
    assert commands[-1].args == (4,)


def test_dle_eot_inside_raster_and_qr_data_is_data_not_a_status_request():
    """GIVEN image and QR data containing 10 04 01 WHEN parsed THEN no status request is seen."""
    data = bytes.fromhex("10 04 01 10 04 02")
    stream = escpos.raster(2, 3, data) + escpos.qr_store(b"\x10\x04\x04") + escpos.status_request(1)
    commands = parse(stream)
    assert names(commands) == ["raster", "qr", "status"]
    assert commands[0].data == data


def test_byte_by_byte_gives_the_same_commands():
    stream = escpos.initialise() + escpos.raster_image(__import__("PIL.Image").Image.new("1", (40, 300), 0))
    stream += escpos.qr_code("https://x.example/" + "9" * 100) + escpos.cut(feed_lines=2)
    assert parse(stream, chunk=1) == parse(stream) == parse(stream, chunk=7)


def test_huge_declared_raster_is_garbage_and_skipped():
    """GIVEN GS v 0 declaring 65535 x 65535 bytes WHEN parsed THEN garbage, not a 4 GB wait."""
    parser = EscPosParser()
    commands = parser.feed(bytes.fromhex("1D 76 30 00 FF FF FF FF") + escpos.status_request(2))
    assert names(commands) == ["garbage", "status"]
    assert parser.pending == 0


def test_cut_with_feed_takes_four_bytes():
    assert names(parse(escpos.cut(feed_lines=5) + b"A\n")) == ["cut", "line"]


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600), st.integers(min_value=1, max_value=64))
def test_fuzz_random_bytes_never_crash_and_any_split_agrees(data, chunk):
    """GIVEN random bytes in random chunks WHEN parsed THEN no exception, same result as whole."""
    parser = EscPosParser()
    out = []
    for i in range(0, len(data), chunk):
        out += parser.feed(data[i:i + chunk])
        assert parser.pending <= MAX_RASTER_BYTES + 8
    assert out == parse(data)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    st.binary(min_size=1, max_size=40).map(lambda b: ("raster", escpos.raster(len(b), 1, b))),
    st.binary(min_size=1, max_size=60).map(lambda b: ("qr", escpos.qr_store(b))),
    st.integers(1, 4).map(lambda n: ("status", escpos.status_request(n))),
    st.sampled_from(["left", "center", "right"]).map(lambda a: ("align", escpos.align(a))),
), max_size=20), st.integers(min_value=1, max_value=16))
def test_fuzz_status_requests_are_found_exactly_where_they_were_sent(pieces, chunk):
    """GIVEN commands whose data holds arbitrary bytes WHEN parsed in chunks THEN the status
    requests found are exactly the ones sent, in order."""
    stream = b"".join(p for _, p in pieces)
    commands = parse(stream, chunk)
    assert names(commands) == [name for name, _ in pieces]
    sent = [p[2] for name, p in pieces if name == "status"]
    assert [c.args[0] for c in commands if c.name == "status"] == sent
