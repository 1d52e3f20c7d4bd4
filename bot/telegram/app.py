"""The Telegram application: handlers, the poll and delivery jobs, start-up and shutdown.

    build(services, token=..., base_url=...) -> Application

Start-up: the database is examined (bot.store.database.examine, quick_check included) and
refused if it cannot be trusted, messages that were in flight when the bot last stopped go back
to the queue, the command menu is set (English and Ukrainian), the poll job and the delivery job
are scheduled, and the heartbeat: every 10 s the lease is renewed and the database examined
(quick_check hourly). Shutdown (Ctrl-C, SIGTERM): polls under way are cancelled, delivery stops
claiming at once and its sends on the wire get a few seconds (STOP_GRACE) to be recorded; then
python-telegram-bot's stop lets handlers and jobs end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import instance, links, logs, metrics, render, texts
from bot.config import Config
from bot.errors import UserError
from bot.sources.http import make_client
from bot.store import Delivery, OutboxKind, StoreError, SummaryFormat
from bot.store.database import Checkup, examine
from bot.telegram import admin, commands, menus, settings, webhook
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.delivery import Deliverer
from bot.telegram.jobs import POLL_JOB, deliver, poll, stop_polls
from bot.telegram.services import App, Context, Handler, Services, job_queue

__all__ = ["Services", "StartFailed", "build", "deliverer", "run", "running", "serve_metrics"]

log = logging.getLogger(__name__)

DELIVERY_JOB = "delivery"
DELIVERY_EVERY_SECONDS = 5
FIRST_POLL_AFTER_SECONDS = 3
# Updates handled at once (python-telegram-bot's default is 256). A crowd asking for one chart
# or export waits for it in as many handlers (bot/limits.py, Memo), costing a coroutine each;
# with only 256, the next person's /latest would queue behind them until it is made.
UPDATES_AT_ONCE = 4096

COMMANDS = {
    "start": commands.start,
    "help": commands.help_command,
    "latest": commands.latest,
    "on": commands.on,
    "history": commands.history,
    "chart": commands.chart,
    "week": commands.week,
    "month": commands.month,
    "records": commands.records,
    "compare": commands.compare_command,
    "export": commands.export_command,
    "sources": commands.sources,
    "share": commands.share,
    "about": commands.about,
    "subscribe": settings.subscribe,
    "unsubscribe": commands.unsubscribe,
    "milestones": settings.milestones,
    "settings": settings.settings,
    "language": commands.language,
}


def _expected_errors_in_one_line(record: logging.LogRecord) -> bool:
    """python-telegram-bot logs a rejected token, or Telegram out of reach, with a traceback of
    its HTTP stack; the message says it all (and `run` adds what to do), so one line. A
    start-up that failed it does not log at all: `run` says so, one line a try."""
    first = record.args[0] if isinstance(record.args, tuple) and record.args else None
    if isinstance(first, str) and first.startswith("Network Retry Loop (Bootstrap"):
        return False
    if record.exc_info and isinstance(record.exc_info[1], InvalidToken | NetworkError):
        record.msg = f"{record.msg} error=%r"
        record.args = (*(record.args or ()), str(record.exc_info[1]))
        record.exc_info = None
    return True


logging.getLogger("telegram.ext").addFilter(_expected_errors_in_one_line)


def build(
    services_: Services,
    *,
    token: str,
    base_url: str,
    updates: BaseUpdateProcessor | None = None,
) -> App:
    """The bot, wired. `run_polling`/`run_webhook` start it with its jobs; `running` runs it
    inside an event loop of the caller's (the console, tests, benchmarks). Updates are
    handled concurrently, by `updates` if given (the console's notes when each is done)."""
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        # Every call but getUpdates: thousands of sends a second (bot/telegram/aiohttp_request.py).
        .request(AiohttpRequest())
        .concurrent_updates(updates or UPDATES_AT_ONCE)
        .context_types(ContextTypes(context=Context))
        # Every reply is Telegram HTML (bot/render.py), and links show no preview.
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(_start_with_jobs)
        .post_shutdown(_close)
        .build()
    )
    application.bot_data["services"] = services_
    # Commands work in private chats, groups and channels (posted there by an admin).
    posts = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
    for name, handler in COMMANDS.items():
        application.add_handler(CommandHandler(name, _command(name, handler), filters=posts))
    for name, admin_handler in admin.HANDLERS.items():
        gated = admin.admin_only(name, admin_handler)
        application.add_handler(CommandHandler(name, _command(name, gated), filters=posts))
    # Before anything else, each in a group of its own: the language to answer in, then the
    # flood check (which stops a throttled update there).
    application.add_handler(TypeHandler(Update, commands.use_chat_language), group=-2)
    application.add_handler(TypeHandler(Update, commands.throttle), group=-1)
    application.add_handler(CallbackQueryHandler(_button))
    application.add_handler(
        ChatMemberHandler(commands.added_to_group, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_handler(InlineQueryHandler(commands.inline))
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(filters.COMMAND & private, commands.unknown_command))
    # New messages only: an edit of an old message must not become a pasted bulletin.
    fresh_text = filters.TEXT & private & filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(fresh_text, _command("paste", admin.text_message)))
    application.add_error_handler(commands.on_error)
    return application


