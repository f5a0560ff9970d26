"""Numbers, money, phone numbers and dates as they are spoken, in each customer language.

The written forms (``HK$88.20``, ``9123 4567``, ``2026年12月1日``) read badly through a speech
engine: ``HK$88.20`` becomes "H K dollar eighty-eight point two zero". These give the words:
"eighty-eight dollars twenty", "港幣八十八元二角", digits one by one.
"""

from __future__ import annotations

from datetime import date

_EN_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_MONTHS = ("January February March April May June July August September October November "
              "December").split()
_ZH_DIGITS = "零一二三四五六七八九"


def english_number(n: int) -> str:
    """``88`` → ``eighty-eight``; ``1234`` → ``one thousand two hundred and thirty-four``."""
    if n < 0:
        return "minus " + english_number(-n)
    if n < 20:
        return _EN_ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_EN_ONES[hundreds]} hundred" + (f" and {english_number(rest)}" if rest else "")
    for size, word in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= size:
            high, rest = divmod(n, size)
            tail = ""
            if rest:
                tail = (" and " if rest < 100 else " ") + english_number(rest)
            return f"{english_number(high)} {word}{tail}"
    raise AssertionError(n)  # pragma: no cover


def chinese_number(n: int) -> str:
    """``88`` → ``八十八``; ``10`` → ``十``; ``105`` → ``一百零五``; ``20000`` → ``二萬``/``二万``
    is left to the caller's script (``chinese_number`` writes 萬, ``simplified`` turns it 万)."""
    if n < 0:
        return "負" + chinese_number(-n)
    if n < 10:
        return _ZH_DIGITS[n]
    if n < 20:
        return "十" + (_ZH_DIGITS[n - 10] if n > 10 else "")
    if n >= 10**8:
        high, rest = divmod(n, 10**8)
        return chinese_number(high) + "億" + _zh_rest(rest, 10**7)
    if n >= 10**4:
        high, rest = divmod(n, 10**4)
        return chinese_number(high) + "萬" + _zh_rest(rest, 1000)
    out, zero = "", False
    for size, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, size)
        if digit:
            if zero:
                out += "零"
            out += _ZH_DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def _zh_rest(rest: int, lead: int) -> str:
    if not rest:
        return ""
    text = chinese_number(rest)
    if rest < lead:
        text = "零" + (text if rest >= 20 or rest < 10 else "一" + text)
    return text


def _simplified(text: str) -> str:
    return text.translate(str.maketrans("萬億負幣", "万亿负币"))


def money_words(cents: int, language: str) -> str:
    """HKD *cents* spoken: ``港幣八十八元二角``, ``港币八十八元二角``, ``eighty-eight dollars twenty``."""
    cents = int(cents)
    dollars, rest = divmod(abs(cents), 100)
    if language == "en":
        words = f"{english_number(dollars)} {'dollar' if dollars == 1 else 'dollars'}"
        if rest:
            words += f" {english_number(rest)}"
        return ("minus " if cents < 0 else "") + words
    jiao, fen = divmod(rest, 10)
    words = "港幣" + ("負" if cents < 0 else "") + chinese_number(dollars) + "元"
    if jiao:
        words += _ZH_DIGITS[jiao] + "角"
    if fen:
        words += ("零" if not jiao else "") + _ZH_DIGITS[fen] + "分"
    if not rest:
        words += "正"
    return _simplified(words) if language == "zh-Hans" else words


def digit_words(digits: str, language: str) -> str:
    """Each digit on its own, as a phone number is read: ``9123`` → ``nine, one, two, three``,
    ``九 一 二 三``; other characters (spaces, ``+``) are dropped, ``+`` said as "plus"."""
    out = []
    for ch in digits:
        if ch.isdigit():
            out.append(_EN_ONES[int(ch)] if language == "en" else _ZH_DIGITS[int(ch)])
        elif ch == "+":
            out.append("plus" if language == "en" else "加")
    return (", " if language == "en" else "，").join(out)


def date_words(day: date, language: str) -> str:
    """A date spoken: ``the 1st of December 2026``; ``二零二六年十二月一日``."""
    if language == "en":
        return f"{_ordinal(day.day)} {_EN_MONTHS[day.month - 1]} {english_year(day.year)}"
    year = "".join(_ZH_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{chinese_number(day.month)}月{chinese_number(day.day)}日"


def english_year(year: int) -> str:
    """``2026`` → ``twenty twenty-six``; ``2005`` → ``two thousand and five``."""
    high, low = divmod(year, 100)
    if 1100 <= year < 10000 and low and not (2000 <= year < 2010):
        return f"{english_number(high)} {'oh-' + english_number(low) if low < 10 else english_number(low)}"
    return english_number(year)


def _ordinal(n: int) -> str:
    words = english_number(n)
    irregular = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                 "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}
    head, _, last = words.rpartition("-")
    if last in irregular:
        last = irregular[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"the {head + '-' if head else ''}{last} of"
