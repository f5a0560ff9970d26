"""Customer text in three languages, from gettext catalogues read with Babel.

Catalogues live in ``config/locale/<zh_Hant|zh_Hans|en>/LC_MESSAGES/kiosk.po``; message ids are
keys (``confirm.title``, ``phone.error.landline``); ``{name}`` placeholders are filled from
keyword arguments. A language's catalogue is read the first time it is asked for, so start-up
reads only the default one. Plan names and promotion labels come from the backend's offers, not
from here.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from kiosk.settings import LANGUAGES

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "config" / "locale"
DOMAIN = "kiosk"
DEFAULT_LANGUAGE = "zh-Hant"
FALLBACK_LANGUAGE = "en"

# Families of message ids built at run time from codes ("phone.error." + code): every code listed
# here must have its message in every catalogue (tests/unit/test_i18n.py checks).
DYNAMIC_FAMILIES = {
    "phone.error.{}": ("too_short", "too_long", "landline", "bad_prefix", "looks_hk", "not_mobile"),
    "lookup_failed.{}.title": ("not_found", "suspended", "expired", "not_registered", "no_offers",
                               "backend_unavailable"),
    "lookup_failed.{}.body": ("not_found", "suspended", "expired", "not_registered", "no_offers",
                              "backend_unavailable"),
    "method.{}": ("wechatpay", "alipayhk", "alipay", "fps", "payme", "card"),
    "card_type.{}": ("hk_prepaid", "esim", "cross_border", "travel"),
    "stage.{}": ("STARTING", "PRESENT_CARD", "READING", "PIN_ENTRY", "AUTHORISING", "REMOVE_CARD"),
    "payment_failed.{}.title": ("declined", "expired", "customer", "unavailable"),
    "payment_failed.{}.body": ("declined", "expired", "customer", "unavailable"),
    "done.receipt.{}": ("printing", "printed", "paper_out", "failed", "no_printer"),
    "outcome.{}.title": ("refunded", "needs_attention"),
    "outcome.{}.body": ("refunded", "needs_attention"),
    "wait.{}.title": ("looking_up", "crediting", "refunding"),
    "wait.{}.body": ("looking_up", "crediting", "refunding"),
}


def dynamic_msgids() -> set[str]:
    """Every message id the code builds from a code at run time."""
    return {pattern.format(code) for pattern, codes in DYNAMIC_FAMILIES.items() for code in codes}


def folder(language: str) -> str:
    """The catalogue folder of a BCP 47 code: ``zh-Hant`` → ``zh_Hant``."""
    return language.replace("-", "_")


def catalogue_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / folder(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_messages(language: str, locale_dir: Path = LOCALE_DIR) -> dict[str, str]:
    """The non-empty translations of one catalogue, by message id."""
    from babel.messages.pofile import read_po  # imported when a catalogue is first needed

    with open(catalogue_path(language, locale_dir), "rb") as f:
        catalog = read_po(f, locale=folder(language), domain=DOMAIN)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}


class Translator:
    """``_(msgid, **values)`` for one language; a missing message falls back to English, then the id."""

    def __init__(self, language: str, messages: dict[str, str],
                 fallback: Callable[[], dict[str, str]] | None = None):
        self.language = language
        self._messages = messages
        self._fallback = fallback  # read only when a message is missing

    def __call__(self, msgid: str, **values) -> str:
        text = self._messages.get(msgid)
        if text is None:
            log.warning("no %s text for %r", self.language, msgid)
            text = (self._fallback() if self._fallback else {}).get(msgid, msgid)
        if not values:
            return text
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            log.warning("%s text for %r does not take %s", self.language, msgid, sorted(values))
            return text

    def has(self, msgid: str) -> bool:
        return msgid in self._messages

    def msgids(self) -> Iterable[str]:
        return self._messages.keys()


@functools.lru_cache(maxsize=len(LANGUAGES))
def translator(language: str = DEFAULT_LANGUAGE) -> Translator:
    """The translator of *language* (``zh-Hant``, ``zh-Hans``, ``en``), read once and kept."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    fallback = None if language == FALLBACK_LANGUAGE else _fallback_messages
    return Translator(language, load_messages(language), fallback)


def translate(msgid: str, language: str, **values) -> str:
    """``msgid`` in *language* with ``{name}`` placeholders filled: ``translate("card.expires", "en", date=…)``."""
    return translator(language)(msgid, **values)


def _fallback_messages() -> dict[str, str]:
    return translator(FALLBACK_LANGUAGE)._messages
