"""screens/qr_matrix.py makes exactly the code qrcode makes, and scores masks exactly as qrcode does."""

from __future__ import annotations

import logging
import random

import pytest
import qrcode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qrcode import util

from screens import qr_matrix
from tests.ui.steps import FPS_PAYLOAD

M = qrcode.constants.ERROR_CORRECT_M


def qrcode_matrix(payload: str, error_correction: int = M) -> list[list[bool]]:
    code = qrcode.QRCode(border=0, error_correction=error_correction)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()


def emv_like(draw_text: str, amount: int) -> str:
    """An EMV merchant-presented string: ID, length, value fields, some of them free text."""
    fields = [("00", "01"), ("01", "12"), ("26", "0012hk.com.hkicl" + draw_text[:20]),
              ("52", "0000"), ("53", "344"), ("54", f"{amount / 100:.2f}"), ("58", "HK"),
              ("59", draw_text[20:45] or "NA"), ("60", "HK"), ("62", "05" + f"{len(draw_text):02d}" + draw_text)]
    body = "".join(f"{tag}{len(value):02d}{value}" for tag, value in fields)
    return body + "6304" + f"{sum(body.encode()) & 0xFFFF:04X}"


ascii_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=20, max_size=300)
digits = st.text(st.sampled_from("0123456789"), min_size=20, max_size=300)
utf8 = st.text(st.characters(blacklist_categories=("Cs",)), min_size=20, max_size=120)
emv = st.builds(emv_like, st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=99),
                st.integers(min_value=1, max_value=10_000_000))
payloads = st.one_of(ascii_text, digits, utf8, emv)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads)
def test_the_matrix_is_qrcodes_own(payload):
    assert qr_matrix.qr_matrix(payload) == qrcode_matrix(payload)


@pytest.mark.parametrize("error_correction", [qrcode.constants.ERROR_CORRECT_L, M,
                                              qrcode.constants.ERROR_CORRECT_Q,
                                              qrcode.constants.ERROR_CORRECT_H])
@pytest.mark.parametrize("payload", [FPS_PAYLOAD, "1" * 25, "HELLO WORLD " * 30, "付款 FPS " * 40])
def test_every_error_correction_level_and_large_versions(payload, error_correction):
    assert qr_matrix.qr_matrix(payload, error_correction) == qrcode_matrix(payload, error_correction)


@settings(max_examples=30, deadline=None)
@given(payloads)
def test_each_mask_is_scored_as_qrcode_scores_its_trial_matrix(payload):
    code = qrcode.QRCode(border=0, error_correction=M)
    code.add_data(payload)
    layout, data_bits = qr_matrix._placed(code)
    for mask in range(8):
        code.makeImpl(True, mask)
        trial = layout.test_functions | (data_bits ^ layout.masks[mask])
        assert trial == qr_matrix._bits_of(code.modules)
        assert qr_matrix.lost_point(trial, layout.side) == util.lost_point(code.modules)


@st.composite
def square_matrices(draw):
    side = draw(st.integers(min_value=21, max_value=77))
    dark_share = draw(st.sampled_from([0.0, 0.05, 0.3, 0.5, 0.7, 0.95, 1.0]))
    rnd = random.Random(draw(st.integers(min_value=0, max_value=2**32)))  # a side² draw is too much entropy
    return [[rnd.random() < dark_share for _ in range(side)] for _ in range(side)]


@settings(max_examples=200, deadline=None)
@given(square_matrices())
def test_the_penalty_is_qrcodes_lost_point(matrix):
    assert qr_matrix.lost_point(qr_matrix._bits_of(matrix), len(matrix)) == util.lost_point(matrix)


def test_penalty_patterns_at_the_edges():
    side = 21
    matrix = [[False] * side for _ in range(side)]
    for c, dark in enumerate("10111010000"):  # rule 3 at the start of a row, and in a column
        matrix[0][side - 11 + c] = dark == "1"
        matrix[c][side - 1] = dark == "1"
    for r in range(side):  # a run down the whole first column
        matrix[r][0] = True
    assert qr_matrix.lost_point(qr_matrix._bits_of(matrix), side) == util.lost_point(matrix)


def test_luminance_has_the_quiet_zone_and_dark_modules_as_zero():
    matrix = qrcode_matrix(FPS_PAYLOAD)
    quiet = 6
    side, pixels = qr_matrix.luminance(FPS_PAYLOAD, quiet)
    assert side == len(matrix) + 2 * quiet
    expected = [b"\xff" * side] * quiet
    for row in matrix:
        expected.append(b"\xff" * quiet + bytes(0 if dark else 255 for dark in row) + b"\xff" * quiet)
    expected += [b"\xff" * side] * quiet
    assert pixels == b"".join(expected)


def test_without_the_internals_qrcode_makes_the_code_and_it_is_logged_once(monkeypatch, caplog):
    expected = [qrcode_matrix(FPS_PAYLOAD), qrcode_matrix(FPS_PAYLOAD + "1")]  # (qrcode keeps blanks)
    monkeypatch.delattr(qrcode.QRCode, "setup_timing_pattern")
    monkeypatch.setattr(qr_matrix, "_fallback_logged", False)
    qr_matrix._layout.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="screens.qr_matrix"):
            first = qr_matrix.qr_matrix(FPS_PAYLOAD)
            second = qr_matrix.qr_matrix(FPS_PAYLOAD + "1")
    finally:
        qr_matrix._layout.cache_clear()
    monkeypatch.undo()
    assert [first, second] == expected
    assert sum("qrcode internals" in r.getMessage() for r in caplog.records) == 1
