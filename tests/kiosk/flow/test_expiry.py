"""A card's expiry as the customer reads it: Hong Kong calendar days from the injected clock, in
three languages, whatever the machine's own time zone."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk import i18n
from kiosk.flow import expiry

HK_TIME = ZoneInfo("Asia/Hong_Kong")


def hk(*args) -> datetime:
    return datetime(*args, tzinfo=HK_TIME)


@dataclass(frozen=True)
class Balance:
    data_mb_left: int | None
    expires_at: datetime | None


@dataclass(frozen=True)
class Subscriber:
    status: str
    balance: Balance


@dataclass(frozen=True)
class Offer:
    validity_days: int
    new_expires_at: datetime | None


@pytest.fixture(params=["Asia/Hong_Kong", "UTC", "America/New_York", "Pacific/Chatham"])
def machine_tz(request):
    """The machine's own TZ (time.localtime, naive datetimes) set to a zone: it must not matter."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def text_at(now: datetime, expires_at: datetime, status: str = "active",
            language: str = "en") -> str:
    state = expiry.expiry_state(expires_at.astimezone(UTC), now.timestamp(), HK_TIME, status)
    return expiry.state_text(state, language)


@pytest.mark.parametrize("now, expires_at, expected", [
    # The demo's own cards: 23:59:59 on the last day.
    (hk(2026, 12, 3, 10, 15), hk(2026, 12, 12, 23, 59, 59), "Expires in 9 days"),
    (hk(2026, 12, 3, 10, 15), hk(2026, 12, 5, 23, 59, 59), "Expires in 2 days"),
    (hk(2026, 12, 3, 10, 15), hk(2026, 12, 4, 23, 59, 59), "Expires tomorrow"),
    (hk(2026, 12, 3, 10, 15), hk(2026, 12, 3, 23, 59, 59), "Expires today"),
    (hk(2026, 12, 3, 10, 15), hk(2026, 12, 3, 9, 0), "Expired today"),
    (hk(2026, 12, 3, 10, 15), hk(2026, 12, 2, 23, 59, 59), "Expired yesterday"),
    (hk(2026, 12, 3, 10, 15), hk(2026, 11, 30, 23, 59, 59), "Expired 3 days ago"),
    # Hong Kong days, not UTC days: 00:30 HKT on 4 Dec is still 3 Dec in UTC.
    (hk(2026, 12, 4, 0, 30), hk(2026, 12, 4, 23, 59, 59), "Expires today"),
    (hk(2026, 12, 3, 23, 59), hk(2026, 12, 4, 0, 1), "Expires tomorrow"),  # in two minutes
    (hk(2026, 12, 4, 0, 0, 30), hk(2026, 12, 3, 23, 59, 59), "Expired yesterday"),  # 31 s ago
    # Month and year boundaries.
    (hk(2026, 11, 30, 22, 0), hk(2026, 12, 2, 23, 59, 59), "Expires in 2 days"),
    (hk(2027, 12, 31, 23, 58), hk(2028, 1, 1, 23, 59, 59), "Expires tomorrow"),
    (hk(2027, 12, 31, 23, 58), hk(2028, 1, 9, 23, 59, 59), "Expires in 9 days"),
    (hk(2028, 1, 1, 0, 0, 30), hk(2027, 12, 30, 23, 59, 59), "Expired 2 days ago"),
    # The leap day counts.
    (hk(2028, 2, 28, 12, 0), hk(2028, 3, 1, 23, 59, 59), "Expires in 2 days"),
    (hk(2028, 2, 29, 9, 15), hk(2028, 3, 1, 23, 59, 59), "Expires tomorrow"),
    (hk(2028, 2, 29, 9, 15), hk(2028, 2, 28, 23, 59, 59), "Expired yesterday"),
    (hk(2028, 3, 1, 10, 0), hk(2028, 2, 28, 23, 59, 59), "Expired 2 days ago"),
    (hk(2027, 3, 1, 10, 0), hk(2027, 2, 27, 23, 59, 59), "Expired 2 days ago"),  # no 29 Feb
    (hk(2028, 2, 1, 10, 0), hk(2028, 3, 1, 23, 59, 59), "Expires in 29 days"),
])
def test_days_are_hong_kong_calendar_days_from_the_clock(machine_tz, now, expires_at, expected):
    assert text_at(now, expires_at) == expected


def test_the_backend_saying_expired_wins_over_a_date_still_ahead():
    now = hk(2026, 12, 3, 10, 15)
    assert text_at(now, hk(2026, 12, 3, 23, 59, 59), status="expired") == "Expired today"
    assert text_at(now, hk(2026, 12, 5, 23, 59, 59), status="expired") == "Expired"


