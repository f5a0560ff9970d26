"""The kinds of rule a setting's value is checked by (a range, a set of values, a URL, …), and
the value sets they name. ``kiosk.settings.rules`` gives each key of ``config/default.toml`` one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from contract.methods import METHODS
from contract.net import is_loopback

LANGUAGES = ("zh-Hant", "zh-Hans", "en")
DEVICE_KINDS = ("serial", "simulator", "none")
LINKS = ("pty", "tcp")
TENDERS = ("card", "octopus")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


@dataclass(frozen=True)
class Range:
    """A number from *low* to *high* (both allowed); *unit* is printed after them."""

    low: float
    high: float
    unit: str = ""

    def problem(self, value) -> str | None:
        if self.low <= value <= self.high:
            return None
        unit = f" {self.unit}" if self.unit else ""
        return f"must be from {shown_number(self.low)} to {shown_number(self.high)}{unit}"


@dataclass(frozen=True)
class OneOf:
    values: tuple
    fold_case: bool = False

    def problem(self, value) -> str | None:
        found = value.upper() if self.fold_case else value
        if found in self.values:
            return None
        return "must be one of " + ", ".join(str(v) for v in self.values)


@dataclass(frozen=True)
class Text:
    """Text matching *pattern* in full (e.g. not empty, letters and digits), at most *max_len*."""

    pattern: str
    what: str
    max_len: int = 200

    def problem(self, value) -> str | None:
        if len(value) <= self.max_len and re.fullmatch(self.pattern, value, re.DOTALL):
            return None
        return f"must be {self.what} (at most {self.max_len} characters)"


@dataclass(frozen=True)
class TimeZone:
    def problem(self, value) -> str | None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            if value and not value.startswith(("/", ".")):
                ZoneInfo(value)
                return None
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
        return "must be an IANA time zone known to this system (e.g. Asia/Hong_Kong)"


@dataclass(frozen=True)
class Url:
    """An http(s) URL with a host; ``http://`` only to a loopback address (the simulator)."""

    placeholder: str = ""  # a {name} the URL must contain, e.g. {reference}

    def problem(self, value) -> str | None:
        try:
            parts = urlsplit(value)
            host = parts.hostname or ""
            parts.port  # noqa: B018 (a bad port raises)
        except ValueError:
            return "must be an http(s) URL"
        if parts.scheme not in ("http", "https") or not host:
            return "must be an http(s) URL with a host"
        if parts.scheme == "http" and not is_loopback(host):
            return "must be https:// (http:// only to this machine: 127.0.0.1, ::1, localhost)"
        if self.placeholder and self.placeholder not in value:
            return f"must contain {self.placeholder}"
        return None


@dataclass(frozen=True)
class ReceiptUrl:
    """An e-receipt link template: an http(s) URL naming {token} (kiosk/receipts/e_receipt.py)."""

    def problem(self, value) -> str | None:
        from kiosk.receipts.e_receipt import template_problem

        return template_problem(value) or Url().problem(value.replace("{", "").replace("}", ""))


@dataclass(frozen=True)
class ListenAddress:
    """host:port for the metrics endpoint, or empty (not served); off loopback only with
    metrics.allow_remote (a relation)."""

    def problem(self, value) -> str | None:
        if value == "":
            return None
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 <= int(port) <= 65535:  # 0: any free port
            return "must be host:port (e.g. 127.0.0.1:9464), or empty for no endpoint"
        return None


@dataclass(frozen=True)
class KeyCodes:
    """Kivy key codes of one keypad action: at least one, none twice (*count*: exactly so many)."""

    count: int = 0

    def problem(self, value) -> str | None:
        if not value or any(not 8 <= code <= 0x7FFFFFFF for code in value):
            return "must list key codes (8 or more; `kiosk demo --keypad-only` uses the defaults)"
        if len(set(value)) != len(value):
            return "names a key code twice"
        if self.count and len(value) != self.count:
            return f"must list {self.count} key codes"
        return None


@dataclass(frozen=True)
class Methods:
    may_be_empty: bool = False

    def problem(self, value) -> str | None:
        unknown = [m for m in value if m not in METHODS]
        if unknown:
            return f"has unknown method {unknown[0]!r}: allowed are " + ", ".join(METHODS)
        if not value and not self.may_be_empty:
            return "must name at least one method of " + ", ".join(METHODS)
        if len(set(value)) != len(value):
            return "names a method twice"
        return None


@dataclass(frozen=True)
class Tenders:
    """What a multi-tender card terminal takes: card, octopus (at least one, none twice)."""

    def problem(self, value) -> str | None:
        unknown = [t for t in value if t not in TENDERS]
        if unknown:
            return f"has unknown tender {unknown[0]!r}: allowed are " + ", ".join(TENDERS)
        if not value or len(set(value)) != len(value):
            return "must name each of " + ", ".join(TENDERS) + " at most once, and at least one"
        return None


@dataclass(frozen=True)
class Scenario:
    """A card terminal simulator scenario (only looked up when the terminal is simulated)."""

    def problem(self, value) -> str | None:
        from devices.card_terminal.scenarios import SCENARIOS

        return None if value in SCENARIOS else "must be one of " + ", ".join(SCENARIOS)


@dataclass(frozen=True)
class Anything:
    """Any text (the demo secret may be empty; a real one comes from the environment)."""

    def problem(self, value) -> str | None:
        return None


def path_rule(optional: bool = False) -> Text:
    return Text(r"[^\x00]*" if optional else r"\s*[^\s\x00][^\x00]*",
                "a path, or empty" if optional else "a file or folder path (not empty)", 4096)


def env_rule(optional: bool = False) -> Text:
    name = f"({ENV_NAME})?" if optional else ENV_NAME
    return Text(name, "an environment variable name (letters, digits, _)"
                + (" or empty" if optional else ""), 100)


SECONDS, DAYS, MB, BYTES = "s", "days", "MB", "bytes"


def loopback_listen(listen: str) -> bool:
    host = listen.rpartition(":")[0].strip("[]")
    return not listen or is_loopback(host)


def shown_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
