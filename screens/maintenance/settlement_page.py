"""Today's settlement report on screen, printed on demand, and the terminal batch SETTLE."""

from __future__ import annotations

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens.kv import load_beside
from screens.maintenance.status_page import StatusCell


class SettlementPage(BoxLayout):
    screen = ObjectProperty(None)
    title = StringProperty("")
    live = False

    def refresh(self, console, view) -> None:
        journal = console.actions.journal
        self.title = f"Settlement {journal.today().isoformat()}"
        grid = self.ids.lines
        grid.clear_widgets()
        lines = console.settlement()
        for label, value in lines:
            bold = label.startswith("TOTAL")
            grid.add_widget(StatusCell(text=label, bold=bold))
            grid.add_widget(StatusCell(text=value, bold=bold, halign="right"))


load_beside(__file__)
