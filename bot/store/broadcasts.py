"""Broadcasts: one message for every active subscriber, queued in chunks of subscribers.

A million subscribers are a million outbox rows. Queueing them in one go would hold the write
lock, and the event loop, for seconds, and reading them into memory would take most of a
gigabyte. A broadcast row instead remembers how far its queueing has got (`after`, the last
chat id queued), so it goes a chunk at a time, each its own short transaction, picks up where
it stopped after a restart, and never reads more than a chunk. What each subscriber gets and
when is bot/subscriptions.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.store.database import Part, split_commas
from bot.store.outbox import DeliveryStatus
from bot.store.subscribers import (
    Subscriber,
    SubscriberStatus,
    shape_columns,
    subscriber_from_row,
)

# What makes two subscribers get the same messages at the same time.
_OPTION_NAMES = (
    "send_at",
    "timezone",
    "digests",
    "with_chart",
    "format",
    "skip_weekends",
    "thresholds",
    "categories",
)
_OPTIONS = ", ".join(_OPTION_NAMES)


def _options(subscriber: Subscriber) -> list[object]:
    """A subscriber's values of _OPTION_NAMES, as stored."""
    shape = shape_columns(subscriber.shape)
    return [
        subscriber.send_at,
        subscriber.timezone,
        ",".join(subscriber.digests),
        int(subscriber.with_chart),
        *(shape[name] for name in _OPTION_NAMES[4:]),
    ]


@dataclass(frozen=True)
class Broadcast:
    id: int
    kind: str  # what is broadcast: a bulletin (subject: its date) or an announcement (its id)
    subject: str
    created_at: datetime
    home_zone: str
    after: int | None  # the last chat id queued (a notice goes down the ids); None: none yet
    # A notice's (correction, errata): the categories whose figures changed; otherwise none.
    categories: tuple[str, ...] = ()


