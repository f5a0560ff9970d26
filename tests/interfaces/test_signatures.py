"""The fakes with no behaviour of their own to compare (they only record what they are asked)
have the signatures of what they fake; and the signature check sees what is wrong."""

from __future__ import annotations

from kiosk.flow.controller import Controller
from kiosk.maintenance.retry import OperatorRetries
from kiosk.money.purchases import PurchaseService
from tests.fakes.controller import FakeController
from tests.fakes.purchases import FakePurchases
from tests.fakes.retries import FakeRetries
from tests.interfaces.signatures import interface_gaps, public_members


def test_the_fake_purchase_service_has_the_real_ones_methods_and_properties():
    assert interface_gaps(FakePurchases(), PurchaseService) == []


def test_the_fake_retries_have_the_operator_retries_methods():
    assert interface_gaps(FakeRetries, OperatorRetries) == []


def test_the_fake_controller_has_the_signatures_of_the_inputs_it_fakes():
    faked = public_members(FakeController)
    assert faked == ["set_health", "close_maintenance"]
    assert interface_gaps(FakeController, Controller, only=faked) == []


class Service:
    def start(self, what, when=0): ...
    def stop(self): ...

    @property
    def running(self): ...

    @classmethod
    def from_settings(cls, settings): ...


def test_the_check_names_a_missing_method_a_changed_signature_and_a_missing_property():
    class Drifted:
        def start(self, what, when=1): ...  # another default

    assert interface_gaps(Drifted, Service) == [
        "start(self, what, when=1) differs from Service.start(self, what, when=0)",
        "stop: missing", "running: missing (a property of Service)"]


def test_an_attribute_stands_for_a_property_and_a_constructor_is_not_asked_for():
    class Recorder:
        def __init__(self):
            self.running = False

        def start(self, what, when=0): ...
        def stop(self): ...

    assert interface_gaps(Recorder(), Service) == []
    assert interface_gaps(Recorder, Service) == ["running: missing (a property of Service)"]


def test_only_checks_the_named_members_and_names_one_the_interface_lacks():
    class Partial:
        def stop(self, now): ...

    assert interface_gaps(Partial, Service, only=["stop"]) == [
        "stop(self, now) differs from Service.stop(self)"]
    assert interface_gaps(Partial, Service, only=["stop", "pause"]) == [
        "pause: not in Service", "stop(self, now) differs from Service.stop(self)"]
