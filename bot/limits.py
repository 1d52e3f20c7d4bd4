"""Bounds on the work a crowd can cause, shared by everyone at once.

The flood throttle limits each person; these limit the total, for a thousand people who each
ask once. An answer whose cost grows with the history or the audience is either

- worked out once per state of the data and kept (`Memo`): the bulletin as /latest, a button
  and an inline answer show it, the records of the whole war, the week's and the month's
  trends, a history, a comparison, an export, a chart; however many ask, and however many ask
  at once, it is worked out once; or
- when there are too many different ones to make each of them for a crowd (an export or a
  chart of any period), worked out under `Limiter` as well: one piece of such work at a time,
  then a rest, and at most `waiting` waiting for their turn; one more is refused at once with
  `Busy`, so a crowd asking for 300 different charts gets quick "try again in a minute" answers
  instead of a queue that stalls every other reply.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

from bot import texts
from bot.errors import UserError

T = TypeVar("T")
# After a piece of heavy work, the limiter rests this many times as long as it took: heavy work
# takes at most a quarter of the time (see Limiter).
REST = 3.0
# Answers a Memo keeps at most: texts of a few kilobytes, and files only until Telegram has
# them (the Telegram layer keeps just their file ids then).
MEMO_SIZE = 512


class Busy(UserError):
    """Too much heavy work is under way or waiting: try again later (says texts.BUSY)."""


class Limiter:
    """At most `at_once` pieces of heavy work at a time, `waiting` more in the queue; and
    after each, a rest of `rest` times as long as it took before the next may start.

    Heavy work takes a processor while it runs. An export is built and a chart drawn in a
    process of their own (bot/drawing.py), which leaves the bot's interpreter lock alone but
    still takes one of the machine's processors. Resting three times as long keeps
    it to a quarter of the time, so a crowd asking for ever different exports or charts slows
    the bot's other answers by a quarter at most, instead of halving them for as long as the
    crowd lasts.
    """

    def __init__(self, at_once: int = 1, waiting: int = 8, rest: float = REST) -> None:
        self._slots = asyncio.Semaphore(at_once)
        self._waiting = 0
        self._most_waiting = waiting
        self._rest = rest
        self._rested_at = 0.0  # time.monotonic() when the next piece of work may start

    @property
    def full(self) -> bool:
        """Whether one more asking now would be refused (`Busy`)."""
        return self._waiting >= self._most_waiting

    @asynccontextmanager
    async def turn(self, *, may_refuse: bool = True) -> AsyncIterator[None]:
        """Wait for a turn; `Busy` if the queue is full (unless `may_refuse` is False, for work
        that must be done: a subscriber's daily chart)."""
        if may_refuse and self.full:
            raise Busy(texts.BUSY)
        self._waiting += 1
        try:
            await self._slots.acquire()
            try:
                while (pause := self._rested_at - time.monotonic()) > 0:
                    await asyncio.sleep(pause)
            except BaseException:
                self._slots.release()
                raise
        finally:
            self._waiting -= 1
        started = time.monotonic()
        try:
            yield
        finally:
            ended = time.monotonic()
            self._rested_at = max(self._rested_at, ended + (ended - started) * self._rest)
            self._slots.release()


class Memo:
    """Answers that depend only on what is asked and on the stored data, each worked out once
    per state of the data (`version`: the store's data_version) and kept until it changes.

    `get` is for work done at once on the loop (a few milliseconds at most: rendering a text);
    `get_awaited` for work that waits (a read in a worker thread, a drawing): everyone asking
    for an answer being worked out waits for that one working-out, takes no turn of the limiter
    and is never told to try again. Awaited work marked `heavy` takes a turn of the shared
    `limiter` first, so a crowd asking for many different heavy answers is bounded; the rest has
    few keys (worked out once, whoever asks). At most `size` answers are kept, the least
    recently used dropped first.
    """

    def __init__(self, limiter: Limiter, size: int = MEMO_SIZE) -> None:
        self.limiter = limiter
        self._size = size
        self._version: Hashable = None
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._working: dict[Hashable, asyncio.Future[Any]] = {}
        # Answers worked out rather than found, by kind (a key's first part): what crowds cost.
        self.worked: Counter[Hashable] = Counter()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, version: Hashable, key: Hashable, work: Callable[[], T]) -> T:
        """The answer under `key` for this version of the data: kept, or worked out now."""
        self._check(version)
        if key in self._items:
            self._items.move_to_end(key)
            return cast(T, self._items[key])
        answer = work()
        self.worked[_kind(key)] += 1
        self._keep(key, answer)
        return answer

    async def get_awaited(
        self,
        version: Hashable,
        key: Hashable,
        work: Callable[[], Awaitable[T]],
        *,
        heavy: bool = False,
        may_refuse: bool = True,
    ) -> T:
        """The answer under `key` for this version of the data: kept, being worked out, or
        worked out now by `work` (after a turn of the limiter when `heavy`: limits.Busy, unless
        `may_refuse` is False, for work that must be done: a subscriber's daily chart)."""
        self._check(version)
        if key in self._items:
            self._items.move_to_end(key)
            return cast(T, self._items[key])
        if key in self._working:
            return cast(T, await asyncio.shield(self._working[key]))
        working = self._working
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        working[key] = future
        try:
            # The turn first: a crowd refused costs no work either. Nobody can have joined
            # before a refusal: it comes before anything is awaited.
            if heavy:
                async with self.limiter.turn(may_refuse=may_refuse):
                    answer = await work()
            else:
                answer = await work()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            del working[key]
        future.set_result(answer)
        self.worked[_kind(key)] += 1
        if working is self._working:  # not if the data changed meanwhile
            self._keep(key, answer)
        return answer

    def _check(self, version: Hashable) -> None:
        if version != self._version:  # the data changed: nothing kept is true any more
            self._version, self._items, self._working = version, OrderedDict(), {}

    def _keep(self, key: Hashable, answer: object) -> None:
        self._items[key] = answer
        while len(self._items) > self._size:
            self._items.popitem(last=False)


def _kind(key: Hashable) -> Hashable:
    """What kind of answer a key is of: its first part, by the convention ("records", ...)."""
    return key[0] if isinstance(key, tuple) and key else key
