"""Pictures drawn in a process of their own: charts and cards, figures in, PNG bytes out.

Drawing a chart is a quarter of a second of Python (matplotlib laying out and rasterising,
Pillow encoding). In a worker thread it held the interpreter lock all that time, and the event
loop, which gives the lock up at every system call (an SQLite query, a socket write), then
waited up to the switch interval (5 ms) to take it back, each time. Behind 1,000 people asking
for charts (tests/faults/test_crowds.py, medians of 12 runs) the bot spent 3.7 s of processor
time and a bystander's /latest waited 2.1 s; with the drawing here, 1.4 s and 1.1 s. And
matplotlib (0.5 s to import, 60 MB) is never loaded into the bot: 82 MB instead of 145.

The workers are new interpreters (multiprocessing's 'spawn'), never forked from the bot, whose
threads and sockets a fork would copy. Not forked from a server process that preloaded the
drawing code either ('forkserver'): restarts would take milliseconds, not a second or two, but
that server keeps a second copy of matplotlib, 53 MB more in all, for restarts that are rare.
Each worker imports the drawing code as it starts (`PRELOAD`), so its start, which `start`
waits for, is not counted as drawing time. A worker that dies (killed, out of memory) is
replaced, and the drawing it was making is asked once more of the new one. `close` ends them
without hanging: work that waits is dropped, a drawing under way gets a moment.

The same process reads the whole history for the bot (`in_store`: the records of the whole
war, an export): in a worker thread that work held the bot's interpreter lock too, 13 % of the
time behind a crowd of every reading command (bench/README.md). And it keeps what it read
(bot/kept.py), so that after a new day's bulletin, a revision or a correction it works out
only the days changed, not the whole war again: kept here, out of the bot's memory, and let go
with the worker (one replaced reads the whole history again at its first call).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.process import BaseProcess
from typing import ParamSpec, TypeVar

from bot import texts
from bot.errors import BulletinBotError
from bot.store import Store

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# One worker: heavy work takes turns anyway (limits.Limiter, one at a time), and the machine
# the bot is sized for has two cores, one of them the bot's.
WORKERS = 1
# How often a worker looks whether the bot that started it is still there (seconds).
PARENT_CHECK = 1.0
# What a worker imports as it starts, before it is asked for anything (about a second).
PRELOAD = (
    "bot.charts",
    "bot.cards",
    "matplotlib.backends.backend_agg",
    "matplotlib.dates",
    "matplotlib.figure",
    "matplotlib.patches",
    "matplotlib.textpath",
    "matplotlib.ticker",
    "bot.export",
    "bot.trends",
)
# How long `close` lets a drawing under way finish before its worker is terminated, in seconds.
STOP_GRACE = 2.0
# How much lower a worker's priority is than the bot's (Unix niceness, added to the bot's): when
# the two want the same processor, the bot's answers get about three quarters of it, and a
# drawing or an export waits, as heavy work does anyway (limits.Limiter).
# Behind a crowd of every reading command a bystander's /latest waited 1.6 times as long as
# behind /help, 1.2 with this (tests/faults/test_crowds.py, medians of six runs in turns).
NICENESS = 5


class DrawingStopped(BulletinBotError):
    """Asked to draw after `close` (the bot is stopping): in the one error tree (bot/errors.py),
    so whatever asks it is told in a line, as of any failure the bot explains."""


def _worker_started(bot: int) -> None:
    """In each worker, first: the drawing code imported, at a lower priority than the bot's
    (NICENESS). And Ctrl-C in a terminal reaches the whole process group, but stopping the
    workers is the bot's to do (`close`), not a KeyboardInterrupt's in the middle of a
    drawing."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_outlive_no_parent, args=(bot,), daemon=True).start()
    with contextlib.suppress(OSError):  # lowering one's own priority is always allowed on Linux
        os.nice(NICENESS)
    for name in PRELOAD:
        importlib.import_module(name)


