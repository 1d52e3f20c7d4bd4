"""Benchmark: a broadcast to a million subscribers queued inside the running bot while it sends.

    python -m bench.queueing [--subscribers 1000000] [--rate 0] [--quick]

The bot's side is what `run` does when a bulletin is accepted: the poll queues the first chunk
of subscribers (`subscriptions.broadcast`), and the Deliverer `run` builds (`app.deliverer`)
queues the rest while it sends, against the Bot API stand-in in a process of its own (no cap:
the bot sends as fast as it can, the hardest case for queueing beside it; `--rate` sets the
configured rate, as `[delivery] rate_per_second`). Subscribers are spread over 40 sets of
options as in bench/enqueue.py (8 times of day x 5 zones; no charts, so that every send is a
bulletin: those with no time of their own, an eighth, are due at once).

Measured: the time from the bulletin's acceptance until every subscriber is queued, the messages
sent meanwhile, and the event loop's steps (each callback or task step timed, as asyncio's debug
mode times them to warn of slow ones, without the rest of debug mode's cost). Beside it, in the
same run: the same subscribers queued by bench/enqueue.py's loop alone (`queue_broadcasts` a
chunk at a time, nothing else running), in a fresh process. Goal: <= 15 s for 1M, loop steps
<= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.arguments import parse
from bench.broadcast import StandIn, todays_bulletin
from bench.enqueue import add_subscribers
from bench.enqueue import measure as queued_alone
from bot.clock import Clock
from bot.config import Config, DeliveryConfig
from bot.store import OutboxKind, Store
from bot.subscriptions import broadcast
from bot.telegram import app
from bot.telegram.services import Services

SLOW = 0.05  # seconds: a step this long holds every update up noticeably


class Steps:
    """Times every step of the event loop (asyncio.Handle._run: a callback, or a task running
    to its next await) while installed."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.slow = 0  # steps of SLOW or longer
        self.count = 0
        self.what = ""  # the longest step's callback or task
        # The longest in CPU time: on a loaded machine a step may also wait for a core.
        self.longest_cpu = 0.0

    def __enter__(self) -> Steps:
        run = self._run = asyncio.events.Handle._run
        steps = self

        def timed(handle: asyncio.events.Handle) -> None:
            started, cpu = time.perf_counter(), time.thread_time()
            run(handle)
            took = time.perf_counter() - started
            steps.count += 1
            steps.slow += took >= SLOW
            steps.longest_cpu = max(steps.longest_cpu, time.thread_time() - cpu)
            if took > steps.longest:
                steps.longest, steps.what = took, _named(handle)

        asyncio.events.Handle._run = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.events.Handle._run = self._run  # type: ignore[method-assign]


def _named(handle: asyncio.events.Handle) -> str:
    """What a step ran: a task's coroutine, or a callback's name."""
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        return task.get_coro().__qualname__  # type: ignore[union-attr]
    return getattr(callback, "__qualname__", repr(callback))


async def in_the_bot(base_url: str, store: Store, rate: float) -> dict[str, Any]:
    """Accept today's bulletin, then run delivery until everyone is queued."""
    now = datetime.now(UTC)
    day = todays_bulletin(store, now)
    config = Config(delivery=DeliveryConfig(rate_per_second=rate, paid_broadcast=rate > 30))
    application = app.build(Services(config, store, Clock()), token="1:bench", base_url=base_url)
    async with application:
        deliverer = app.deliverer(application)
        steps = Steps().__enter__()
        started = time.perf_counter()
        broadcast(store, OutboxKind.BULLETIN, day.isoformat(), now=now)  # the poll's part
        first = time.perf_counter() - started
        sending = asyncio.create_task(deliverer.run())
        while store.broadcasts.in_progress() and not sending.done():
            await asyncio.sleep(0.05)
        if sending.done():
            sending.result()  # what stopped it, if it failed
        queued = time.perf_counter() - started
        sent = store.db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
        deliverer.stop()
        await sending
        steps.__exit__()
    rows = store.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    return {
        "first": first,
        "queued": queued,
        "rows": rows,
        "sent": sent,
        "longest": steps.longest,
        "slow": steps.slow,
        "steps": steps.count,
        "what": steps.what,
        "longest_cpu": steps.longest_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=0, help="messages a second; 0: no cap")
    args = parse(parser, subscribers=5_000)
    size = args.subscribers
    with tempfile.TemporaryDirectory() as folder:
        context = multiprocessing.get_context("spawn")
        results: Any = context.Queue()
        alone = context.Process(target=queued_alone, args=(size, folder, results, False))
        alone.start()
        _, rows_alone, _, _, _, total_alone, _ = results.get(timeout=3600)
        alone.join()
        store = Store(Path(folder) / f"queueing-{size}.db")
        add_subscribers(store, size, datetime.now(UTC), charts=False)
        with StandIn(None) as stand_in:
            result = asyncio.run(in_the_bot(stand_in.base_url, store, args.rate))
        store.close()
    rate = "no cap" if not args.rate else f"{args.rate:g}/s"
    print(
        f"queued alone (bench/enqueue.py's loop): {rows_alone:,} rows for {size:,} subscribers "
        f"in {total_alone:.2f} s"
    )
    print(
        f"in the bot, sending ({rate}): {result['rows']:,} rows queued in "
        f"{result['queued']:.2f} s = {result['queued'] / total_alone:.2f}x alone (first chunk "
        f"{result['first'] * 1000:.0f} ms), {result['sent']:,} sent meanwhile = "
        f"{result['sent'] / result['queued']:,.0f}/s; the event loop's longest step "
        f"{result['longest'] * 1000:.0f} ms ({result['what']}; in CPU time "
        f"{result['longest_cpu'] * 1000:.0f} ms), {result['slow']:,} of "
        f"{result['steps']:,} steps "
        f"over {SLOW * 1000:.0f} ms (goal <= 15 s for 1M, steps <= 50 ms)"
    )


if __name__ == "__main__":
    main()
