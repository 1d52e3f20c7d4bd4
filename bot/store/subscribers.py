"""Chats: who subscribed to what, in which language, and what became of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.store.database import Database, Part, moment, split_commas, split_thresholds
from bot.store.shown import Shown


class SubscriberStatus(StrEnum):
    """Blocked (the user blocked the bot) and gone (chat not found) are set by delivery,
    unsubscribed by the subscriber."""

    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BLOCKED = "blocked"
    GONE = "gone"


class SummaryFormat(StrEnum):
    """How the daily summary looks: the whole bulletin, a line per category, or a picture."""

    FULL = "full"
    SHORT = "short"
    CARD = "card"


@dataclass(frozen=True)
class Shape:
    """What a subscriber shapes beyond when: which categories (none: all), in what format,
    into which forum topic, whether weekends are quiet, and the changes that make a day worth
    a message (none: every day)."""

    categories: tuple[str, ...] = ()
    format: str = SummaryFormat.FULL
    thread_id: int | None = None
    skip_weekends: bool = False
    thresholds: tuple[tuple[str, int], ...] = ()  # (category, more than this)
    topic_name: str | None = None  # the forum topic's name, when Telegram said it


@dataclass(frozen=True)
class Subscriber:
    chat_id: int
    chat_type: str
    status: str
    send_at: str | None  # "HH:MM" local time; None: as soon as a bulletin is accepted
    timezone: str
    created_at: datetime
    updated_at: datetime
    status_reason: str | None = None
    digests: tuple[str, ...] = ("daily",)  # daily, weekly, monthly
    with_chart: bool = False
    shape: Shape = Shape()
    # Nothing goes to the chat before this (UTC); None, or a time past: not paused.
    paused_until: datetime | None = None

    def paused_at(self, now: datetime) -> bool:
        """Whether the chat's summaries are paused at `now`."""
        return self.paused_until is not None and now < self.paused_until


