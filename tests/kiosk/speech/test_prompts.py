"""Every customer screen's prompt in the three languages, from a controller driven by fakes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from kiosk import i18n
from kiosk.backend.models import Balance
from kiosk.flow.machine import CUSTOMER_STATES, MONEY_STATES
from kiosk.money.events import CardProgress, Credited, Paid
from kiosk.settings import LANGUAGES
from kiosk.speech import prompts
from kiosk.speech.narrator import Focus, Narrator
from tests.kiosk.flow.rig import make_rig, qr_ready, to_confirming

SPOKEN_STATES = sorted(CUSTOMER_STATES | MONEY_STATES | {"attract", "out_of_service"})


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", SPOKEN_STATES)
def test_every_customer_state_has_a_spoken_prompt_in_every_language(state, language):
    assert i18n.translator(language).has(f"speech.screen.{state}")


class Heard:
    def __init__(self):
        self.lines = []

    def __call__(self, state, language, text):
        self.lines.append((state, language, text))


def narrated(language="en", public_speaker=False):
    rig = make_rig()
    narrator = Narrator(None, prompts.SpeechContext(public_speaker=public_speaker))
    narrator.enabled = True
    heard = Heard()
    narrator.sinks.append(heard)
    rig.controller.subscribe(narrator.on_view)
    rig.controller.set_language(language)
    return rig, narrator, heard


def test_a_card_purchase_is_narrated_with_money_as_money_and_the_result_read_back():
    rig, narrator, heard = narrated("en")
    c = rig.controller
    to_confirming(rig)
    c.pay("card")
    rig.emit(CardProgress(rig.txn(), "PRESENT_CARD"))
    rig.emit(Paid(rig.txn()))
    rig.emit(Credited(rig.txn(), Balance(11469, datetime(2026, 12, 31, 4, tzinfo=UTC)), "T1"))
    states = [s for s, _, _ in heard.lines]
    for state in ("entering_number", "looking_up", "card_shown", "confirming", "paying_card",
                  "crediting", "done"):
        assert state in states
    text = {}
    for s, _, t in heard.lines:
        text.setdefault(s, t)  # the screen's prompt comes first, then what changed
    assert "eighty-eight dollars twenty" in text["confirming"]
    assert "nine, one, two, three, four, five, six, seven" in text["confirming"]
    assert "Tap, insert or swipe your card" in " ".join(t for s, _, t in heard.lines if s == "paying_card")
    done = text["done"]
    assert "Top-up complete" in done and "the thirty-first of December twenty twenty-six" in done
    assert "eighty-eight dollars twenty" in done and "Reference" in done
    assert heard.lines[-1][2] == "Scan the code for your e-receipt."  # the receipt, when known
    narrator.repeat()
    assert heard.lines[-1][:2] == ("done", "en") and "Top-up complete" in heard.lines[-1][2]


@pytest.mark.parametrize("language, amount", [("zh-Hant", "港幣八十八元二角"), ("zh-Hans", "港币八十八元二角")])
def test_chinese_prompts_speak_hong_kong_dollars(language, amount):
    rig, _narrator, heard = narrated(language)
    to_confirming(rig)
    rig.controller.pay("fps")
    qr_ready(rig)
    assert amount in [t for s, _, t in heard.lines if s == "confirming"][0]
    paying = [t for s, _, t in heard.lines if s == "paying_qr"]
    assert amount in paying[0] and len(paying) == 2  # the screen, then "the code is ready"


@pytest.mark.parametrize("public", [False, True])
def test_the_owner_hint_is_not_read_on_a_public_speaker(public):
    rig, _narrator, heard = narrated("en", public_speaker=public)
    rig.controller.start()
    for d in "91234567":
        rig.controller.press_digit(d)
    rig.controller.submit_number()
    rig.post.run_pending()
    card = [t for s, _, t in heard.lines if s == "card_shown"][0]
    assert ("CHAN T M" in card) is not public and "*" not in card
    assert "Number ending four, five, six, seven" in card


def test_typing_is_echoed_and_an_error_is_read():
    rig, _narrator, heard = narrated("en")
    c = rig.controller
    c.start()
    c.press_digit("2")
    c.submit_number()
    said = [t for _, _, t in heard.lines]
    assert "two" in said
    assert any("landline" in t.lower() or "mobile number" in t.lower() for t in said[-1:])
    c.backspace()
    assert heard.lines[-1][2] == "Number cleared."


def test_focus_says_the_plan_with_its_price_and_its_place():
    rig, narrator, heard = narrated("en")
    to_confirming(rig)
    c = rig.controller
    c.back()
    first = c.view.offers[0]
    narrator.focus(Focus("offer", first.quote_id, "", 1, len(c.view.offers)))
    assert heard.lines[-1][2].endswith("1 of 2.")
    assert "eighty-eight dollars twenty" in heard.lines[-1][2]


def test_a_disabled_narrator_says_and_logs_nothing():
    rig, narrator, heard = narrated("en")
    narrator.enabled = False
    heard.lines.clear()
    to_confirming(rig)
    assert heard.lines == []


def test_a_new_screen_needs_only_catalogue_entries(monkeypatch):
    """An undeclared state gets ``speech.screen.<state>`` with the common values."""
    rig = make_rig()
    to_confirming(rig)
    view = dataclasses.replace(rig.controller.view, method="fps", language="en")
    fake = {"speech.screen.paying_octopus": "Pay {amount} with Octopus."}
    translator = i18n.translator("en")
    monkeypatch.setattr(translator, "_messages", {**translator._messages, **fake})
    assert prompts.screen_prompt("paying_octopus", view) == "Pay eighty-eight dollars twenty with Octopus."


def test_choosing_another_language_says_the_screen_again_in_it():
    rig, _narrator, heard = narrated("zh-Hant")
    rig.controller.start()
    rig.controller.set_language("en")
    assert heard.lines[-1][:2] == ("entering_number", "en")
    assert heard.lines[-1][2].startswith("Enter the mobile number")
