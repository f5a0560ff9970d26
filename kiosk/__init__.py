"""The kiosk core: flow, money engine, services and commands. Never imports Kivy."""

__version__ = "0.1.0"
