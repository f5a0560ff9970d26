"""Support bundles: one redacted tar.gz an engineer can read off-site.

A bundle holds the doctor's verdicts, the last health state and its history, the last lines
of each log (``kiosk.log``, ``wire.log``), the journal rows still open or needing attention,
versions, the update state and the settings with every secret removed. Every file passes
through the log redactor (phone and card numbers keep only their last 4 digits; the backend
secret and PIN pepper are replaced) before it is added, and secret-looking settings keys are
dropped; auth codes and full numbers never leave the journal.

``build_bundle`` is used by ``kiosk support-bundle`` and by the heartbeat command
``support_bundle`` (the path goes back in the next heartbeat).
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import platform
import re
import sys
import tarfile
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from contract.redact import Redactor
from kiosk import __version__
from kiosk.ops.health_record import HISTORY_NAME

log = logging.getLogger(__name__)

_SECRET_KEY = re.compile(r"(?i)(secret|pepper|password|token|pin$|^pin)")
_DROPPED_ROW_FIELDS = ("msisdn", "auth_code", "balance_json")
_AUTH_CODE = re.compile(r"(?i)(auth(?:[_ ]?code)?[\"']?\s*[:= ]\s*[\"']?)([A-Za-z0-9]{2,12})")
PACKAGES = ("hk-topup-kiosk", "kivy", "requests", "prometheus_client", "pyserial",
            "python-statemachine", "qrcode", "pillow")


def secrets_of(settings) -> tuple[str, ...]:
    """The secret values this kiosk knows (to replace wherever they appear)."""
    values = []
    try:
        values.append(settings.backend_secret())
    except Exception:
        pass
    if settings.backend.secret:
        values.append(settings.backend.secret)
    name = settings.maintenance.pepper_env
    if name and os.environ.get(name):
        values.append(os.environ[name])
    return tuple(v for v in values if v)


def redacted_settings(settings) -> dict:
    """The settings as data with every secret-looking key's value removed."""
    def clean(tree):
        if isinstance(tree, dict):
            return {k: ("<removed>" if _SECRET_KEY.search(k) and not k.endswith(("_env", "_path"))
                         and v not in ("", None) else clean(v)) for k, v in tree.items()}
        if isinstance(tree, list | tuple):
            return [clean(v) for v in tree]
        return tree
    return clean(dataclasses.asdict(settings))


def tail(path: Path, lines: int) -> str:
    """The last *lines* lines of a text file ("" when it cannot be read)."""
    if lines <= 0:
        return ""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(deque(f, maxlen=lines))
    except OSError:
        return ""


def pending_rows(journal) -> list[dict]:
    """Open and needs-attention rows, without the full number, auth code or balance."""
    if journal is None:
        return []
    rows = list(journal.unfinished()) + list(journal.needing_attention())
    return [{k: v for k, v in t.public_dict().items() if k not in _DROPPED_ROW_FIELDS}
            for t in rows]


def versions() -> dict:
    out = {"kiosk": __version__, "python": sys.version.split()[0],
           "platform": platform.platform()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def build_bundle(settings, *, doctor: str, journal=None, out: Path | None = None,
                 extra_secrets: tuple[str, ...] = (), wall: Callable[[], float] = time.time) -> Path:
    """Write the bundle (to *out*, else into ``fleet.bundle_dir``); returns its path."""
    stamp = datetime.fromtimestamp(wall(), UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"support-{settings.kiosk.id}-{stamp}"
    out = Path(out) if out else settings.resolve(settings.fleet.bundle_dir) / f"{name}.tar.gz"
    redactor = Redactor(secrets_of(settings) + tuple(extra_secrets))

    def redact(text: str) -> str:
        return _AUTH_CODE.sub(lambda m: m.group(1) + "***", redactor(text))

    f = settings.fleet
    health_path = settings.resolve(f.health_path)
    log_dir = settings.resolve(settings.log.dir)
    files: dict[str, str] = {
        "doctor.txt": doctor,
        "health.json": _read(health_path) or "{}\n",
        HISTORY_NAME: _read(health_path.parent / HISTORY_NAME),
        "journal-pending.json": json.dumps(pending_rows(journal), indent=1, ensure_ascii=False,
                                           default=str),
        "versions.json": json.dumps(versions(), indent=1),
        "settings.json": json.dumps(redacted_settings(settings), indent=1, ensure_ascii=False),
        "update-state.json": _read(settings.resolve(f.update_state_path)) or "{}\n",
    }
    for log_name in ("kiosk.log", "wire.log"):
        files[f"logs/{log_name}"] = tail(log_dir / log_name, f.bundle_log_lines)
    files["MANIFEST.txt"] = "\n".join(
        [f"support bundle of kiosk {settings.kiosk.id}, {stamp}, version {__version__}",
         "every file redacted: phone and card numbers keep their last 4 digits;",
         "secrets, PINs, auth codes and full numbers are not included.", ""] + sorted(files)) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            for member, text in files.items():
                data = redact(text).encode("utf-8")
                info = tarfile.TarInfo(f"{name}/{member}")
                info.size, info.mtime, info.mode = len(data), int(wall()), 0o600
                tar.addfile(info, io.BytesIO(data))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.info("support bundle written: %s", out)
    return out


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def light_doctor(settings, health=None, fleet=None) -> str:
    """Doctor items that do not open devices or the backend (safe while the kiosk runs),
    plus the live health state: what a bundle built by the running kiosk carries."""
    from kiosk.maintenance import checks
    from kiosk.ops.metrics_check import check_metrics

    verdicts = checks.check_settings(settings) + checks.check_journal(settings)
    verdicts += [checks.check_font(settings), checks.check_disk(settings)]
    verdicts += check_metrics(settings, timeout_s=1.0)
    lines = [f"{v.level:<5} {v.item:<16}  {v.message}" for v in verdicts]
    if health is not None:  # the running kiosk's HealthMonitor
        h = health.snapshot()
        lines += ["", f"health now: {h.state} ({', '.join(h.reasons) or 'no reasons'})",
                  f"devices: {h.device_summary()}", f"backend reachable: {h.backend_reachable}"]
    metrics = getattr(fleet, "metrics", None)
    if metrics is not None and (metrics.listen_error or metrics.textfile_error):
        lines.append(f"metrics problems: {metrics.listen_error or ''} {metrics.textfile_error or ''}")
    return "\n".join(lines) + "\n"
