"""Benchmark: the send path over each HTTP client, the clients taking turns, in one run.

    python -m bench.send_clients [--subscribers 5000] [--rounds 7] [--clients a,b] [--quick]

Issue 31, point 1. The real delivery path (the outbox in SQLite, python-telegram-bot's `ExtBot`
with the application's defaults, the Deliverer, no cap) sends one bulletin to N subscribers
through the Bot API stand-in in a process of its own, once per client per round. The clients
take turns, so that a load on the shared machine falls on each alike, and each round's CPU is
compared with the first client's of the same round.

- aiohttp: `AiohttpRequest` (bot/telegram/aiohttp_request.py), what the bot sends with;
- httpx: python-telegram-bot's own `HTTPXRequest`, its pool as big as the send window, HTTP/1.1;
- httpx-lean: the same httpx client with nothing of python-telegram-bot's per call (the body
  encoded once and passed as bytes, no `httpx.Timeout` made per call): httpx and httpcore alone.

The hand-written HTTP/1.1 client aiohttp replaced was measured beside them: at commit 1c6ec12
this script still has it (`--clients hand-written,aiohttp`). The goal for a library was
>= 1,000 messages/s and CPU a message within 1.3x of that client's (bench/README.md). The
stand-in's CPU a message is printed too: when it nears the bot's, the figure is the stand-in's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.ext import ExtBot
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bench.arguments import parse
from bench.broadcast import StandIn
from bot.clock import Clock, FixedClock
from bot.config import Config
from bot.ingest import seed_if_empty
from bot.store import Store
from bot.subscriptions import enqueue_bulletin
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.app import build
from bot.telegram.delivery import WINDOW, Deliverer
from bot.telegram.services import Services

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class LeanHTTPXRequest(BaseRequest):
    """httpx with nothing of ours per call but the body's encoding."""

    def __init__(self, connections: int = WINDOW) -> None:
        self._client = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=None),
            timeout=httpx.Timeout(5.0, pool=1.0),
            headers={"User-Agent": self.USER_AGENT, **FORM},
        )

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        await self._client.aclose()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        assert request_data is None or not request_data.contains_files
        body = request_data.url_encoded_parameters().encode() if request_data else b""
        try:
            answer = await self._client.request(method, url, content=body)
        except httpx.TimeoutException as error:
            raise TimedOut from error
        except httpx.HTTPError as error:
            raise NetworkError(repr(error)) from error
        return answer.status_code, answer.content


CLIENTS: dict[str, Callable[[], BaseRequest]] = {
    "aiohttp": AiohttpRequest,
    "httpx": lambda: HTTPXRequest(connection_pool_size=WINDOW, http_version="1.1"),
    "httpx-lean": LeanHTTPXRequest,
}


async def send(
    base_url: str, subscribers: int, folder: Path, request: BaseRequest
) -> dict[str, float]:
    """One bulletin to `subscribers` through `request`; the rate and CPU a message."""
    store = Store(folder / f"bench-{time.monotonic_ns()}.db")
    now = datetime.now(UTC)
    seed_if_empty(store, now=now, today=now.date())
    with store.transaction():
        for chat_id in range(1, subscribers + 1):
            store.subscribers.subscribe(
                chat_id, "private", send_at=None, timezone="Europe/Kyiv", now=now
            )
    # The bundled history's newest bulletin, sent on its morning: on today's clock it would be
    # skipped as no longer news.
    morning = datetime.combine(store.reports.latest_date(), clock_time(6, 30), UTC)
    enqueue_bulletin(store, store.reports.latest_date(), now=morning)
    application = build(Services(Config(), store, Clock()), token="1:bench", base_url=base_url)
    bot = ExtBot("1:bench", base_url=base_url, request=request, defaults=application.bot.defaults)
    async with bot:
        deliverer = Deliverer(store, bot, FixedClock(morning), rate=0)
        start, cpu = time.perf_counter(), time.process_time()
        stats = await deliverer.run()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    store.close()
    assert stats.sent == subscribers, stats
    return {"rate": stats.sent / elapsed, "cpu_ms": cpu * 1000 / stats.sent}


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--clients", default=",".join(CLIENTS))
    args = parse(parser, subscribers=300, rounds=1)
    names = args.clients.split(",")
    results: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(1, args.rounds + 1):
            for name in names:
                with StandIn(None) as stand_in:
                    pid = stand_in._process.pid
                    before = cpu_seconds(pid)
                    result = asyncio.run(
                        send(stand_in.base_url, args.subscribers, Path(folder), CLIENTS[name]())
                    )
                    stand_in_cpu = cpu_seconds(pid) - before
                result["stand_in_ms"] = stand_in_cpu * 1000 / args.subscribers
                results[name].append(result)
                result["ratio"] = result["cpu_ms"] / results[names[0]][-1]["cpu_ms"]
                print(
                    f"round {round_} {name:>12}: {result['rate']:,.0f} messages/s, "
                    f"{result['cpu_ms']:.2f} ms CPU a message ({result['ratio']:.2f}x), "
                    f"stand-in {result['stand_in_ms']:.2f} ms",
                    flush=True,
                )
    print(f"\nmedians of {args.rounds} rounds, {args.subscribers:,} subscribers each:")
    for name in names:
        rates = sorted(r["rate"] for r in results[name])
        cpu = statistics.median(r["cpu_ms"] for r in results[name])
        ratio = statistics.median(r["ratio"] for r in results[name])
        print(
            f"{name:>12}: {statistics.median(rates):,.0f} messages/s "
            f"({rates[0]:,.0f}-{rates[-1]:,.0f}), {cpu:.2f} ms CPU a message, "
            f"{ratio:.2f}x {names[0]}'s"
        )


if __name__ == "__main__":
    main()
