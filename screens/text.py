"""The screens' one door to the message catalogues and to locale-aware formatting.

``_(msgid, language, **values)`` is what every ``.kv`` and screen uses for customer text, so a
language switch re-renders every label bound to ``app.language``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk import i18n
from kiosk.flow.expiry import long_date
from kiosk.money.amounts import money  # noqa: F401 (the screens' one money formatter)

log = logging.getLogger(__name__)

HK_TIME = ZoneInfo("Asia/Hong_Kong")
LANGUAGE_NAMES = {"zh-Hant": "繁體中文", "zh-Hans": "简体中文", "en": "English"}


def _(msgid: str, language: str, **values) -> str:
    """The customer text *msgid* in *language*, with ``{name}`` placeholders filled."""
    return i18n.translate(msgid, language, **values)


def data_amount(data_mb: int | None, language: str) -> str:
    """``10 GB``, ``500 MB``, or the word for unlimited."""
    if data_mb is None:
        return _("data.unlimited", language)
    if data_mb >= 1024:
        gb = data_mb / 1024
        return f"{gb:.0f} GB" if gb >= 10 or gb == int(gb) else f"{gb:.1f} GB"
    return f"{data_mb} MB"


def date_text(when: datetime | None, language: str) -> str:
    """A date in Hong Kong time, written the customer's way (``2026年12月1日``, ``1 December 2026``)."""
    if when is None:
        return "—"
    return long_date(when.astimezone(HK_TIME).date(), language)


def offer_detail(offer, language: str) -> str:
    """``10 GB · 30-day plan``; an add-on without days of its own keeps the current expiry."""
    data = data_amount(offer.data_mb, language)
    if not offer.validity_days:
        return _("offer.detail_keep_expiry", language, data=data)
    return _("offer.detail", language, data=data, days=offer.validity_days)


def localized(names: dict[str, str], language: str) -> str:
    """A backend-supplied name (plan, promotion label) in *language*, else any language given."""
    if not names:
        return ""
    return names.get(language) or names.get("en") or next(iter(names.values()))
