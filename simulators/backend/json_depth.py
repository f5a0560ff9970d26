"""How deeply a JSON text nests, found without parsing it (a parser would recurse that deep).

The backend's bodies are a few levels deep; a body of 100 000 nested arrays would make
``json.loads`` run out of stack (``RecursionError``). ``too_deep`` looks only at the brackets
outside strings, so it stops such a body before the parser sees it.
"""

from __future__ import annotations

import re

MAX_DEPTH = 32  # the contract's bodies nest 3 levels at most

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when arrays and objects in *text* nest more than *limit* levels."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if brackets.count("[") + brackets.count("{") <= limit:
        return False
    depth = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
