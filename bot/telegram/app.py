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
import gc
import logging
import signal
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
from telegram.request import BaseRequest

from bot import instance, links, logs, metrics, texts
from bot.config import Config
from bot.errors import BulletinBotError, UserError
from bot.prune import PRUNE_EVERY
from bot.sources.http import make_client
from bot.store import Delivery, OutboxKind, StoreError, SummaryFormat
from bot.store.database import Checkup, examine
from bot.telegram import (
    admin,
    buttons,
    errors,
    files,
    inline,
    keyboards,
    menus,
    middleware,
    reading,
    settings,
    subscribing,
    webhook,
)
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.delivery import Deliverer
from bot.telegram.jobs import (
    POLL_JOB,
    PRUNE_FIRST_AFTER,
    PRUNE_JOB,
    deliver,
    poll,
    prune_outbox,
    stop_polls,
)
from bot.telegram.replies import is_shared
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
# The garbage collector's thresholds once start-up is frozen (Python's are 700, 10, 10): a
# young collection after 50,000 objects made and not freed, an older one every 20 of those.
COLLECT_AFTER = (50_000, 20, 20)

COMMANDS = {
    "start": reading.start,
    "help": reading.help_command,
    "latest": reading.latest,
    "on": reading.on,
    "history": reading.history,
    "chart": files.chart,
    "week": reading.week,
    "month": reading.month,
    "records": reading.records,
    "compare": reading.compare_command,
    "export": files.export_command,
    "sources": reading.sources,
    "share": reading.share,
    "about": reading.about,
    "subscribe": settings.subscribe,
    "unsubscribe": subscribing.unsubscribe,
    "milestones": settings.milestones,
    "settings": settings.settings,
    "pause": settings.pause,
    "resume": settings.resume,
    "language": subscribing.language,
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
    services: Services,
    *,
    token: str,
    base_url: str,
    updates: BaseUpdateProcessor | None = None,
    request: BaseRequest | None = None,
) -> App:
    """The bot, wired. `run_polling`/`run_webhook` start it with its jobs; `running` runs it
    inside an event loop of the caller's (the console, tests, benchmarks). Updates are
    handled concurrently, by `updates` if given (the console's notes when each is done).
    Every call goes through `request` if given, getUpdates too (the console's, answered in
    its own process: bot/telegram/stand_in.py)."""
    builder = ApplicationBuilder().token(token).base_url(base_url)
    if request is not None:
        builder = builder.get_updates_request(request)
    application = (
        builder
        # Every call but getUpdates: thousands of sends a second (bot/telegram/aiohttp_request.py).
        .request(request or AiohttpRequest())
        .concurrent_updates(updates or UPDATES_AT_ONCE)
        .context_types(ContextTypes(context=Context))
        # Every reply is Telegram HTML (bot/render/), and links show no preview.
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
    application.bot_data["services"] = services
    # Before anything else, each in a group of its own: the language to answer in, then the
    # flood check (which stops a throttled update there).
    application.add_handler(TypeHandler(Update, middleware.use_chat_language), group=-2)
    application.add_handler(TypeHandler(Update, middleware.throttle), group=-1)
    # Each update is offered to the handlers in order until one takes it. Those of one kind of
    # update come first: after the thirty command handlers, each inline query and each button
    # was offered to all of them first (an inline query's CPU 0.313 -> 0.297 ms, bench/README.md).
    application.add_handler(InlineQueryHandler(inline.inline))
    application.add_handler(CallbackQueryHandler(_button))
    application.add_handler(
        ChatMemberHandler(reading.added_to_group, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    # Commands work in private chats, groups and channels (posted there by an admin).
    posts = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
    for name, handler in COMMANDS.items():
        application.add_handler(CommandHandler(name, _command(name, handler), filters=posts))
    for name, admin_handler in admin.HANDLERS.items():
        gated = admin.admin_only(name, admin_handler)
        application.add_handler(CommandHandler(name, _command(name, gated), filters=posts))
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(filters.COMMAND & private, reading.unknown_command))
    # New messages only: an edit of an old message must not become a pasted bulletin.
    fresh_text = filters.TEXT & private & filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(fresh_text, _command("paste", admin.text_message)))
    application.add_error_handler(errors.on_error)
    return application


def _command(name: str, handler: Handler) -> Handler:
    """The handler of a command, timed for the metrics. What cannot be done as asked
    (a UserError: a bad date, an unknown category, too busy...) is answered by errors.refuse."""

    seconds = metrics.COMMAND_SECONDS.labels(name)  # looked up once, not at every command

    async def command(update: Update, context: Context) -> None:
        with seconds.time():
            try:
                await handler(update, context)
            except UserError as error:
                await errors.refuse(update, error)

    return command


async def _button(update: Update, context: Context) -> None:
    """Every button: the settings' own ("s:..."), an own milestone's ("m:..."), the welcome's
    ("start:..."), else a bulletin's. (One handler: a CallbackQueryHandler's pattern lets a
    button with empty data through.)"""
    data = (update.callback_query.data if update.callback_query else None) or ""
    if data.startswith(settings.PREFIX):
        await settings.button(update, context)
    elif data.startswith(settings.OWN):
        await settings.own_milestone_button(update, context)
    elif data.startswith(keyboards.START):
        await settings.start_button(update, context)
    else:
        await buttons.button(update, context)


def _delivery_keyboard(delivery: Delivery) -> InlineKeyboardMarkup | None:
    """The buttons under a delivered daily bulletin: of its own date. None under a short
    summary: seven buttons would stand taller than the few lines they hang from. One object
    for every subscriber of a bulletin in one language and kind of chat (`bulletin_keyboard`
    keeps them), which the Deliverer serialises once."""
    if delivery.kind != OutboxKind.BULLETIN or delivery.format == SummaryFormat.SHORT:
        return None
    day = date.fromisoformat(delivery.subject)
    return keyboards.bulletin_keyboard(day, shared=is_shared(delivery.chat_id))


def deliverer(application: App) -> Deliverer:
    """The Deliverer `run` sends the outbox with, as its configuration says (and
    bench/broadcast.py measures: the very messages `run` sends)."""
    services: Services = application.bot_data["services"]
    return Deliverer(
        services.store,
        application.bot,
        services.clock,
        rate=services.config.delivery.rate_per_second,
        paid_broadcast=services.config.delivery.paid_broadcast,
        keyboard=_delivery_keyboard,
        charts=services.charts,
        home_zone=services.config.schedule.timezone,
    )


async def _prepare(application: App) -> None:
    services: Services = application.bot_data["services"]
    released = services.store.outbox.release_in_flight(
        services.lease.holder if services.lease else None
    )
    if released:
        log.warning("messages in flight at the last stop are queued again count=%d", released)
    services.http = make_client()
    services.deliverer = deliverer(application)
    await menus.set_menus(application.bot, services.config.telegram.admins)
    await menus.set_descriptions(application.bot)
    # Known now that Telegram has said who the bot is: the caveat's /about becomes a link.
    links.bot_username = application.bot.username
    _out_of_the_collectors_sight()


def _out_of_the_collectors_sight() -> None:
    """What start-up made (modules, handlers, locales, the history's caches) lives as long as
    the process: moved where the garbage collector no longer looks. Its full collections
    walked all of it, 60 ms at a time on the event loop, the longest step of a broadcast
    with or without pictures; 9 ms after (bench/README.md, pictures.py). Garbage first, so
    none is kept for good; what is frozen is still freed when nothing refers to it.

    Then the collector runs less often (COLLECT_AFTER): nearly everything an update makes is
    freed by its reference count, and a collection every 700 objects made cost a crowd of
    5,000 /start 0.04 ms an update (bench/updates.py); at most a few megabytes of cyclic
    garbage wait a little longer for it."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECT_AFTER)


async def _start_with_jobs(application: App, stop: Callable[[], None] | None = None) -> None:
    """Examine the database, prepare, then schedule the jobs; `stop` ends the run (default:
    python-telegram-bot's `stop_running`, for `run_polling`)."""
    stop = stop or application.stop_running
    services: Services = application.bot_data["services"]
    opened = services.store.identity  # the file as opened
    checkup = await asyncio.to_thread(examine, services.store.path, opened=opened)
    if checkup.fatal:
        log.critical("not starting: %s", checkup.problem)
        raise StartFailed(f"not started: {checkup.problem}")
    await _prepare(application)
    stop = _stop_promptly_on_signals(application, stop)
    jobs = job_queue(application)
    jobs.run_once(poll, FIRST_POLL_AFTER_SECONDS, name=POLL_JOB)
    schedule_delivery(jobs)
    jobs.run_once(_start_drawing, 0, name="drawing process")
    watch = _Watch(services, stop)
    await watch.react(application.bot, checkup)  # little free space is told at once
    interval = instance.HEARTBEAT.total_seconds()
    jobs.run_repeating(watch.heartbeat, interval, first=interval, name="heartbeat")
    # PRAGMA quick_check of the whole file: 10 ms on the bundled history, seconds on a million
    # outbox rows (RELIABILITY.md). At start-up (above), then every [storage]
    # check_every_minutes (hourly), in a worker thread.
    every = timedelta(minutes=services.config.storage.check_every_minutes).total_seconds()
    jobs.run_repeating(watch.integrity, every, first=every, name="integrity")
    jobs.run_repeating(
        prune_outbox,
        PRUNE_EVERY.total_seconds(),
        first=PRUNE_FIRST_AFTER.total_seconds(),
        name=PRUNE_JOB,
    )


async def _start_drawing(context: Context) -> None:
    """The process charts are drawn in, started with the bot (a second or two of loading
    matplotlib), not amid the first crowd that asks for charts."""
    await context.services.charts.drawing.start()


class _Watch:
    """The heartbeat and the integrity check (hourly), and what they told the admins."""

    def __init__(self, services: Services, stop: Callable[[], None]) -> None:
        self.services = services
        self.stop = stop
        self.opened = services.store.identity
        self.warned = False  # told the admins of a problem that did not stop the bot

    async def heartbeat(self, context: Context) -> None:
        """Renew the lease and examine the database as a new process would find it (the file
        still the one opened, a write that reaches it, free space): a file deleted, replaced,
        made read-only or filled under a running bot would take every write with it."""
        services = self.services
        checkup = await asyncio.to_thread(
            examine, services.store.path, opened=self.opened, integrity=False
        )
        if not checkup.fatal:
            try:
                if services.lease and not services.store.lease.renew(
                    services.lease.holder, now=services.clock.now()
                ):
                    problem = (
                        "another process took this database's lease (this one was unresponsive)"
                    )
                    checkup = Checkup(problem, True)
            except StoreError as error:  # damaged, read-only, full, replaced
                checkup = Checkup(f"the database cannot be used: {error}", True)
        await self.react(context.bot, checkup)

    async def integrity(self, context: Context) -> None:
        """PRAGMA quick_check, off the event loop (seconds on a big database)."""
        started = time.monotonic()
        checkup = await asyncio.to_thread(examine, self.services.store.path, opened=self.opened)
        log.info("database checked seconds=%.2f", time.monotonic() - started)
        await self.react(context.bot, checkup)

    async def react(self, bot: Bot, checkup: Checkup) -> None:
        """Stop on a fatal problem, telling the admins why; tell them of another once."""
        services = self.services
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
                await _tell_admins_directly(bot, services, text)
            return
        if services.fatal is not None:  # already stopping
            return
        with contextlib.suppress(StoreError):
            services.store.check_identity()  # a file replaced: empties the -wal into the one opened
        log.critical("stopping: %s", checkup.problem)
        services.fatal = checkup.problem
        await _tell_admins_directly(
            bot, services, texts.ALERT_STOPPED.format(problem=checkup.problem)
        )
        self.stop()


def schedule_delivery(jobs: JobQueue[Any], every: float = DELIVERY_EVERY_SECONDS) -> None:
    """Send the outbox every few seconds. A broadcast outlasts many ticks: a tick during one
    returns at once (`Deliverer.run`), so two instances are allowed and APScheduler does not
    warn, every five seconds, that it skipped one."""
    jobs.run_repeating(deliver, every, first=1, name=DELIVERY_JOB, job_kwargs={"max_instances": 2})


async def _tell_admins_directly(bot: Bot, services: Services, text: str) -> None:
    """An alert that cannot wait in the outbox, which lives in the database that failed."""
    for admin_id in services.config.telegram.admins:
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
    services: Services = application.bot_data["services"]
    loop = asyncio.get_running_loop()

    def stop() -> None:
        log.info("stopping: polls under way cancelled, delivery stops claiming messages")
        stop_polls(services)
        if services.deliverer is not None:
            services.deliverer.stop()
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
    services: Services = application.bot_data["services"]
    services.first_contacts.write()
    await services.charts.close()
    if services.http is not None:
        await services.http.aclose()
    if services.lease is not None and services.fatal is None:
        with contextlib.suppress(StoreError):  # refused at start: said so
            services.store.lease.drop(services.lease.holder)


def serve_metrics(config: Config) -> None:
    if config.metrics.port:
        metrics.serve(config.metrics.port, config.metrics.listen)
        log.info("metrics served port=%d", config.metrics.port)


class StartFailed(BulletinBotError):
    """The bot could not start: Telegram refused the token (exit status 2), or was unreachable
    (`unreachable`: worth another try), or refused the webhook (1). The message is for the
    operator, with no secret in it."""

    def __init__(self, message: str, status: int = 1, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.unreachable = unreachable


def run(services: Services, *, webhook_url: str | None = None) -> None:
    """`bulletin-bot run`: the bot with its jobs until SIGTERM or Ctrl-C, by long polling or,
    behind a proxy, by webhook."""
    config = services.config
    application = build(
        services, token=config.telegram.token, base_url=config.telegram.api_base_url
    )
    try:
        if webhook_url:
            _run_webhook(application, services, webhook_url)
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


def _run_webhook(application: App, services: Services, url: str) -> None:
    """Behind a proxy: Telegram posts updates to `url` (bot/telegram/webhook.py checks the
    secret before reading a body, and caps it)."""
    asyncio.run(_serve_webhook(application, services, url))


async def _serve_webhook(application: App, services: Services, url: str) -> None:
    stopped = asyncio.Event()
    try:
        async with application:
            await _start_with_jobs(application, stopped.set)
            await application.start()
            try:
                async with webhook.serving(application, services.config, url):
                    await stopped.wait()
            finally:
                await application.stop()
    finally:
        await _close(application)
