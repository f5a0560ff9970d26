"""Catalogue text as it is spoken: a ``speech.``-prefixed variant where the written text reads
badly aloud, else the written text; and the view's values (money, numbers, dates) as words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk import i18n
from kiosk.speech.words import date_words, digit_words, english_number, money_words

HK_TIME = ZoneInfo("Asia/Hong_Kong")


def say(msgid: str, language: str, **values) -> str:
    """``speech.<msgid>`` when the catalogue has a spoken variant, else ``<msgid>``."""
    spoken = "speech." + msgid
    if i18n.translator(language).has(spoken):
        return i18n.translate(spoken, language, **values)
    return i18n.translate(msgid, language, **values)


def localized(names: dict[str, str] | None, language: str) -> str:
    if not names:
        return ""
    return names.get(language) or names.get("en") or next(iter(names.values()))


def data_words(data_mb: int | None, language: str) -> str:
    """``10 GB`` spoken: "10 gigabytes" / "10GB" (the Chinese voices say GB and MB well)."""
    if data_mb is None:
        return i18n.translate("data.unlimited", language)
    if data_mb >= 1024:
        gb = data_mb / 1024
        amount = f"{gb:.0f}" if gb >= 10 or gb == int(gb) else f"{gb:.1f}"
        unit = "GB"
    else:
        amount, unit = str(data_mb), "MB"
    if language == "en":
        amount = english_number(int(float(amount))) if float(amount) == int(float(amount)) else amount
        return f"{amount} {'gigabytes' if unit == 'GB' else 'megabytes'}"
    return f"{amount}{unit}"


def when_words(when: datetime | None, language: str) -> str:
    """An aware datetime's Hong Kong date, spoken."""
    if when is None:
        return ""
    return date_words(when.astimezone(HK_TIME).date(), language)


def offer_words(offer, language: str) -> str:
    """One plan: its name, data and days, and the price as money."""
    if offer.validity_days:
        detail = say("offer.detail", language, data=data_words(offer.data_mb, language),
                     days=offer.validity_days)
    else:
        detail = say("offer.detail_keep_expiry", language, data=data_words(offer.data_mb, language))
    return say("focus.offer", language, name=localized(offer.name, language), detail=detail,
               price=money_words(offer.price_cents, language))


def method_words(method: str, language: str) -> str:
    return say("method." + method, language)


def number_words(msisdn_or_digits: str, language: str) -> str:
    return digit_words(msisdn_or_digits, language)


def reference_words(reference: str, language: str) -> str:
    """A reference like ``K01-20261203-0042`` spoken character by character."""
    out = []
    for ch in reference:
        if ch.isdigit():
            out.append(digit_words(ch, language))
        elif ch.isalpha():
            out.append(ch.upper())
    return (" " if language == "en" else "，").join(out)
