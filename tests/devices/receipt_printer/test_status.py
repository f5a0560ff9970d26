"""DLE EOT status decoding: the spec's example bytes, and broken or missing ones read as UNKNOWN."""

import pytest

from devices.interfaces import DeviceState, PaperState
from devices.receipt_printer.status import RawStatus, cover_open, decode, is_valid, paper_state

HEALTHY = RawStatus(printer=0x12, offline_cause=0x12, paper=0x12)


@pytest.mark.parametrize("byte", [0x12, 0x1E, 0x1A, 0x32, 0x72, 0x7E, 0x16])
def test_every_example_byte_of_the_spec_is_valid(byte):
    assert is_valid(byte)


@pytest.mark.parametrize("byte", [None, 0x00, 0x13, 0x10, 0x02, 0x92, 0xFF, 0x93, 0x11, 0x100, -1])
def test_bytes_breaking_the_fixed_bits_are_not_valid(byte):
    assert not is_valid(byte)


def test_all_256_bytes_split_into_exactly_the_fixed_pattern():
    valid = [b for b in range(256) if is_valid(b)]
    assert len(valid) == 16 and all(b & 0x93 == 0x12 for b in valid)


@pytest.mark.parametrize("paper, offline_cause, expected", [
    (0x12, 0x12, PaperState.OK),
    (0x1E, 0x12, PaperState.LOW),
    (0x72, 0x12, PaperState.OUT),
    (0x7E, 0x12, PaperState.OUT),
    (0x12, 0x32, PaperState.OUT),      # stopped at paper end, whatever n=4 says
    (None, 0x12, PaperState.UNKNOWN),   # no answer is never "paper OK"
    (0x00, 0x12, PaperState.UNKNOWN),
    (0xFF, None, PaperState.UNKNOWN),
    (0x93, 0x12, PaperState.UNKNOWN),
])
def test_paper_state(paper, offline_cause, expected):
    assert paper_state(paper, offline_cause) is expected


@pytest.mark.parametrize("byte, expected", [(0x12, False), (0x16, True), (0x36, True), (0x17, None), (None, None)])
def test_cover(byte, expected):
    assert cover_open(byte) is expected


@pytest.mark.parametrize("raw, state, paper, cover, detail", [
    (HEALTHY, DeviceState.ONLINE, PaperState.OK, False, ""),
    (RawStatus(0x12, 0x12, 0x1E), DeviceState.ONLINE, PaperState.LOW, False, "paper low"),
    (RawStatus(0x1A, 0x32, 0x72), DeviceState.OFFLINE, PaperState.OUT, False, "paper out, offline"),
    (RawStatus(0x1A, 0x32, 0x7E), DeviceState.OFFLINE, PaperState.OUT, False, "paper out, offline"),
    (RawStatus(0x1A, 0x16, 0x12), DeviceState.OFFLINE, PaperState.OK, True, "cover open, offline"),
    (RawStatus(0x1A, 0x12, 0x12), DeviceState.OFFLINE, PaperState.OK, False, "offline"),
    (RawStatus(0x1A, 0x52, 0x12, 0x1A), DeviceState.HARDWARE_ERROR, PaperState.OK, False, "cutter error"),
    (RawStatus(0x1A, 0x52, 0x12, 0x32), DeviceState.HARDWARE_ERROR, PaperState.OK, False,
     "unrecoverable error"),
    (RawStatus(0x1A, 0x52, 0x12, None), DeviceState.HARDWARE_ERROR, PaperState.OK, False,
     "error (cause unknown)"),
])
def test_decode_the_spec_examples(raw, state, paper, cover, detail):
    """GIVEN the bytes a printer answers WHEN decoded THEN state, paper, cover and detail follow the table."""
    status = decode(raw)
    assert (status.state, status.paper, status.cover_open, status.detail) == (state, paper, cover, detail)


def test_garbage_byte_is_a_hardware_error_with_unknown_paper():
    """GIVEN a paper byte 0x00 (bit1 and bit4 clear) WHEN decoded THEN not usable, paper UNKNOWN."""
    status = decode(RawStatus(0x12, 0x12, 0x00))
    assert status.state is DeviceState.HARDWARE_ERROR
    assert status.paper is PaperState.UNKNOWN
    assert "0x00" in status.detail and "DLE EOT 4" in status.detail
    assert not status.usable


def test_no_answer_at_all_is_no_device():
    status = decode(RawStatus(None, None, None))
    assert (status.state, status.paper, status.cover_open) == (DeviceState.NO_DEVICE, PaperState.UNKNOWN, None)


def test_one_missing_answer_is_not_ok():
    status = decode(RawStatus(0x12, 0x12, None))
    assert status.state is DeviceState.NO_DEVICE and status.paper is PaperState.UNKNOWN
