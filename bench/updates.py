"""Benchmark: a crowd of cheap updates, bulletin-bot beside a bare python-telegram-bot echo bot.

    python -m bench.updates [--starts 5000] [--inline 2000] [--rounds 3] [--quick]

Each crowd is queued in the Bot API stand-in before the bot starts polling it: `--starts`
people each sending /start once (each a first contact: a chat the bot has never seen, half of
them in Ukrainian), or `--inline` people each typing '@bot' and a category in any chat. The
stand-in runs in a process of its own and notes when the bot first asks for updates and when it
answers the last of the crowd; updates a second is the crowd over that time.

The baseline, measured in turns with it in the same run: an echo bot, python-telegram-bot with
nothing of its own (it replies to each message with its text and answers each inline query with
one article), over the same request class for sends (bot/telegram/aiohttp_request.py) and the
same stand-in. bulletin-bot is built as `run` builds it (`bot.telegram.app.build`, `running`).
Goal: bulletin-bot's updates a second >= 0.8x the echo bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bench.arguments import parse
from bot.clock import Clock
from bot.config import Config
from bot.ingest import seed_if_empty
from bot.store import Store
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.app import build, running
from bot.telegram.services import Services
from tests.fake_bot_api import LocalBotApi

ANSWERS = {"sendMessage", "answerInlineQuery"}
CATEGORIES = ("tanks", "artillery", "uav", "personnel", "")
# What the stand-in answers every sendMessage with (see `serve`).
SENT = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "sent"}


def serve(
    crowd: str, size: int, first_chat: int, ready: Any, polled: Any, results: Any, stop: Any
) -> None:
    """The stand-in, with `size` updates queued; puts its address, sets `polled` at the first
    getUpdates, then puts (first getUpdates, last answer) once the crowd is answered."""

    class Timed(LocalBotApi):
        """Counts the crowd's answers without reading them: a fast fake. Decoding what
        bulletin-bot sends (a welcome of 1-2 KB of HTML with its buttons, inline answers of
        2-10 KB, against the echo bot's few bytes) took the stand-in as long as the bot took
        to make it, so that a crowd measured the stand-in. A sent message is answered with
        the same short message, whoever sent what."""

        first_poll: float | None = None
        answered = 0
        unread = frozenset(ANSWERS)

        def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            if method == "getUpdates" and self.first_poll is None:
                self.first_poll = time.monotonic()
                polled.set()
            if method not in ANSWERS:
                return super().answer(method, params)
            self.answered += 1
            if self.answered == size:
                results.put((self.first_poll, time.monotonic()))
            return 200, {"ok": True, "result": SENT if method == "sendMessage" else True}

    api = Timed()
    for number in range(size):
        chat_id = first_chat + number
        language = "uk" if number % 2 else "en"
        if crowd == "start":
            api.send_text("/start", chat_id=chat_id, language_code=language)
        else:
            words = CATEGORIES[number % len(CATEGORIES)]
            api.inline_query(words, user_id=chat_id, language_code=language)
    with api.serve() as server:
        ready.put(server.base_url)
        stop.wait()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)  # type: ignore[union-attr]


async def echo_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    assert query is not None
    article = InlineQueryResultArticle("1", query.query or "all", InputTextMessageContent("x"))
    await query.answer([article], cache_time=300, is_personal=True)


def echo_bot(base_url: str) -> Application[Any, Any, Any, Any, Any, Any]:
    application = (
        ApplicationBuilder()
        .token("1:echo")
        .base_url(base_url)
        .request(AiohttpRequest())
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(InlineQueryHandler(echo_inline))
    return application


class Answered(NamedTuple):
    rate: float  # updates a second
    cpu: float  # ms of the bot's process's CPU an update


async def answer_crowd(name: str, crowd: str, size: int, first_chat: int, folder: Path) -> Answered:
    """How fast `name` ("echo" or "bot") answers the crowd, and at what CPU."""
    context = multiprocessing.get_context("spawn")
    ready, polled, results, stop = (
        context.Queue(),
        context.Event(),
        context.Queue(),
        context.Event(),
    )
    stand_in = context.Process(
        target=serve, args=(crowd, size, first_chat, ready, polled, results, stop)
    )
    stand_in.start()
    base_url = await asyncio.to_thread(ready.get, timeout=120)

    async def answered() -> tuple[float, float, float]:
        """(first getUpdates, last answer, CPU seconds in between)."""
        await asyncio.to_thread(polled.wait, 120)
        cpu = time.process_time()
        first, last = await asyncio.to_thread(results.get, timeout=600)
        return first, last, time.process_time() - cpu

    try:
        if name == "echo":
            application = echo_bot(base_url)
            async with application:
                await application.start()
                assert application.updater is not None
                await application.updater.start_polling(poll_interval=0.0, timeout=1)
                first, last, cpu = await answered()
                await application.updater.stop()
                await application.stop()
        else:
            store = Store(folder / "bench.db")
            services = Services(Config(), store, Clock())
            async with running(build(services, token="1:bench", base_url=base_url)):
                first, last, cpu = await answered()
            store.close()
    finally:
        stop.set()
        await asyncio.to_thread(stand_in.join, 30)
    return Answered(size / (last - first), cpu * 1000 / size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5_000)
    parser.add_argument("--inline", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parse(parser, starts=200, inline=100, rounds=1)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store = Store(folder / "bench.db")
        now = datetime.now(UTC)
        seed_if_empty(store, now=now, today=now.date())
        store.close()
        first_chat = 100_000
        for crowd, size in (("start", args.starts), ("inline", args.inline)):
            ratios: list[float] = []
            rates: dict[str, list[float]] = {"echo": [], "bot": []}
            cpus: dict[str, list[float]] = {"echo": [], "bot": []}
            for _ in range(args.rounds):
                round_rates = {}
                for bot in ("echo", "bot"):  # in turns: the machine's speed drifts
                    rate, cpu = asyncio.run(answer_crowd(bot, crowd, size, first_chat, folder))
                    first_chat += size  # new people each time: each /start a first contact
                    round_rates[bot] = rate
                    rates[bot].append(rate)
                    cpus[bot].append(cpu)
                ratios.append(round_rates["bot"] / round_rates["echo"])
            what = f"{size:,} x /start" if crowd == "start" else f"{size:,} inline queries"
            print(
                f"{what}: echo bot {statistics.median(rates['echo']):,.0f} updates/s, "
                f"bulletin-bot {statistics.median(rates['bot']):,.0f} updates/s = "
                f"{statistics.median(ratios):.2f}x (per round: "
                f"{', '.join(f'{r:.2f}' for r in ratios)}; the last answered after "
                f"{size / statistics.median(rates['bot']):.1f} s) (goal >= 0.8x); CPU an update: "
                f"echo bot {statistics.median(cpus['echo']):.3f} ms, "
                f"bulletin-bot {statistics.median(cpus['bot']):.3f} ms"
            )


if __name__ == "__main__":
    main()
