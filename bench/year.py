"""Benchmark: a year of daily summaries to a million subscribers, pruned as the bot prunes.

    python -m bench.year [--subscribers 1000000] [--days 365] [--every 30] [--folder DIR]
                         [--quick]

Goal (issue 29): the database after a year is under 1 GB. Subscribers are spread as real
ones are: Telegram-sized chat ids (5 % of them groups), 8 times of day, every tenth with a
chart, every tenth skipping weekends, a fifth told of milestones, some with a card, with two
categories, with the weekly or monthly digest. Each day:

- the day's messages are written as delivery leaves them (sent, 1 % failed), with bulk SQL
  (INSERT ... SELECT over the subscribers, BATCH at a time) rather than through Telegram:
  sending is bench/broadcast.py's. A day has as many milestones as the real history's last
  year spread evenly (194 in the year), each told to those who asked;
- then the bot's pruning runs (`bot.prune.prune`, the store's own methods: a chunk of
  finished rows folded into bits and deleted per transaction) as of the end of that day (its
  cut-off moves at midnight in the home time zone: hourly runs in between prune nothing), in
  transactions of SIMULATED_CHUNK rows (the bot's are bot.prune.CHUNK: the same rows go, in
  smaller steps). The simulation runs with `PRAGMA synchronous = OFF` (no fsync: what is
  stored is the same).

The last day is pruned as the running bot prunes: in a worker thread on a connection of its
own, resting between chunks, while the main thread writes a row every 10 ms as delivery does
between sends; how long those writes take, against the same writes alone, is how long the
event loop would wait.

Printed every `--every` days: the database's size (and the file with its -wal), its free
pages, outbox rows and rows of the compact record. At the end: the last day's pruning as the
bot prunes, who a correction of a day 200 days back reaches (checked against the simulation's
own count), how long finding them takes, and how its notices are queued (the admin's command
queues the first chunk, delivery the rest), /stats and the pending count. `--folder` keeps the
database there, to look into afterwards (SQLite's dbstat).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.arguments import parse
from bot.admin import Desk
from bot.clock import FixedClock
from bot.config import Config
from bot.prune import CHUNK, Pruned, prune
from bot.store import DeliveryStatus, OutboxKind, Store, SubscriberStatus
from bot.store.database import beside
from bot.subscriptions import notice, queue_broadcasts

FIRST_DAY = date(2025, 8, 9)
ZONE = Config().schedule.zone
TIMES = [None, "07:00", "08:00", "08:30", "09:00", "12:00", "18:00", "21:00"]
MILESTONES_A_YEAR = 194  # bot/milestones.py: the rule over the real history's last year
BATCH = 10_000  # subscribers a transaction when writing a day's messages
# Rows a transaction when pruning the simulated days, with nobody else writing (the last day
# is pruned as the bot prunes, bot.prune.CHUNK at a time).
SIMULATED_CHUNK = 20_000


def seed(store: Store, size: int) -> None:
    """`size` active subscribers with Telegram-sized ids and a spread of options."""
    rng = random.Random(29)
    people = sorted(rng.sample(range(100_000_000, 8_000_000_000), size - size // 20))
    groups = [-1_000_000_000_000 - n for n in rng.sample(range(1, 3_000_000_000), size // 20)]
    now = datetime(2025, 8, 8, tzinfo=UTC).isoformat()
    with store.transaction():
        store.db.conn.executemany(
            "INSERT INTO subscribers (chat_id, chat_type, status, send_at, timezone, "
            "created_at, updated_at, digests, with_chart, format, skip_weekends, categories) "
            "VALUES (?, ?, 'active', ?, 'Europe/Kyiv', ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    chat_id,
                    "private" if chat_id > 0 else "supergroup",
                    TIMES[n % len(TIMES)],
                    now,
                    now,
                    ",".join(
                        ["daily"]
                        + (["weekly"] if n % 10 == 1 else [])
                        + (["monthly"] if n % 20 == 2 else [])
                        + (["milestones"] if n % 5 == 3 else [])
                    ),
                    int(n % 10 == 0),
                    "card" if n % 20 == 4 else "full",
                    int(n % 10 == 5),
                    "tanks,artillery" if n % 10 == 6 else "",
                )
                for n, chat_id in enumerate(sorted(people + groups))
            ),
        )
        store.db.conn.executemany(
            "INSERT INTO chats (chat_id, language, chosen, updated_at) VALUES (?, ?, 1, ?)",
            ((chat_id, "uk", now) for chat_id in people[::3]),
        )


def milestones_on(index: int) -> list[str]:
    """The milestone subjects of the index-th day: the year's 194 spread evenly."""
    count = (index + 1) * MILESTONES_A_YEAR // 365 - index * MILESTONES_A_YEAR // 365
    day = FIRST_DAY + timedelta(days=index)
    return [f"uav:{(index * 10 + n) * 1000}@{day.isoformat()}" for n in range(count)]


