"""Benchmark: a million subscribers' bulletin with pictures, sent by the running bot while a
bystander asks for /latest.

    python -m bench.pictures [--subscribers 1000000] [--charts 0.1] [--cards 0.02]
                             [--seconds 60] [--rate 1000] [--rounds 1] [--quick]

What `run` does when a bulletin is accepted, as bench/queueing.py does it: the poll queues the
first chunk of subscribers (`subscriptions.broadcast`) and the Deliverer `run` builds queues the
rest while it sends, here answering updates all the while (`app.running`: long polling), with
its drawing process started as `run` starts it. Every subscriber is due at once, half of them
reading in Ukrainian; `--charts` of them take the daily chart beside their summary, `--cards`
have the card instead of the text (half of those all categories, half tanks and artillery): 2
charts and 4 cards to draw, then to send tens of thousands of times. The Bot API stand-in runs
in a process of its own (tests/fake_bot_api.py), counting what it gets rather than keeping it;
`--rate` is the configured rate (`[delivery] rate_per_second`: a bot with a million
subscribers pays for broadcasts, Telegram's 1,000 a second; 0: no cap).

Two phases, each `--seconds` long at least:
1. the start: from the bulletin's acceptance until everyone is queued (by the queueing process)
   and `--seconds` have passed. Cards go out among the texts; each chart waits a second after
   its chat's summary (one message a second per chat), which puts it after every summary due;
2. the charts' turn: those summaries taken as sent (`fast_forward`: at a million, 20 minutes
   on), the charts go out one after the other, 100,000 of them.

A bystander, in the stand-in's process, sends /latest every BYSTANDER_EVERY seconds (one at a
time, from eight chats in turn, each well under the flood limit); the round trip is from the
update entering the stand-in to the bot's reply arriving there. Measured with it: the event
loop's longest step (each callback or task step timed, as asyncio's debug mode times them:
bench/queueing.py's `Steps`; in wall time, and the most CPU time any step took, which a loaded
machine does not stretch), and the resident memory of the bot's process and of its others,
sampled.

The baseline, in the same run and in turns with it (each case in a fresh process, with a
database of its own): the same broadcast without pictures, whose last 100,000 summaries stand in
for the charts in the second phase. Goal: loop steps <= 50 ms and the bystander's p99 <= 100 ms
with pictures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import statistics
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.arguments import parse
from bench.broadcast import todays_bulletin
from bench.queueing import SLOW, Steps
from bot.clock import Clock
from bot.config import PAID_RATE, Config, DeliveryConfig
from bot.store import OutboxKind, Store, SubscriberStatus
from bot.subscriptions import broadcast
from bot.telegram import app
from bot.telegram.services import Services
from tests.fake_bot_api import LocalBotApi, SentMessage

BYSTANDERS = range(9_000_001, 9_000_009)  # not subscribers (whose ids are 1 to N)
BYSTANDER_EVERY = 0.2  # seconds between one answer and the next /latest
CARD_CATEGORIES = ("", "tanks,artillery")
PHASES = {1: "the start", 2: "the charts' turn"}  # 0: between them, not counted


class Counting(LocalBotApi):
    """The stand-in for a million sends: it counts what it is sent instead of keeping it (a
    bulletin's text for each would be gigabytes), keeps each picture's bytes once however
    often it is uploaded, and times the bystander's /latest; each by the phase the benchmark
    says it is in (`phase`, shared with it)."""

    def __init__(self, phase: Any) -> None:
        super().__init__()
        self.phase = phase
        self.files = _Once()
        # (phase, what): sendMessage, photo uploads, photos by file id.
        self.counts: Counter[tuple[int, str]] = Counter()
        self.asked: dict[int, tuple[int, float]] = {}  # bystander chat -> (phase, when)
        self.round_trips: list[tuple[int, float]] = []  # (phase, seconds)
        self.on_sent = self._seen

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "sendPhoto":
            by_id = isinstance(params.get("photo"), str)
            self.counts[self.phase.value, "photos by file id" if by_id else "photo uploads"] += 1
        elif method == "sendMessage" and int(params.get("chat_id", 0)) not in BYSTANDERS:
            self.counts[self.phase.value, "texts"] += 1
        return super().answer(method, params)

    def _seen(self, message: SentMessage) -> None:
        """Each message as it is kept (under the lock): a bystander's answer ends its round
        trip; nothing is kept."""
        asked = self.asked.pop(message.chat_id, None)
        if asked is not None:
            self.round_trips.append((asked[0], message.at - asked[1]))
        self.sent.clear()
        self.calls.clear()

    def ask(self, chat_id: int) -> None:
        with self._lock:
            self.asked[chat_id] = (self.phase.value, time.monotonic())
        self.send_text("/latest", chat_id=chat_id)


class _Once(dict[str, tuple[bytes, str | None]]):
    """File id -> (content, file name), each content kept once: 100,000 uploads of one chart
    are one chart's bytes here, as they are one file at Telegram."""

    def __init__(self) -> None:
        super().__init__()
        self._same: dict[bytes, bytes] = {}

    def __setitem__(self, file_id: str, value: tuple[bytes, str | None]) -> None:
        content, name = value
        super().__setitem__(file_id, (self._same.setdefault(content, content), name))


def serve(phase: Any, ready: Any, stop: Any, results: Any) -> None:
    """The stand-in: puts its address; a bystander asks while `phase` is set, until `stop`;
    then puts (the round trips, what was sent, 429s answered)."""
    api = Counting(phase)

    def bystander() -> None:
        turn = 0
        while not stop.is_set():
            if not phase.value:
                stop.wait(BYSTANDER_EVERY)
                continue
            chat_id = BYSTANDERS[turn % len(BYSTANDERS)]
            turn += 1
            api.ask(chat_id)
            while chat_id in api.asked and not stop.is_set():  # the bot may stop first
                api.wait_for(lambda chat_id=chat_id: chat_id not in api.asked, 0.5)
            stop.wait(BYSTANDER_EVERY)

    with api.serve() as server:
        thread = threading.Thread(target=bystander, daemon=True)
        thread.start()
        ready.put(server.base_url)
        stop.wait()
        thread.join(timeout=60)
        results.put((api.round_trips, dict(api.counts), api.too_many_requests))


def add_subscribers(store: Store, size: int, charts: float, cards: float, now: datetime) -> None:
    """`size` active subscribers, all due as soon as the bulletin is out, half of them reading
    in Ukrainian (chats 1 and 2 of every 4); a share with the daily chart, a share with the
    card (every other hundred of those with all categories, the others tanks and artillery),
    in one transaction."""
    chart_every = round(1 / charts) if charts else 0
    card_every = round(1 / cards) if cards else 0
    stamp = now.isoformat()

    def subscriber(chat_id: int) -> tuple[object, ...]:
        card = bool(card_every) and chat_id % card_every == 1
        return (
            chat_id,
            SubscriberStatus.ACTIVE,
            stamp,
            stamp,
            int(bool(chart_every) and chat_id % chart_every == 0),
            "card" if card else "full",
            CARD_CATEGORIES[chat_id // 100 % 2] if card else "",
        )

    with store.transaction():
        store.db.conn.executemany(
            "INSERT INTO subscribers (chat_id, chat_type, status, send_at, timezone, "
            "created_at, updated_at, digests, with_chart, format, categories) VALUES "
            "(?, 'private', ?, NULL, 'Europe/Kyiv', ?, ?, 'daily', ?, ?, ?)",
            (subscriber(chat_id) for chat_id in range(1, size + 1)),
        )
        store.db.conn.executemany(
            "INSERT INTO chats (chat_id, language, chosen, updated_at) VALUES (?, ?, 1, ?)",
            ((c, "uk" if c % 4 in (1, 2) else "en", stamp) for c in range(1, size + 1)),
        )


def rss_mb(pid: int | str = "self") -> float:
    """A process's resident memory now (MB; 0 when it has ended)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def helpers_rss_mb(stand_in: int) -> float:
    """The resident memory of this process's children but the stand-in (MB): the drawing
    worker, the queueing process, multiprocessing's resource tracker."""
    children: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            children.update(int(pid) for pid in (task / "children").read_text().split())
    return sum(rss_mb(pid) for pid in children - {stand_in})


async def in_the_bot(
    base_url: str, store: Store, rate: float, seconds: float, phase: Any, leave: int, stand_in: int
) -> dict[str, Any]:
    """Accept today's bulletin and send it, answering updates: from its acceptance until
    everyone is queued and `seconds` have passed (the start); then, the texts due before the
    charts taken as sent but for the last `leave` (the broadcast twenty minutes on, at a
    million), `seconds` more (the charts' turn)."""
    now = datetime.now(UTC)
    day = todays_bulletin(store, now)
    config = Config(delivery=DeliveryConfig(rate_per_second=rate, paid_broadcast=rate > 30))
    services = Services(config, store, Clock())
    found: dict[str, Any] = {}
    async with app.running(app.build(services, token="1:bench", base_url=base_url)) as application:
        await services.charts.drawing.start()  # as `run` starts it, with the bot
        peak, helpers = rss_mb(), helpers_rss_mb(stand_in)
        for number in PHASES:
            deliverer = services.deliverer if number == 1 else app.deliverer(application)
            assert deliverer is not None
            steps = Steps().__enter__()
            phase.value = number
            started = time.perf_counter()
            if number == 1:
                broadcast(store, OutboxKind.BULLETIN, day.isoformat(), now=now)  # the poll's
            sending = asyncio.create_task(deliverer.run())
            queued = None
            while not sending.done():
                await asyncio.sleep(0.25)
                peak, helpers = max(peak, rss_mb()), max(helpers, helpers_rss_mb(stand_in))
                if queued is None and not store.broadcasts.in_progress():
                    queued = time.perf_counter() - started
                if queued is not None and time.perf_counter() - started >= seconds:
                    break
            if sending.done():
                sending.result()  # what stopped it, if it failed
            elapsed = time.perf_counter() - started
            phase.value = 0
            deliverer.stop()
            await sending
            steps.__exit__()
            found[PHASES[number]] = {
                "queued": queued or elapsed,
                "elapsed": elapsed,
                "longest": steps.longest,
                "longest_cpu": steps.longest_cpu,
                "what": steps.what,
                "slow": steps.slow,
                "steps": steps.count,
            }
            if number == 1:
                await asyncio.sleep(1.0)  # the bystander's last /latest answered first
                fast_forward(store, leave)
        found["rss"], found["helpers_rss"] = peak, helpers
        found["drawn"] = services.charts.drawn
    return found


def fast_forward(store: Store, leave: int) -> None:
    """The texts still due before the charts taken as sent, but for the last `leave` of them:
    at a million subscribers, each chart waits a second after its chat's summary, so the
    charts come after every summary, one after the other (about 20 minutes on at 800 a
    second). Without charts, the last `leave` summaries stand in for them."""
    with store.transaction():
        store.db.execute(
            "UPDATE outbox SET status = 'sent' WHERE status = 'pending' AND kind = 'bulletin' "
            "AND id NOT IN (SELECT id FROM outbox WHERE status = 'pending' AND kind = "
            "'bulletin' ORDER BY id DESC LIMIT ?)",
            [leave],
        )


def measure(
    case: str,
    size: int,
    charts: float,
    cards: float,
    rate: float,
    seconds: float,
    folder: str,
    leave: int,
) -> dict[str, Any]:
    """One case in this process: a database of its own, the stand-in in a process of its own."""
    store = Store(Path(folder) / f"pictures-{case}-{time.monotonic_ns()}.db")
    add_subscribers(store, size, charts, cards, datetime.now(UTC))
    context = multiprocessing.get_context("spawn")
    ready, results, stop = context.Queue(), context.Queue(), context.Event()
    phase = context.Value("i", 0)
    stand_in = context.Process(target=serve, args=(phase, ready, stop, results))
    stand_in.start()
    try:
        base_url = ready.get(timeout=120)
        result = asyncio.run(in_the_bot(base_url, store, rate, seconds, phase, leave, stand_in.pid))
    finally:
        stop.set()
    round_trips, counts, refused = results.get(timeout=120)
    stand_in.join(timeout=60)
    store.close()
    for number, name in PHASES.items():
        result[name]["counts"] = {what: n for (at, what), n in counts.items() if at == number}
        result[name]["round_trips"] = [trip for at, trip in round_trips if at == number]
    result["refused"] = refused
    return result


def _child(queue: Any, *args: Any) -> None:
    queue.put(measure(*args))


def in_a_fresh_process(*args: Any) -> dict[str, Any]:
    """`measure` in a process of its own: each case's memory is its own."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, *args))
    process.start()
    result: dict[str, Any] = queue.get(timeout=7200)
    process.join(timeout=60)
    return result


def p99(values: list[float]) -> float:
    """The 99th percentile (the largest for fewer than 100 values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


def line(case: str, name: str, r: dict[str, Any]) -> str:
    counts = r["counts"]
    sent = sum(counts.values())
    trips = r["round_trips"]
    queued = f"everyone queued after {r['queued']:.1f} s; " if name == PHASES[1] else ""
    return (
        f"{case}, {name}: {sent:,} sent in {r['elapsed']:.1f} s = {sent / r['elapsed']:,.0f}/s "
        f"({queued}{counts.get('texts', 0):,} texts, {counts.get('photo uploads', 0):,} photo "
        f"uploads, {counts.get('photos by file id', 0):,} photos by file id); bystander's "
        f"/latest x{len(trips)}: p50 {statistics.median(trips) * 1000 if trips else 0:.0f} ms, "
        f"p99 {p99(trips) * 1000:.0f} ms, worst {max(trips, default=0) * 1000:.0f} ms; the "
        f"loop's longest step {r['longest'] * 1000:.0f} ms ({r['what']}; CPU "
        f"{r['longest_cpu'] * 1000:.0f} ms), {r['slow']:,} of {r['steps']:,} over "
        f"{SLOW * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--charts", type=float, default=0.1, help="the share with the chart")
    parser.add_argument("--cards", type=float, default=0.02, help="the share with the card")
    parser.add_argument("--seconds", type=float, default=60.0, help="each phase at least this long")
    parser.add_argument("--rate", type=float, default=PAID_RATE, help="messages/s; 0: no cap")
    parser.add_argument("--rounds", type=int, default=1, help="each case this many times, in turns")
    args = parse(parser, subscribers=3_000, seconds=2.0, rounds=1)
    leave = round(args.subscribers * args.charts)
    cases = {
        "without pictures": (0.0, 0.0, leave),  # the last summaries stand in for the charts
        "with pictures": (args.charts, args.cards, 0),
    }
    found: dict[str, list[dict[str, Any]]] = {case: [] for case in cases}
    rate = "no cap" if not args.rate else f"{args.rate:g}/s"
    print(
        f"{args.subscribers:,} subscribers, {args.charts:.0%} with the chart, {args.cards:.0%} "
        f"with the card; the bot at {rate}; each phase {args.seconds:g} s at least"
    )
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.rounds):
            for case, (charts, cards, left) in cases.items():
                result = in_a_fresh_process(
                    case, args.subscribers, charts, cards, args.rate, args.seconds, folder, left
                )
                found[case].append(result)
                for name in PHASES.values():
                    print(line(case, name, result[name]), flush=True)
                print(
                    f"{case}: {result['drawn']} pictures drawn, {result['refused']} 429s; the "
                    f"bot's peak RSS {result['rss']:.0f} MB (its other processes: the drawing "
                    f"worker, the queueing, the resource tracker, {result['helpers_rss']:.0f} MB)",
                    flush=True,
                )
    base, pictures = found["without pictures"], found["with pictures"]
    for name in PHASES.values():
        ratios = [
            p99(p[name]["round_trips"]) / max(p99(b[name]["round_trips"]), 1e-9)
            for b, p in zip(base, pictures, strict=True)
        ]
        steps = [p[name]["longest"] * 1000 for p in pictures]
        print(
            f"{name}, with pictures ÷ without: the bystander's p99 "
            f"{statistics.median(ratios):.2f}x (per round: "
            f"{', '.join(f'{r:.2f}' for r in ratios)}); the loop's longest step "
            f"{statistics.median(steps):.0f} ms against "
            f"{statistics.median(b[name]['longest'] for b in base) * 1000:.0f} ms "
            f"(goal: steps <= 50 ms, p99 <= 100 ms)"
        )
    print(
        f"the bot's peak RSS with pictures {statistics.median(p['rss'] for p in pictures):.0f} MB "
        f"against {statistics.median(b['rss'] for b in base):.0f} MB"
    )


if __name__ == "__main__":
    main()
