"""What a reader's command asks of the stored figures, read one way in a chat and at the server.

Telegram's commands (/latest, /on, /history, ...) and the command line's (latest, on, compare)
take category words and show how old the newest figures are; both front ends call these, so
that a word one accepts the other accepts too, and the note reads the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import categories, render
from bot.config import ScheduleConfig
from bot.errors import UserError
from bot.store import Store


class CategoryError(UserError):
    """Words that name no category; the message says which, and the command to try instead."""


def category_keys(words: Sequence[str], store: Store, *, example: str, prefix: str) -> list[str]:
    """The categories the words name ([]: all of them; so does "all", the bulletin's button).

    A word the registry does not know may name a category the source started sending: the
    stored ones are asked next. Otherwise CategoryError names the words and suggests the
    command EXAMPLE_<example> as typed where it was asked (`prefix`: '/' in a chat,
    'bulletin-bot ' in a shell)."""
    words = [w for w in words if w.casefold() not in categories.ALL_WORDS]
    keys, unknown = categories.resolve(words)
    if unknown:
        keys, unknown = categories.resolve(words, store.stored_categories())
    if unknown:
        answer = render.unknown_categories(unknown, example, prefix)
        raise CategoryError(render.to_plain(answer))
    return keys


def age_note(store: Store, schedule: ScheduleConfig, now: datetime) -> str | None:
    """How old the newest figures are, when that needs saying (`render.age_note`), told in the
    time zone the bulletin is published in."""
    local = now.astimezone(schedule.zone)
    return render.age_note(store.latest_date(), local, store.last_fetch())