def send_day(store: Store, index: int) -> int:
    """Write the index-th day's messages as delivery leaves them; how many."""
    day = FIRST_DAY + timedelta(days=index)
    weekend = day.weekday() >= 5
    daily = "(',' || digests || ',') LIKE '%,daily,%'"
    if weekend:
        daily += " AND NOT skip_weekends"
    kinds = [
        (OutboxKind.BULLETIN, day.isoformat(), f"{daily} AND format != 'card'"),
        (OutboxKind.CARD, day.isoformat(), f"{daily} AND format = 'card'"),
        (OutboxKind.CHART, day.isoformat(), f"{daily} AND with_chart"),
    ]
    if day.weekday() == 0:
        kinds.append((OutboxKind.WEEKLY, day.isoformat(), "digests LIKE '%weekly%'"))
    if day.day == 1:
        kinds.append((OutboxKind.MONTHLY, day.isoformat(), "digests LIKE '%monthly%'"))
    for subject in milestones_on(index):
        kinds.append((OutboxKind.MILESTONE, subject, "digests LIKE '%milestones%'"))
    ids = [row[0] for row in store.db.execute("SELECT chat_id FROM subscribers ORDER BY chat_id")]
    written = 0
    for start in range(0, len(ids), BATCH):
        low, high = ids[start], ids[min(start + BATCH, len(ids)) - 1]
        with store.transaction():
            for kind, subject, which in kinds:
                store.db.execute(
                    "INSERT INTO outbox (chat_id, kind, subject, due_at, status, attempts, "
                    "last_error, sent_at) SELECT chat_id, ?, ?, "
                    "? || 'T' || COALESCE(send_at, '05:40') || ':00+00:00', "
                    "CASE WHEN chat_id % 100 = 7 THEN ? ELSE ? END, 1, "
                    "CASE WHEN chat_id % 100 = 7 THEN ? END, "
                    "CASE WHEN chat_id % 100 = 7 THEN NULL ELSE ? || 'T' || "
                    "COALESCE(send_at, '05:40') || ':03.' || (100000 + abs(chat_id) % 900000) "
                    "|| '+00:00' END "
                    f"FROM subscribers WHERE status = ? AND chat_id BETWEEN ? AND ? AND {which}",
                    [
                        kind,
                        subject,
                        day.isoformat(),
                        DeliveryStatus.FAILED,
                        DeliveryStatus.SENT,
                        "403: Forbidden: bot was blocked by the user",
                        day.isoformat(),
                        SubscriberStatus.ACTIVE,
                        low,
                        high,
                    ],
                )
                written += int(store.db.execute("SELECT changes()").fetchone()[0])
    return written


def shown_on(store: Store, day: date, category: str) -> int:
    """How many chats the simulation sent `category`'s figure of `day` (its bulletin or card,
    for a subscription of all categories or of that one): what a correction must reach."""
    index = (day - FIRST_DAY).days
    daily = "(',' || digests || ',') LIKE '%,daily,%'"
    if day.weekday() >= 5:
        daily += " AND NOT skip_weekends"
    told = (
        "OR digests LIKE '%milestones%'"
        if any(s.startswith(f"{category}:") for s in milestones_on(index))
        else ""
    )
    return int(
        store.db.execute(
            f"SELECT COUNT(*) FROM subscribers WHERE chat_id % 100 != 7 AND ((({daily}) AND "
            f"(categories = '' OR instr(',' || categories || ',', ?) > 0)) {told})",
            [f",{category},"],
        ).fetchone()[0]
    )


