"""Line breaks for Chinese text as readers expect them: no line starts with a closing mark.

Kivy breaks a line without spaces at whichever character runs out of room, so "。" or "，" can
begin a line. ``wrap`` breaks the text itself, measured in the label's own font, and takes the
character before such a mark down with it (and an opening bracket down with what follows it,
and a number down with its unit: ``7日``), the common CJK rule. Latin words are kept whole and break at spaces, as Kivy does.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NO_LINE_START = frozenset("。，、；：？！）》」』〉】〕…%,.;:!?)]}")
NO_LINE_END = frozenset("（《「『〈【〔([{")
_WIDE = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_TOKEN = re.compile(rf"[{_WIDE}]|[^\s{_WIDE}]+|\s+")
_WIDE_CHAR = re.compile(rf"[{_WIDE}]")


def wrap(text: str, width: float, measure: Callable[[str], float]) -> str:
    """*text* with line breaks so that each line measures at most *width*."""
    return "\n".join(line for para in text.split("\n") for line in _paragraph(para, width, measure))


def _paragraph(para: str, width: float, measure: Callable[[str], float]) -> list[str]:
    lines: list[str] = []
    line: list[str] = []
    for token in _TOKEN.findall(para):
        if line and measure("".join(line) + token) > width:
            if token.isspace():  # the break itself
                lines.append("".join(line).rstrip())
                line = []
                continue
            carry: list[str] = []
            if (token[0] in NO_LINE_START or _unit_after_number(line[-1], token)) and len(line) > 1:
                carry.append(line.pop())
            while len(line) > 1 and line[-1][-1] in NO_LINE_END:
                carry.insert(0, line.pop())
            lines.append("".join(line).rstrip())
            line = carry
        if line or not token.isspace():
            line.append(token)
    lines.append("".join(line).rstrip())
    return lines


def _unit_after_number(before: str, token: str) -> bool:
    """``7`` then ``日``: a number stays with the Chinese unit after it."""
    return before[-1].isdigit() and bool(_WIDE_CHAR.fullmatch(token[0]))
