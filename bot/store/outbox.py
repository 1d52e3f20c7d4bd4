"""The outbox: every message to a chat is a row first, so each goes out once, survives a
restart, and can be counted.

A row lives until it is finished and its bulletin is no longer news (bot/prune.py); then
`prune` removes it, folding what notices need of it (who was shown which day's figures)
into bot/store/shown.py's bits. Its counts stay in `outbox_tally`, kept by triggers, which is
what the pending count and today's deliveries read: no scan of a million rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from bot.store.database import Database, Part, moment, split_commas, split_thresholds
from bot.store.shown import Shown, chat_range, following_any, milestone_of_any


class DeliveryStatus(StrEnum):
    """An outbox row's state; it is 'sending' only while its message is in flight."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class OutboxKind(StrEnum):
    """What an outbox row sends; its subject says of what (bot/notices.py writes each)."""

    # A fresh bulletin brings these; their subject is the bulletin's ISO date.
    BULLETIN = "bulletin"
    CARD = "card"  # the bulletin as a picture, for those who chose that format
    CHART = "chart"
    # A total passing a round figure: 'tanks:13000@2026-08-08' (bot/milestones.py).
    MILESTONE = "milestone"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    # Notices: the subject names what they are about.
    CORRECTION = "correction"
    ERRATA = "errata"
    ANNOUNCEMENT = "announcement"
    ALERT = "alert"
    # A pause's end, told to its chat: the subject is the end's ISO time (bot/subscriptions.py).
    RESUMED = "resumed"
    # "Send me today's now": a summary as the chat shapes it, once per day and shape; the
    # subject says which (bot/samples.py).
    SAMPLE = "sample"
    # A group's forum topic was deleted and its summaries moved to General: told once, there.
    # The subject is the topic's id, then its name if known: '78:Daily losses'.
    TOPIC_GONE = "topic_gone"


# The messages that show a day's figures: the bulletin of the day their subject names, as text
# or as a card. Those sent, with the milestones told, are what correction and errata notices
# go by, and what pruning keeps (bot/store/shown.py).
SHOWS_DAY = (OutboxKind.BULLETIN, OutboxKind.CARD)


@dataclass(frozen=True)
class Delivery:
    """One message to one chat: kind and subject say what (a bulletin of a date, ...)."""

    id: int
    chat_id: int
    kind: str
    subject: str
    due_at: datetime
    attempts: int
    language: str = "en"
    # The chat's subscription, when it has one: the categories and format of its summaries,
    # and the forum topic everything to it goes to.
    categories: tuple[str, ...] = ()
    format: str = "full"
    thread_id: int | None = None
    # Its summaries (daily, weekly, monthly...) and the thresholds that keep a quiet day,
    # week or month out: which digests one morning's message carries.
    digests: tuple[str, ...] = ()
    thresholds: tuple[tuple[str, int], ...] = ()
    # Until when the chat's summaries are paused (None: they are not).
    paused_until: datetime | None = None


class SendError(StrEnum):
    """Why a message did not go (yet): the start of its row's last_error, which goes on with
    the `detail` where there is one ('403: Forbidden: bot was blocked by the user'). Its values
    are the texts rows have always kept; a delivery round counts its 429s by it."""

    RATE_LIMITED = "429:"  # Telegram asked to wait: 'retry after 7 s'
    FORBIDDEN = "403:"  # blocked by the person, removed from the group: what Telegram said
    BAD_REQUEST = "400:"  # the chat is gone, or Telegram refused the message: what it said
    NETWORK = "network error or 5xx: retrying"
    GAVE_UP = "gave up:"  # network errors or 5xx until the last attempt: the last one
    # A send on the wire at a stop that Telegram did not answer in time.
    UNANSWERED = "stopped before Telegram answered: sent again, may arrive twice"
    MIGRATED_TWICE = "chat migrated twice"
    # A bulletin no longer accepted, a correction withdrawn meanwhile: what was to be sent.
    NOTHING_TO_SEND = "nothing to send for"
    NO_CARD = "no card for"  # the bulletin's card could not be drawn: of what
    EXPIRED = "expired:"  # no longer news (bot/notices.py expired): why
    PAUSED = "paused until"  # due while its chat's summaries were paused: until when


