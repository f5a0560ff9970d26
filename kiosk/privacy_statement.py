"""The Personal Information Collection Statement: a line on the number screen, the full text on a tap.

The Personal Data (Privacy) Ordinance asks whoever collects personal data to say, at or before
collection, what it is for, to whom it may go, and how to ask for access and correction. The
default text is in the message catalogues (``privacy.*``) and fills in the operator's name, the
journal's ``phone_retention_days`` and the contact from the settings; an operator replaces it
with ``privacy.statement_dir`` (``zh-Hant.txt``, ``zh-Hans.txt``, ``en.txt``, UTF-8, the same
``{operator}``, ``{retention}``, ``{days}`` and ``{contact}`` filled in). A file is read the
first time its language's statement is opened, never at start-up or on the way to a sale.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk import i18n

log = logging.getLogger(__name__)

FIELDS = ("operator", "retention", "days", "contact")


@dataclass(frozen=True)
class Statement:
    title: str
    body: str  # paragraphs separated by a blank line
    source: str  # "default", or the operator's file it came from


class PrivacyStatements:
    """The statement and the notice line in each language, from one kiosk's settings."""

    def __init__(self, settings):
        self._privacy = settings.privacy
        self._hotline = settings.kiosk.hotline
        self._days = settings.journal.phone_retention_days
        self._folder = settings.resolve(self._privacy.statement_dir) \
            if self._privacy.statement_dir else None
        self._cache: dict[str, Statement] = {}
        self._lock = threading.Lock()

    def notice(self, language: str) -> str:
        """The one line shown under the number (no file read: the common path)."""
        return i18n.translate("privacy.notice", language)

    def statement(self, language: str) -> Statement:
        with self._lock:
            if language not in self._cache:
                self._cache[language] = self._compose(language)
            return self._cache[language]

    def values(self, language: str) -> dict[str, str]:
        p = self._privacy
        return {
            "operator": p.operator_name or i18n.translate("privacy.operator", language),
            "retention": i18n.translate_plural("privacy.retention", self._days, language),
            "days": str(self._days),
            "contact": p.contact or i18n.translate("privacy.contact_hotline", language,
                                                   hotline=self._hotline),
        }

    def _compose(self, language: str) -> Statement:
        values = self.values(language)
        title = i18n.translate("privacy.title", language)
        text, source = self._operator_text(language), "default"
        if text is None:
            text = i18n.translate("privacy.body", language)
        else:
            source = str(self._folder / f"{language}.txt")
        return Statement(title, fill(text, values), source)

    def _operator_text(self, language: str) -> str | None:
        if self._folder is None:
            return None
        path = self._folder / f"{language}.txt"
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            log.warning("privacy statement %s not used (%s): showing the default text", path, e)
            return None
        if not text:
            log.warning("privacy statement %s is empty: showing the default text", path)
            return None
        return text


def fill(text: str, values: dict[str, str]) -> str:
    """Replace ``{operator}`` and the other known fields; any other brace is left as written
    (an operator's text is not a format string that can fail)."""
    for name in FIELDS:
        text = text.replace("{" + name + "}", values[name])
    return text


def check_folder(folder: Path) -> list[str]:
    """What is wrong with an operator's statement folder: missing or unreadable files."""
    problems = []
    for language in i18n.LANGUAGES:
        path = Path(folder) / f"{language}.txt"
        try:
            if not path.read_text(encoding="utf-8").strip():
                problems.append(f"{path}: empty")
        except (OSError, UnicodeDecodeError) as e:
            problems.append(f"{path}: {e}")
    return problems
