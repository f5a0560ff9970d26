"""What each screen says, declared once per flow state.

A screen's prompt is the catalogue message ``speech.screen.<state>`` filled with the view's
values as words (``{amount}`` is money spoken, ``{number}`` digit by digit, ``{reference}``
character by character; see ``common_values``). A state that needs more values, or that speaks
again when a field of the view changes (the card terminal's stage, the receipt), declares a
``Prompt`` in ``PROMPTS`` (or with ``declare`` from its own module). A new screen therefore
needs only its ``speech.screen.<state>`` entries in the three catalogues, plus a ``declare``
call if the common values are not enough. docs/accessibility.md shows an example.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk import i18n
from kiosk.speech import spoken
from kiosk.speech.spoken import say
from kiosk.speech.words import digit_words, money_words

Values = Callable[..., dict]  # (view, language, context) → extra {placeholders}
Change = Callable[..., str]   # (view, language, context) → what to say, "" for nothing


@dataclass(frozen=True)
class SpeechContext:
    """Settings the prompts depend on. ``public_speaker``: the audio is heard by bystanders,
    so nothing private (the masked owner hint) is read."""

    public_speaker: bool = False


@dataclass(frozen=True)
class Prompt:
    """A state's prompt: extra values for ``speech.screen.<state>``, and what to say when a
    field of the view changes while the state stays (field name → what to say)."""

    values: Values | None = None
    changes: dict[str, Change] = field(default_factory=dict)


def _none(*_args) -> dict:
    return {}


def common_values(view, language: str) -> dict:
    """Values every prompt may use."""
    return {
        "amount": money_words(view.amount_cents, language) if view.amount_cents is not None else "",
        "method": spoken.method_words(view.method, language) if view.method else "",
        "number": digit_words(view.msisdn or view.digits, language),
        "reference": spoken.reference_words(view.txn_id or "", language),
        "hotline": digit_words(view.hotline, language),
        "plan": spoken.localized(view.offer.name, language) if view.offer else "",
        "seconds": view.seconds_left or 0,
    }


def _card_values(view, language: str, context: SpeechContext) -> dict:
    sub = view.subscriber
    if sub is None:
        return {"card_type": "", "data": "", "expiry": "", "owner": "", "count": 0}
    expiry = ""
    if view.card_expiry is not None:
        expiry = say("card.expiry_spoken", language, state=view.card_expiry.state,
                     date=spoken.when_words(sub.balance.expires_at, language))
    owner = ""
    if sub.owner_hint and not context.public_speaker:  # masked: the letters shown, not the stars
        owner = say("card.owner", language, owner=" ".join(sub.owner_hint.replace("*", " ").split()))
    return {
        "card_type": say("card_type." + sub.card.type, language),
        "data": spoken.data_words(sub.balance.data_mb_left, language),
        "expiry": expiry, "owner": owner, "count": len(view.offers),
        "number": digit_words((view.msisdn or "")[-4:], language),
    }


def _confirm_values(view, language: str, _context) -> dict:
    offer = view.offer
    if offer is None:
        return {"offer": "", "count": len(view.methods), "expiry": ""}
    expiry = view.plan_expiry
    if offer.new_expires_at is not None:  # the date spoken as a date
        expiry = say("confirm.new_expiry", language,
                     date=spoken.when_words(offer.new_expires_at, language))
    return {"offer": spoken.offer_words(offer, language), "count": len(view.methods),
            "expiry": expiry}


def _failure_values(view, language: str, _context) -> dict:
    failure = view.failure or ""
    if view.subscriber is None and failure == "":
        failure = "not_found"
    kind = "lookup_failed" if view.txn_id is None else "payment_failed"
    title, body = f"{kind}.{failure}.title", f"{kind}.{failure}.body"
    if not i18n.translator(language).has(title):
        return {"title": "", "body": ""}
    return {"title": say(title, language), "body": say(body, language)}


def _done_values(view, language: str, _context) -> dict:
    balance = view.balance
    return {
        "data": spoken.data_words(balance.data_mb_left, language) if balance else "",
        "date": spoken.when_words(balance.expires_at, language) if balance else "",
        "receipt": _receipt(view, language, None),
    }


def _receipt(view, language: str, _context) -> str:
    status = view.receipt_status
    if status in (None, "printing"):
        return ""
    msgid = f"done.receipt.{status}"
    if not i18n.translator(language).has(msgid):
        msgid = "done.receipt.failed"
    return say(msgid, language)


def _stage(view, language: str, _context) -> str:
    return say("stage." + view.terminal_stage, language) if view.terminal_stage else ""


def _cancelling(view, language: str, _context) -> str:
    return say("pay.cancelling", language) if view.cancelling else ""


def _qr_ready(view, language: str, _context) -> str:
    return say("qr_ready", language) if view.qr_payload else ""


def _retap(view, language: str, _context) -> str:
    """Octopus: the card left the reader too soon (the terminal's RETAP window is open)."""
    if view.retap_seconds_left is None:
        return ""
    return say("octopus.retap.title", language) + " " + say("octopus.retap.body", language)


def _scan_stage(view, language: str, _context) -> str:
    return say("scan.confirm.body", language) if view.scan_stage == "confirm_on_phone" else ""


def _scan_error(view, language: str, _context) -> str:
    return say("scan.error." + view.scan_error, language) if view.scan_error else ""


def _number_error(view, language: str, _context) -> str:
    return say("phone.error." + view.number_error, language) if view.number_error else ""


def _methods_changed(view, language: str, _context) -> str:
    return say("methods_changed", language, count=len(view.methods))


PROMPTS: dict[str, Prompt] = {
    "entering_number": Prompt(changes={"number_error": _number_error}),
    "card_shown": Prompt(_card_values),
    "lookup_failed": Prompt(_failure_values),
    "confirming": Prompt(_confirm_values, {"methods": _methods_changed}),
    "paying_qr": Prompt(changes={"qr_payload": _qr_ready, "cancelling": _cancelling}),
    "paying_card": Prompt(changes={"terminal_stage": _stage, "cancelling": _cancelling}),
    "paying_octopus": Prompt(changes={"retap_seconds_left": _retap, "cancelling": _cancelling}),
    "paying_scan": Prompt(changes={"scan_stage": _scan_stage, "scan_error": _scan_error,
                                   "cancelling": _cancelling}),
    "payment_failed": Prompt(_failure_values),
    "done": Prompt(_done_values, {"receipt_status": _receipt}),
}


def declare(state: str, prompt: Prompt) -> None:
    """A screen's prompt declaration (from the module that adds the screen)."""
    PROMPTS[state] = prompt


def screen_prompt(state: str, view, context: SpeechContext | None = None) -> str:
    """What *state*'s screen says on arrival, in ``view.language``."""
    language = view.language
    prompt = PROMPTS.get(state, Prompt())
    values = common_values(view, language)
    values.update((prompt.values or _none)(view, language, context or SpeechContext()))
    text = say("screen." + state, language, **values)
    return _tidy(text)


def change_prompts(state: str, before, after, context: SpeechContext | None = None) -> list[str]:
    """What to say because fields of the view changed while the screen stayed."""
    prompt = PROMPTS.get(state, Prompt())
    said = []
    for name, change in prompt.changes.items():
        if getattr(before, name) != getattr(after, name):
            text = change(after, after.language, context or SpeechContext())
            if text:
                said.append(_tidy(text))
    return said


def _tidy(text: str) -> str:
    """Empty placeholders leave doubled separators behind: tidy them."""
    import re

    text = re.sub(r"\s*([,.;，。])(\s*[,.;，。])+", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip(" ,，")