def _command(name: str, handler: Handler) -> Handler:
    """The handler of a command, timed for the metrics. What cannot be done as asked
    (a UserError: a bad date, an unknown category, too busy...) is the reply."""

    async def command(update: Update, context: Context) -> None:
        with metrics.COMMAND_SECONDS.labels(name).time():
            try:
                await handler(update, context)
            except UserError as error:
                await commands.reply(update, render.escaped(str(error)))

    return command


async def _button(update: Update, context: Context) -> None:
    """Every button: the settings' own ("s:..."), the welcome's ("start:..."), else a
    bulletin's. (One handler: a CallbackQueryHandler's pattern lets a button with empty data
    through.)"""
    data = (update.callback_query.data if update.callback_query else None) or ""
    if data.startswith(settings.PREFIX):
        await settings.button(update, context)
    elif data.startswith(commands.START):
        await settings.start_button(update, context)
    else:
        await commands.button(update, context)


def _delivery_keyboard(delivery: Delivery) -> InlineKeyboardMarkup | None:
    """The buttons under a delivered daily bulletin: of its own date. None under a short
    summary: seven buttons would stand taller than the few lines they hang from. One object
    for every subscriber of a bulletin in one language and kind of chat (`bulletin_keyboard`
    keeps them), which the Deliverer serialises once."""
    if delivery.kind != OutboxKind.BULLETIN or delivery.format == SummaryFormat.SHORT:
        return None
    day = date.fromisoformat(delivery.subject)
    return commands.bulletin_keyboard(day, shared=commands.is_shared(delivery.chat_id))


def deliverer(application: App) -> Deliverer:
    """The Deliverer `run` sends the outbox with, as its configuration says (and
    bench/broadcast.py measures: the very messages `run` sends)."""
    s: Services = application.bot_data["services"]
    return Deliverer(
        s.store,
        application.bot,
        s.clock,
        rate=s.config.delivery.rate_per_second,
        paid_broadcast=s.config.delivery.paid_broadcast,
        keyboard=_delivery_keyboard,
        charts=s.charts,
        home_zone=s.config.schedule.timezone,
    )


async def _prepare(application: App) -> None:
    s: Services = application.bot_data["services"]
    released = s.store.release_in_flight(s.lease.holder if s.lease else None)
    if released:
        log.warning("messages in flight at the last stop are queued again count=%d", released)
    s.http = make_client()
    s.deliverer = deliverer(application)
    await menus.set_menus(application.bot, s.config.telegram.admins)
    await menus.set_descriptions(application.bot)
    # Known now that Telegram has said who the bot is: the caveat's /about becomes a link.
    links.bot_username = application.bot.username


