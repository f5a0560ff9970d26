"""Transactions needing attention: the list, one row's history, and only its safe actions."""

from __future__ import annotations

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens.kv import load_beside
from screens.maintenance.status_page import StatusCell
from screens.maintenance.text import ACTION_LABELS, CASH_NOTE, NOTES, event_line, txn_line
from screens.text import money
from screens.widgets.buttons import KioskButton


class AttentionPage(BoxLayout):
    screen = ObjectProperty(None)
    history_text = StringProperty("")
    detail_title = StringProperty("")
    live = False

    def refresh(self, console, view) -> None:
        rows = console.attention()
        listing = self.ids.listing
        listing.clear_widgets()
        if not rows:
            listing.add_widget(StatusCell(text="Nothing needs attention."))
        for txn, _safe in rows:
            kind = "primary" if txn.id == console.selected else "secondary"
            listing.add_widget(KioskButton(
                text=txn_line(txn), kind=kind, size_hint_y=None, height=self._button_px(),
                on_release=lambda _b, t=txn.id: self.choose(t)))
        self._show_selected(console, dict((t.id, (t, safe)) for t, safe in rows))

    def choose(self, txn_id: str) -> None:
        self.screen.console.select(txn_id)
        self.screen.refresh()

    def _show_selected(self, console, rows: dict) -> None:
        box = self.ids.actions
        box.clear_widgets()
        selected = console.selected
        if selected is None:
            self.detail_title, self.history_text = "Choose a transaction.", ""
            return
        txn, safe = rows.get(selected, (console.actions.journal.get(selected), ()))
        self.detail_title = f"{txn.id} · {txn.state} · {txn.msisdn_masked}"
        self.history_text = "\n".join(event_line(e) for e in console.history(selected)[-12:])
        for action in safe:
            if action == "refunded_in_cash":  # the amount shown is the one recorded
                box.add_widget(self._action_button(
                    f"Refunded in cash: {money(txn.amount_cents)}", "refunded_in_cash",
                    selected, txn.amount_cents, CASH_NOTE))
            elif action == "resolve":
                for label, note in NOTES.items():
                    box.add_widget(self._action_button(label, "resolve", selected, note))
            else:
                box.add_widget(self._action_button(ACTION_LABELS[action], action, selected))

    def _action_button(self, label: str, action: str, *args) -> KioskButton:
        return KioskButton(text=label, size_hint_y=None, height=self._button_px(),
                           on_release=lambda _b: self.screen.act(action, *args))

    def _button_px(self) -> int:
        from kivy.app import App
        return App.get_running_app().m.button_px


load_beside(__file__)
