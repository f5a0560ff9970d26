"""EMVCo / FPS payloads: the spec's test vector, the CRC, and every rule of the validator."""

import pytest

from simulators.backend import emv_qr
from simulators.backend.emv_qr import QrPayloadError

VECTOR = ("00020101021226270012hk.com.hkicl020712345675204000053033445406100.005802HK5902NA"
          "6002HK62130509TOPUP000163040088")


def test_crc_check_value():
    assert emv_qr.crc16("123456789") == "29B1"


def test_builder_reproduces_the_spec_vector_with_its_zero_padded_crc():
    assert emv_qr.fps_payload(10000, "TOPUP0001") == VECTOR
    assert VECTOR.endswith("63040088")


def test_validator_accepts_the_vector_and_reads_its_fields():
    found = emv_qr.validate(VECTOR)
    assert (found["01"], found["53"], found["54"], found["58"]) == ("12", "344", "100.00", "HK")
    assert dict(emv_qr.parse(found["26"]))["00"] == "hk.com.hkicl"


def test_changing_the_amount_without_a_new_crc_fails():
    tampered = VECTOR.replace("5406100.00", "5406900.00")
    with pytest.raises(QrPayloadError, match="CRC"):
        emv_qr.validate(tampered)


@pytest.mark.parametrize("cents, text", [(1, "0.01"), (8820, "88.20"), (123456, "1234.56")])
def test_amounts_are_formatted_from_cents_exactly(cents, text):
    assert emv_qr.format_amount(cents) == text
    assert emv_qr.validate(emv_qr.fps_payload(cents, "K01X"))["54"] == text


def rebuilt(objects):
    return emv_qr.with_crc("".join(emv_qr.tlv(t, v) for t, v in objects))


BASE = [(t, v) for t, v in emv_qr.parse(VECTOR) if t != "63"]


@pytest.mark.parametrize("objects, why", [
    ([o for o in BASE if o[0] != "54"], "amount"),
    ([o for o in BASE if o[0] != "59"], "missing 59"),
    ([o for o in BASE if o[0] != "26"], "merchant account"),
    (BASE + [("70", "X")], "65-79"),
    (BASE[:2] + [("26", "01031230209123456789")] + BASE[3:], "sub-ID 00"),
    (BASE + [("58", "HK")], "duplicate"),
])
def test_validator_rules(objects, why):
    with pytest.raises(QrPayloadError, match=why):
        emv_qr.validate(rebuilt(objects))


@pytest.mark.parametrize("payload, why", [
    ("000201" + "5204", "6304"),
    ("010212" + VECTOR[6:], "000201"),
    (VECTOR[:-8] + "6304008", "6304"),
])
def test_validator_rejects_broken_framing(payload, why):
    with pytest.raises(QrPayloadError, match=why):
        emv_qr.validate(payload)


def test_a_length_past_the_end_is_refused():
    broken = emv_qr.with_crc("000201010212" + "5999NA")
    with pytest.raises(QrPayloadError):
        emv_qr.validate(broken)
