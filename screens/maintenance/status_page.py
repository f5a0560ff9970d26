"""Live status (devices with paper, backend, disk, journal, last frames) and device actions."""

from __future__ import annotations

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.journal.retention import age_text
from screens.kv import load_beside

STATE_TEXT = {"in_service": "In service", "degraded": "In service, limited",
              "out_of_service": "Out of service"}


class StatusPage(BoxLayout):
    screen = ObjectProperty(None)
    frames_text = StringProperty("")
    switch_text = StringProperty("Take out of service")
    live = True

    def refresh(self, console, view) -> None:
        s = console.status()
        reasons = ", ".join(s.reasons).replace("_", " ")
        paper = s.paper + ("  (LOW: replace soon)" if s.paper_alert else "")
        rows = [("Service", STATE_TEXT.get(s.state, s.state) + (f": {reasons}" if reasons else "")),
                ("Card terminal", s.terminal), ("Printer", s.printer), ("Paper", paper),
                ("Backend", s.backend), ("Disk", s.disk), ("Journal", f"{s.journal_kb:,} KB"),
                ("Needs attention", str(s.attention_count)),
                ("Retrying automatically", str(s.retrying_count)),
                ("Full phone numbers kept", numbers_kept_text(s))]
        grid = self.ids.rows
        grid.clear_widgets()
        for label, value in rows:
            grid.add_widget(StatusCell(text=label, bold=True))
            grid.add_widget(StatusCell(text=value))
        self.frames_text = "\n".join(
            f"[{name}]\n" + ("\n".join(lines) if lines else "(no frames yet)")
            for name, lines in s.frames.items()) or "(no devices)"
        switched_off = "switched_off_by_operator" in s.reasons or \
            "switched_off_by_backend" in s.reasons
        self.switch_text = "Put back in service" if switched_off else "Take out of service"

    def switch_service(self) -> None:
        action = "put_in_service" if self.switch_text.startswith("Put") else "take_out_of_service"
        self.screen.act(action)


def numbers_kept_text(s) -> str:
    """``2, oldest 3 h 5 min (limit 7 d)``: the count ``kiosk privacy report`` gives."""
    limit = f"(limit {s.retention_days} d)"
    if not s.numbers_kept:
        return f"0 {limit}"
    return f"{s.numbers_kept}, oldest {age_text(s.numbers_oldest_s or 0)} {limit}"


class StatusCell(Label):
    """One cell of the status table."""


load_beside(__file__)
