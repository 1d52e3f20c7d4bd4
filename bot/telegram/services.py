"""What the handlers and jobs share, reached as `context.services`.

`Services` holds the config, the store, the clock and the caches; `Context` is
python-telegram-bot's CallbackContext with it as a property (as in the library's
contexttypesbot.py example), so no handler fishes it out of `bot_data` itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

import httpx
from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot import reading, texts
from bot.charts import ChartCache
from bot.clock import Clock
from bot.config import Config
from bot.drawing import in_store
from bot.limits import Memo
from bot.store import Lease, Store
from bot.subscriptions import Subscriptions
from bot.telegram.contacts import FirstContacts
from bot.telegram.delivery import Deliverer
from bot.throttle import Throttle

T = TypeVar("T")
# A group admin's rights are asked of Telegram once per this long (a demoted admin may change
# the group's subscription for up to 5 minutes more), for at most this many (group, user) pairs.
GROUP_ADMIN_FOR, GROUP_ADMINS_KEPT = timedelta(minutes=5), 10_000


async def off_the_loop(services: Services, work: Callable[[Store], T]) -> T:
    """Run `work` (a module-level function or a partial of one, its result plain data) in the
    drawing process on a connection of its own (bot/drawing.py, `in_store`): a read of the
    whole history (the records, an export) then holds up nobody else, not even for the
    interpreter lock a worker thread would share with the event loop (in WAL mode readers
    never wait for the writer)."""
    path, language = str(services.store.path), texts.current_language()
    return await services.charts.drawing.run(in_store, path, language, work)


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
    # Whether a person is a group's admin, as Telegram said (bot/telegram/subscribing.py):
    # kept per GROUP_ADMIN_FOR window, for at most GROUP_ADMINS_KEPT (group, person) pairs.
    group_admins: Memo = field(init=False)

    def __post_init__(self) -> None:
        self.memo = Memo(self.charts.limiter)
        # Never takes a turn of the limiter: nothing asked of it is heavy.
        self.group_admins = Memo(self.charts.limiter, size=GROUP_ADMINS_KEPT)
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
        return self.memo.get(self.store.reports.data_version(), key, work)

    async def cached_awaited(
        self, key: Hashable, work: Callable[[], Awaitable[T]], *, heavy: bool = False
    ) -> T:
        """As `cached`, for work that waits (a worker thread, a drawing): worked out once for
        everyone asking meanwhile; `heavy` work first takes a turn of the shared limit."""
        return await self.memo.get_awaited(
            self.store.reports.data_version(), key, work, heavy=heavy
        )

    def age_note(self) -> str | None:
        """How old the newest figures are, when that needs saying (bot/reading.py): worked out
        once a minute and whenever what it says changes, as it is on every reply."""
        now = self.clock.now()
        newest, fetch = self.store.reports.latest_date(), self.store.logs.last_fetch()
        minute = now.replace(second=0, microsecond=0)
        key = ("age note", texts.current_language(), newest, fetch, minute)
        return self.cached(key, lambda: reading.age_note(self.store, self.config.schedule, now))


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
