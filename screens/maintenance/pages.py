"""The maintenance pages by name (the console's ``page``)."""

from __future__ import annotations

from screens.maintenance.attention_page import AttentionPage
from screens.maintenance.pin_page import PinPage
from screens.maintenance.settlement_page import SettlementPage
from screens.maintenance.status_page import StatusPage

PAGES = {"pin": PinPage, "status": StatusPage, "attention": AttentionPage,
         "settlement": SettlementPage}
