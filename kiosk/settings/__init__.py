"""Typed kiosk settings, loaded from TOML and validated at start.

The defaults live in ``config/default.toml``; a profile (``config/demo.toml``, a site file) names
only what it changes. Every key maps to a field of a frozen dataclass (``sections``), so a
missing, unknown or mistyped key is an error that names the file, the key and what is wrong;
``loading`` reads and merges the files, ``rules`` gives every key its allowed values (by the
kinds of rule in ``kinds``), and ``paths`` checks on disk what the settings name (folders,
free space).
"""

from contract.methods import METHODS, WALLET_METHODS  # noqa: F401 (for callers)
from kiosk.settings.loading import CONFIG_DIR, DEFAULT_FILE, DEMO_FILE, load  # noqa: F401
from kiosk.settings.rules import LANGUAGES  # noqa: F401 (for callers)
from kiosk.settings.sections import (  # noqa: F401 (the settings' types, for callers)
    AccessibilitySection,
    BackendSection,
    BackendSimulatorSection,
    CardTerminalSection,
    DevicesSection,
    DisplaySection,
    FleetSection,
    FlowSection,
    JournalSection,
    KeypadSection,
    KioskSection,
    LogSection,
    MaintenanceSection,
    MetricsSection,
    PaymentHoldsSection,
    PaymentLongPollSection,
    PaymentsSection,
    PrinterSection,
    PrivacySection,
    ScannerSection,
    Settings,
    SettingsError,
    SimulatorSection,
)
