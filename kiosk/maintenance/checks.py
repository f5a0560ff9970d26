"""``kiosk doctor``'s checks: one verdict (OK / WARN / FAIL) per item, with what to do.

FAIL: the kiosk cannot do that job as configured (a configured device that does not answer, a
printer without paper, a backend that refuses the signature, no CJK font, a disk too full to
sell). WARN: it works with less or needs a look (a device not configured, paper low, demo
secrets, transactions waiting for an operator).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from devices.interfaces import DeviceState, PaperState
from kiosk.maintenance.pins import DEMO_PEPPER, PinStore, pepper_from_settings
from kiosk.ops.disk import DiskGuard
from kiosk.settings import SettingsError

log = logging.getLogger(__name__)

OK, WARN, FAIL = "OK", "WARN", "FAIL"


@dataclass(frozen=True)
class Verdict:
    item: str
    level: str
    message: str


def check_settings(settings) -> list[Verdict]:
    out = [Verdict("settings", OK, f"{settings.source}: kiosk {settings.kiosk.id}")]
    try:
        settings.backend_secret()
        out.append(Verdict("backend secret", OK, "available"))
    except SettingsError as e:
        out.append(Verdict("backend secret", FAIL, str(e)))
    try:
        pepper = pepper_from_settings(settings)
    except SettingsError as e:
        return out + [Verdict("PIN pepper", FAIL, str(e))]
    if pepper == DEMO_PEPPER.encode():
        out.append(Verdict("PIN pepper", WARN, "the demo pepper (demo profile only)"))
    else:
        out.append(Verdict("PIN pepper", OK, f"from ${settings.maintenance.pepper_env}"))
    try:
        out.append(_operators(settings, pepper))
    except Exception as e:  # an unusable PIN file: its own FAIL, the lines above still stand
        where = settings.resolve(settings.maintenance.pins_path)
        out.append(Verdict("operators", FAIL, f"{where}: {type(e).__name__}: {e}"))
    return out


def _operators(settings, pepper: bytes) -> Verdict:
    path = settings.resolve(settings.maintenance.pins_path)
    if not path.exists():
        return Verdict("operators", WARN, "no operator PIN set: run `kiosk set-pin --operator ID`")
    store = PinStore(path, pepper)
    try:
        ids = store.operators()
    finally:
        store.close()
    if not ids:
        return Verdict("operators", WARN, "no operator PIN set: run `kiosk set-pin --operator ID`")
    return Verdict("operators", OK, f"{len(ids)} operator(s) with a PIN")


def check_journal(settings) -> list[Verdict]:
    """Directory writable; the file (when it exists) opened read-only and integrity-checked."""
    from kiosk.journal.store import Journal, JournalError
    from kiosk.settings.paths import file_problem

    path = settings.resolve(settings.journal.path)
    problem = file_problem(path)  # a folder in its place, no permission, read-only, no parent
    if problem:
        return [Verdict("journal", FAIL, problem)]
    if not path.exists():
        return [Verdict("journal", WARN, f"{path} does not exist yet (created on first run)")]
    try:
        journal = Journal.open_readonly(path, tz=settings.journal.timezone)
        try:
            attention = len(journal.needing_attention())
        finally:
            journal.close()
        result = _integrity(path)
    except (JournalError, sqlite3.Error) as e:
        return [Verdict("journal", FAIL, f"{path}: {e}")]
    if result != "ok":
        return [Verdict("journal", FAIL, f"{path}: integrity check failed: {result}")]
    size_kb = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) // 1024
    out = [Verdict("journal", OK, f"{path} ({size_kb} KB), integrity ok")]
    if attention:
        out.append(Verdict("attention", WARN, f"{attention} transaction(s) need an operator"))
    return out


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def check_terminal(kind: str, device, error: str = "") -> Verdict:
    if kind == "none":
        return Verdict("card terminal", WARN, "not configured: card payments off (QR only)")
    if device is None:
        return Verdict("card terminal", FAIL, error or "no device")
    try:
        status = device.status()
    except Exception as e:
        return Verdict("card terminal", FAIL, f"no answer: {e}")
    if status.state in (DeviceState.ONLINE, DeviceState.BUSY):
        return Verdict("card terminal", OK, f"{status.state.value} {status.detail}".strip())
    return Verdict("card terminal", FAIL, f"{status.state.value} {status.detail}".strip())


def check_printer(kind: str, device, error: str = "") -> Verdict:
    if kind == "none":
        return Verdict("printer", WARN, "not configured: e-receipts only")
    if device is None:
        return Verdict("printer", FAIL, error or "no device")
    try:
        status = device.status()
    except Exception as e:
        return Verdict("printer", FAIL, f"no answer: {e}")
    if not status.usable:
        return Verdict("printer", FAIL, f"{status.state.value} {status.detail}".strip())
    if status.cover_open:
        return Verdict("printer", FAIL, "cover open")
    if status.paper == PaperState.OUT:
        return Verdict("printer", FAIL, "paper out: load a roll (customers get e-receipts only)")
    if status.paper == PaperState.LOW:
        return Verdict("printer", WARN, "paper low: replace the roll soon")
    return Verdict("printer", OK, f"online, paper {status.paper.value}")


def check_backend(client, slow_ms: int = 1000) -> Verdict:
    """A signed read (a payment that does not exist): 404 means reachable and signature accepted."""
    from kiosk.backend.errors import Ambiguous, BackendError, Refused

    started = time.monotonic()
    try:
        client.get_payment(f"DOCTOR-PROBE-{int(time.time())}")
    except Refused as e:
        if e.http_status == 401:
            return Verdict("backend", FAIL, "reachable, but the signature was refused: check the secret")
        return Verdict("backend", FAIL, f"refused: {e.http_status} {e.code}")
    except Ambiguous as e:
        return Verdict("backend", FAIL, f"unreachable: {e}")
    except BackendError as e:
        return Verdict("backend", FAIL, f"unexpected answer: {e}")
    ms = round((time.monotonic() - started) * 1000)
    level = WARN if ms > slow_ms else OK
    return Verdict("backend", level, f"reachable, signature accepted, {ms} ms")


def check_font(settings) -> Verdict:
    from kiosk.fonts import FontNotFound, cache_dir_for, font_path, is_flat

    try:
        faces = [font_path(language, bold, cache_dir=cache_dir_for(settings))
                 for language in ("zh-Hant", "zh-Hans") for bold in (False, True)]
    except FontNotFound as e:
        return Verdict("CJK font", FAIL, str(e))
    plain = [f.name for f in faces if f.suffix == ".otf" and not is_flat(f)]
    if plain:
        return Verdict("CJK font", WARN, f"{', '.join(plain)} not flattened: about 1.8 MB more "
                       "memory per text size; run `kiosk fonts --config <profile>`")
    return Verdict("CJK font", OK, str(faces[0]))


def check_disk(settings, usage=None) -> Verdict:
    path = settings.resolve(settings.journal.path)
    guard = DiskGuard(path, settings.journal.min_free_disk_mb, **({"usage": usage} if usage else {}))
    space = guard.check()
    text = f"{space.free_mb} MB free ({space.used_percent:.0f}% used)"
    if not space.enough:
        return Verdict("disk", FAIL, f"{text}: below journal.min_free_disk_mb = "
                                     f"{space.min_free_mb}: the kiosk will not sell")
    return Verdict("disk", OK, text)


def check_scanner(kind: str, device, error: str = "") -> Verdict:
    """The 2D barcode scanner: optional, so none is fine; configured, it must be there."""
    if kind == "none":
        return Verdict("barcode scanner", OK, "not configured: scanning payment codes off")
    if device is None:
        return Verdict("barcode scanner", FAIL, error or "no device")
    status = device.status()
    text = f"{status.state.value} {status.detail}".strip()
    return Verdict("barcode scanner", OK if status.usable else FAIL, text)
