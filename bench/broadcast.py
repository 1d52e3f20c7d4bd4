"""Benchmark: broadcasting one bulletin through the path `bulletin-bot run` sends it by.

    python -m bench.broadcast [--subscribers 20000] [--paid 60000] [--capped 1000] [--quick]

The Bot API stand-in runs in a process of its own; the bot's side is the real thing, built by
the code `run` builds it with (`bot.telegram.app.build` and `app.deliverer`): the outbox in
SQLite, python-telegram-bot and its request class, and the very messages `run` sends, a
bulletin with its buttons in each subscriber's language (half English, half Ukrainian).

Each figure is printed beside a baseline measured in the same run, as this machine's speed
varies from hour to hour (other sessions share its two cores):

0. The stand-in's ceiling: a bare client (raw keep-alive HTTP/1.1, 16 connections, an echo
   loop that sends a call and reads its answer) sends sendMessage calls as fast as the
   stand-in answers them; its CPU a call is the least any client spends on this machine now.
1. Send path, no cap anywhere: a bulletin to N subscribers. Goal: <= 0.4 ms of the bot
   process's CPU a message (and >= 1,000 messages/s); the ceiling >= 3x the bot's rate, so
   the rate is the bot's and not the stand-in's.
2. Paid broadcast: the stand-in refuses (429) more than 30 messages a second, or 1,000 over any
   second for sends marked allow_paid_broadcast; the bot is configured as the README says for
   paid broadcasts, at Telegram's 1,000 a second. Goal: the flag on every send, >= 95% of
   1,000/s, at most a few 429s a minute (a minute of sending by default).
3. Free tier: the same cap, the bot at its default 25/s. Goal: >= 24/s, zero 429s.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bench.arguments import parse
from bot.clock import Clock
from bot.config import FREE_RATE, PAID_RATE, Config, DeliveryConfig
from bot.ingest import ingest, seed_if_empty
from bot.report import Report
from bot.store import Store
from bot.subscriptions import enqueue_bulletin
from bot.telegram import app
from bot.telegram.delivery import DEFAULT_RATE
from bot.telegram.services import Services
from tests.fake_bot_api import LocalBotApi


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


async def bare_client(base_url: str, calls: int, connections: int = 16) -> tuple[float, float]:
    """Calls a second the stand-in answers a client that does nothing else, and that client's
    CPU a call (ms): an echo loop, the floor of any client on this machine now."""
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

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one_connection(calls // connections) for _ in range(connections)))
    done = calls // connections * connections
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return done / elapsed, cpu * 1000 / done


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
    """A bulletin to `subscribers` chats (every other one speaking Ukrainian), sent by the
    Deliverer `run` would make with this configuration."""
    store = Store(folder / f"bench-{subscribers}-{rate}.db")
    now = datetime.now(UTC)
    with store.transaction():
        for chat_id in range(1, subscribers + 1):
            store.subscribers.subscribe(
                chat_id, "private", send_at=None, timezone="Europe/Kyiv", now=now
            )
            language = "uk" if chat_id % 2 else "en"
            store.subscribers.set_chat_language(chat_id, language, chosen=True, now=now)
    enqueue_bulletin(store, todays_bulletin(store, now), now=now)
    config = Config(delivery=DeliveryConfig(rate_per_second=rate, paid_broadcast=paid))
    application = app.build(Services(config, store, Clock()), token="1:bench", base_url=base_url)
    async with application:
        deliverer = app.deliverer(application)
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
    parser.add_argument("--paid", type=int, default=60_000, help="a minute at 1,000/s")
    parser.add_argument("--capped", type=int, default=1_000)
    args = parse(parser, subscribers=300, capped=30, paid=300)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with StandIn(None) as stand_in:
            ceiling, floor = asyncio.run(bare_client(stand_in.base_url, args.subscribers))
        print(
            f"0. baseline: stand-in ceiling {ceiling:,.0f} calls/s for a bare client (an echo "
            f"loop), which spends {floor:.3f} ms CPU a call"
        )
        with StandIn(None) as stand_in:
            result = asyncio.run(broadcast(stand_in.base_url, args.subscribers, 0, folder))
        print(
            f"1. no cap: {result['sent']:,} sent in {result['seconds']:.2f} s = "
            f"{result['rate']:,.0f} messages/s (the stand-in's ceiling "
            f"{ceiling / result['rate']:.1f}x it), {result['cpu_ms']:.3f} ms CPU a message = "
            f"{result['cpu_ms'] / floor:.1f}x the "
            f"bare client's call (stand-in received {stand_in.received:,}; goal <= 0.4 ms, "
            f">= 1,000/s, ceiling >= 3x)"
        )
        with StandIn(FREE_RATE) as stand_in:
            result = asyncio.run(
                broadcast(stand_in.base_url, args.paid, PAID_RATE, folder, paid=True)
            )
        minutes = result["seconds"] / 60
        print(
            f"2. paid broadcast, bot at {PAID_RATE:,}/s against a stand-in capped at "
            f"{PAID_RATE:,}/s: {result['sent']:,} sent in {result['seconds']:.2f} s = "
            f"{result['rate']:,.0f} messages/s = {result['rate'] / PAID_RATE:.1%} of "
            f"{PAID_RATE:,}, {stand_in.paid:,} marked paid, {stand_in.refused} 429s "
            f"= {stand_in.refused / minutes:.1f} a minute (goal >= 95%, all marked, a few 429s "
            f"a minute)"
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
