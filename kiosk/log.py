"""Logging set-up: named loggers, a rotating file plus the console, a separate wire log.

Device drivers write their bytes to loggers under ``wire.`` (``wire.card_terminal``…) at DEBUG;
those go to ``wire.log`` only. Every handler carries the redaction filter, so no full phone
number, card number or secret reaches any log.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from contract.redact import Redactor
from kiosk.private_files import LOG_MODE, make_dirs, open_private

WIRE_LOGGER = "wire"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactionFilter(logging.Filter):
    """Renders the record's message once, redacted, so arguments cannot leak afterwards."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self.redactor(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0640 whatever the umask (also after rotation)."""

    def _open(self):
        fd = open_private(self.baseFilename, os.O_WRONLY | os.O_APPEND, LOG_MODE)
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors)


def setup(log_dir: Path, level: str = "INFO", max_bytes: int = 5_242_880, backup_count: int = 5,
          wire: bool = True, console: bool = True, secrets: tuple[str, ...] = ()) -> Redactor:
    """Configure the ``kiosk``-wide handlers once; returns the redactor so callers add secrets.

    Library modules only ever call ``logging.getLogger(__name__)``; this is the one place that
    attaches handlers (to the root logger, as the application owns the process).
    """
    redactor = Redactor(secrets)
    redaction = RedactionFilter(redactor)
    formatter = logging.Formatter(_FORMAT)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level.upper())

    make_dirs(log_dir)
    app_file = PrivateRotatingFileHandler(
        log_dir / "kiosk.log", maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8")
    handlers: list[logging.Handler] = [app_file]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(redaction)
        root.addHandler(handler)

    wire_logger = logging.getLogger(WIRE_LOGGER)
    for handler in list(wire_logger.handlers):
        wire_logger.removeHandler(handler)
        handler.close()
    wire_logger.propagate = False
    if wire:
        wire_file = PrivateRotatingFileHandler(
            log_dir / "wire.log", maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8")
        wire_file.setFormatter(formatter)
        wire_file.addFilter(redaction)
        wire_logger.addHandler(wire_file)
        wire_logger.setLevel(logging.DEBUG)
    else:
        wire_logger.addHandler(logging.NullHandler())
    return redactor


def setup_from_settings(settings, console: bool = True) -> Redactor:
    """Logging as the settings say, with the backend secret registered for redaction."""
    try:
        secret = settings.backend_secret()
    except ValueError:
        secret = ""
    return setup(settings.resolve(settings.log.dir), settings.log.level, settings.log.max_bytes,
                 settings.log.backup_count, settings.log.wire, console, (secret,))
