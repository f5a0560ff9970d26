"""The money engine's test rig: a purchase service on a real journal (a temp dir), the shared
fakes of the backend and the card terminal, and a fake clock (no tests here)."""

from __future__ import annotations

from collections import defaultdict

from kiosk.backend.models import Offer
from tests.fakes.backend import REJECTED_MSISDN, T0, FakeBackend
from tests.fakes.card_terminal import FakeTerminal
from tests.fakes.subscribers import subscriber

__all__ = ["REJECTED_MSISDN", "Rig", "offer", "subscriber"]


def offer(price_cents: int = 8820, plan_id: str = "HK-30D-10GB") -> Offer:
    return Offer(quote_id=f"q-{plan_id}", plan_id=plan_id,
                 name={"en": "30 days 10GB", "zh-Hant": "30日 10GB", "zh-Hans": "30日 10GB"},
                 data_mb=10240, validity_days=30, price_cents=price_cents,
                 list_price_cents=price_cents, promotion=None, valid_until=T0)


class Rig:
    """A purchase service on a real journal (tmp dir), the fakes and a fake clock."""

    def __init__(self, tmp_path, **overrides):
        from contract.clock import FakeClock
        from kiosk.journal.store import Journal
        from kiosk.money.purchases import PurchaseService
        from kiosk.settings import load

        self.settings = load(None, {"payments.poll_interval_s": 2.0,
                                    "payments.qr_expires_in_s": 120, **overrides})
        self.clock = FakeClock()
        self.journal = Journal.open(tmp_path / "journal.sqlite3", "K01", self.clock)
        self.backend = FakeBackend()
        self.terminal = FakeTerminal()
        self.events: list = []
        self.service = PurchaseService(self.journal, self.backend, self.terminal, self.settings,
                                       self.clock)
        self.service.subscribe(self.events.append)

    def qr(self, msisdn="85291234567", method="wechatpay", price=8820) -> str:
        txn_id = self.service.start_qr(subscriber(msisdn), offer(price), method, "en")
        assert self.service.join(10), "the purchase did not finish"
        return txn_id

    def card(self, msisdn="85291234567", price=8820) -> str:
        txn_id = self.service.start_card(subscriber(msisdn), offer(price), "en")
        assert self.service.join(10), "the purchase did not finish"
        return txn_id

    def state(self, txn_id: str) -> str:
        return self.journal.get(txn_id).state

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]

    def pay_on(self, op: str, nth: int = 1, then=None):
        """The customer pays (or ``then`` runs) just before the nth call of ``op``."""
        seen = defaultdict(int)

        def hook(name):
            seen[name] += 1
            if name == op and seen[name] == nth:
                if then is None:
                    for no, o in list(self.backend.orders.items()):
                        if o.status == "pending":
                            self.backend.pay(no)
                else:
                    then()
        self.backend.on_call = hook

    def close(self):
        self.journal.close()
