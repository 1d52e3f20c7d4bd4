"""Benchmark: broadcasting one bulletin through the real delivery path.

    python bench/broadcast.py [--subscribers 10000] [--capped 1000]

1. Throughput: a bulletin to N subscribers with no rate cap on either side, against the Bot API
   stand-in running in its own process (so the figure is the bot's own sending speed).
   Goal: >= 300 messages/s on the 2-core machine.
2. Under a cap: the stand-in answers 429 past 30 messages a second, as Telegram does; the bot
   sends at its default 25/s to M subscribers. Goal: >= 24/s achieved, zero 429s.

Each run uses a new SQLite file with the bundled history and real python-telegram-bot sending.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import Clock
from bot.config import Config
from bot.ingest import seed_if_empty
from bot.store import Store
from bot.subscriptions import enqueue_bulletin
from bot.telegram.app import build
from bot.telegram.delivery import DEFAULT_RATE, Deliverer
from bot.telegram.services import Services


def serve(cap: float | None, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    from bot.telegram.local_api import LocalBotApi

    api = LocalBotApi()
    api.faults.per_second_cap = cap
    with api.serve() as server:
        ready.put(server.base_url)
        stop.wait()
        ready.put((len(api.sent), api.too_many_requests))


async def broadcast(base_url: str, subscribers: int, rate: float, folder: Path) -> dict:
    store = Store(folder / f"bench-{subscribers}-{rate}.db")
    now = datetime.now(UTC)
    seed_if_empty(store, now=now, today=now.date())
    with store.transaction():
        for chat_id in range(1, subscribers + 1):
            store.subscribe(chat_id, "private", send_at=None, timezone="Europe/Kyiv", now=now)
    enqueue_bulletin(store, store.latest_date(), now=now)
    application = build(Services(Config(), store, Clock()), token="1:bench", base_url=base_url)
    async with application:
        deliverer = Deliverer(store, application.bot, Clock(), rate=rate)
        start = time.perf_counter()
        stats = await deliverer.run()
        while store.pending_count():  # 429s push rows a little into the future
            await asyncio.sleep(0.2)
            more = await deliverer.run()
            stats.add(more)
        elapsed = time.perf_counter() - start
    store.close()
    return {
        "sent": stats.sent,
        "seconds": elapsed,
        "rate": stats.sent / elapsed,
        "rate_limited": stats.rate_limited,
    }


def run(subscribers: int, rate: float, cap: float | None, folder: Path) -> tuple[dict, tuple]:
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=serve, args=(cap, ready, stop))
    server.start()
    try:
        base_url = ready.get(timeout=60)
        result = asyncio.run(broadcast(base_url, subscribers, rate, folder))
    finally:
        stop.set()
    counts = ready.get(timeout=60)
    server.join(timeout=30)
    return result, counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--capped", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result, (received, refused) = run(args.subscribers, 0, None, Path(folder))
        print(
            f"1. no cap: {result['sent']:,} sent in {result['seconds']:.2f} s = "
            f"{result['rate']:.0f} messages/s (stand-in received {received:,}; goal >= 300/s)"
        )
        result, (received, refused) = run(args.capped, DEFAULT_RATE, 30, Path(folder))
        print(
            f"2. 30/s cap, bot at {DEFAULT_RATE:g}/s: {result['sent']:,} sent in "
            f"{result['seconds']:.1f} s = {result['rate']:.1f} messages/s, {refused} 429s "
            f"(goal >= 24/s, zero 429s)"
        )


if __name__ == "__main__":
    main()
