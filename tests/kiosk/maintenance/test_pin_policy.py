"""Trivial PINs are refused when set, with the reason; PINs already set keep working."""

import pytest

from kiosk.maintenance.pin_policy import weakness
from kiosk.maintenance.pins import PinError, PinStore, ScryptParams, check_new_pin

FAST = ScryptParams(n=2**10, r=8, p=1)


@pytest.mark.parametrize("pin, why", [
    ("000000", "one digit"), ("111111", "one digit"), ("88888888", "one digit"),
    ("123456", "run"), ("654321", "run"), ("234567890", "run"), ("890123", "run"),
    ("210987", "run"), ("0123456789", "run"),
    ("121212", "pattern"), ("123123", "pattern"), ("520520", "pattern"), ("10101010", "pattern"),
    ("112233", "doubled"), ("998877", "doubled"),
    ("147258", "best-known"), ("123321", "best-known"),
])
def test_trivial_pins_are_named_with_the_reason(pin, why):
    assert why in weakness(pin, "1001")


@pytest.mark.parametrize("operator, pin", [("100234", "100234"), ("432001", "100234"),
                                           ("1001", "10011001"), ("4711", "471147")])
def test_the_operator_id_is_refused_as_a_pin(operator, pin):
    assert weakness(pin, operator) == "it is the operator id"


@pytest.mark.parametrize("pin", ["246813", "582039", "24681357", "907315", "135246", "310587"])
def test_ordinary_pins_pass(pin):
    assert weakness(pin, "1001") == ""


def test_setting_a_trivial_pin_is_refused_with_a_clear_message(tmp_path):
    store = PinStore(tmp_path / "ops.sqlite3", b"pepper", FAST)
    with pytest.raises(PinError, match=r"too easy to guess \(it is a run of consecutive digits\)"):
        store.set_pin("1002", "123456", now=0)
    with pytest.raises(PinError, match="operator id"):
        store.set_pin("246813", "246813", now=0)
    assert store.operators() == []
    with pytest.raises(PinError, match="6 to 12 digits"):
        check_new_pin("12345")


def test_a_trivial_pin_already_stored_still_verifies(tmp_path):
    """The policy applies when a PIN is set; an old PIN is not locked out by it."""
    store = PinStore(tmp_path / "ops.sqlite3", b"pepper", FAST)
    store.set_pin("1001", "582039", now=0)
    from kiosk.maintenance.pins import hash_pin
    store.db.conn.execute("UPDATE operators SET hash = ?, salt = ? WHERE operator_id = '1001'",
                          (hash_pin("123456", b"s" * 16, b"pepper", FAST), b"s" * 16))
    assert store.verify("1001", "123456")
