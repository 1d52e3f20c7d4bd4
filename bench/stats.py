"""Benchmark: the counts an admin's /stats and every delivery round ask for, at 1M subscribers.

    python -m bench.stats [--subscribers 1000000] [--runs 7] [--quick]

A database with N active subscribers (a third of them reading in Ukrainian, a few hundred
blocked or gone), yesterday's bulletin sent to all of them and today's queued for all of them
(2N outbox rows, N pending: a broadcast just queued). Measured, medians of `runs`:

- `pending_count`, which delivery asks after every round (the outbox metric);
- `/stats` as the admin's command answers it (`Desk.stats`: every count it shows, rendered),
  and each query in it. All of it runs on the event loop. Goal: /stats < 50 ms at 1M.

The rows are written with bulk SQL (INSERT ... SELECT), not through delivery: what is measured
is reading them.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from bench.arguments import parse
from bot.admin import Desk
from bot.clock import FixedClock
from bot.config import Config
from bot.store import DeliveryStatus, OutboxKind, Store, SubscriberStatus

NOW = datetime(2026, 8, 8, 6, 30, tzinfo=UTC)
YESTERDAY, TODAY = "2026-08-07", "2026-08-08"


def median_ms(action: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def fill(store: Store, size: int) -> None:
    """N active subscribers (and a few others), yesterday's bulletin sent to each, today's
    queued for each."""
    with store.transaction():
        store.db.conn.executemany(
            "INSERT INTO subscribers (chat_id, chat_type, status, send_at, timezone, "
            "created_at, updated_at) VALUES (?, 'private', ?, NULL, 'Europe/Kyiv', ?, ?)",
            (
                (
                    chat_id,
                    SubscriberStatus.BLOCKED if chat_id % 1000 == 7 else SubscriberStatus.ACTIVE,
                    NOW.isoformat(),
                    NOW.isoformat(),
                )
                for chat_id in range(1, size + 1)
            ),
        )
        store.db.conn.executemany(
            "INSERT INTO chats (chat_id, language, chosen, updated_at) VALUES (?, ?, 0, ?)",
            (
                (chat_id, "uk" if chat_id % 3 == 0 else "en", NOW.isoformat())
                for chat_id in range(1, size + 1)
            ),
        )
    for day, status, due in (
        (YESTERDAY, DeliveryStatus.SENT, "2026-08-07T06:30:00+00:00"),
        (TODAY, DeliveryStatus.PENDING, NOW.isoformat()),
    ):
        with store.transaction():
            store.db.execute(
                "INSERT INTO outbox (chat_id, kind, subject, due_at, status, attempts, sent_at) "
                "SELECT chat_id, ?, ?, ?, ?, ?, ? FROM subscribers WHERE status = ?",
                [
                    OutboxKind.BULLETIN,
                    day,
                    due,
                    status,
                    int(status == DeliveryStatus.SENT),
                    due if status == DeliveryStatus.SENT else None,
                    SubscriberStatus.ACTIVE,
                ],
            )


def measure(store: Store, runs: int) -> dict[str, float]:
    config = Config()
    desk = Desk(store, config, FixedClock(NOW), "bench", "/")
    midnight = datetime.combine(NOW.date(), clock_time(0), tzinfo=config.schedule.zone)
    stats = desk.stats()
    assert "Subscribers" in stats, stats
    return {
        "pending_count (every delivery round)": median_ms(store.outbox.pending_count, runs),
        "/stats, all of it (Desk.stats)": median_ms(desk.stats, runs),
        "  subscribers by status": median_ms(store.subscribers.counts, runs),
        "  subscribers by language": median_ms(store.subscribers.languages, runs),
        "  today's deliveries by status": median_ms(
            lambda: store.outbox.counts_since(midnight), runs
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parse(parser, subscribers=10_000, runs=3)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "stats.db")
        started = time.perf_counter()
        fill(store, args.subscribers)
        print(
            f"{args.subscribers:,} subscribers, {2 * args.subscribers:,} outbox rows "
            f"({args.subscribers:,} pending), filled in {time.perf_counter() - started:.1f} s"
        )
        results = measure(store, args.runs)
        store.close()
    print(f"\n| what (median of {args.runs}) | ms |\n| --- | ---: |")
    for name, ms in results.items():
        print(f"| {name} | {ms:.2f} ms |")


if __name__ == "__main__":
    main()