def on_disk(path: Path) -> int:
    """The database file and its -wal, as they take the disk."""
    return sum(p.stat().st_size for p in (path, beside(path, "-wal")) if p.exists())


def report(store: Store, path: Path, day: int, sent: int, took: float) -> None:
    size, free = store.size()
    rows = store.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    days = store.db.execute("SELECT COUNT(*) FROM shown_days").fetchone()[0]
    told = store.db.execute("SELECT COUNT(*) FROM told_milestones").fetchone()[0]
    print(
        f"| {day} | {sent:,} | {on_disk(path) / 1e6:,.0f} MB | {size / 1e6:,.0f} MB | "
        f"{free / 1e6:,.0f} MB | {rows:,} | {days + told:,} | {took:.0f} s |",
        flush=True,
    )


def writes_every_10ms(store: Store, now: datetime, until: Callable[[], bool]) -> list[float]:
    """Write a row every 10 ms, as delivery records sends, until `until()`; how long each
    write took (waiting for the write lock included), sorted."""
    waits = []
    while not until():
        started = time.perf_counter()
        store.outbox.enqueue([(1, OutboxKind.ALERT, f"tick {len(waits)} {now}", now)])
        waits.append(time.perf_counter() - started)
        time.sleep(0.01)
    return sorted(waits)


def pruned_as_the_bot_does(
    store: Store, now: datetime
) -> tuple[Pruned, list[float], list[float], list[float]]:
    """Prune in a worker thread on its own connection, resting between chunks, as the bot's
    job does, while this thread writes a row every 10 ms. The prune; how long each chunk held
    the write lock (its transaction); how long each write took beside it, and as long again
    of writes with nothing else running (the baseline)."""
    done: list[Pruned] = []
    chunks: list[float] = []

    def work() -> None:
        own = Store(store.path)
        pruning = own.outbox.prune

        def timed(before: datetime, limit: int) -> int:
            started = time.perf_counter()
            try:
                return pruning(before, limit)
            finally:
                chunks.append(time.perf_counter() - started)

        own.outbox.prune = timed  # type: ignore[method-assign]
        try:
            done.append(prune(own, now=now, zone=ZONE, rest=True))
        finally:
            own.close()

    worker = threading.Thread(target=work)
    began = time.perf_counter()
    worker.start()
    beside = writes_every_10ms(store, now, lambda: not worker.is_alive())
    worker.join()
    lasted = time.perf_counter() - began
    alone = writes_every_10ms(store, now, lambda: time.perf_counter() - began > 2 * lasted)
    return done[0], sorted(chunks), beside, alone


def corrected_as_the_bot_does(
    store: Store, day: date, now: datetime
) -> tuple[float, list[float], int]:
    """A correction of `day`'s tanks figure notified as `/correct` notifies it (the first
    chunk of chats, on the event loop), then the rest queued a chunk at a time, as the
    delivery's queueing process queues them: (the command's share, each further chunk, in
    seconds; the notices queued)."""
    subject = f"{day.isoformat()}@{now.isoformat(timespec='seconds')}"
    started = time.perf_counter()
    notice(store, OutboxKind.CORRECTION, subject, due=now, categories=["tanks"])
    first = time.perf_counter() - started
    chunks = []
    while store.broadcasts.in_progress():
        chunks.append(timed(lambda: queue_broadcasts(store, chunks=1)) / 1000)
    queued = store.db.execute(
        "SELECT COUNT(*) FROM outbox WHERE kind = ? AND subject = ?",
        [OutboxKind.CORRECTION, subject],
    ).fetchone()[0]
    return first, sorted(chunks), int(queued)


