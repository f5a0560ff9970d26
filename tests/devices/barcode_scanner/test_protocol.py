"""The scanner's bytes into whole codes: CR or LF ends one; noise, pauses and overlong codes."""

from __future__ import annotations

from devices.barcode_scanner import protocol as p


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_commands_are_the_honeywell_bytes():
    assert p.TRIGGER == bytes([0x16, 0x54, 0x0D]) and p.UNTRIGGER == bytes([0x16, 0x55, 0x0D])


def test_a_code_is_reported_only_when_its_cr_arrives_even_byte_by_byte():
    a = p.CodeAssembler(clock=Clock())
    out = [a.feed(bytes([b])) for b in b"134567890123456789"]
    assert out == [[]] * 18
    assert a.feed(b"\r") == ["134567890123456789"]


def test_crlf_lf_and_several_codes_in_one_chunk():
    a = p.CodeAssembler(clock=Clock())
    assert a.feed(b"111\r\n222\n333\r") == ["111", "222", "333"]
    assert a.feed(b"\r\n\n") == [] and a.dropped == 0


def test_noise_between_codes_is_ignored_and_inside_a_code_drops_it():
    a = p.CodeAssembler(clock=Clock())
    assert a.feed(b"\x00\xff\x11123\r") == ["123"]
    assert a.feed(b"12\xff34\r") == [] and a.dropped == 1
    assert a.feed(b"5678\r") == ["5678"]


def test_a_pause_inside_a_code_drops_the_half_read_part():
    clock = Clock()
    a = p.CodeAssembler(gap_s=0.3, clock=clock)
    assert a.feed(b"1345678") == []
    clock.now = 1.0
    assert a.feed(b"2812345678901234567\r") == ["2812345678901234567"]
    assert a.dropped == 1


def test_a_short_pause_keeps_the_code():
    clock = Clock()
    a = p.CodeAssembler(gap_s=0.3, clock=clock)
    a.feed(b"13456")
    clock.now = 0.2
    assert a.feed(b"7890123456789\r") == ["134567890123456789"]


def test_an_overlong_code_is_dropped_and_reset_clears_a_partial_one():
    a = p.CodeAssembler(clock=Clock(), max_len=8)
    assert a.feed(b"123456789\r") == [] and a.dropped == 1
    a.feed(b"1234")
    a.reset()
    assert a.feed(b"56\r") == ["56"]
