"""Pruning the outbox: a finished message goes once nothing can queue it again, leaving behind
what notices need of it (who was shown which day's figures: bot/store/shown.py).

Without it the outbox grows for ever: 156 bytes a message, 156 MB a day at a million
subscribers. The running bot prunes every PRUNE_EVERY in a worker thread, a CHUNK of rows a
transaction, resting between them (REST) and checkpointing after each, so the event loop waits
at most about one transaction for the write lock and does not inherit the checkpoint of what
pruning wrote; `bulletin-bot prune` does the same at once, for the operator.

How long a finished message is kept (`kept_since`): its row is what stops it being queued a
second time (the outbox's unique key), so it must outlive every chance of that. What a bulletin
brings (the summary, its card, chart, digests and milestones) is queued only while the bulletin
is news, which is until the end of the day FRESH_DAYS after its own in the home time zone
(bot/subscriptions.py is_fresh; bot/publish.py), and never before its own day began there (a
bulletin is not news before its day), due no earlier than it was queued. So a message due before
the start of the day FRESH_DAYS ago, in the home time zone, is of a bulletin that is no longer
news: nothing queues it again (and delivery would skip it as no longer news if anything did).
At the usual FRESH_DAYS of 1 that keeps yesterday's and today's messages: 1 to 2 days of them.
Notices and announcements have subjects that are never queued twice (a correction batch's
start, an errata's replaced version, an announcement's id; an alert is raised once per key).
A new kind of message must keep to the same rule: once its row could be pruned (finished, and
due before the start of yesterday), nothing may queue the same (chat, kind, subject) again, or
it goes twice; a digest queued by a schedule of its own must remember elsewhere what it sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from bot.store import Store
from bot.subscriptions import FRESH_DAYS

log = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(hours=1)
# Rows a transaction: 3-10 ms with the write lock held (bench/year.py measures it).
CHUNK = 200
# The least rest between two transactions of the running bot's pruning. Another writer that
# found the lock taken (the event loop's) sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25 ms between
# tries (SQLite's busy handler): a rest longer than its steps is a gap it cannot miss, so it
# waits about one transaction, not several.
REST = 0.03


@dataclass(frozen=True)
class Pruned:
    """What a pruning removed, and the database after it: its size and the free space inside
    (the pages pruned rows left, which new rows take before the file grows)."""

    messages: int
    before: datetime  # finished messages due before this went
    size_bytes: int
    free_bytes: int
    longest_chunk: float  # seconds, the longest transaction (with the checkpoint after it)


def kept_since(today: date, zone: ZoneInfo) -> datetime:
    """The start of the oldest day whose bulletin is still news on `today` (in the home time
    zone `zone`): finished messages due before it are pruned."""
    return datetime.combine(today - timedelta(days=FRESH_DAYS), clock_time(0), tzinfo=zone)


def prune(
    store: Store,
    *,
    now: datetime,
    zone: ZoneInfo,
    rest: bool = False,
    stopping: Callable[[], bool] = lambda: False,
    chunk: int = CHUNK,
) -> Pruned:
    """Remove every finished message due before `kept_since` (today as it is in the home time
    zone `zone`), a CHUNK at a time; with `rest`, resting between chunks as long as each took,
    and at least REST (the running bot, whose delivery writes between them). `stopping` ends
    it between chunks (a SIGTERM). A larger `chunk` holds the write lock longer (bench/year.py's
    simulated days, with nobody else writing)."""
    before = kept_since(now.astimezone(zone).date(), zone)
    total, longest = 0, 0.0
    while not stopping():
        started = time.perf_counter()
        removed = store.outbox.prune(before, chunk)
        took = time.perf_counter() - started
        total, longest = total + removed, max(longest, took)
        store.checkpoint()  # the chunk's pages into the file, by this connection
        if removed < chunk:
            break
        if rest:
            time.sleep(max(took, REST))
    size, free = store.size()
    store.outbox.note_pruning(now, total)
    log.info(
        "outbox pruned messages=%d before=%s size_mb=%.1f free_mb=%.1f longest_chunk_ms=%.0f",
        total,
        before.isoformat(timespec="seconds"),
        size / 1e6,
        free / 1e6,
        longest * 1000,
    )
    return Pruned(total, before, size, free, longest)