def timed(action: Callable[[], object]) -> float:
    """How long `action` took, in milliseconds."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def spread(values: list[float]) -> str:
    """'median 0.3 ms, p99 4.0 ms, longest 9.1 ms' of sorted durations in seconds."""
    return (
        f"median {statistics.median(values) * 1000:.1f} ms, "
        f"p99 {values[int(len(values) * 0.99)] * 1000:.1f} ms, longest {values[-1] * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--every", type=int, default=30, help="print a line every N days")
    parser.add_argument("--folder", help="keep the database here (default: a temporary one)")
    args = parse(parser, subscribers=2_000, days=40, every=10)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(args.folder or scratch) / "year.db"
        store = Store(path)
        store.db.execute("PRAGMA synchronous = OFF")
        began = time.perf_counter()
        seed(store, args.subscribers)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the seeding's -wal is no day's
        print(
            f"{args.subscribers:,} subscribers, {args.days} days; seeded in "
            f"{time.perf_counter() - began:.0f} s\n"
        )
        print(
            "| day | messages that day | on disk (file + -wal) | database | free in it | "
            "outbox rows | compact rows | elapsed |\n| ---: | ---: | ---: | ---: | ---: | "
            "---: | ---: | ---: |"
        )
        pruned, written = 0, 0
        began = time.perf_counter()
        for index in range(args.days):
            written += (sent := send_day(store, index))
            midnight = FIRST_DAY + timedelta(days=index + 1)
            end_of_day = datetime.combine(midnight, datetime.min.time(), ZONE)
            if index + 1 < args.days:
                done = prune(store, now=end_of_day, zone=ZONE, chunk=SIMULATED_CHUNK)
            else:
                store.db.execute("PRAGMA synchronous = NORMAL")  # as the bot runs
                done, chunks, beside, alone = pruned_as_the_bot_does(store, end_of_day)
            pruned += done.messages
            if (index + 1) % args.every == 0 or index + 1 == args.days:
                report(store, path, index + 1, sent, time.perf_counter() - began)
        print(
            f"\nmessages written {written:,}, pruned {pruned:,} ({written / 1e6 * 156:,.0f} MB "
            f"of outbox at 156 bytes a message, without pruning); {on_disk(path) / 1e6:,.0f} MB "
            "on disk."
        )
        print(
            f"The last day pruned as the bot does, in a worker thread ({done.messages:,} "
            f"messages): its {len(chunks):,} transactions of {CHUNK} rows {spread(chunks)}; "
            "a write every 10 ms "
            f"beside it {spread(beside)} ({len(beside):,}); the same writes alone "
            f"{spread(alone)} ({len(alone):,})."
        )
        day = FIRST_DAY + timedelta(days=max(0, args.days - 200))
        started = time.perf_counter()
        reached = store.outbox.recipients_of_day(day, ["tanks"])
        find_ms = (time.perf_counter() - started) * 1000
        expected = shown_on(store, day, "tanks")
        assert len(reached) == expected, (len(reached), expected)
        print(
            f"A correction of tanks on {day} reaches {len(reached):,} chats, as many as were "
            f"sent that figure; finding them all at once took {find_ms:.0f} ms."
        )
        first, chunks, queued = corrected_as_the_bot_does(store, day, end_of_day)
        assert queued == expected, (queued, expected)
        print(
            f"Its notices queued as the bot queues them: {first * 1000:.0f} ms in the "
            f"admin's command (the first chunk), then {len(chunks):,} chunks as delivery "
            f"sends, {spread(chunks)}, {sum(chunks):.2f} s in all; {queued:,} notices."
        )
        desk = Desk(store, Config(), FixedClock(end_of_day), "bench", "/")
        desk.stats()  # the first loads the catalogues
        stats_ms = statistics.median(timed(desk.stats) for _ in range(5))
        pending_ms = statistics.median(timed(store.outbox.pending_count) for _ in range(5))
        print(f"/stats {stats_ms:.1f} ms, pending_count {pending_ms:.2f} ms (medians of 5).")
        store.close()


if __name__ == "__main__":
    main()
