"""Broadcasts queued in a process of their own while the bot goes on sending.

A million subscribers are a thousand chunks of `queue_broadcasts`, 10 ms of SQLite each. Queued
on the event loop between sends (one chunk per turn of the delivery loop) they took three to five
times as long as alone (bench/queueing.py), each chunk holding every update up, and a chunk in a
thread took twice as long as alone: each of its statements gives Python's lock up and waits to
get it back from a loop that is busy sending. In a process of its own a chunk runs on the other
core, and the loop loses nothing but its turns at the write lock.

The two share SQLite's one write lock by taking turns, so that the loop never waits for it:
when the loop has writes of its own to make (outcomes to record, messages to claim) it asks
(`turn`), the process stops after the chunk it is queueing and waits while the loop writes, and
the loop says when it is done (`done`). Other writers on the loop (a /subscribe) wait at most
one chunk, through SQLite's busy timeout.

An in-memory database has no second connection; nor has a process that cannot be started: their
chunks are queued on the loop, one a turn, as before. A process that dies (its parent was
killed, the database failed it) leaves what it queued, and the rest is queued the same way.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import time
from typing import Any

from bot.store import Store
from bot.subscriptions import queue_broadcasts

log = logging.getLogger(__name__)

# How often the process, paused, looks whether the loop is done writing (seconds).
PAUSE_POLL = 0.001
# How long a stop waits for the process to end its chunk (seconds).
STOP_WAIT = 5.0


class Queueing:
    """Unfinished broadcasts being queued beside the delivery loop (see the module)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._process: Any = None  # multiprocessing's SpawnProcess
        if str(store.path) != ":memory:":
            context = multiprocessing.get_context("spawn")
            self._wanted, self._paused, self._stop = (context.Event() for _ in range(3))
            process = context.Process(
                target=_queue,
                args=(str(store.path), self._wanted, self._paused, self._stop, os.getpid()),
                name="bulletin-bot queueing",
                daemon=True,
            )
            try:
                process.start()
            except OSError as error:  # no process to be had: on the loop, then
                log.warning("queueing broadcasts on the event loop: %s", error)
            else:
                self._process = process

    def turn(self) -> bool:
        """Whether the loop may write now. If not, the process is asked to pause after its
        chunk: ask again shortly. Without a process, one chunk is queued first, here."""
        if self._process is not None and self._process.is_alive():
            self._wanted.set()
            return bool(self._paused.is_set())
        if self._process is not None:  # it ended: finished, or failed
            if self._process.exitcode:
                log.warning(
                    "queueing process ended status=%d: queueing on the event loop",
                    self._process.exitcode,
                )
            self._process = None
        if self._store.broadcasts.in_progress():
            queue_broadcasts(self._store, chunks=1)
        return True

    def done(self) -> None:
        """The loop has written: the process may go on."""
        if self._process is not None:
            self._wanted.clear()

    @property
    def finished(self) -> bool:
        """Whether every broadcast is queued (no process at work, nothing left to queue)."""
        if self._process is not None and self._process.is_alive():
            return False
        return not self._store.broadcasts.in_progress()

    def close(self) -> None:
        """Stop the process after its chunk (blocking: at most STOP_WAIT; call it off the
        loop)."""
        if self._process is None:
            return
        self._stop.set()
        self._wanted.clear()
        self._process.join(STOP_WAIT)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _queue(path: str, wanted: Any, paused: Any, stop: Any, parent: int) -> None:
    """The process: queue chunk after chunk until every broadcast is queued, pausing between
    chunks while the loop writes; end at a stop, or when the bot that started it is gone."""
    # Ctrl-C reaches the whole process group: the bot stops this process itself, after its
    # chunk, rather than have a KeyboardInterrupt's traceback printed from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store = Store(path)
    try:
        while not stop.is_set() and os.getppid() == parent and store.broadcasts.in_progress():
            if wanted.is_set():
                paused.set()
                while wanted.is_set() and not stop.is_set() and os.getppid() == parent:
                    time.sleep(PAUSE_POLL)
                paused.clear()
                continue
            queue_broadcasts(store, chunks=1)
    finally:
        with contextlib.suppress(Exception):
            store.close()
