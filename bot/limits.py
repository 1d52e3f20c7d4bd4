"""A bound on heavy work (drawing charts, building exports) shared by everyone at once.

The flood throttle limits each person; this limits the total. At most `at_once` pieces of heavy
work run together and at most `waiting` wait for their turn; one more is refused at once with
`Busy`, so a crowd asking for 300 different charts gets quick "try again in a minute" answers
instead of a queue that stalls every other reply.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot import texts
from bot.errors import UserError


class Busy(UserError):
    """Too much heavy work is under way or waiting: try again later (says texts.BUSY)."""


class Limiter:
    def __init__(self, at_once: int = 1, waiting: int = 8) -> None:
        self._slots = asyncio.Semaphore(at_once)
        self._waiting = 0
        self._most_waiting = waiting

    @asynccontextmanager
    async def turn(self, *, may_refuse: bool = True) -> AsyncIterator[None]:
        """Wait for a turn; `Busy` if the queue is full (unless `may_refuse` is False, for work
        that must be done: a subscriber's daily chart)."""
        if may_refuse and self._waiting >= self._most_waiting:
            raise Busy(texts.BUSY)
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()