async def _start_with_jobs(application: App, stop: Callable[[], None] | None = None) -> None:
    """Examine the database, prepare, then schedule the jobs; `stop` ends the run (default:
    python-telegram-bot's `stop_running`, for `run_polling`)."""
    stop = stop or application.stop_running
    s: Services = application.bot_data["services"]
    opened = s.store.identity  # the file as opened
    checkup = await asyncio.to_thread(examine, s.store.path, opened=opened)
    if checkup.fatal:
        log.critical("not starting: %s", checkup.problem)
        raise StartFailed(f"not started: {checkup.problem}")
    await _prepare(application)
    stop = _stop_promptly_on_signals(application, stop)
    jobs = job_queue(application)
    jobs.run_once(poll, FIRST_POLL_AFTER_SECONDS, name=POLL_JOB)
    schedule_delivery(jobs)
    watch = _Watch(s, stop)
    await watch.react(application.bot, checkup)  # little free space is told at once
    interval = instance.HEARTBEAT.total_seconds()
    jobs.run_repeating(watch.heartbeat, interval, first=interval, name="heartbeat")
    # PRAGMA quick_check of the whole file: 10 ms on the bundled history, seconds on a million
    # outbox rows (RELIABILITY.md). At start-up (above), then every [storage]
    # check_every_minutes (hourly), in a worker thread.
    every = timedelta(minutes=s.config.storage.check_every_minutes).total_seconds()
    jobs.run_repeating(watch.integrity, every, first=every, name="integrity")


class _Watch:
    """The heartbeat and the integrity check (hourly), and what they told the admins."""

    def __init__(self, s: Services, stop: Callable[[], None]) -> None:
        self.s = s
        self.stop = stop
        self.opened = s.store.identity
        self.warned = False  # told the admins of a problem that did not stop the bot

    async def heartbeat(self, context: Context) -> None:
        """Renew the lease and examine the database as a new process would find it (the file
        still the one opened, a write that reaches it, free space): a file deleted, replaced,
        made read-only or filled under a running bot would take every write with it."""
        s = self.s
        checkup = await asyncio.to_thread(
            examine, s.store.path, opened=self.opened, integrity=False
        )
        if not checkup.fatal:
            try:
                if s.lease and not s.store.renew_lease(s.lease.holder, now=s.clock.now()):
                    problem = (
                        "another process took this database's lease (this one was unresponsive)"
                    )
                    checkup = Checkup(problem, True)
            except (sqlite3.DatabaseError, StoreError) as error:  # damaged, read-only, full
                checkup = Checkup(f"the database cannot be used: {error}", True)
        await self.react(context.bot, checkup)

    async def integrity(self, context: Context) -> None:
        """PRAGMA quick_check, off the event loop (seconds on a big database)."""
        started = time.monotonic()
        checkup = await asyncio.to_thread(examine, self.s.store.path, opened=self.opened)
        log.info("database checked seconds=%.2f", time.monotonic() - started)
        await self.react(context.bot, checkup)

    async def react(self, bot: Bot, checkup: Checkup) -> None:
        """Stop on a fatal problem, telling the admins why; tell them of another once."""
        s = self.s
        if checkup.problem is None:
            if self.warned:
                log.warning("database fine again")
            self.warned = False
            return
        if not checkup.fatal:
            if not self.warned:
                self.warned = True
                log.warning("database: %s", checkup.problem)
                text = texts.ALERT_DATABASE.format(problem=checkup.problem)
                await _tell_admins_directly(bot, s, text)
            return
        if s.fatal is not None:  # already stopping
            return
        with contextlib.suppress(StoreError):
            s.store.check_identity()  # a file replaced: empties the -wal into the one opened
        log.critical("stopping: %s", checkup.problem)
        s.fatal = checkup.problem
        await _tell_admins_directly(bot, s, texts.ALERT_STOPPED.format(problem=checkup.problem))
        self.stop()


def schedule_delivery(jobs: JobQueue[Any], every: float = DELIVERY_EVERY_SECONDS) -> None:
    """Send the outbox every few seconds. A broadcast outlasts many ticks: a tick during one
    returns at once (`Deliverer.run`), so two instances are allowed and APScheduler does not
    warn, every five seconds, that it skipped one."""
    jobs.run_repeating(deliver, every, first=1, name=DELIVERY_JOB, job_kwargs={"max_instances": 2})


async def _tell_admins_directly(bot: Bot, s: Services, text: str) -> None:
    """An alert that cannot wait in the outbox, which lives in the database that failed."""
    for admin_id in s.config.telegram.admins:
        try:
            await bot.send_message(admin_id, text)
        except TelegramError as error:
            log.warning("could not alert admin=%d error=%r", admin_id, str(error))


