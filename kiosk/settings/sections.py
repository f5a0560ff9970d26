"""The settings' typed sections: one frozen dataclass per table of ``config/default.toml``.

``kiosk.settings.loading`` builds them from TOML; a field's type is the kind of value its key
takes, so a value of the wrong kind is refused with the file and the key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


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