class Broadcasts(Part):
    """Starting a broadcast, and queueing it for the next chunk of subscribers."""

    def start(
        self,
        kind: str,
        subject: str,
        *,
        home_zone: str,
        now: datetime,
        categories: Sequence[str] = (),
    ) -> Broadcast:
        """Start (or start again from the first subscriber: whoever subscribed since gets it
        too, and the outbox's unique key keeps everyone else to one message). A notice started
        again takes in the categories it had: a second correction in one notice's batch."""
        before = self._broadcasts("WHERE kind = ? AND subject = ?", [kind, subject])
        known = before[0].categories if before else ()
        self.db.execute(
            """INSERT INTO broadcasts (kind, subject, created_at, home_zone, categories)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (kind, subject) DO UPDATE SET created_at = excluded.created_at,
                   home_zone = excluded.home_zone, categories = excluded.categories,
                   after = NULL, done = 0""",
            [
                kind,
                subject,
                now.isoformat(),
                home_zone,
                ",".join(dict.fromkeys([*known, *categories])) or None,
            ],
        )
        (started,) = self._broadcasts("WHERE kind = ? AND subject = ?", [kind, subject])
        return started

    def unfinished(self) -> list[Broadcast]:
        return self._broadcasts("WHERE done = 0 ORDER BY id", [])

    def _broadcasts(self, clause: str, parameters: list[object]) -> list[Broadcast]:
        rows = self.db.execute(
            "SELECT id, kind, subject, created_at, home_zone, after, categories "
            f"FROM broadcasts {clause}",
            parameters,
        ).fetchall()
        return [
            Broadcast(
                i,
                kind,
                subject,
                datetime.fromisoformat(created),
                zone,
                after,
                split_commas(keys or ""),
            )
            for i, kind, subject, created, zone, after, keys in rows
        ]

    def get(self, broadcast_id: int) -> Broadcast | None:
        """The broadcast as it stands now, if it is still being queued."""
        found = self._broadcasts("WHERE id = ? AND done = 0", [broadcast_id])
        return found[0] if found else None

    def next_chats(self, broadcast: Broadcast, size: int) -> int | None:
        """A notice's next chunk, from the highest chat ids down: the lowest of the next
        `size` chats with a subscription, whatever its state now, below `after` (the lowest
        queued); None when no more are left below them (the chunk then reaches to the lowest
        id of all). Downwards, because a group that becomes a supergroup moves to a lower id
        (-100...): a notice meets it again at its new id, in a chunk still to come."""
        rows = self.db.execute(
            "SELECT chat_id FROM subscribers WHERE chat_id < ? ORDER BY chat_id DESC "
            "LIMIT 2 OFFSET ?",
            [broadcast.after if broadcast.after is not None else 2**63 - 1, size - 1],
        ).fetchall()
        return int(rows[0][0]) if len(rows) == 2 else None

    def next_chunk(self, broadcast: Broadcast, size: int) -> tuple[int | None, list[Subscriber]]:
        """The last chat id of the next `size` active subscribers (None: the rest are fewer),
        and one subscriber of each set of options among them."""
        after = broadcast.after if broadcast.after is not None else -(2**63)
        row = self.db.execute(
            "SELECT chat_id FROM subscribers WHERE status = ? AND chat_id > ? "
            "ORDER BY chat_id LIMIT 1 OFFSET ?",
            [SubscriberStatus.ACTIVE, after, size - 1],
        ).fetchone()
        until = row[0] if row else None
        examples = self.db.query(
            f"SELECT * FROM subscribers WHERE chat_id IN (SELECT MIN(chat_id) FROM subscribers "
            f"WHERE status = ? AND chat_id > ? AND chat_id <= ? GROUP BY {_OPTIONS})",
            [SubscriberStatus.ACTIVE, after, until if until is not None else 2**63 - 1],
        )
        return until, [subscriber_from_row(example) for example in examples]

    def queue_chunk(
        self, broadcast: Broadcast, until: int | None, plan: list[tuple[Subscriber, str, datetime]]
    ) -> int:
        """Queue the chunk after `broadcast.after` up to `until` in one pass: each active
        subscriber gets every (kind, due time) the plan gives the subscriber with their
        options. How many rows were new."""
        after = broadcast.after if broadcast.after is not None else -(2**63)
        # The plan goes into an indexed table of the connection's own (TEMP: no other
        # connection sees it, and writing it takes no lock on the database), so that each
        # subscriber finds their options' rows by the index. Joined to a list of VALUES, SQLite
        # compared every subscriber with every row of the plan: 40 sets of options made a
        # chunk 2.5 times as long (bench/README.md, queueing).
        self.db.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS broadcast_plan ({_OPTIONS}, kind, due_at)"
        )
        self.db.execute(
            f"CREATE INDEX IF NOT EXISTS temp.broadcast_plan_options ON broadcast_plan ({_OPTIONS})"
        )
        self.db.execute("DELETE FROM temp.broadcast_plan")
        places = ", ".join("?" * (len(_OPTION_NAMES) + 2))
        self.db.conn.executemany(
            f"INSERT INTO temp.broadcast_plan VALUES ({places})",
            ([*_options(example), kind, due.isoformat()] for example, kind, due in plan),
        )
        same = " AND ".join(f"s.{name} IS p.{name}" for name in _OPTION_NAMES)
        # The subscribers are read once, in chat id order (CROSS JOIN keeps them the outer
        # loop), each looking its plan up. The connection's total_changes counts what the
        # outbox's triggers write too: SQLite's changes() is the rows inserted.
        self.db.execute(
            "INSERT OR IGNORE INTO outbox (chat_id, kind, subject, due_at, status) "
            "SELECT s.chat_id, p.kind, ?, p.due_at, ? FROM subscribers s "
            f"CROSS JOIN temp.broadcast_plan p ON {same} "
            "WHERE s.status = ? AND s.chat_id > ? AND s.chat_id <= ?",
            [
                broadcast.subject,
                DeliveryStatus.PENDING,
                SubscriberStatus.ACTIVE,
                after,
                until if until is not None else 2**63 - 1,
            ],
        )
        return int(self.db.execute("SELECT changes()").fetchone()[0])

    def advance(self, broadcast: Broadcast, until: int | None) -> None:
        """The chunk up to `until` is queued (None: all of it, the broadcast is done)."""
        self.db.table("broadcasts").update(
            broadcast.id, {"after": until, "done": int(until is None)}
        )

    def active_after(self, after: int) -> int:
        """Active subscribers with a chat id above `after` (those a broadcast has yet to
        queue): all of them, less those up to `after`, a count of one chunk."""
        return int(
            self.db.execute(
                "SELECT COALESCE((SELECT count FROM subscriber_counts WHERE status = ?), 0) "
                "- (SELECT COUNT(*) FROM subscribers WHERE status = ? AND chat_id <= ?)",
                [SubscriberStatus.ACTIVE, SubscriberStatus.ACTIVE, after],
            ).fetchone()[0]
        )

    def in_progress(self) -> bool:
        """Whether a broadcast is still being queued."""
        return bool(
            self.db.execute("SELECT EXISTS (SELECT 1 FROM broadcasts WHERE done = 0)").fetchone()[0]
        )
