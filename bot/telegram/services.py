"""What the handlers and jobs share, reached as `context.services`.

`Services` holds the config, the store, the clock and the caches; `Context` is
python-telegram-bot's CallbackContext with it as a property (as in the library's
contexttypesbot.py example), so no handler fishes it out of `bot_data` itself.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

import httpx
from telegram import InlineQueryResultArticle, Update
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot import render
from bot.charts import ChartCache
from bot.clock import Clock
from bot.config import Config
from bot.export import Export
from bot.store import Lease, Store
from bot.telegram.delivery import Deliverer
from bot.throttle import Throttle

T = TypeVar("T")


async def off_the_loop(store: Store, work: Callable[[Store], T]) -> T:
    """Run `work` in a worker thread on a connection of its own: a read of the whole history
    (the records, an export) then holds up nobody else (SQLite connections stay on the thread
    that opened them, and in WAL mode readers never wait for the writer)."""

    def run() -> T:
        own = Store(store.path)
        try:
            return work(own)
        finally:
            own.close()

    return await asyncio.to_thread(run)


@dataclass
class Kept:
    """An export built once for a crowd, and its Telegram file id once uploaded."""

    export: Export
    file_id: str | None = None
    upload: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class Services:
    """What the handlers need, kept in `application.bot_data`."""

    config: Config
    store: Store
    clock: Clock
    http: httpx.AsyncClient | None = None
    deliverer: Deliverer | None = None
    charts: ChartCache = field(default_factory=ChartCache)
    throttle: Throttle = field(default_factory=Throttle)
    # `bulletin-bot run` only: this process's lease on the database (bot/instance.py), and why
    # it stopped on its own, if it did (the exit status says so).
    lease: Lease | None = None
    fatal: str | None = None
    # Polls under way (the job's, /fetch's), cancelled at once by a stop (bot/telegram/jobs.py).
    polls: set[asyncio.Task[Any]] = field(default_factory=set)
    stopping: bool = False
    # The last export built, by (format, from, to, language, data version).
    exports: dict[tuple[object, ...], Kept] = field(default_factory=dict)
    # Inline answers by (language, data version, words), LRU, at most INLINE_KEPT.
    inline_answers: OrderedDict[tuple[object, ...], list[InlineQueryResultArticle]] = field(
        default_factory=OrderedDict
    )
    # (group, user) -> (is a group admin, until when that answer is trusted): GROUP_ADMIN_FOR.
    group_admins: dict[tuple[int, int], tuple[bool, datetime]] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.config.schedule.today(self.clock.now())

    def age_note(self) -> str | None:
        """How old the newest figures are, when that needs saying (see render.age_note)."""
        now = self.clock.now().astimezone(self.config.schedule.zone)
        return render.age_note(self.store.latest_date(), now, self.store.last_fetch())


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context every handler and job gets: python-telegram-bot's, with `services`."""

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]  # type: ignore[no-any-return]

    @property
    def jobs(self) -> JobQueue[Any]:
        """The job queue: python-telegram-bot[job-queue] is a dependency, so it is there."""
        assert self.job_queue is not None, "python-telegram-bot[job-queue] is not installed"
        return self.job_queue


# The application as built (bot/telegram/app.py), with its type arguments spelt out once.
App = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Any]
]
# A handler of an update, as python-telegram-bot calls it.
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def job_queue(application: App) -> JobQueue[Any]:
    assert application.job_queue is not None, "python-telegram-bot[job-queue] is not installed"
    return application.job_queue
