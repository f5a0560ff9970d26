"""What each setting may be: one row per key of ``config/default.toml``, checked at load.

``kiosk.settings`` first builds the typed sections (a wrong kind of value is refused there);
then every row of RULES checks its key's value, and RELATIONS check keys against each other
(a warning shorter than the timeout it warns of). A key added to ``config/default.toml`` needs
a row here: ``tests/kiosk/settings/test_rules.py`` fails for a key without one.

A refusal names the file the value came from, the key, the value and what is allowed:
``site.toml: 'flow.idle_timeout_s' = -5.0: must be from 10 to 600 s``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
        return f"must be from {_num(self.low)} to {_num(self.high)}{unit}"


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


def _path(optional: bool = False) -> Text:
    return Text(r"[^\x00]*" if optional else r"\s*[^\s\x00][^\x00]*",
                "a path, or empty" if optional else "a file or folder path (not empty)", 4096)


def _env(optional: bool = False) -> Text:
    name = f"({ENV_NAME})?" if optional else ENV_NAME
    return Text(name, "an environment variable name (letters, digits, _)"
                + (" or empty" if optional else ""), 100)


SECONDS, DAYS, MB, BYTES = "s", "days", "MB", "bytes"

# Every key of config/default.toml and what it may be. Numbers: both ends allowed.
RULES: dict[str, object] = {
    "kiosk.id": Text(r"[A-Za-z0-9]+", "letters and digits only", 16),
    "kiosk.location": Text(r".*\S.*", "some text", 120),
    "kiosk.hotline": Text(r"\+?[0-9(][0-9 ()-]*", "a phone number (digits, spaces, + ( ) -)", 32),
    "kiosk.default_language": OneOf(LANGUAGES),
    "kiosk.data_dir": _path(),
    "kiosk.e_receipt_url": ReceiptUrl(),
    "backend.url": Url(),
    "backend.secret": Anything(),
    "backend.secret_env": _env(optional=True),
    "backend.ca_bundle": _path(optional=True),
    "backend.connect_timeout_s": Range(0.1, 60, SECONDS),
    "backend.read_timeout_s": Range(0.1, 120, SECONDS),
    "backend.retry_deadline_s": Range(0, 3600, SECONDS),
    "backend.max_response_bytes": Range(1024, 64 * 1024 * 1024, BYTES),
    "journal.path": _path(),
    "journal.phone_retention_days": Range(1, 90, DAYS),
    "journal.min_free_disk_mb": Range(10, 1024 * 1024, MB),
    "journal.timezone": TimeZone(),
    "log.dir": _path(),
    "log.level": OneOf(LOG_LEVELS, fold_case=True),
    "log.max_bytes": Range(64 * 1024, 1024 * 1024 * 1024, BYTES),
    "log.backup_count": Range(1, 100),
    "log.wire": Anything(),  # true or false (its kind is checked when loading)
    "devices.card_terminal.kind": OneOf(DEVICE_KINDS),
    "devices.card_terminal.port": Text(r"[^\x00]*", "a device path or pyserial URL", 300),
    "devices.card_terminal.baudrate": OneOf(BAUDRATES),
    "devices.card_terminal.link": OneOf(LINKS),
    "devices.card_terminal.scenario": Scenario(),
    "devices.card_terminal.state_path": _path(optional=True),
    "devices.card_terminal.tenders": Tenders(),
    "devices.printer.kind": OneOf(DEVICE_KINDS),
    "devices.printer.port": Text(r"[^\x00]*", "a device path or pyserial URL", 300),
    "devices.printer.baudrate": OneOf(BAUDRATES),
    "devices.printer.link": OneOf(LINKS),
    "devices.printer.paper_width_dots": Range(256, 832, "dots (58 to 104 mm paper)"),
    "devices.printer.output_dir": _path(),
    "devices.scanner.kind": OneOf(("serial", "evdev", "simulator", "none")),
    "devices.scanner.port": Text(r"[^\x00]*", "a device path or pyserial URL", 300),
    "devices.scanner.baudrate": OneOf(BAUDRATES),
    "devices.scanner.link": OneOf(LINKS),
    "devices.scanner.evdev_device": _path(optional=True),
    "payments.methods": Methods(),
    "payments.qr_expires_in_s": Range(30, 900, SECONDS),
    "payments.poll_interval_s": Range(0.05, 30, SECONDS),
    "payments.card_timeout_s": Range(15, 300, SECONDS),
    "payments.retry_initial_s": Range(0.1, 60, SECONDS),
    "payments.retry_max_s": Range(1, 3600, SECONDS),
    "payments.holds.before": Methods(may_be_empty=True),
    "payments.long_poll.wait_s": Range(0, 25, "s (0 = plain polls)"),
    "flow.idle_timeout_s": Range(10, 600, SECONDS),
    "flow.warning_s": Range(1, 120, SECONDS),
    "flow.result_screen_s": Range(3, 300, SECONDS),
    "display.orientation": OneOf(("landscape", "portrait")),
    "display.width_px": Range(320, 7680, "pixels"),
    "display.height_px": Range(240, 7680, "pixels"),
    "display.dpi": Range(50, 600, "dots per inch"),
    "display.fullscreen": Anything(),  # true or false
    "simulator.backend.enabled": Anything(),  # true or false
    "simulator.backend.auto_pay_after_s": Range(0, 600, SECONDS),
    "simulator.backend.state_path": _path(optional=True),
    "maintenance.pepper_env": _env(),
    "maintenance.pins_path": _path(),
    "maintenance.audit_path": _path(),
    "maintenance.max_failures": Range(1, 10),
    "maintenance.lockout_s": Range(900, 86400, "s (15 min to a day)"),
    "maintenance.auto_exit_s": Range(30, 3600, SECONDS),
    "maintenance.gesture_window_s": Range(1, 30, SECONDS),
    "maintenance.heartbeat_interval_s": Range(5, 3600, SECONDS),
    "maintenance.backend_grace_s": Range(10, 3600, SECONDS),
    "privacy.operator_name": Text(r"[^\x00]*", "a name, or empty", 120),
    "privacy.contact": Text(r"[^\x00]*", "a contact, or empty", 200),
    "privacy.statement_dir": _path(optional=True),
    "accessibility.speech_engine": OneOf(("espeak-ng", "none")),
    "accessibility.voice_zh_hant": Text(r"[A-Za-z0-9_+-]+", "an espeak-ng voice name", 60),
    "accessibility.voice_zh_hans": Text(r"[A-Za-z0-9_+-]+", "an espeak-ng voice name", 60),
    "accessibility.voice_en": Text(r"[A-Za-z0-9_+-]+", "an espeak-ng voice name", 60),
    "accessibility.output_device": Text(r"[^\x00]*", "an audio device name, none, or empty", 200),
    "accessibility.public_speaker": Anything(),  # true or false
    "accessibility.volume": Range(10, 100, "%"),
    "accessibility.speed_wpm": Range(80, 450, "words a minute"),
    "accessibility.hold_to_enter_s": Range(0.2, 10, SECONDS),
    "accessibility.time_scale": Range(3, 20, "× (at least 3: WCAG 2.2.1)"),
    "accessibility.warning_s": Range(20, 300, SECONDS),
    "accessibility.text_scale": Range(1, 3, "×"),
    "accessibility.keypad.digits": KeyCodes(count=10),
    "accessibility.keypad.enter": KeyCodes(),
    "accessibility.keypad.cancel": KeyCodes(),
    "accessibility.keypad.clear": KeyCodes(),
    "accessibility.keypad.help": KeyCodes(),
    "accessibility.keypad.prev": KeyCodes(),
    "accessibility.keypad.next": KeyCodes(),
    "accessibility.keypad.volume_up": KeyCodes(),
    "accessibility.keypad.volume_down": KeyCodes(),
    "metrics.listen": ListenAddress(),
    "metrics.allow_remote": Anything(),  # true or false
    "metrics.textfile_dir": _path(optional=True),
    "metrics.refresh_s": Range(0.01, 300, SECONDS),
    "fleet.health_path": _path(),
    "fleet.health_history_lines": Range(1, 1_000_000, "lines"),
    "fleet.bundle_dir": _path(),
    "fleet.bundle_log_lines": Range(0, 1_000_000, "lines"),
    "fleet.update_state_path": _path(),
}

# Rules that only apply in some configurations: key -> (applies(settings), rule).
WHEN: dict[str, Callable] = {
    "devices.card_terminal.scenario": lambda s: s.devices.card_terminal.kind == "simulator",
}


@dataclass(frozen=True)
class Relation:
    """*key*'s value must stand in *holds* to the settings *others*; *why* says how."""

    key: str
    others: tuple[str, ...]
    holds: Callable
    why: str


