"""One running bot per database: a lease in the database, renewed by a heartbeat.

Two `bulletin-bot run` on one database (a container restarted while the old one still stops)
would each release the other's messages in flight, double the send rate and both poll. So `run`
takes the lease before anything else: if another live process holds it, `run` waits up to its
`--wait` for it to stop, then refuses with a message naming that process. `console` (which
answers from the same database) and `restore` take it too, and refuse at once. The holder renews
the lease every HEARTBEAT; one not renewed for TTL belongs to a dead process and may be taken, at
once when that process was on this machine and no longer runs (a restart after a crash). Since
only the holder sends, every row left 'sending' at start-up is a dead process's, and is queued
again.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import timedelta

from bot.clock import Clock
from bot.errors import BulletinBotError
from bot.store import Lease, Store

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=10)
TTL = timedelta(seconds=30)


class InstanceError(BulletinBotError):
    """Another live process runs the bot on this database; the message names it."""


def me(clock: Clock) -> Lease:
    now = clock.now()
    host = socket.gethostname()
    return Lease(f"{host}:{os.getpid()}:{now.timestamp():.6f}", os.getpid(), host, now, now)


def _gone(other: Lease) -> bool:
    """Whether the holder is a process of this machine that no longer runs. (Same pid as this
    one: an earlier life of a container, whose process is pid 1 again after a restart.)"""
    if other.host != socket.gethostname():
        return False
    if other.pid == os.getpid():
        return True
    try:
        os.kill(other.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def acquire(
    store: Store,
    lease: Lease,
    clock: Clock,
    *,
    wait: float,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Take the lease, waiting up to `wait` seconds for another holder to stop.

    Read the lease, decide, then take it with one conditional write on what was read: a
    process that stalls between the two (a full stderr pipe, a pause of the machine) finds,
    when it goes on, that another took the lease meanwhile, and waits like any newcomer instead
    of taking it from under that one."""
    deadline = time.monotonic() + wait
    while True:
        now = clock.now()
        held = store.lease.current()
        free = held is None or held.holder == lease.holder or held.heartbeat_at < now - TTL
        if held is not None and not free and _gone(held):
            # Killed on this machine: no need to wait for its lease to expire.
            log.warning("taking over the lease of pid %d, which no longer runs", held.pid)
            free = True
        if free:
            other = store.lease.take(
                Lease(lease.holder, lease.pid, lease.host, now, now), replacing=held
            )
            if other is None:
                return
            continue  # another process took it first: judge that one
        assert held is not None
        if time.monotonic() >= deadline:
            age = (now - held.heartbeat_at).total_seconds()
            raise InstanceError(
                f"another bulletin-bot runs on this database: pid {held.pid} on {held.host}, "
                f"started {held.acquired_at:%Y-%m-%d %H:%M:%S} UTC, last seen {age:.0f} s "
                f"ago. Stop it first (a console ends with Ctrl-D), or wait: a lease not "
                f"renewed for {TTL.seconds} s is free."
            )
        sleep(min(1.0, max(0.0, deadline - time.monotonic())))
