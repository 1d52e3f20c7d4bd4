"""One running bot per database: a lease in the database, renewed by a heartbeat.

Two `bulletin-bot run` on one database (a container restarted while the old one still stops)
would each release the other's messages in flight, double the send rate and both poll. So `run`
takes the lease before anything else: if another live process holds it, `run` waits up to its
`--wait` for it to stop, then refuses with a message naming that process. The holder renews the
lease every HEARTBEAT; one not renewed for TTL belongs to a dead process and may be taken. Since
only the holder sends, every row left 'sending' at start-up is a dead process's, and is queued
again.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from datetime import timedelta

from bot.clock import Clock
from bot.store import Lease, Store

HEARTBEAT = timedelta(seconds=10)
TTL = timedelta(seconds=30)


class InstanceError(RuntimeError):
    """Another live process runs the bot on this database; the message names it."""


def me(clock: Clock) -> Lease:
    now = clock.now()
    host = socket.gethostname()
    return Lease(f"{host}:{os.getpid()}:{now.timestamp():.6f}", os.getpid(), host, now, now)


def acquire(
    store: Store,
    lease: Lease,
    clock: Clock,
    *,
    wait: float,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Take the lease, waiting up to `wait` seconds for another holder to stop."""
    deadline = time.monotonic() + wait
    while True:
        now = clock.now()
        other = store.take_lease(
            Lease(lease.holder, lease.pid, lease.host, now, now), expired_before=now - TTL
        )
        if other is None:
            return
        if time.monotonic() >= deadline:
            age = (now - other.heartbeat_at).total_seconds()
            raise InstanceError(
                f"another bulletin-bot runs on this database: pid {other.pid} on {other.host}, "
                f"started {other.acquired_at:%Y-%m-%d %H:%M:%S} UTC, last seen {age:.0f} s "
                f"ago. Stop it first, or wait: a lease not renewed for {TTL.seconds} s is free."
            )
        sleep(min(1.0, max(0.0, deadline - time.monotonic())))
