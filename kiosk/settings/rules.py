"""What each setting may be: one row per key of ``config/default.toml``, checked at load.

``kiosk.settings`` first builds the typed sections (a wrong kind of value is refused there);
then every row of RULES checks its key's value, and RELATIONS check keys against each other
(a warning shorter than the timeout it warns of). A key added to ``config/default.toml`` needs
a row here: ``tests/kiosk/settings/test_rules.py`` fails for a key without one.

A refusal names the file the value came from, the key, the value and what is allowed:
``site.toml: 'flow.idle_timeout_s' = -5.0: must be from 10 to 600 s``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.settings.kinds import (  # noqa: F401 (LANGUAGES: for callers)
    BAUDRATES,
    BYTES,
    DAYS,
    DEVICE_KINDS,
    LANGUAGES,
    LINKS,
    LOG_LEVELS,
    MB,
    SECONDS,
    Anything,
    KeyCodes,
    ListenAddress,
    Methods,
    OneOf,
    Range,
    ReceiptUrl,
    Scenario,
    Tenders,
    Text,
    TimeZone,
    Url,
    env_rule,
    loopback_listen,
    path_rule,
)

# Every key of config/default.toml and what it may be. Numbers: both ends allowed.
RULES: dict[str, object] = {
    "kiosk.id": Text(r"[A-Za-z0-9]+", "letters and digits only", 16),
    "kiosk.location": Text(r".*\S.*", "some text", 120),
    "kiosk.hotline": Text(r"\+?[0-9(][0-9 ()-]*", "a phone number (digits, spaces, + ( ) -)", 32),
    "kiosk.default_language": OneOf(LANGUAGES),
    "kiosk.data_dir": path_rule(),
    "kiosk.e_receipt_url": ReceiptUrl(),
    "backend.url": Url(),
    "backend.secret": Anything(),
    "backend.secret_env": env_rule(optional=True),
    "backend.ca_bundle": path_rule(optional=True),
    "backend.connect_timeout_s": Range(0.1, 60, SECONDS),
    "backend.read_timeout_s": Range(0.1, 120, SECONDS),
    "backend.retry_deadline_s": Range(0, 3600, SECONDS),
    "backend.max_response_bytes": Range(1024, 64 * 1024 * 1024, BYTES),
    "journal.path": path_rule(),
    "journal.phone_retention_days": Range(1, 90, DAYS),
    "journal.min_free_disk_mb": Range(10, 1024 * 1024, MB),
    "journal.timezone": TimeZone(),
    "log.dir": path_rule(),
    "log.level": OneOf(LOG_LEVELS, fold_case=True),
    "log.max_bytes": Range(64 * 1024, 1024 * 1024 * 1024, BYTES),
    "log.backup_count": Range(1, 100),
    "log.wire": Anything(),  # true or false (its kind is checked when loading)
    "devices.card_terminal.kind": OneOf(DEVICE_KINDS),
    "devices.card_terminal.port": Text(r"[^\x00]*", "a device path or pyserial URL", 300),
    "devices.card_terminal.baudrate": OneOf(BAUDRATES),
    "devices.card_terminal.link": OneOf(LINKS),
    "devices.card_terminal.scenario": Scenario(),
    "devices.card_terminal.state_path": path_rule(optional=True),
    "devices.card_terminal.tenders": Tenders(),
    "devices.printer.kind": OneOf(DEVICE_KINDS),
    "devices.printer.port": Text(r"[^\x00]*", "a device path or pyserial URL", 300),
    "devices.printer.baudrate": OneOf(BAUDRATES),
    "devices.printer.link": OneOf(LINKS),
    "devices.printer.paper_width_dots": Range(256, 832, "dots (58 to 104 mm paper)"),
    "devices.printer.output_dir": path_rule(),
    "devices.scanner.kind": OneOf(("serial", "evdev", "simulator", "none")),
    "devices.scanner.port": Text(r"[^\x00]*", "a device path or pyserial URL", 300),
    "devices.scanner.baudrate": OneOf(BAUDRATES),
    "devices.scanner.link": OneOf(LINKS),
    "devices.scanner.evdev_device": path_rule(optional=True),
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
    "simulator.backend.state_path": path_rule(optional=True),
    "maintenance.pepper_env": env_rule(),
    "maintenance.pins_path": path_rule(),
    "maintenance.audit_path": path_rule(),
    "maintenance.max_failures": Range(1, 10),
    "maintenance.lockout_s": Range(900, 86400, "s (15 min to a day)"),
    "maintenance.auto_exit_s": Range(30, 3600, SECONDS),
    "maintenance.gesture_window_s": Range(1, 30, SECONDS),
    "maintenance.heartbeat_interval_s": Range(5, 3600, SECONDS),
    "maintenance.backend_grace_s": Range(10, 3600, SECONDS),
    "privacy.operator_name": Text(r"[^\x00]*", "a name, or empty", 120),
    "privacy.contact": Text(r"[^\x00]*", "a contact, or empty", 200),
    "privacy.statement_dir": path_rule(optional=True),
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
    "metrics.textfile_dir": path_rule(optional=True),
    "metrics.refresh_s": Range(0.01, 300, SECONDS),
    "fleet.health_path": path_rule(),
    "fleet.health_history_lines": Range(1, 1_000_000, "lines"),
    "fleet.bundle_dir": path_rule(),
    "fleet.bundle_log_lines": Range(0, 1_000_000, "lines"),
    "fleet.update_state_path": path_rule(),
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
             lambda s: s.metrics.allow_remote or loopback_listen(s.metrics.listen),
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
