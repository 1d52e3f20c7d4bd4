"""Benchmark: /latest latency when 500 people ask at once, beside an echo bot.

    python -m bench.latency [--users 500] [--rounds 5] [--quick]

Both bots run on the same harness: python-telegram-bot's real HTTP stack, long polling the Bot
API stand-in on 127.0.0.1. Latency is from a person's message entering the stand-in to the
bot's reply arriving there. The echo bot replies with the text it got, so the difference is what
bulletin-bot itself costs. Goal: p99 of /latest within 1.5x of the echo bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.arguments import parse
from bot.clock import Clock
from bot.config import Config
from bot.ingest import seed_if_empty
from bot.store import Store
from bot.telegram.app import build
from bot.telegram.services import Services
from tests.fake_bot_api import LocalBotApi


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


async def measure(application, api: LocalBotApi, users: int, text: str) -> list[float]:
    """Seconds from each person's message to the bot's reply."""
    first_chat = 10_000 + len(api.sent)
    sent_before = len(api.sent)
    asked = {}
    for chat_id in range(first_chat, first_chat + users):
        asked[chat_id] = time.monotonic()
        api.send_text(text, chat_id=chat_id)
    done = await asyncio.to_thread(api.wait_for, lambda: len(api.sent) - sent_before >= users, 120)
    assert done, "not every message was answered"
    return [m.at - asked[m.chat_id] for m in api.sent[sent_before:]]


async def run_bot(make, users: int, rounds: int, text: str) -> list[float]:
    api = LocalBotApi()
    with api.serve() as server:
        application = make(server.base_url)
        async with application:
            await application.start()
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            await measure(application, api, 20, text)  # warm up
            latencies = []
            for _ in range(rounds):
                latencies += await measure(application, api, users, text)
            await application.updater.stop()
            await application.stop()
    return latencies


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1]


def report(name: str, latencies: list[float]) -> tuple[float, float]:
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    print(
        f"{name:<22} p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   "
        f"({len(latencies)} replies)"
    )
    return p50, p99


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parse(parser, users=20, rounds=1)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        now = datetime.now(UTC)
        seed_if_empty(store, now=now, today=now.date())

        def echo_bot(base_url: str):
            application = (
                ApplicationBuilder()
                .token("1:echo")
                .base_url(base_url)
                .concurrent_updates(True)
                .build()
            )
            application.add_handler(MessageHandler(filters.TEXT, echo))
            return application

        def bulletin_bot(base_url: str):
            return build(Services(Config(), store, Clock()), token="1:bench", base_url=base_url)

        _, echo_p99 = report(
            "echo bot", asyncio.run(run_bot(echo_bot, args.users, args.rounds, "/latest"))
        )
        _, bot_p99 = report(
            "bulletin-bot /latest",
            asyncio.run(run_bot(bulletin_bot, args.users, args.rounds, "/latest")),
        )
        print(f"p99 ratio {bot_p99 / echo_p99:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()
