"""Links that open the bot on a bulletin: t.me/<bot>?start=tanks-20260808.

Telegram hands the part after `start=` to the bot's /start (at most 64 characters of A-Z, a-z,
0-9, _ and -). Here it names categories (or `all`) and, optionally, the bulletin's date: a link
shared today still shows today's figures next month.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from urllib.parse import quote

from bot import categories

ALL = "all"
SEPARATOR = "__"  # between categories: keys have single underscores, and "." is not allowed
# Categories, then perhaps a date: as links are made (20260808), or as people type one.
_PAYLOAD = re.compile(r"([^\W\d]+)(?:-([0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2}))?")


def payload(keys: Sequence[str], day: date | None) -> str:
    """'tanks__artillery-20260808'; 'all' for every category; no date for the latest."""
    named = SEPARATOR.join(keys) or ALL
    return f"{named}-{day:%Y%m%d}" if day else named


def parse(text: str) -> tuple[list[str], str | None] | None:
    """The categories a payload names (any of their names: tanks, drones, ппо) and its date
    as written, for the caller to read as /on reads a date; None for anything else (an old or
    made-up link gets the ordinary welcome, never an error)."""
    match = _PAYLOAD.fullmatch(text.strip())
    if match is None:
        return None
    keys: list[str] = []
    if match[1].casefold() != ALL:
        for name in match[1].split(SEPARATOR):
            found, unknown = categories.resolve([name.replace("_", " ")])
            if unknown or not found:
                return None
            keys += [key for key in found if key not in keys]
    day = match[2]
    return keys, (f"{day[:4]}-{day[4:6]}-{day[6:]}" if day and "-" not in day else day)


# Telegram takes at most this many characters after start=.
MOST = 64
# The payload of the link that opens /about: it works where a command does not (an inline
# result shared into another chat, a channel's post).
ABOUT = "about"
# The bot's own username, once Telegram has said it (bot/telegram/app.py sets it at start-up);
# None where there is no bot (the command line), and links to it are left out.
bot_username: str | None = None


def about_link() -> str | None:
    """t.me/<bot>?start=about, or None before the bot knows its name."""
    return f"https://t.me/{bot_username}?start={ABOUT}" if bot_username else None


def bot_link(username: str, keys: Sequence[str], day: date | None) -> str:
    """A link that opens the bot on these categories of that day's bulletin (all of them if
    naming each would not fit)."""
    named = payload(keys, day)
    return f"https://t.me/{username}?start={named if len(named) <= MOST else payload([], day)}"


def share_link(url: str) -> str:
    """Telegram's share dialog for a link."""
    return f"https://t.me/share/url?url={quote(url, safe='')}"
