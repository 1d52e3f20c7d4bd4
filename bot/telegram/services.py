"""What the handlers and jobs share, reached as `context.services`.

`Services` holds the config, the store, the clock and the caches; `Context` is
python-telegram-bot's CallbackContext with it as a property (as in the library's
contexttypesbot.py example), so no handler fishes it out of `bot_data` itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

import httpx
from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot import render, texts
from bot.charts import ChartCache
from bot.clock import Clock
from bot.config import Config
from bot.limits import Memo
from bot.store import Lease, Store
from bot.subscriptions import Subscriptions
from bot.telegram.contacts import FirstContacts
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
    """A file made once for a crowd (an export, a chart): its bytes until Telegram has them,
    then only the file id Telegram gave it, by which it is sent again."""

    data: bytes | None
    file_name: str | None = None
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
    # Answers kept per state of the data, sharing the charts' limit on heavy work (bot/limits.py).
    memo: Memo = field(init=False)
    # Chats' languages, first contacts' guesses written together (bot/telegram/contacts.py).
    first_contacts: FirstContacts = field(init=False)
    throttle: Throttle = field(default_factory=Throttle)
    # `bulletin-bot run` only: this process's lease on the database (bot/instance.py), and why
    # it stopped on its own, if it did (the exit status says so).
    lease: Lease | None = None
    fatal: str | None = None
    # Polls under way (the job's, /fetch's), cancelled at once by a stop (bot/telegram/jobs.py).
    polls: set[asyncio.Task[Any]] = field(default_factory=set)
    stopping: bool = False
    # (group, user) -> (is a group admin, until when that answer is trusted): GROUP_ADMIN_FOR.
    group_admins: dict[tuple[int, int], tuple[bool, datetime]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.memo = Memo(self.charts.limiter)
        self.first_contacts = FirstContacts(self.store, self.clock)

    @property
    def today(self) -> date:
        return self.config.schedule.today(self.clock.now())

    @property
    def subscriptions(self) -> Subscriptions:
        """Changes to a chat's subscription, made one way from commands and buttons alike."""
        return Subscriptions(self.store, self.clock, self.config.schedule.timezone)

    def cached(self, key: Hashable, work: Callable[[], T]) -> T:
        """The answer under `key` as of the stored data now: kept, or worked out at once by
        `work` (cheap: a few milliseconds on the loop). `key` says everything the answer depends
        on but the stored data, the language included when it is text (see limits.Memo)."""
        return self.memo.get(self.store.data_version(), key, work)

    async def cached_awaited(
        self, key: Hashable, work: Callable[[], Awaitable[T]], *, heavy: bool = False
    ) -> T:
        """As `cached`, for work that waits (a worker thread, a drawing): worked out once for
        everyone asking meanwhile; `heavy` work first takes a turn of the shared limit."""
        return await self.memo.get_awaited(self.store.data_version(), key, work, heavy=heavy)

    def age_note(self) -> str | None:
        """How old the newest figures are, when that needs saying (see render.age_note): worked
        out once a minute, as it is on every reply."""
        now = self.clock.now().astimezone(self.config.schedule.zone)
        newest, fetch = self.store.latest_date(), self.store.last_fetch()
        minute = now.replace(second=0, microsecond=0)
        key = ("age note", texts.current_language(), newest, fetch, minute)
        return self.cached(key, lambda: render.age_note(newest, now, fetch))


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
