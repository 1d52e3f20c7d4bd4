"""Benchmark: broadcasting one bulletin through the real delivery path.

    python bench/broadcast.py [--subscribers 20000] [--capped 1000] [--paid 10000] [--quick]

The Bot API stand-in runs in a process of its own; the bot's side is the real thing (the
outbox in SQLite, python-telegram-bot, its request class, the Deliverer).

0. The stand-in's ceiling: a bare client (raw keep-alive HTTP/1.1, 16 connections) sends
   sendMessage calls as fast as the stand-in answers them. Goal: >= 3x the bot's figure in 1,
   so that figure is the bot's and not the stand-in's.
1. Send path, no cap anywhere: a bulletin to N subscribers. Goal: >= 1,000 messages/s and
   <= 1 ms of the bot process's CPU a message.
2. Paid broadcast: the stand-in refuses (429) more than 30 messages a second, or 1,000 for
   sends marked allow_paid_broadcast; the bot runs with paid_broadcast at PAID_RATE, a little
   under Telegram's ceiling (which counts arrivals, and arrivals jitter). Goal: the flag on
   every send, >= 90% of PAID_RATE, zero 429s.
3. Free tier: the same cap, the bot at its default 25/s. Goal: >= 24/s, zero 429s.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import FREE_RATE, Config
from bot.ingest import ingest, seed_if_empty
from bot.report import Report
from bot.store import Store
from bot.subscriptions import enqueue_bulletin
from bot.telegram.app import build
from bot.telegram.delivery import DEFAULT_RATE, Deliverer
from bot.telegram.services import Services

# Run as `python bench/broadcast.py`, Python puts bench/ on the path, not the repository, whose
# tests/ holds the Bot API stand-in on loopback (tests/fake_bot_api.py).
if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fake_bot_api import LocalBotApi

PAID_RATE = 900


def serve(cap: float | None, ready: Any, stop: Any) -> None:
    api = LocalBotApi()
    api.faults.per_second_cap = cap
    with api.serve() as server:
        ready.put(server.base_url)
        stop.wait()
        ready.put((len(api.sent), sum(m.paid for m in api.sent), api.too_many_requests))


class StandIn:
    """The stand-in in a process of its own, for one measurement."""

    def __init__(self, cap: float | None) -> None:
        context = multiprocessing.get_context("spawn")
        self._ready, self._stop = context.Queue(), context.Event()
        self._process = context.Process(target=serve, args=(cap, self._ready, self._stop))

    def __enter__(self) -> StandIn:
        self._process.start()
        self.base_url: str = self._ready.get(timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.received, self.paid, self.refused = self._ready.get(timeout=60)
        self._process.join(timeout=30)


async def bare_client(base_url: str, calls: int, connections: int = 16) -> float:
    """Calls a second the stand-in answers a client that does nothing else."""
    url = urlsplit(base_url)
    body = b"chat_id=5&text=" + b"x" * 400
    head = (
        f"POST {url.path}1:bench/sendMessage HTTP/1.1\r\nHost: {url.netloc}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()

    async def one_connection(count: int) -> None:
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        for _ in range(count):
            writer.write(head + body)
            answer = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in answer.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(one_connection(calls // connections) for _ in range(connections)))
    return calls // connections * connections / (time.perf_counter() - start)


def todays_bulletin(store: Store, now: datetime) -> date:
    """The bundled history, and a bulletin dated today after it (its figures one higher):
    only the day's bulletin is news, and delivery skips one from the bundled history (August
    2026) as too late."""
    today = now.astimezone(ZoneInfo("Europe/Kyiv")).date()
    seed_if_empty(store, now=now, today=today)
    newest = store.reports.on(store.reports.latest_date() or today)
    assert newest is not None
    if newest.date < today:
        totals = {key: total + 1 for key, total in newest.totals.items()}
        report = Report(date=today, source="api", totals=totals, raw="{}")
        ingest(store, [report], now=now, today=today, hold_suspicious=False)
    return today


async def broadcast(
    base_url: str, subscribers: int, rate: float, folder: Path, *, paid: bool = False
) -> dict[str, float]:
    store = Store(folder / f"bench-{subscribers}-{rate}.db")
    now = datetime.now(UTC)
    with store.transaction():
        for chat_id in range(1, subscribers + 1):
            store.subscribers.subscribe(
                chat_id, "private", send_at=None, timezone="Europe/Kyiv", now=now
            )
    enqueue_bulletin(store, todays_bulletin(store, now), now=now)
    application = build(Services(Config(), store, Clock()), token="1:bench", base_url=base_url)
    async with application:
        deliverer = Deliverer(store, application.bot, Clock(), rate=rate, paid_broadcast=paid)
        start, cpu = time.perf_counter(), time.process_time()
        stats = await deliverer.run()
        while store.outbox.pending_count():  # 429s push rows a little into the future
            await asyncio.sleep(0.2)
            stats.add(await deliverer.run())
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    store.close()
    return {
        "sent": stats.sent,
        "seconds": elapsed,
        "rate": stats.sent / elapsed,
        "cpu_ms": cpu * 1000 / max(1, stats.sent),
        "rate_limited": stats.rate_limited,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--capped", type=int, default=1_000)
    parser.add_argument("--paid", type=int, default=10_000)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes, a few seconds: does it still run (CI runs this)",
    )
    args = parser.parse_args()
    if args.quick:
        args.subscribers, args.capped, args.paid = 300, 30, 300
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with StandIn(None) as stand_in:
            ceiling = asyncio.run(bare_client(stand_in.base_url, args.subscribers))
        print(f"0. stand-in ceiling, bare client: {ceiling:,.0f} calls/s")
        with StandIn(None) as stand_in:
            result = asyncio.run(broadcast(stand_in.base_url, args.subscribers, 0, folder))
        print(
            f"1. no cap: {result['sent']:,} sent in {result['seconds']:.2f} s = "
            f"{result['rate']:,.0f} messages/s, {result['cpu_ms']:.2f} ms CPU a message "
            f"(stand-in received {stand_in.received:,}; ceiling {ceiling / result['rate']:.1f}x "
            f"the bot; goal >= 1,000/s, <= 1 ms, ceiling >= 3x)"
        )
        with StandIn(FREE_RATE) as stand_in:
            result = asyncio.run(
                broadcast(stand_in.base_url, args.paid, PAID_RATE, folder, paid=True)
            )
        print(
            f"2. paid broadcast, bot at {PAID_RATE:,}/s: {result['sent']:,} sent in "
            f"{result['seconds']:.2f} s = {result['rate']:,.0f} messages/s, "
            f"{stand_in.paid:,} marked paid, {stand_in.refused} 429s "
            f"(goal >= {PAID_RATE * 0.9:,.0f}/s, all marked, zero 429s)"
        )
        with StandIn(FREE_RATE) as stand_in:
            result = asyncio.run(broadcast(stand_in.base_url, args.capped, DEFAULT_RATE, folder))
        print(
            f"3. {FREE_RATE}/s cap, bot at {DEFAULT_RATE:g}/s: {result['sent']:,} sent in "
            f"{result['seconds']:.1f} s = {result['rate']:.1f} messages/s, "
            f"{stand_in.refused} 429s (goal >= 24/s, zero 429s)"
        )


if __name__ == "__main__":
    main()
