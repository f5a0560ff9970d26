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
from kiosk import settings_rules

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_FILE = CONFIG_DIR / "default.toml"
DEMO_FILE = CONFIG_DIR / "demo.toml"
LANGUAGES = settings_rules.LANGUAGES


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
    tenders: tuple[str, ...] = ("card",)  # card | octopus: what the terminal supports


@dataclass(frozen=True)
class PrinterSection:
    kind: str  # serial | simulator | none
    port: str
    baudrate: int
    link: str
    paper_width_dots: int
    output_dir: str  # simulator only: where printed receipts are saved


@dataclass(frozen=True)
class ScannerSection:
    """The 2D barcode scanner that reads a customer's wallet payment code."""

    kind: str = "none"  # serial | evdev | simulator | none
    port: str = ""  # serial: device path or pyserial URL
    baudrate: int = 9600
    link: str = "pty"  # simulator only: pty | tcp
    evdev_device: str = ""  # evdev: /dev/input/event* (or a by-id path) of a keyboard-wedge scanner


@dataclass(frozen=True)
class DevicesSection:
    card_terminal: CardTerminalSection
    printer: PrinterSection
    scanner: ScannerSection = ScannerSection()


@dataclass(frozen=True)
class PaymentHoldsSection:
    before: tuple[str, ...]  # methods whose plan is held (cap, eligibility) before money moves


@dataclass(frozen=True)
class PaymentLongPollSection:
    wait_s: int  # a shown QR order is long-polled this long per query (1..25); 0 = plain polls


@dataclass(frozen=True)
class PaymentsSection:
    methods: tuple[str, ...]
    qr_expires_in_s: int
    poll_interval_s: float
    card_timeout_s: int
    retry_initial_s: float
    retry_max_s: float
    holds: PaymentHoldsSection
    long_poll: PaymentLongPollSection


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
class PrivacySection:
    operator_name: str  # the data user named in the collection statement ("" = a generic name)
    contact: str  # where access and correction requests go ("" = kiosk.hotline)
    statement_dir: str  # <language>.txt files replacing the default statement ("" = the default)


@dataclass(frozen=True)
class MetricsSection:
    listen: str  # host:port of the Prometheus endpoint; "" = not served
    allow_remote: bool  # listen may be off loopback only when true
    textfile_dir: str  # node_exporter textfile directory; "" = none
    refresh_s: float  # how often the journal figures are read again


@dataclass(frozen=True)
class FleetSection:
    health_path: str  # the last health state, for `kiosk metrics` and updates
    health_history_lines: int  # health changes kept (support bundles)
    bundle_dir: str  # where support bundles are written
    bundle_log_lines: int  # last lines of each log in a bundle
    update_state_path: str  # written by deploy/kiosk-update; read for the heartbeat


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
    privacy: PrivacySection
    metrics: MetricsSection
    fleet: FleetSection
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
    origins: dict[str, str] = {}  # dotted key -> the file its value came from (default: defaults)
    if profile.resolve() != DEFAULT_FILE:
        extra = _read(profile)
        _merge(merged, extra, str(profile), "")
        origins.update(dict.fromkeys(_leaf_keys(extra), str(profile)))
    for dotted, value in (overrides or {}).items():
        _set_dotted(merged, dotted, value)
        origins[dotted] = f"{profile} (overridden by the command)"
    settings = _build(Settings, merged, str(profile), "")
    settings = dataclasses.replace(settings, source=str(profile))
    _check(settings, lambda key: origins.get(key, str(DEFAULT_FILE)))
    return settings


def _leaf_keys(tree: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in tree.items():
        if isinstance(value, dict):
            out.extend(_leaf_keys(value, f"{prefix}{key}."))
        else:
            out.append(f"{prefix}{key}")
    return out


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


def _check(s: Settings, origin) -> None:
    """Allowed values and ranges (``kiosk/settings_rules.py``); the first problem is raised,
    naming the file the value came from, the key, the value and what is allowed."""
    found = settings_rules.problems(s)
    if found:
        key, why, others = found[0]
        value = settings_rules.value_of(s, key)
        shown = list(value) if isinstance(value, tuple) else value
        files = [origin(k) for k in (key, *others)]
        source = next((f for f in files if f != str(DEFAULT_FILE)), files[0])
        raise SettingsError(f"{source}: {key!r} = {shown!r}: {why}")
