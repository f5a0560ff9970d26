"""HKD amounts as people read them: the one formatter for screens, receipts and reports.

Money is int cents everywhere; it becomes text only here, with no float on the way. Whole
dollars keep their cents (``HK$98.00``), so the screen, the receipt and the settlement report
show a price the same way.
"""

from __future__ import annotations


def hkd(cents: int) -> str:
    """``123456`` → ``1,234.56``; ``-500`` → ``-5.00``."""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d}"


def money(cents: int) -> str:
    """``8820`` → ``HK$88.20``; ``9800`` → ``HK$98.00``."""
    text = hkd(cents)
    return f"-HK${text[1:]}" if text.startswith("-") else f"HK${text}"
