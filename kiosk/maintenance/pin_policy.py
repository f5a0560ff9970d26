"""Which PINs are too easy to guess: refused when a PIN is set (existing PINs keep working).

Refused: one digit repeated (111111), a run up or down by one, wrapping past 9 or 0 (123456,
654321, 890123, 210987), a short pattern repeated (121212, 123123, 520520), digits in pairs
along a run (112233), the operator id itself (or repeated, or reversed), and a short deny-list
of PINs that top every leaked-PIN list.
"""

from __future__ import annotations

# Common choices that none of the rules below catch (the rules catch most famous ones already).
DENY_LIST = frozenset({
    "123321", "147258", "147852", "159753", "258456", "789456", "246810", "135790", "696969",
    "131313", "112358", "198964", "123654", "654123", "102030", "100200", "007007", "168168",
    "888999", "111222", "112211", "123123123", "1234567890",
})

ADVICE = ("choose 6 to 12 digits with no run (123456), no repeat (111111, 121212), not the "
          "operator id, and none of the well-known PINs")


def _is_run(pin: str, step: int) -> bool:
    return all((int(b) - int(a)) % 10 == step % 10 for a, b in zip(pin, pin[1:], strict=False))


def _repeats_a_pattern(pin: str) -> bool:
    """True when the PIN is a pattern of up to half its length said again (121212, 520520)."""
    return any(pin == (pin[:size] * len(pin))[:len(pin)] for size in range(1, len(pin) // 2 + 1))


def _pairs_along_a_run(pin: str) -> bool:
    """112233, 998877: each digit twice, the digits in a run."""
    if len(pin) % 2 or any(pin[i] != pin[i + 1] for i in range(0, len(pin), 2)):
        return False
    singles = pin[::2]
    return _is_run(singles, 1) or _is_run(singles, -1)


def weakness(pin: str, operator_id: str = "") -> str:
    """Why *pin* is too easy to guess, or "" when it is acceptable (form checked elsewhere)."""
    if len(set(pin)) == 1:
        return "it is one digit repeated"
    if _is_run(pin, 1) or _is_run(pin, -1):
        return "it is a run of consecutive digits"
    if operator_id and (operator_id in (pin, pin[::-1])
                        or pin == (operator_id * len(pin))[:len(pin)]):
        return "it is the operator id"
    if _repeats_a_pattern(pin):
        return "it repeats a short pattern"
    if _pairs_along_a_run(pin):
        return "it is a run of doubled digits"
    if pin in DENY_LIST:
        return "it is one of the best-known PINs"
    return ""