def _outlive_no_parent(bot: int) -> None:
    """In each worker, beside its work: end when the bot (its parent, `bot`) is gone. A bot
    killed (SIGKILL, out of memory) never closes its pool, and the worker, which holds both
    ends of its own call pipe, would wait on it for ever with matplotlib loaded (80 MB a
    crash; tests/test_tryout_29.py). Its parent changes when the bot dies, perhaps before
    this worker got this far: asked at once, then every PARENT_CHECK."""
    while os.getppid() == bot:
        time.sleep(PARENT_CHECK)
    os._exit(0)


def in_store(path: str, language: str, work: Callable[[Store], T]) -> T:
    """In a worker: `work` (a module-level function, or a partial of one: it is pickled) on a
    connection of its own to the database at `path`, in `language`; its result plain data. In
    WAL mode this reader never waits for the bot's writes, nor they for it."""
    texts.set_language(language)
    store = Store(path)
    try:
        return work(store)
    finally:
        store.close()


def _nothing() -> None:
    """What a worker is first asked to do: be there."""


class DrawingProcess:
    """`WORKERS` processes that run picture-drawing functions; started at the first drawing."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._ready: Future[None] | None = None  # done once the current workers answer
        self._closed = False
        self.started = 0  # how many times workers were started: 1, plus one per death

    async def start(self) -> None:
        """Have the workers running, starting them if need be (a second or two: a worker
        loads matplotlib). Awaited before a drawing takes its turn of the shared limit, whose
        rest after a turn grows with the time the turn took: a start counted as drawing time
        would keep every other drawing waiting three times as long."""
        ready = self._ready
        if self._closed or (ready is not None and ready.done()):
            return
        pool = self._running()
        if ready is None:
            # From a thread: a submit that starts a worker forks and execs a new interpreter.
            ready = self._ready = await asyncio.to_thread(pool.submit, _nothing)
        try:
            await asyncio.wrap_future(ready)
        except BrokenProcessPool:
            self._discard(pool)  # `run` starts another

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(*args)` in a worker: a module-level function, its arguments and its result
        plain data that pickles. A worker that dies is replaced and `work` asked once more;
        BrokenProcessPool if it dies again (that drawing kills whoever makes it)."""
        for attempt in (1, 2):
            pool = self._running()
            try:
                # From a thread, as in `start`.
                submitted = await asyncio.to_thread(pool.submit, work, *args, **kwargs)
                return await asyncio.wrap_future(submitted)
            except BrokenProcessPool:
                self._discard(pool)
                if attempt == 2 or self._closed:
                    raise
                log.warning("the drawing process died; starting another work=%s", work.__name__)
        raise AssertionError("unreachable")

    def pids(self) -> list[int]:
        """The workers' process ids (none before the first drawing)."""
        return [p.pid for p in self._processes(self._pool) if p.pid is not None]

    def close(self, grace: float = STOP_GRACE) -> None:
        """End the workers: drawings not yet begun are cancelled, one under way has `grace`
        seconds, then its worker is terminated. Blocks at most about `grace` seconds."""
        self._closed = True
        self._discard(self._pool, grace)

    def _running(self) -> ProcessPoolExecutor:
        if self._closed:
            raise DrawingStopped("the drawing process is closed")
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_started,
                initargs=(os.getpid(),),
            )
            self.started += 1
        return self._pool

    def _discard(self, pool: ProcessPoolExecutor | None, grace: float = 0.0) -> None:
        """Shut `pool` down without waiting for it, then make sure its workers are gone."""
        if pool is None:
            return
        if pool is self._pool:
            self._pool, self._ready = None, None
        workers = self._processes(pool)
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                if grace:
                    log.warning("a drawing worker did not stop in %.0f s; it is ended", grace)
                worker.terminate()
                worker.join(1.0)
            if worker.is_alive():
                worker.kill()
                worker.join(1.0)

    @staticmethod
    def _processes(pool: ProcessPoolExecutor | None) -> list[BaseProcess]:
        # The executor keeps its workers here (None once shut down); there is no public way to
        # end a worker that does not finish before Python 3.14's terminate_workers().
        processes = getattr(pool, "_processes", None) or {}
        return list(processes.values())
