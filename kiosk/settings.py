"""Typed kiosk settings, loaded from TOML and validated at start.

The defaults live in ``config/default.toml``; a profile (``config/demo.toml``, a site file) names
only what it changes. Every key maps to a field of a frozen dataclass below, so a missing,
unknown or mistyped key is an error that names the file, the key and what is wrong.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from contract.methods import METHODS, WALLET_METHODS  # noqa: F401 (WALLET_METHODS: for callers)

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_FILE = CONFIG_DIR / "default.toml"
DEMO_FILE = CONFIG_DIR / "demo.toml"
LANGUAGES = ("zh-Hant", "zh-Hans", "en")


class SettingsError(ValueError):
    """A settings file is unreadable, or a key in it is missing, unknown or wrong."""


@dataclass(frozen=True)
class KioskSection:
    id: str
    location: str
    hotline: str
    default_language: str
    data_dir: str
    e_receipt_url: str


@dataclass(frozen=True)
class BackendSection:
    url: str
    secret: str
    secret_env: str
    ca_bundle: str
    connect_timeout_s: float
    read_timeout_s: float
    retry_deadline_s: float
    max_response_bytes: int


@dataclass(frozen=True)
class JournalSection:
    path: str
    phone_retention_days: int
    min_free_disk_mb: int
    timezone: str  # IANA zone of the kiosk: ids and reports use its local day


@dataclass(frozen=True)
class LogSection:
    dir: str
    level: str
    max_bytes: int
    backup_count: int
    wire: bool


@dataclass(frozen=True)
class CardTerminalSection:
    kind: str  # serial | simulator | none
    port: str
    baudrate: int
    link: str  # simulator only: pty | tcp
    scenario: str  # simulator only
    state_path: str  # simulator only


@dataclass(frozen=True)
class PrinterSection:
    kind: str  # serial | simulator | none
    port: str
    baudrate: int
    link: str
    paper_width_dots: int
    output_dir: str  # simulator only: where printed receipts are saved


@dataclass(frozen=True)
class DevicesSection:
    card_terminal: CardTerminalSection
    printer: PrinterSection


@dataclass(frozen=True)
class PaymentsSection:
    methods: tuple[str, ...]
    qr_expires_in_s: int
    poll_interval_s: float
    card_timeout_s: int
    retry_initial_s: float
    retry_max_s: float


@dataclass(frozen=True)
class FlowSection:
    idle_timeout_s: float
    warning_s: float
    result_screen_s: float


@dataclass(frozen=True)
class DisplaySection:
    orientation: str  # landscape | portrait
    width_px: int
    height_px: int
    dpi: int
    fullscreen: bool


@dataclass(frozen=True)
class BackendSimulatorSection:
    enabled: bool
    auto_pay_after_s: float
    state_path: str


@dataclass(frozen=True)
class SimulatorSection:
    backend: BackendSimulatorSection


@dataclass(frozen=True)
class MaintenanceSection:
    pepper_env: str
    pins_path: str
    audit_path: str
    max_failures: int
    lockout_s: int
    auto_exit_s: float
    gesture_window_s: float
    heartbeat_interval_s: float
    backend_grace_s: float


@dataclass(frozen=True)
class KeypadSection:
    """Key codes (Kivy's, as ``kiosk keys`` would print them) of each keypad action."""

    digits: tuple[int, ...]  # 0–9 in order: the keypad's digit keys (the top row's are always digits)
    enter: tuple[int, ...]
    cancel: tuple[int, ...]
    clear: tuple[int, ...]
    help: tuple[int, ...]
    prev: tuple[int, ...]
    next: tuple[int, ...]
    volume_up: tuple[int, ...]
    volume_down: tuple[int, ...]


@dataclass(frozen=True)
class AccessibilitySection:
    speech_engine: str  # espeak-ng | none
    voice_zh_hant: str
    voice_zh_hans: str
    voice_en: str
    output_device: str  # "" = the system's default output; "none" = never play
    public_speaker: bool  # the output is a loudspeaker: nothing private is read aloud
    volume: int  # 10–100, every customer starts here
    speed_wpm: int
    hold_to_enter_s: float  # holding the keypad's 5 this long on the attract screen
    time_scale: float  # customer time limits × this in accessible mode (at least 3)
    warning_s: float  # the "still there?" warning this long ahead in accessible mode
    text_scale: float  # larger text in accessible mode
    keypad: KeypadSection


@dataclass(frozen=True)
class Settings:
    kiosk: KioskSection
    backend: BackendSection
    journal: JournalSection
    log: LogSection
    devices: DevicesSection
    payments: PaymentsSection
    flow: FlowSection
    display: DisplaySection
    simulator: SimulatorSection
    maintenance: MaintenanceSection
    accessibility: AccessibilitySection
    source: str = field(default="", compare=False)

    def backend_secret(self) -> str:
        """The HMAC secret: from the environment variable named in settings, else the demo value."""
        if self.backend.secret_env:
            value = os.environ.get(self.backend.secret_env, "")
            if value:
                return value
            if not self.backend.secret:
                raise SettingsError(
                    f"{self.source}: backend.secret_env names {self.backend.secret_env!r}, "
                    "which is not set in the environment"
                )
        if not self.backend.secret:
            raise SettingsError(f"{self.source}: backend.secret_env is not set")
        return self.backend.secret

    def resolve(self, path: str) -> Path:
        """A settings path, relative ones taken from the kiosk's data directory."""
        p = Path(os.path.expandvars(os.path.expanduser(path)))
        if p.is_absolute():
            return p
        return Path(os.path.expanduser(self.kiosk.data_dir)) / p


def load(path: str | os.PathLike | None = None, overrides: dict | None = None) -> Settings:
    """Load the defaults, then the profile at *path* (default: the demo profile), validated.

    Args:
        path: the profile file; None means ``config/demo.toml``.
        overrides: dotted keys to values (``{"backend.url": "…"}``), applied last; for the command
            line options that change one setting.
    Raises:
        SettingsError: naming the file, the key and what is wrong.
    """
    profile = Path(path) if path else DEMO_FILE
    merged = _read(DEFAULT_FILE)
    if profile.resolve() != DEFAULT_FILE:
        _merge(merged, _read(profile), str(profile), "")
    for dotted, value in (overrides or {}).items():
        _set_dotted(merged, dotted, value)
    settings = _build(Settings, merged, str(profile), "")
    settings = dataclasses.replace(settings, source=str(profile))
    _check(settings)
    return settings


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise SettingsError(f"{path}: settings file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise SettingsError(f"{path}: cannot read: {e.strerror}") from None


def _merge(base: dict, extra: dict, source: str, prefix: str) -> None:
    for key, value in extra.items():
        dotted = f"{prefix}{key}"
        if key not in base:
            raise SettingsError(f"{source}: unknown key {dotted!r}")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise SettingsError(f"{source}: {dotted!r} must be a table")
            _merge(base[key], value, source, dotted + ".")
        else:
            base[key] = value


def _set_dotted(tree: dict, dotted: str, value) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def _build(cls, data: dict, source: str, prefix: str):
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name == "source":
            continue
        dotted = f"{prefix}{f.name}"
        if f.name not in data:
            raise SettingsError(f"{source}: missing key {dotted!r}")
        kwargs[f.name] = _convert(hints[f.name], data[f.name], source, dotted)
    unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
    if unknown:
        raise SettingsError(f"{source}: unknown key {prefix}{sorted(unknown)[0]!r}")
    return cls(**kwargs)


def _convert(hint, value, source: str, dotted: str):
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise SettingsError(f"{source}: {dotted!r} must be a table")
        return _build(hint, value, source, dotted + ".")
    origin = typing.get_origin(hint)
    if origin is tuple:
        (item,) = typing.get_args(hint)[:1]
        if not isinstance(value, list):
            raise SettingsError(f"{source}: {dotted!r} must be a list, got {value!r}")
        return tuple(_convert(item, v, source, f"{dotted}[{i}]") for i, v in enumerate(value))
    if origin in (typing.Union, types.UnionType):
        raise TypeError(f"settings field {dotted} uses a union; give it a plain type")
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is bool and not isinstance(value, bool):
        raise SettingsError(f"{source}: {dotted!r} must be true or false, got {value!r}")
    if hint is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise SettingsError(f"{source}: {dotted!r} must be a whole number, got {value!r}")
    if not isinstance(value, hint):
        raise SettingsError(
            f"{source}: {dotted!r} must be a {hint.__name__}, got {type(value).__name__} {value!r}"
        )
    return value


def _check(s: Settings) -> None:
    """Checks that span more than a type: allowed values and ranges."""
    src = s.source

    def need(ok: bool, key: str, why: str) -> None:
        if not ok:
            raise SettingsError(f"{src}: {key!r} {why}")

    need(bool(s.kiosk.id) and s.kiosk.id.isalnum(), "kiosk.id", "must be letters and digits")
    need(s.kiosk.default_language in LANGUAGES, "kiosk.default_language", f"must be one of {LANGUAGES}")
    need(s.backend.url.startswith(("http://", "https://")), "backend.url", "must be an http(s) URL")
    need(s.backend.connect_timeout_s > 0, "backend.connect_timeout_s", "must be positive")
    need(s.backend.read_timeout_s > 0, "backend.read_timeout_s", "must be positive")
    need(bool(s.backend.secret or s.backend.secret_env), "backend.secret_env", "must be set")
    need(s.journal.phone_retention_days >= 1, "journal.phone_retention_days", "must be at least 1")
    for name, dev in (("card_terminal", s.devices.card_terminal), ("printer", s.devices.printer)):
        key = f"devices.{name}"
        need(dev.kind in ("serial", "simulator", "none"), f"{key}.kind", "must be serial, simulator or none")
        need(dev.kind != "serial" or bool(dev.port), f"{key}.port", "must be set when kind is serial")
        need(dev.link in ("pty", "tcp"), f"{key}.link", "must be pty or tcp")
    for m in s.payments.methods:
        need(m in METHODS, "payments.methods", f"has unknown method {m!r}")
    need(s.payments.qr_expires_in_s >= 30, "payments.qr_expires_in_s", "must be at least 30")
    need(s.payments.poll_interval_s > 0, "payments.poll_interval_s", "must be positive")
    need(s.payments.retry_initial_s > 0, "payments.retry_initial_s", "must be positive")
    need(s.payments.retry_max_s >= s.payments.retry_initial_s, "payments.retry_max_s",
         "must be at least payments.retry_initial_s")
    need(s.display.orientation in ("landscape", "portrait"), "display.orientation", "must be landscape or portrait")
    need(s.maintenance.max_failures >= 1, "maintenance.max_failures", "must be at least 1")
    need(s.maintenance.lockout_s >= 900, "maintenance.lockout_s", "must be at least 900 (15 min)")
    need(s.maintenance.auto_exit_s > 0, "maintenance.auto_exit_s", "must be positive")
    need(s.maintenance.heartbeat_interval_s >= 5, "maintenance.heartbeat_interval_s", "must be at least 5")
    a11y = s.accessibility
    need(a11y.speech_engine in ("espeak-ng", "none"), "accessibility.speech_engine",
         "must be espeak-ng or none")
    need(10 <= a11y.volume <= 100, "accessibility.volume", "must be 10 to 100")
    need(a11y.time_scale >= 3, "accessibility.time_scale", "must be at least 3 (WCAG 2.2.1)")
    need(a11y.warning_s >= 20, "accessibility.warning_s", "must be at least 20")
    need(a11y.hold_to_enter_s > 0, "accessibility.hold_to_enter_s", "must be positive")
    need(len(a11y.keypad.digits) == 10, "accessibility.keypad.digits", "must list 10 key codes, 0 to 9")
    need(s.log.level.upper() in ("DEBUG", "INFO", "WARNING", "ERROR"), "log.level", "must be DEBUG, INFO, WARNING or ERROR")
