"""Telegram's 4,096-character limit: a long reply cut into messages, each valid HTML."""

from __future__ import annotations

import re
from collections.abc import Sequence


def pieces(text: str, limit: int) -> list[str]:
    """A reply cut into messages of at most `limit` UTF-16 code units (how Telegram counts),
    at line boundaries. A <pre> table cut in two is closed at the end of one piece and opened
    again at the start of the next, so each piece is valid HTML on its own. (A single line
    longer than a piece is cut at a space: only an announcement could have one.)"""
    if _units(text) <= limit:
        return [text]
    budget = limit - len(_PRE_CLOSE)
    found: list[str] = []
    current, in_pre = "", False
    for line in _short_lines(text.split("\n"), budget - len(_PRE_OPEN)):
        candidate = f"{current}\n{line}" if current else line
        if current and _units(candidate) > budget:
            found.append(current + (_PRE_CLOSE if in_pre else ""))
            current = (_PRE_OPEN if in_pre else "") + line
        else:
            current = candidate
        for tag in re.findall(r"</?pre>", line):
            in_pre = tag == _PRE_OPEN
    found.append(current)
    return found


_PRE_OPEN, _PRE_CLOSE = "<pre>", "</pre>"


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _short_lines(lines: Sequence[str], most: int) -> list[str]:
    short = []
    for line in lines:
        while _units(line) > most:
            cut = line.rfind(" ", 0, most)
            cut = cut if cut > 0 else most
            short.append(line[:cut])
            line = line[cut:].lstrip(" ")
        short.append(line)
    return short