@dataclass(frozen=True)
class DeliveryResult:
    """How a send attempt ended: sent, pending again (due later), failed or skipped; and if
    it did not go, why (`error`, with the `detail`: what Telegram said, and the like)."""

    id: int
    status: str
    error: SendError | None = None
    due_at: datetime | None = None
    attempt: bool = True  # False when Telegram asked to wait (429): that try does not count
    detail: str | None = None

    @property
    def last_error(self) -> str | None:
        """What the row keeps of the error: its kind, then the detail ('429: retry after 7 s')."""
        if self.error is None or self.detail is None:
            return self.error
        return f"{self.error} {self.detail}"


# How a send ended: rows with one of these are what pruning may remove (pending and sending
# rows are unfinished; the tally counts them together as 'pending').
FINISHED = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)


@dataclass(frozen=True)
class Pruning:
    """The last pruning: when, and how many messages it removed."""

    at: datetime
    messages: int


class Outbox(Part):
    """Queueing messages, claiming the due ones, recording how each send ended, and pruning
    finished ones into what notices need of them (`shown`)."""

    def __init__(self, database: Database, shown: Shown) -> None:
        super().__init__(database)
        self.shown = shown

    def enqueue(self, deliveries: Iterable[tuple[int, str, str, datetime]]) -> int:
        """Queue (chat_id, kind, subject, due_at) rows; a row already queued is left alone.

        The UNIQUE (chat_id, kind, subject) constraint is what makes each message go out at
        most once, however often the same bulletin is accepted or the bot restarts.
        """
        with self._writing():
            # The rows inserted: executemany's rowcount is their sum, and (unlike the
            # connection's total_changes) leaves out what the outbox's triggers wrote.
            return self.db.conn.executemany(
                "INSERT OR IGNORE INTO outbox (chat_id, kind, subject, due_at, status) "
                "VALUES (?, ?, ?, ?, ?)",
                [(c, k, s, due.isoformat(), DeliveryStatus.PENDING) for c, k, s, due in deliveries],
            ).rowcount

    def claim_due(self, now: datetime, limit: int, chat_id: int | None = None) -> list[Delivery]:
        """Mark up to `limit` due messages as in flight and return them, oldest due first;
        with `chat_id`, only that chat's (the console's: every other chat's are the bot's)."""
        with self._writing():
            rows = self.db.execute(
                "SELECT o.id, o.chat_id, o.kind, o.subject, o.due_at, o.attempts, "
                "COALESCE(c.language, 'en'), COALESCE(s.categories, ''), "
                "COALESCE(s.format, 'full'), s.thread_id, COALESCE(s.digests, ''), "
                "COALESCE(s.thresholds, ''), s.paused_until FROM outbox o "
                "LEFT JOIN chats c USING (chat_id) LEFT JOIN subscribers s USING (chat_id) "
                "WHERE o.status = ? AND o.due_at <= ? AND (? IS NULL OR o.chat_id = ?) "
                "ORDER BY o.due_at, o.id LIMIT ?",
                [DeliveryStatus.PENDING, now.isoformat(), chat_id, chat_id, limit],
            ).fetchall()
            self.db.conn.executemany(
                "UPDATE outbox SET status = ?, attempts = attempts + 1 WHERE id = ?",
                [(DeliveryStatus.SENDING, row[0]) for row in rows],
            )
        return [_delivery(*row) for row in rows]

    def finish(self, results: Iterable[DeliveryResult], *, now: datetime) -> None:
        """Record how a batch of sends ended, in one transaction."""
        with self._writing():
            for result in results:
                if result.status == DeliveryStatus.PENDING:
                    self.db.execute(
                        "UPDATE outbox SET status = ?, due_at = ?, last_error = ?, "
                        "attempts = attempts - ? WHERE id = ?",
                        [
                            DeliveryStatus.PENDING,
                            (result.due_at or now).isoformat(),
                            result.last_error,
                            0 if result.attempt else 1,
                            result.id,
                        ],
                    )
                else:
                    self.db.execute(
                        "UPDATE outbox SET status = ?, last_error = ?, sent_at = ? WHERE id = ?",
                        [
                            result.status,
                            result.last_error,
                            now.isoformat() if result.status == DeliveryStatus.SENT else None,
                            result.id,
                        ],
                    )

    def waiting_for(self, chat_id: int) -> list[tuple[str, str, datetime]]:
        """A chat's messages not sent yet, (kind, subject, due), soonest first (what the
        console lists as due later when it ends)."""
        rows = self.db.execute(
            "SELECT kind, subject, due_at FROM outbox WHERE chat_id = ? AND status IN (?, ?) "
            "ORDER BY due_at, id",
            [chat_id, DeliveryStatus.PENDING, DeliveryStatus.SENDING],
        ).fetchall()
        return [(kind, subject, datetime.fromisoformat(due)) for kind, subject, due in rows]

    def release_in_flight(self, holder: str | None = None) -> int:
        """After a crash, messages that were in flight go back to the queue (and may repeat).
        With `holder`, only while that holder has the database's lease, in the same statement:
        a process that lost the lease (stalled while another took over) must not put the new
        holder's sends in flight back in the queue, to be sent twice."""
        cursor = self.db.execute(
            "UPDATE outbox SET status = ? WHERE status = ? AND (? IS NULL OR EXISTS "
            "(SELECT 1 FROM instance_lease WHERE holder = ?))",
            [DeliveryStatus.PENDING, DeliveryStatus.SENDING, holder, holder],
        )
        return cursor.rowcount

    def pending_count(self) -> int:
        """Messages waiting or in flight: a sum over the tally's unfinished quarter hours (a
        few rows), asked after every delivery round."""
        return int(
            self.db.execute(
                "SELECT COALESCE(SUM(count), 0) FROM outbox_tally WHERE state = ?",
                [DeliveryStatus.PENDING],
            ).fetchone()[0]
        )

    def recipients_of_day(
        self,
        day: date,
        categories: Sequence[str],
        *,
        after: int | None = None,
        until: int | None = None,
    ) -> list[int]:
        """Chats that were shown the figure of `day` of any of `categories`: sent that day's
        bulletin or card (SHOWS_DAY) by a subscription of all categories or of that one, or
        told of a milestone of that category that day ('tanks:13000@day'); by rows still here
        or since pruned. Only chats after `after` up to `until`, if given: a notice to a
        million is queued a chunk of chats at a time (bot/subscriptions.py), each found by the
        outbox's (chat_id, ...) key, not by a scan. (`+o.status`: nearly every row is sent,
        and a scan of the table is three times faster than going by the status index.)"""
        low, high = chat_range(after, until)
        follows, followed = following_any(categories)
        told, milestones = milestone_of_any("o.subject", categories, day)
        rows = self.db.execute(
            "SELECT o.chat_id FROM outbox o LEFT JOIN subscribers s USING (chat_id) "
            "WHERE o.chat_id > ? AND o.chat_id <= ? AND +o.status = ? AND ("
            f"(o.kind IN ({', '.join('?' * len(SHOWS_DAY))}) AND o.subject = ? AND {follows}) "
            f"OR (o.kind = ? AND {told}))",
            [
                low,
                high,
                DeliveryStatus.SENT,
                *SHOWS_DAY,
                day.isoformat(),
                *followed,
                OutboxKind.MILESTONE,
                *milestones,
            ],
        )
        found = {chat_id for (chat_id,) in rows}
        found.update(self.shown.recipients_of_day(day, categories, low, high))
        return sorted(found)

    def was_shown(self, chat_id: int, day: date) -> bool:
        """Whether the chat was sent the bulletin or card of `day` (SHOWS_DAY)."""
        row = self.db.execute(
            "SELECT 1 FROM outbox WHERE chat_id = ? "
            f"AND kind IN ({', '.join('?' * len(SHOWS_DAY))}) AND subject = ? AND status = ?",
            [chat_id, *SHOWS_DAY, day.isoformat(), DeliveryStatus.SENT],
        ).fetchone()
        return row is not None or self.shown.was_shown(chat_id, day)

    def milestones_told(self, chat_id: int | None, day: date) -> list[str]:
        """The subjects of the milestones of `day` the chat (None: anyone) was sent, once each."""
        chat = "chat_id = ? AND" if chat_id is not None else ""
        rows = self.db.execute(  # +status: as in recipients_of_day
            f"SELECT DISTINCT subject FROM outbox WHERE {chat} kind = ? AND +status = ? "
            "AND subject LIKE ?",
            [
                *([chat_id] if chat_id is not None else []),
                OutboxKind.MILESTONE,
                DeliveryStatus.SENT,
                f"%@{day.isoformat()}",
            ],
        )
        found = {subject for (subject,) in rows}
        found.update(self.shown.milestones_told(chat_id, day))
        return sorted(found)

    def pending_subjects(self, kind: str, subject_like: str) -> list[str]:
        """The subjects of messages of `kind` still waiting to go, LIKE the pattern."""
        rows = self.db.execute(
            "SELECT DISTINCT subject FROM outbox WHERE kind = ? AND status = ? AND subject LIKE ?",
            [kind, DeliveryStatus.PENDING, subject_like],
        )
        return [subject for (subject,) in rows]

    def chats_with(self, messages: Iterable[tuple[str, str]]) -> int:
        """How many chats have a message of one of these (kind, subject) queued or sent."""
        messages = list(messages)
        if not messages:
            return 0
        pairs = " OR ".join(["(kind = ? AND subject = ?)"] * len(messages))
        return int(
            self.db.execute(
                f"SELECT COUNT(DISTINCT chat_id) FROM outbox WHERE {pairs}",
                [value for pair in messages for value in pair],
            ).fetchone()[0]
        )

    def counts_since(self, since: datetime) -> dict[str, int]:
        """Messages by state among those due since `since` (today's deliveries, say): 'pending'
        (waiting or in flight), 'sent', 'failed', 'skipped'; pruned ones included. From the
        tally, whose quarter hours start every time zone's midnight: a few rows a day."""
        quarter = int(since.timestamp()) // 900
        states = (DeliveryStatus.PENDING, *FINISHED)
        rows = self.db.execute(
            "SELECT state, SUM(count) FROM outbox_tally "
            f"WHERE state IN ({', '.join('?' * len(states))}) AND quarter >= ? GROUP BY state",
            [*states, quarter],
        )
        return {state: int(count) for state, count in rows if count}

    def prune(self, before: datetime, limit: int) -> int:
        """Remove up to `limit` finished messages due before `before`, in one transaction,
        keeping what notices need of them (`shown`: who was sent which day's bulletin or card,
        and which milestones); how many went. A message waiting or in flight is never
        removed, however old. What keeps a message from being queued twice is its row (the
        outbox's unique key), so `before` must be past the time anything could queue it again
        (bot/prune.py kept_since). Due times are stored in UTC, and compared as text, as
        `claim_due` compares them: by the outbox_due index."""
        with self._writing():
            rows = self.db.execute(
                "SELECT id, chat_id, kind, subject, status FROM outbox "
                f"WHERE status IN ({', '.join('?' * len(FINISHED))}) AND due_at < ? LIMIT ?",
                [*FINISHED, before.astimezone(UTC).isoformat(), limit],
            ).fetchall()
            sent = [
                (chat, kind, subject)
                for _, chat, kind, subject, status in rows
                if status == DeliveryStatus.SENT
            ]
            self.shown.keep(
                (
                    (chat, date.fromisoformat(subject))
                    for chat, kind, subject in sent
                    if kind in SHOWS_DAY
                ),
                ((chat, subject) for chat, kind, subject in sent if kind == OutboxKind.MILESTONE),
            )
            self.db.conn.executemany("DELETE FROM outbox WHERE id = ?", [(row[0],) for row in rows])
            # Quarter hours whose messages have all finished: nothing left to count there.
            self.db.execute(
                "DELETE FROM outbox_tally WHERE state = ? AND count = 0", [DeliveryStatus.PENDING]
            )
        return len(rows)

    def note_pruning(self, at: datetime, messages: int) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO last_pruning (id, at, messages) VALUES (1, ?, ?)",
            [at.isoformat(), messages],
        )

    def last_pruning(self) -> Pruning | None:
        row = self.db.execute("SELECT at, messages FROM last_pruning").fetchone()
        return Pruning(datetime.fromisoformat(row[0]), row[1]) if row else None


def _delivery(
    delivery_id: int,
    chat_id: int,
    kind: str,
    subject: str,
    due_at: str,
    attempts: int,
    language: str,
    categories: str,
    summary_format: str,
    thread_id: int | None,
    digests: str,
    thresholds: str,
    paused_until: str | None,
) -> Delivery:
    """A claimed row (its attempt counted) as a Delivery."""
    return Delivery(
        delivery_id,
        chat_id,
        kind,
        subject,
        datetime.fromisoformat(due_at),
        attempts + 1,
        language,
        split_commas(categories),
        summary_format,
        thread_id,
        split_commas(digests),
        split_thresholds(thresholds),
        moment(paused_until),
    )
