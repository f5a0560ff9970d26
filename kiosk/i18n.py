"""Customer text in three languages, from gettext catalogues.

Catalogues live in ``config/locale/<zh_Hant|zh_Hans|en>/LC_MESSAGES/kiosk.po``. Babel compiles a
catalogue to ``kiosk.mo`` beside it when the ``.mo`` is missing or older than the ``.po``, and the
standard library's gettext reads the ``.mo``: so a kiosk start does not import Babel (2 MB of the
start-up memory budget). Message ids are
keys (``confirm.title``, ``phone.error.landline``); ``{name}`` placeholders are filled from
keyword arguments. A language's catalogue is read the first time it is asked for, so start-up
reads only the default one. Plan names and promotion labels come from the backend's offers, not
from here.
"""

from __future__ import annotations

import functools
import gettext
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from kiosk.settings import LANGUAGES

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "config" / "locale"
DOMAIN = "kiosk"
DEFAULT_LANGUAGE = "zh-Hant"
FALLBACK_LANGUAGE = "en"

# Families of message ids built at run time from codes ("phone.error." + code): every code listed
# here must have its message in every catalogue (tests/kiosk/test_i18n.py checks).
DYNAMIC_FAMILIES = {
    "phone.error.{}": ("too_short", "too_long", "landline", "bad_prefix", "looks_hk", "not_mobile"),
    "lookup_failed.{}.title": ("not_found", "suspended", "expired", "not_registered", "no_offers",
                               "backend_unavailable"),
    "lookup_failed.{}.body": ("not_found", "suspended", "expired", "not_registered", "no_offers",
                              "backend_unavailable"),
    "method.{}": ("wechatpay", "alipayhk", "alipay", "fps", "payme", "card", "octopus"),
    "card_type.{}": ("hk_prepaid", "esim", "cross_border", "travel"),
    "stage.{}": ("STARTING", "PRESENT_CARD", "READING", "PIN_ENTRY", "AUTHORISING", "REMOVE_CARD",
                 "RETAP"),
    "payment_failed.{}.title": ("declined", "expired", "customer", "unavailable"),
    "payment_failed.{}.body": ("declined", "expired", "customer", "unavailable"),
    "payment_failed.hold.{}.title": ("monthly_cap_exceeded", "plan_not_eligible",
                                     "quote_expired", "other"),
    "payment_failed.hold.{}.body": ("monthly_cap_exceeded", "plan_not_eligible",
                                    "quote_expired", "other"),
    "done.receipt.{}": ("printing", "printed", "paper_out", "failed", "no_printer"),
    "outcome.{}.title": ("refunded", "needs_attention"),
    "outcome.{}.body": ("refunded", "needs_attention"),
    "wait.{}.title": ("looking_up", "crediting", "refunding"),
    "wait.{}.body": ("looking_up", "crediting", "refunding"),
    # Octopus: its declines, its outcomes, and the claim slip's printing
    "payment_failed.octopus.{}.title": ("IV", "BL", "LM"),
    "payment_failed.octopus.{}.body": ("IV", "BL", "LM"),
    "outcome.octopus.{}.title": ("incomplete", "refund_in_cash"),
    "outcome.octopus.{}.body": ("incomplete", "refund_in_cash"),
    "claim.slip.{}": ("printing", "printed", "failed"),
    "month.{}": tuple(str(m) for m in range(1, 13)),
    "card.expiry.{}": ("today", "tomorrow", "expired", "expired_today", "yesterday",
                       "in_days.one", "in_days.other", "days_ago.one", "days_ago.other"),
}

# Scan to pay: the choice and the journal's scan methods, and why a code did not pay.
DYNAMIC_FAMILIES["method.{}"] += ("scan", "scan_wechatpay", "scan_alipay")
SCAN_ERRORS = ("product_barcode", "wrong_length", "unknown_prefix", "not_digits", "empty",
               "same_code", "insufficient_funds", "code_expired", "code_used", "risk_declined",
               "bad_auth_code", "unavailable", "other")
DYNAMIC_FAMILIES["scan.error.{}"] = SCAN_ERRORS
DYNAMIC_FAMILIES["scan.how.{}"] = ("wechatpay", "alipayhk", "alipay")


def dynamic_msgids() -> set[str]:
    """Every message id the code builds from a code at run time."""
    return {pattern.format(code) for pattern, codes in DYNAMIC_FAMILIES.items() for code in codes}


def folder(language: str) -> str:
    """The catalogue folder of a BCP 47 code: ``zh-Hant`` → ``zh_Hant``."""
    return language.replace("-", "_")


def catalogue_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / folder(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_messages(language: str, locale_dir: Path = LOCALE_DIR) -> dict[str, str]:
    """The non-empty translations of one catalogue, by message id (compiled first if stale)."""
    po = catalogue_path(language, locale_dir)
    mo = po.with_suffix(".mo")
    if not _is_fresh(mo, po):
        catalog = _read_po(po, language)
        try:
            _write_mo(catalog, mo)
        except OSError as e:  # a read-only install: use the catalogue as read
            log.warning("cannot write %s (%s): reading %s each start", mo, e.strerror, po.name)
            return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}
    with open(mo, "rb") as f:
        compiled = gettext.GNUTranslations(f)
    return {k: v for k, v in compiled._catalog.items() if k and isinstance(k, str) and v}


def _is_fresh(mo: Path, po: Path) -> bool:
    try:
        return mo.stat().st_mtime_ns >= po.stat().st_mtime_ns
    except FileNotFoundError:
        return False


def _read_po(po: Path, language: str):
    from babel.messages.pofile import read_po  # only when a catalogue must be compiled

    with open(po, "rb") as f:
        return read_po(f, locale=folder(language), domain=DOMAIN)


def _write_mo(catalog, mo: Path) -> None:
    """Compile atomically, so a kiosk starting at the same moment never reads half a file."""
    from babel.messages.mofile import write_mo

    fd, tmp = tempfile.mkstemp(prefix=".kiosk-", suffix=".mo", dir=mo.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalog, use_fuzzy=True)
        os.replace(tmp, mo)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def plural_category(count: int, language: str) -> str:
    """The CLDR plural category of a whole *count*: English has ``one`` (1) and ``other``;
    Chinese has only ``other``. A message with plurals has one id per category (``….one``)."""
    return "one" if language == "en" and count == 1 else "other"


def translate_plural(msgid: str, count: int, language: str, **values) -> str:
    """The form of ``msgid`` for *count* (``msgid.one`` / ``msgid.other``), ``{n}`` filled."""
    return translate(f"{msgid}.{plural_category(count, language)}", language, n=count, **values)


def _fallback_messages() -> dict[str, str]:
    return translator(FALLBACK_LANGUAGE)._messages
