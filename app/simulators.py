"""The one place a simulator is started: the backend and the devices a profile simulates.

``kiosk run``, ``kiosk demo``, ``kiosk doctor`` and ``kiosk robot`` call ``start_for`` (every
simulator the settings ask for, as ``Overrides`` for ``kiosk.composition.build``);
``kiosk backend-simulator`` and ``kiosk device-simulator`` start one simulator each through the
functions below. The kiosk core never starts a simulator: it is handed the handles.
"""

from __future__ import annotations

import errno
import logging
from urllib.parse import urlsplit

from kiosk.composition import CompositionError, Kiosk, Overrides, build
from kiosk.hardware.card_terminal import build_card_terminal, open_terminal
from kiosk.hardware.handle import DeviceHandle, open_or_leave_out
from kiosk.hardware.printer import build_printer, open_printer
from kiosk.hardware.scanner import build_scanner, open_scanner

log = logging.getLogger(__name__)

PROFILE_PORT = None  # start_for: the port in backend.url (kiosk run); 0 would take a free one


def backend_simulator(settings, clock=None, *, port: int | None = PROFILE_PORT,
                      state_path: str | None = None, auto_pay_after_s: float | None = None):
    """The backend simulator on 127.0.0.1, started.

    Args:
        port: None takes ``backend.url``'s port (which must be on loopback); 0 a free port.
        state_path: the state file; None takes ``simulator.backend.state_path`` ("" keeps none).
        auto_pay_after_s: None takes ``simulator.backend.auto_pay_after_s``.
    Raises:
        CompositionError: the port is taken, or ``backend.url`` is not a loopback URL.
    """
    from simulators.backend import BackendSimulator

    cfg = settings.simulator.backend
    port = _profile_port(settings) if port is None else port
    path = cfg.state_path if state_path is None else state_path
    simulator = BackendSimulator(
        "127.0.0.1", port, secrets={settings.kiosk.id: settings.backend_secret()},
        state_path=settings.resolve(path) if path else None,
        auto_pay_after_s=cfg.auto_pay_after_s if auto_pay_after_s is None else auto_pay_after_s,
        clock=clock)
    try:
        return simulator.start()
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise CompositionError(
                f"the backend simulator cannot listen on 127.0.0.1:{port}: the port is already "
                "in use (another kiosk running?); stop it or change backend.url") from None
        raise CompositionError(f"the backend simulator cannot start: {e}") from None


def _profile_port(settings) -> int:
    url = urlsplit(settings.backend.url)
    if url.hostname not in ("127.0.0.1", "localhost") or url.port is None:
        raise CompositionError("simulator.backend.enabled needs backend.url on 127.0.0.1 with a "
                               f"port, got {settings.backend.url}")
    return url.port


def card_terminal_simulator(settings=None, *, scenario: str | None = None, state_path=None,
                            delays=None):
    """A card terminal simulator, not yet started (``start(link, port)`` gives its port)."""
    from devices.card_terminal.simulator import CardTerminalSimulator

    cfg = settings.devices.card_terminal if settings is not None else None
    if state_path is None and cfg is not None and cfg.state_path:
        state_path = settings.resolve(cfg.state_path)
    extra = {} if delays is None else {"delays": delays}
    if cfg is not None:  # the simulated terminal takes what the settings say the kiosk's does
        extra["tenders"] = tuple(t.upper() for t in cfg.tenders)
    return CardTerminalSimulator(scenario=scenario or (cfg.scenario if cfg else "approve"),
                                 state_path=state_path, **extra)


def printer_simulator(settings, output_dir=None):
    """A receipt printer simulator, not yet started (``start(link, port)`` gives its port)."""
    from devices.receipt_printer.simulator import PrinterSimulator

    cfg = settings.devices.printer
    return PrinterSimulator(output_dir or settings.resolve(cfg.output_dir),
                            paper_width_dots=cfg.paper_width_dots)


def card_terminal(settings, *, scenario: str | None = None, delays=None,
                  **driver_timers) -> DeviceHandle:
    """The terminal the settings ask for; on kind ``simulator``, the real driver on a started
    simulator (*scenario*, *delays* and *driver_timers* let the robot make it fast)."""
    cfg = settings.devices.card_terminal
    if cfg.kind != "simulator":
        return build_card_terminal(settings)
    simulator = card_terminal_simulator(settings, scenario=scenario, delays=delays)
    port = simulator.start(cfg.link)
    try:
        return DeviceHandle(open_terminal(settings, port, **driver_timers), simulator)
    except Exception:
        simulator.stop()
        raise


def printer(settings) -> DeviceHandle:
    """The printer the settings ask for; on kind ``simulator``, the driver on a started one."""
    cfg = settings.devices.printer
    if cfg.kind != "simulator":
        return build_printer(settings)
    simulator = printer_simulator(settings)
    port = simulator.start(cfg.link)
    try:
        return DeviceHandle(open_printer(settings, port), simulator)
    except Exception:
        simulator.stop()
        raise


def scanner_simulator(settings=None):
    """A barcode scanner simulator, not yet started (``start(link, port)`` gives its port;
    ``present(code)`` is what the next triggered read sends)."""
    from devices.barcode_scanner.simulator import ScannerSimulator

    return ScannerSimulator()


def scanner(settings) -> DeviceHandle:
    """The scanner the settings ask for; on kind ``simulator``, the serial driver on a started
    simulator (``handle.simulator.present(code)`` makes the customer show a code)."""
    cfg = settings.devices.scanner
    if cfg.kind != "simulator":
        return build_scanner(settings)
    simulator = scanner_simulator(settings)
    port = simulator.start(cfg.link)
    try:
        return DeviceHandle(open_scanner(settings, port), simulator)
    except Exception:
        simulator.stop()
        raise


_DEVICES = {"card_terminal": card_terminal, "printer": printer, "scanner": scanner}


def device(settings, name: str) -> DeviceHandle:
    """``card_terminal``, ``printer`` or ``scanner`` as the settings ask, simulated or not; one
    that cannot be opened is left out (``kiosk.hardware.handle.open_or_leave_out``)."""
    return open_or_leave_out(name, _DEVICES[name], settings)


def start_for(settings, clock=None, *, backend_port: int | None = PROFILE_PORT) -> Overrides:
    """Start every simulator the settings ask for: the ``Overrides`` that point the core at
    them (the core closes the device handles; its last closer stops the backend simulator)."""
    simulator = None
    if settings.simulator.backend.enabled:
        simulator = backend_simulator(settings, clock, port=backend_port)
    try:
        terminal = device(settings, "card_terminal")
        receipt_printer = device(settings, "printer")
        barcode_scanner = device(settings, "scanner")
    except BaseException:
        if simulator is not None:
            simulator.stop()
        raise
    return Overrides(backend_url=simulator.url if simulator else None, terminal=terminal,
                     printer=receipt_printer, scanner=barcode_scanner,
                     closers=(simulator.stop,) if simulator else ())


def build_kiosk(settings, post, clock=None, *, backend_port: int | None = PROFILE_PORT,
                **build_options) -> Kiosk:
    """The kiosk core on the simulators the settings ask for (``kiosk run``, ``kiosk demo``):
    ``start_for`` then ``kiosk.composition.build``; *build_options* go to ``build``."""
    overrides = start_for(settings, clock, backend_port=backend_port)
    return build(settings, post, clock, overrides=overrides, **build_options)
