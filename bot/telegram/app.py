"""The Telegram application: handlers, the poll and delivery jobs, start-up and shutdown.

    build(services, token=..., base_url=...) -> Application

Start-up: messages that were in flight when the bot last stopped go back to the queue, the
command menu is set (English and Ukrainian), the poll job and the delivery job are scheduled.
Shutdown (Ctrl-C, SIGTERM) is python-telegram-bot's: handlers and jobs finish, and a delivery
batch either lands in the database or stays pending.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import texts
from bot.config import Config
from bot.ingest import fetch_latest, summarise
from bot.schedule import next_poll_in
from bot.sources.api import StatisticsApi
from bot.sources.http import SourceError, make_client
from bot.subscriptions import broadcast_new
from bot.telegram import commands
from bot.telegram.commands import Services, services

__all__ = ["Services", "build", "run_polling", "run_webhook", "running"]
from bot.telegram.delivery import Deliverer

log = logging.getLogger(__name__)

POLL_JOB, DELIVERY_JOB = "poll", "delivery"
DELIVERY_EVERY_SECONDS = 5
FIRST_POLL_AFTER_SECONDS = 3

COMMANDS = {
    "start": commands.start,
    "help": commands.help_command,
    "latest": commands.latest,
    "on": commands.on,
    "history": commands.history,
    "sources": commands.sources,
    "subscribe": commands.subscribe,
    "unsubscribe": commands.unsubscribe,
    "settings": commands.settings,
}


def build(services_: Services, *, token: str, base_url: str) -> Application:
    """The bot, wired. `run_polling`/`run_webhook` start it with its jobs; `running` runs it
    inside an event loop of the caller's (the console, tests, benchmarks)."""
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .concurrent_updates(True)
        .post_init(_start_with_jobs)
        .post_shutdown(_close)
        .build()
    )
    application.bot_data["services"] = services_
    # Commands work in private chats, groups and channels (posted there by an admin).
    posts = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
    for name, handler in COMMANDS.items():
        application.add_handler(CommandHandler(name, handler, filters=posts))
    application.add_handler(CallbackQueryHandler(commands.button))
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(filters.COMMAND & private, commands.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT & private, commands.not_a_command))
    application.add_error_handler(commands.on_error)
    return application


async def _prepare(application: Application) -> None:
    s: Services = application.bot_data["services"]
    released = s.store.release_in_flight()
    if released:
        log.warning("messages in flight at the last stop are queued again count=%d", released)
    s.http = make_client()
    s.deliverer = Deliverer(
        s.store,
        application.bot,
        s.clock,
        rate=s.config.delivery.rate_per_second,
        keyboard=lambda _: commands.bulletin_keyboard(),
    )
    await application.bot.set_my_commands([BotCommand(c, en) for c, en, _ in texts.COMMANDS])
    await application.bot.set_my_commands(
        [BotCommand(c, uk) for c, _, uk in texts.COMMANDS], language_code="uk"
    )


async def _start_with_jobs(application: Application) -> None:
    await _prepare(application)
    jobs = application.job_queue
    jobs.run_once(poll, FIRST_POLL_AFTER_SECONDS, name=POLL_JOB)
    jobs.run_repeating(deliver, DELIVERY_EVERY_SECONDS, first=1, name=DELIVERY_JOB)


@asynccontextmanager
async def running(
    application: Application, *, webhook_url: str | None = None
) -> AsyncIterator[Application]:
    """The bot answering updates (long polling, or a webhook) without its poll and delivery
    jobs: the caller drives those (`poll_once`, `Services.deliverer.run`)."""
    async with application:
        await _prepare(application)
        await application.start()
        if webhook_url:
            config = application.bot_data["services"].config
            await application.updater.start_webhook(**_webhook_options(config, webhook_url))
        else:
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            await _close(application)


async def _close(application: Application) -> None:
    s: Services = application.bot_data["services"]
    if s.http is not None:
        await s.http.aclose()


async def poll(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Fetch the source once, queue a fresh bulletin for subscribers, and plan the next poll."""
    s = services(context)
    try:
        await poll_once(s)
        await deliver(context)
    finally:
        delay = next_poll_in(
            s.clock.now(),
            s.config.schedule.zone,
            s.store.latest_date(),
            s.config.schedule.poll_every_minutes,
        )
        context.job_queue.run_once(poll, delay, name=POLL_JOB)


async def poll_once(s: Services) -> int:
    """One poll of the source: how many messages it queued. A failed fetch is logged and stored
    in the fetch log by the core; the bot keeps serving what it has."""
    api = StatisticsApi(s.config.source.url, s.http, today=s.today)  # type: ignore[arg-type]
    try:
        outcomes = await fetch_latest(s.store, api, now=s.clock.now())
    except SourceError:
        return 0
    queued = broadcast_new(s.store, outcomes, now=s.clock.now(), today=s.today)
    log.info("poll result=%s queued=%d", summarise(outcomes), queued)
    return queued


async def deliver(context: ContextTypes.DEFAULT_TYPE) -> None:
    deliverer = services(context).deliverer
    if deliverer is not None:
        await deliverer.run()


def run_polling(application: Application) -> None:
    application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)


def run_webhook(application: Application, services_: Services, url: str) -> None:
    """Behind a proxy: Telegram posts updates to `url`; requests without the secret are refused
    by python-telegram-bot with 403."""
    application.run_webhook(**_webhook_options(services_.config, url))


def _webhook_options(config: Config, url: str) -> dict[str, object]:
    webhook = config.webhook
    return {
        "listen": webhook.listen,
        "port": webhook.port,
        "url_path": webhook.path,
        "webhook_url": url,
        "secret_token": webhook.secret_token,
        "allowed_updates": Update.ALL_TYPES,
    }