def subscriber_from_row(row: dict[str, Any]) -> Subscriber:
    return Subscriber(
        chat_id=row["chat_id"],
        chat_type=row["chat_type"],
        status=row["status"],
        send_at=row["send_at"],
        timezone=row["timezone"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        status_reason=row["status_reason"],
        digests=split_commas(row["digests"]),
        with_chart=bool(row["with_chart"]),
        shape=Shape(
            categories=split_commas(row["categories"]),
            format=row["format"],
            thread_id=row["thread_id"],
            skip_weekends=bool(row["skip_weekends"]),
            thresholds=split_thresholds(row["thresholds"]),
            topic_name=row["topic_name"],
        ),
        paused_until=moment(row.get("paused_until")),
    )


def shape_columns(shape: Shape) -> dict[str, object]:
    """A Shape as its stored columns."""
    return {
        "categories": ",".join(shape.categories),
        "format": shape.format,
        "thread_id": shape.thread_id,
        "skip_weekends": int(shape.skip_weekends),
        "thresholds": ",".join(f"{key}:{value}" for key, value in shape.thresholds),
        "topic_name": shape.topic_name,
    }


# Chats whose language is kept in memory at most (an int and a short string each: a megabyte
# or two); past that the oldest looked up is dropped and read again when it next speaks.
KNOWN_LANGUAGES = 20_000


class Subscribers(Part):
    """Subscriptions and each chat's language; a chat that moves or goes takes its queue along.

    The language is asked on every update, so it is kept in memory once read (a thousand
    people at once each cost an SQLite read on the event loop otherwise). Every write of a
    chat's language here drops what is kept for it, so the next update reads what was
    committed (a write rolled back costs one more read, never a wrong language). Only the bot
    writes chat languages of real chats: the console writes its own chat's, which no update of
    the bot ever asks for, so no other process's write can leave this stale."""

    def __init__(self, database: Database, shown: Shown) -> None:
        super().__init__(database)
        self.shown = shown  # what a chat was shown follows it to a new id (`move_chat`)
        self._languages: dict[int, str] = {}

    def subscribe(
        self,
        chat_id: int,
        chat_type: str,
        *,
        send_at: str | None,
        timezone: str,
        now: datetime,
        digests: tuple[str, ...] = ("daily",),
        with_chart: bool = False,
        shape: Shape = Shape(),
    ) -> Subscriber:
        """Start or change a chat's summaries; a blocked or gone chat that asks is back.

        The summaries' language is the chat's (`chats`); the old subscribers.language column
        keeps its default and is read by nothing."""
        columns = {
            "chat_type": chat_type,
            "status": SubscriberStatus.ACTIVE,
            "send_at": send_at,
            "timezone": timezone,
            "updated_at": now.isoformat(),
            "status_reason": None,
            "digests": ",".join(digests),
            "with_chart": int(with_chart),
            **shape_columns(shape),
        }
        names = ", ".join(columns)
        self.db.execute(
            f"INSERT INTO subscribers (chat_id, created_at, {names}) "
            f"VALUES (?, ?, {', '.join('?' * len(columns))}) "
            f"ON CONFLICT (chat_id) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in columns),
            [chat_id, now.isoformat(), *columns.values()],
        )
        return self.get(chat_id)  # type: ignore[return-value]

    def get(self, chat_id: int) -> Subscriber | None:
        row = next(self.db.table("subscribers").rows_where("chat_id = ?", [chat_id]), None)
        return subscriber_from_row(row) if row else None

    def set_status(
        self, chat_id: int, status: str, *, now: datetime, reason: str | None = None
    ) -> bool:
        """Change a subscriber's status; False if the chat has no subscription row."""
        return self._update(chat_id, now, status=status, status_reason=reason)

    def set_shape(self, chat_id: int, shape: Shape, *, now: datetime) -> Subscriber | None:
        """Change what a chat's summaries look like (its times and digests stay)."""
        self._update(chat_id, now, **shape_columns(shape))
        return self.get(chat_id)

    def set_send_at(self, chat_id: int, send_at: str | None, *, now: datetime) -> None:
        """The local time of the summaries ('HH:MM'; None: as soon as the bulletin is out)."""
        self._update(chat_id, now, send_at=send_at)

    def set_digests(self, chat_id: int, digests: tuple[str, ...], *, now: datetime) -> None:
        self._update(chat_id, now, digests=",".join(digests))

    def set_chart(self, chat_id: int, with_chart: bool, *, now: datetime) -> None:
        """Whether the daily summary comes with its chart."""
        self._update(chat_id, now, with_chart=int(with_chart))

    def set_timezone(self, chat_id: int, timezone: str, *, now: datetime) -> None:
        """The zone the chat's times are in (an IANA name the caller has checked)."""
        self._update(chat_id, now, timezone=timezone)

    def set_pause(self, chat_id: int, until: datetime | None, *, now: datetime) -> None:
        """Pause the chat's summaries until `until` (UTC), or end the pause (None)."""
        self._update(chat_id, now, paused_until=until.isoformat() if until else None)

    def set_topic(
        self, chat_id: int, thread_id: int | None, *, now: datetime, name: str | None = None
    ) -> None:
        """Where in a forum group its messages go (None: the General topic), and the topic's
        name if known."""
        self._update(chat_id, now, thread_id=thread_id, topic_name=name)

    def _update(self, chat_id: int, now: datetime, **columns: object) -> bool:
        """Set these columns of a chat's subscription; False if it has none."""
        cursor = self.db.execute(
            f"UPDATE subscribers SET {', '.join(f'{name} = ?' for name in columns)}, "
            "updated_at = ? WHERE chat_id = ?",
            [*columns.values(), now.isoformat(), chat_id],
        )
        return cursor.rowcount > 0

    def counts(self) -> dict[str, int]:
        """Subscribers by status (kept by triggers: no scan however many there are)."""
        rows = self.db.execute("SELECT status, count FROM subscriber_counts WHERE count > 0")
        return dict(rows.fetchall())

    def languages(self) -> dict[str, int]:
        """Active subscribers by the language their summaries go out in (kept by triggers on
        subscribers and chats: no join of a million chats)."""
        rows = self.db.execute("SELECT language, count FROM language_counts WHERE count > 0")
        return dict(rows.fetchall())

    def chat_language(self, chat_id: int) -> str | None:
        """The chat's language, None when not known yet (asked on every update: kept in
        memory once read, see the class)."""
        known = self._languages.get(chat_id)
        if known is not None:
            return known
        row = self.db.execute("SELECT language FROM chats WHERE chat_id = ?", [chat_id]).fetchone()
        if row is None:
            return None
        if len(self._languages) >= KNOWN_LANGUAGES:
            del self._languages[next(iter(self._languages))]
        self._languages[chat_id] = row[0]
        return row[0]  # type: ignore[no-any-return]

    def set_chat_language(
        self, chat_id: int, language: str, *, chosen: bool, now: datetime
    ) -> None:
        """Remember a chat's language; one the chat chose is never replaced by a guess."""
        self.set_chat_languages({chat_id: language}, chosen=chosen, now=now)

    def set_chat_languages(
        self, languages: Mapping[int, str], *, chosen: bool, now: datetime
    ) -> None:
        """Remember several chats' languages in one statement (a crowd's first contacts,
        bot/telegram/contacts.py); one a chat chose is never replaced by a guess."""
        for chat_id in languages:
            self._languages.pop(chat_id, None)
        at = now.isoformat()
        self.db.conn.executemany(
            """INSERT INTO chats (chat_id, language, chosen, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language,
                   chosen = excluded.chosen, updated_at = excluded.updated_at
               WHERE excluded.chosen OR NOT chats.chosen""",
            [(chat_id, language, int(chosen), at) for chat_id, language in languages.items()],
        )

    def forget_chat(self, chat_id: int) -> None:
        """Remove a chat's subscription, queued messages, language and own milestones (the
        console's own chat, so nothing of it waits for a real bot on the same database)."""
        self._languages.pop(chat_id, None)
        with self._writing():
            for table in ("outbox", "subscribers", "chats", "milestone_targets"):
                self.db.table(table).delete_where("chat_id = ?", [chat_id])

    def move_chat(self, old_id: int, new_id: int, *, now: datetime) -> None:
        """A group became a supergroup with a new id: its subscription, queue and own
        milestones follow it."""
        self._languages.pop(old_id, None)
        self._languages.pop(new_id, None)
        with self._writing():
            self.db.execute(
                "UPDATE OR IGNORE subscribers SET chat_id = ?, chat_type = 'supergroup', "
                "updated_at = ? WHERE chat_id = ?",
                [new_id, now.isoformat(), old_id],
            )
            # Every message, sent ones too: what the chat was shown decides the correction
            # and errata notices it gets, which follow it (and a notice to the old id would
            # take the categories and language of a chat that no longer exists). One already
            # there under the new id (the same message) stays, and the old one with it.
            self.db.execute(
                "UPDATE OR IGNORE outbox SET chat_id = ? WHERE chat_id = ?", [new_id, old_id]
            )
            self.shown.move(old_id, new_id)
            self.db.execute(
                "UPDATE OR IGNORE chats SET chat_id = ? WHERE chat_id = ?", [new_id, old_id]
            )
            self.db.execute(
                "UPDATE OR IGNORE milestone_targets SET chat_id = ? WHERE chat_id = ?",
                [new_id, old_id],
            )