RELATIONS: tuple[Relation, ...] = (
    Relation("flow.warning_s", ("flow.idle_timeout_s",), lambda s: s.flow.warning_s < s.flow.idle_timeout_s,
             "must be shorter than flow.idle_timeout_s (the timeout it warns of)"),
    Relation("payments.retry_max_s", ("payments.retry_initial_s",),
             lambda s: s.payments.retry_max_s >= s.payments.retry_initial_s,
             "must be at least payments.retry_initial_s"),
    Relation("payments.poll_interval_s", ("payments.qr_expires_in_s",),
             lambda s: s.payments.poll_interval_s < s.payments.qr_expires_in_s,
             "must be shorter than payments.qr_expires_in_s (the order's validity)"),
    Relation("backend.secret_env", ("backend.secret",),
             lambda s: bool(s.backend.secret or s.backend.secret_env),
             "must be set (or, on a demo profile, backend.secret)"),
    Relation("devices.card_terminal.port", ("devices.card_terminal.kind",),
             lambda s: s.devices.card_terminal.kind != "serial" or bool(s.devices.card_terminal.port),
             "must be set when devices.card_terminal.kind is serial"),
    Relation("devices.scanner.port", ("devices.scanner.kind",),
             lambda s: s.devices.scanner.kind != "serial" or bool(s.devices.scanner.port),
             "must be set when devices.scanner.kind is serial"),
    Relation("devices.scanner.evdev_device", ("devices.scanner.kind",),
             lambda s: s.devices.scanner.kind != "evdev" or bool(s.devices.scanner.evdev_device),
             "must be set when devices.scanner.kind is evdev"),
    Relation("accessibility.warning_s", ("flow.idle_timeout_s", "accessibility.time_scale"),
             lambda s: s.accessibility.warning_s
             <= s.flow.idle_timeout_s * s.accessibility.time_scale,
             "must not be longer than flow.idle_timeout_s × accessibility.time_scale"),
    Relation("metrics.listen", ("metrics.allow_remote",),
             lambda s: s.metrics.allow_remote or _loopback_listen(s.metrics.listen),
             "must be on loopback (127.0.0.1, ::1, localhost) unless metrics.allow_remote is true"),
    Relation("devices.printer.port", ("devices.printer.kind",),
             lambda s: s.devices.printer.kind != "serial" or bool(s.devices.printer.port),
             "must be set when devices.printer.kind is serial"),
)
# Octopus is offered when the terminal takes it (``devices.card_terminal.tenders``); listing it
# in payments.methods (to place it) without that tender is a mistake, said at start.
RELATIONS += (
    Relation("payments.methods", ("devices.card_terminal.tenders",),
             lambda s: "octopus" not in s.payments.methods
             or "octopus" in s.devices.card_terminal.tenders,
             "lists octopus, but devices.card_terminal.tenders does not: add octopus there "
             "(the terminal must take it) or leave it out of payments.methods"),
)


def value_of(settings, key: str):
    """The value of dotted *key* in a Settings."""
    value = settings
    for part in key.split("."):
        value = getattr(value, part)
    return value


def problems(settings) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(key, what is wrong, the other keys involved)`` for every value outside its rule, in
    the table's order; then, when every value is in range, the relations that do not hold."""
    out = []
    for key, rule in RULES.items():
        applies = WHEN.get(key)
        if applies is not None and not applies(settings):
            continue
        why = rule.problem(value_of(settings, key))
        if why:
            out.append((key, why, ()))
    if not out:  # relations compare values that are each in range
        out.extend((r.key, r.why, r.others) for r in RELATIONS if not r.holds(settings))
    return out



def _loopback_listen(listen: str) -> bool:
    host = listen.rpartition(":")[0].strip("[]")
    return not listen or is_loopback(host)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