@pytest.mark.parametrize("language, ahead, past", [
    ("en", "Expires in 9 days", "Expired 3 days ago"),
    ("zh-Hant", "9 日後到期", "已過期 3 日"),
    ("zh-Hans", "9 天后到期", "已过期 3 天"),
])
def test_the_state_in_each_language(language, ahead, past):
    now = hk(2026, 12, 3, 10, 15)
    assert text_at(now, hk(2026, 12, 12, 23, 59, 59), language=language) == ahead
    assert text_at(now, hk(2026, 11, 30, 23, 59, 59), language=language) == past


@pytest.mark.parametrize("language, one, two", [
    ("en", "Expires in 1 day", "Expires in 2 days"),
    ("zh-Hant", "1 日後到期", "2 日後到期"),
    ("zh-Hans", "1 天后到期", "2 天后到期"),
])
def test_english_says_one_day_and_two_days_chinese_has_one_form(language, one, two):
    assert i18n.translate_plural("card.expiry.in_days", 1, language) == one
    assert i18n.translate_plural("card.expiry.in_days", 2, language) == two
    assert i18n.translate_plural("card.expiry.days_ago", 1, "en") == "Expired 1 day ago"


def test_no_expiry_has_no_state():
    assert expiry.expiry_state(None, hk(2026, 12, 3).timestamp(), HK_TIME) is None
    card = Subscriber("active", Balance(None, None))
    assert expiry.card_expiry(card, hk(2026, 12, 3).timestamp(), HK_TIME, "en") is None


def test_an_active_card_gives_its_date_and_how_far_off():
    card = Subscriber("active", Balance(1229, hk(2026, 12, 12, 23, 59, 59).astimezone(UTC)))
    lines = expiry.card_expiry(card, hk(2026, 12, 3, 10, 15).timestamp(), HK_TIME, "en")
    assert lines == expiry.CardExpiry("Valid until 12 December 2026", "Expires in 9 days", "",
                                      False)


def test_an_expired_card_says_so_and_what_a_top_up_does():
    card = Subscriber("expired", Balance(0, hk(2026, 12, 2, 23, 59, 59).astimezone(UTC)))
    now = hk(2026, 12, 3, 10, 15).timestamp()
    assert expiry.card_expiry(card, now, HK_TIME, "zh-Hant") == expiry.CardExpiry(
        "已於 2026年12月2日 過期", "昨日已過期", "增值即可恢復使用，新計劃由今日起計。", True)
    lines = expiry.card_expiry(card, now, HK_TIME, "en")
    assert (lines.date_line, lines.state) == ("Expired on 2 December 2026", "Expired yesterday")
    assert "today" in lines.revival


def test_a_card_past_its_date_that_the_backend_calls_active_promises_no_revival():
    card = Subscriber("active", Balance(0, hk(2026, 12, 2, 23, 59, 59).astimezone(UTC)))
    lines = expiry.card_expiry(card, hk(2026, 12, 3, 10, 15).timestamp(), HK_TIME, "en")
    assert (lines.state, lines.revival, lines.expired) == ("Expired yesterday", "", True)


CURRENT = hk(2026, 12, 12, 23, 59, 59).astimezone(UTC)


@pytest.mark.parametrize("offer, language, expected", [
    (Offer(30, CURRENT + timedelta(days=30)), "en", "New expiry: 11 January 2027"),
    (Offer(30, CURRENT + timedelta(days=30)), "zh-Hant", "新有效期至 2027年1月11日"),
    (Offer(0, CURRENT), "en", "Keeps your current expiry: 12 December 2026"),
    (Offer(0, CURRENT), "zh-Hans", "沿用现有有效期，至 2026年12月12日"),
    (Offer(30, None), "en", ""),  # the backend did not say: nothing is promised
])
def test_what_a_plan_does_to_the_expiry(offer, language, expected):
    assert expiry.plan_expiry(offer, CURRENT, HK_TIME, language) == expected


def test_the_new_expiry_is_a_hong_kong_date():
    late = Offer(7, datetime(2026, 12, 19, 16, 30, tzinfo=UTC))  # 00:30 on 20 Dec in Hong Kong
    assert expiry.plan_expiry(late, CURRENT, HK_TIME, "en") == "New expiry: 20 December 2026"


def test_view_texts_are_empty_without_a_subscriber_and_follow_the_offer():
    now = hk(2026, 12, 3, 10, 15).timestamp()
    assert expiry.view_texts(None, None, now, HK_TIME, "en") == {"card_expiry": None,
                                                                  "plan_expiry": ""}
    card = Subscriber("active", Balance(1229, CURRENT))
    texts = expiry.view_texts(card, None, now, HK_TIME, "en")
    assert texts["card_expiry"].state == "Expires in 9 days" and texts["plan_expiry"] == ""
    texts = expiry.view_texts(card, Offer(0, CURRENT), now, HK_TIME, "en")
    assert texts["plan_expiry"] == "Keeps your current expiry: 12 December 2026"
