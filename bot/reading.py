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
from bot.store import Store


def category_keys(words: Sequence[str], store: Store, example: str) -> list[str]:
    """The categories the words name ([]: all of them; so does "all", the bulletin's button).

    A word the registry does not know may name a category the source started sending: the
    stored ones are asked next. Otherwise `UnknownCategories` names the words and the command
    whose example ends the answer; each front end says it in its own spelling."""
    words = [w for w in words if w.casefold() not in categories.ALL_WORDS]
    keys, unknown = categories.resolve(words)
    if unknown:
        keys, unknown = categories.resolve(words, store.reports.categories())
    if unknown:
        raise categories.UnknownCategories(unknown, example)
    return keys


def age_note(store: Store, schedule: ScheduleConfig, now: datetime) -> str | None:
    """How old the newest figures are, when that needs saying (`render.age_note`), told in the
    time zone the bulletin is published in."""
    local = now.astimezone(schedule.zone)
    return render.age_note(store.reports.latest_date(), local, store.logs.last_fetch())
