"""Links that open the bot on a bulletin: t.me/<bot>?start=tanks-20260808.

Telegram hands the part after `start=` to the bot's /start (at most 64 characters of A-Z, a-z,
0-9, _ and -). Here it names categories (or `all`) and, optionally, the bulletin's date: a link
shared today still shows today's figures next month.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from urllib.parse import quote

from bot import categories

ALL = "all"
SEPARATOR = "__"  # between categories: keys have single underscores, and "." is not allowed
_PAYLOAD = re.compile(r"([a-z_]+)(?:-(\d{8}))?")


def payload(keys: Sequence[str], day: date | None) -> str:
    """'tanks__artillery-20260808'; 'all' for every category; no date for the latest."""
    named = SEPARATOR.join(keys) or ALL
    return f"{named}-{day:%Y%m%d}" if day else named


def parse(text: str) -> tuple[list[str], date | None] | None:
    """The categories and date a payload names; None for anything else (an old or made-up
    link gets the ordinary welcome, never an error)."""
    match = _PAYLOAD.fullmatch(text)
    if match is None:
        return None
    keys = [] if match[1] == ALL else match[1].split(SEPARATOR)
    if any(key not in categories.BY_KEY for key in keys):
        return None
    try:
        day = datetime.strptime(match[2], "%Y%m%d").date() if match[2] else None
    except ValueError:
        return None
    return keys, day


# Telegram takes at most this many characters after start=.
MOST = 64


def bot_link(username: str, keys: Sequence[str], day: date | None) -> str:
    """A link that opens the bot on these categories of that day's bulletin (all of them if
    naming each would not fit)."""
    named = payload(keys, day)
    return f"https://t.me/{username}?start={named if len(named) <= MOST else payload([], day)}"


def share_link(url: str) -> str:
    """Telegram's share dialog for a link."""
    return f"https://t.me/share/url?url={quote(url, safe='')}"