def _stop_promptly_on_signals(application: App, then: Callable[[], None]) -> Callable[[], None]:
    """SIGTERM and SIGINT: delivery stops claiming and sending at once (what is on the wire gets
    a few seconds to be answered and recorded), then python-telegram-bot stops as usual, which
    waits for running jobs. Without this it waited for the whole broadcast, and Docker's 10 s
    grace ended every stop in a SIGKILL. (Installed after python-telegram-bot's own handlers,
    which these replace.) The same prompt stop, returned, is the heartbeat's."""
    s: Services = application.bot_data["services"]
    loop = asyncio.get_running_loop()

    def stop() -> None:
        log.info("stopping: polls under way cancelled, delivery stops claiming messages")
        stop_polls(s)
        if s.deliverer is not None:
            s.deliverer.stop()
        then()

    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # event loops without signal support
            loop.add_signal_handler(number, stop)
    return stop


@asynccontextmanager
async def running(application: App, *, webhook_url: str | None = None) -> AsyncIterator[App]:
    """The bot answering updates (long polling, or a webhook) without its poll and delivery
    jobs: the caller drives those (`poll_once`, `Services.deliverer.run`)."""
    async with application:
        await _prepare(application)
        await application.start()
        if webhook_url:
            config = application.bot_data["services"].config
            async with webhook.serving(application, config, webhook_url):
                try:
                    yield application
                finally:
                    await application.stop()
                    await _close(application)
            return
        updater = application.updater
        assert updater is not None  # built with ApplicationBuilder, which makes one
        await updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield application
        finally:
            await updater.stop()
            await application.stop()
            await _close(application)


async def _close(application: App) -> None:
    # After a start-up that failed (a token refused, Telegram out of reach) too: the bot's
    # request layer is then open, and python-telegram-bot shuts it down only after a start
    # that succeeded (a no-op otherwise).
    await application.bot.shutdown()
    s: Services = application.bot_data["services"]
    s.first_contacts.write()
    if s.http is not None:
        await s.http.aclose()
    if s.lease is not None and s.fatal is None:
        with contextlib.suppress(sqlite3.Error, StoreError):  # refused at start: said so
            s.store.drop_lease(s.lease.holder)


def serve_metrics(config: Config) -> None:
    if config.metrics.port:
        metrics.serve(config.metrics.port, config.metrics.listen)
        log.info("metrics served port=%d", config.metrics.port)


class StartFailed(Exception):
    """The bot could not start: Telegram refused the token (exit status 2), or was unreachable
    (`unreachable`: worth another try), or refused the webhook (1). The message is for the
    operator, with no secret in it."""

    def __init__(self, message: str, status: int = 1, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.unreachable = unreachable


def run(services_: Services, *, webhook_url: str | None = None) -> None:
    """`bulletin-bot run`: the bot with its jobs until SIGTERM or Ctrl-C, by long polling or,
    behind a proxy, by webhook."""
    config = services_.config
    application = build(
        services_, token=config.telegram.token, base_url=config.telegram.api_base_url
    )
    try:
        if webhook_url:
            _run_webhook(application, services_, webhook_url)
        else:
            _run_polling(application)
    except InvalidToken:
        raise StartFailed(texts.TOKEN_REJECTED, 2) from None
    except TelegramError as error:  # start-up failed: Telegram unreachable, a webhook refused
        secrets = (config.telegram.token, config.webhook.secret_token)
        unreachable = isinstance(error, NetworkError) and not isinstance(error, BadRequest)
        raise StartFailed(
            f"could not start: {logs.redact(str(error), secrets)}", unreachable=unreachable
        ) from None


def _run_polling(application: App) -> None:
    # A loop of its own, which run_polling closes when it ends: `run` may try again.
    asyncio.set_event_loop(asyncio.new_event_loop())
    application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)


def _run_webhook(application: App, services_: Services, url: str) -> None:
    """Behind a proxy: Telegram posts updates to `url` (bot/telegram/webhook.py checks the
    secret before reading a body, and caps it)."""
    asyncio.run(_serve_webhook(application, services_, url))


async def _serve_webhook(application: App, services_: Services, url: str) -> None:
    stopped = asyncio.Event()
    try:
        async with application:
            await _start_with_jobs(application, stopped.set)
            await application.start()
            try:
                async with webhook.serving(application, services_.config, url):
                    await stopped.wait()
            finally:
                await application.stop()
    finally:
        await _close(application)
