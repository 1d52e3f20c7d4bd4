"""Benchmark: queueing one bulletin for 1k, 10k, 100k and 1M subscribers.

    python -m bench.enqueue [--sizes 1000,10000,100000,1000000] [--quick]

Each size runs in a fresh process on a new SQLite file. Subscribers are spread over 40 sets of
options (8 times of day x 5 time zones; every tenth with a chart), as real ones are. Measured:

- start: what the poll job does when a bulletin is accepted (`subscriptions.broadcast`: the
  first chunk of subscribers, on the event loop);
- each further chunk (`queue_broadcasts(chunks=1)`, which delivery runs between sends): the
  longest is the longest the event loop is held. Goal: <= 50 ms;
- the total time to queue everyone, and the process's peak RSS. Goal: < 150 MB at 1M.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.arguments import parse

TIMES = [None, "07:00", "08:00", "08:30", "09:00", "12:00", "18:00", "21:00"]
ZONES = ["Europe/Kyiv", "Europe/London", "Europe/Warsaw", "America/New_York", "Asia/Tokyo"]


def add_subscribers(store: Any, size: int, now: datetime, *, charts: bool = True) -> None:
    """`size` active subscribers spread over 40 sets of options (every tenth with a chart,
    unless not `charts`), in one transaction."""
    from bot.store import SubscriberStatus

    with store.transaction():
        store.db.conn.executemany(
            "INSERT INTO subscribers (chat_id, chat_type, status, send_at, timezone, "
            "created_at, updated_at, digests, with_chart) VALUES (?, 'private', ?, ?, ?, ?, ?, "
            "'daily', ?)",
            (
                (
                    chat_id,
                    SubscriberStatus.ACTIVE,
                    TIMES[chat_id % len(TIMES)],
                    ZONES[chat_id // len(TIMES) % len(ZONES)],
                    now.isoformat(),
                    now.isoformat(),
                    int(charts and chat_id % 10 == 0),
                )
                for chat_id in range(1, size + 1)
            ),
        )


def measure(size: int, folder: str, results: Any, charts: bool = True) -> None:
    from bot.store import OutboxKind, Store
    from bot.subscriptions import broadcast, queue_broadcasts

    now = datetime(2026, 8, 8, 6, 30, tzinfo=UTC)
    store = Store(Path(folder) / f"enqueue-{size}.db")
    add_subscribers(store, size, now, charts=charts)
    started = time.perf_counter()
    broadcast(store, OutboxKind.BULLETIN, "2026-08-07", now=now)
    first = time.perf_counter() - started
    chunks = []
    while store.broadcasts.in_progress():
        at = time.perf_counter()
        queue_broadcasts(store, chunks=1)
        chunks.append(time.perf_counter() - at)
    total = time.perf_counter() - started
    rows = store.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    results.put((size, rows, first, max(chunks, default=0.0), len(chunks), total, peak))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    args = parse(parser, sizes="1000,5000")
    context = multiprocessing.get_context("spawn")
    print(
        "| subscribers | rows queued | start (first chunk) | longest chunk after | chunks "
        "| all queued | peak RSS |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            results = context.Queue()
            process = context.Process(target=measure, args=(size, folder, results))
            process.start()
            size, rows, first, longest, chunks, total, peak = results.get(timeout=3600)
            process.join()
            print(
                f"| {size:,} | {rows:,} | {first * 1000:.0f} ms | {longest * 1000:.0f} ms | "
                f"{chunks} | {total:.2f} s | {peak:.0f} MB |"
            )


if __name__ == "__main__":
    main()
