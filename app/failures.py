"""Expected failures of a ``kiosk`` command as one line for the operator, never a traceback.

``guarded(func, args)`` runs a command's function: bad settings, a journal that cannot be
opened, read or written (a folder in its place, no permission, a read-only mount, a missing
parent, a corrupt page, a full disk) and other operating system errors on files come out as
``kiosk: …`` on stderr with an exit status; a reader that went away (``kiosk journal list |
head``) ends the command quietly, as ``cat`` or ``ls`` would. The traceback is still logged at
DEBUG for whoever reads the log.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

SETTINGS_STATUS = 2  # the settings are wrong: nothing was tried
FAILED_STATUS = 1  # a file, the journal or the disk refused
PIPE_STATUS = 141  # 128 + SIGPIPE, as a shell reports a reader that went away
INTERRUPTED_STATUS = 130


def guarded(func: Callable, args) -> int:
    """Run ``func(args)``; its exit status, or the status of an expected failure (printed)."""
    from kiosk.journal.models import JournalError
    from kiosk.settings import SettingsError

    try:
        status = int(func(args) or 0)
        sys.stdout.flush()  # a reader that went away shows here, not at interpreter exit
        return status
    except BrokenPipeError:
        _quiet_stdout()
        return PIPE_STATUS
    except KeyboardInterrupt:
        return INTERRUPTED_STATUS
    except SettingsError as e:
        return _say(f"settings error: {e}", SETTINGS_STATUS)
    except JournalError as e:
        return _say(str(e), FAILED_STATUS)
    except sqlite3.Error as e:  # one not mapped to a journal error on its way out
        from kiosk.journal.schema import map_error

        journal = getattr(args, "journal", None)
        text = str(map_error(e, journal)) if journal else f"SQLite: {e}"
        return _say(text + _path_hint(args), FAILED_STATUS)
    except OSError as e:
        return _say(describe_os_error(e) + _path_hint(args), FAILED_STATUS)


def _path_hint(args) -> str:
    """The settings' unusable paths, which usually explain a bare SQLite or system error."""
    try:
        from kiosk.settings import load
        from kiosk.settings.paths import problems

        found = problems(load(getattr(args, "config", None)), getattr(args, "journal", None))
    except Exception:  # only a hint: without settings there is nothing to add
        return ""
    return f" ({'; '.join(f'{key}: {why}' for key, why in found)})" if found else ""


def describe_os_error(e: OSError) -> str:
    """``<file>: <what the system said>``, the full disk with how much is left."""
    where = f"{e.filename}: " if e.filename else ""
    if e.errno == errno.ENOSPC:
        from kiosk.journal.schema import free_bytes

        free = free_bytes(Path(e.filename)) if e.filename else -1
        left = f" ({free / 1048576:.1f} MB free)" if free >= 0 else ""
        return f"{where}the disk is full{left}: free some space"
    if e.errno == errno.EROFS:
        return f"{where}read-only file system: the kiosk cannot write there"
    return f"{where}{e.strerror or e}"


def _say(text: str, status: int) -> int:
    log.debug("command failed", exc_info=True)
    try:
        print(f"kiosk: {text}", file=sys.stderr, flush=True)
    except OSError:
        pass
    return status


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
