"""The settings' paths checked for what the kiosk will do with them.

The journal, the operators' PINs and the audit log are SQLite files the kiosk creates and writes
(with their ``-wal``/``-shm``/``.lock`` companions beside them), so each needs a folder that
exists or can be created and that this user can write; the log folder likewise; a CA bundle must
be a readable file. Relative paths are taken from ``kiosk.data_dir``, and a relative
``kiosk.data_dir`` from the current folder (systemd: ``WorkingDirectory=``), so the messages
give the absolute path.

These checks look at the disk, so they are not part of ``settings.load`` (a read-only command
such as ``kiosk journal list`` works on a copy the kiosk user owns): ``kiosk doctor`` shows them
as FAIL lines, and the commands that run the kiosk (``kiosk run``, ``kiosk robot``) call
``require`` before they open anything.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from kiosk.settings.sections import Settings, SettingsError

# Settings that name an SQLite file the kiosk creates and writes.
DATABASE_KEYS = ("journal.path", "maintenance.pins_path", "maintenance.audit_path")


def file_problem(path: Path) -> str | None:
    """Why the kiosk could not create, read and write a database file at *path* (None: it can)."""
    path = Path(os.path.abspath(path))
    if path.is_dir():
        return f"{path} is a folder, not a file"
    if path.exists() and _read_only(path.parent):
        return f"{path} is on a read-only file system"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return f"{path} cannot be read and written by this user ({_user()})"
    return folder_problem(path.parent)


def folder_problem(folder: Path) -> str | None:
    """Why the kiosk could not create files in *folder* (None: it can, creating it if need be)."""
    folder = Path(os.path.abspath(folder))
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a folder, so {folder} cannot be made"
    missing = "" if existing == folder else f"{folder} does not exist and cannot be created: "
    if _read_only(existing):
        return f"{missing}{existing} is on a read-only file system"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{missing}the folder {existing} is not writable by this user ({_user()})"
    return None


def problems(settings: Settings, journal: str | os.PathLike | None = None) -> list[tuple[str, str]]:
    """``(key, what is wrong)`` for each path the kiosk could not use; *journal* replaces
    ``journal.path`` (a command's ``--journal``)."""
    out = []
    for key in DATABASE_KEYS:
        name = journal if key == "journal.path" and journal else _value(settings, key)
        why = file_problem(settings.resolve(str(name)))
        if why:
            out.append((key, why + _relative_note(settings, name)))
    why = folder_problem(settings.resolve(settings.log.dir))
    if why:
        out.append(("log.dir", why + _relative_note(settings, settings.log.dir)))
    if settings.backend.ca_bundle:
        bundle = Path(os.path.abspath(settings.resolve(settings.backend.ca_bundle)))
        if not bundle.is_file() or not os.access(bundle, os.R_OK):
            out.append(("backend.ca_bundle", f"{bundle} is not a readable file"))
    return out


def require(settings: Settings, journal: str | os.PathLike | None = None) -> None:
    """Raise SettingsError naming the file, key and problem of the first unusable path."""
    found = problems(settings, journal)
    if found:
        key, why = found[0]
        raise SettingsError(f"{settings.source}: {key!r}: {why}")


def _relative_note(settings: Settings, name) -> str:
    if Path(os.path.expanduser(str(name))).is_absolute():
        return ""
    if Path(os.path.expanduser(settings.kiosk.data_dir)).is_absolute():
        return ""
    return (f" (kiosk.data_dir {settings.kiosk.data_dir!r} is relative: taken from the current "
            f"folder {os.getcwd()})")


def _value(settings: Settings, key: str) -> str:
    section, name = key.split(".")
    return getattr(getattr(settings, section), name)


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no name for this uid (a container): the number will do
        return f"uid {os.getuid()}"
