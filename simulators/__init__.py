"""Simulators of the outside world the kiosk talks to (the operator backend)."""
