"""The bot's scheduled work: polling the source, sending the outbox and pruning it, as
job-queue callbacks and as plain calls for /fetch, the console and tests."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot import texts
from bot.notices import alert_admins
from bot.poll import PollResult, poll_once
from bot.prune import Pruned, prune
from bot.schedule import next_poll_in
from bot.store import Store, StoreError
from bot.telegram.delivery import RoundStats
from bot.telegram.services import Context, Services

log = logging.getLogger(__name__)

POLL_JOB = "poll"
STOPPED = "not finished: the bot is stopping"
# An outage of Telegram this long is told to the admins when it ends (through the outbox: the
# only way to reach them is Telegram; meanwhile the log says so, one line a round).
OUTAGE_ALERT = timedelta(minutes=5)
PRUNE_JOB = "prune"
# The first pruning after a start: not in the rush of one (a poll, a delivery round).
PRUNE_FIRST_AFTER = timedelta(minutes=5)


async def poll(context: Context) -> None:
    """Fetch the source once, queue a fresh bulletin for subscribers, and plan the next poll."""
    services = context.services
    try:
        await poll_now(services)
        await deliver(context)
    finally:
        if not services.stopping:
            delay = next_poll_in(
                services.clock.now(),
                services.config.schedule.zone,
                services.store.reports.latest_date(),
                services.config.schedule.poll_every_minutes,
            )
            context.jobs.run_once(poll, delay, name=POLL_JOB)


async def poll_now(services: Services) -> PollResult:
    """One poll of the source (see bot.poll). A failed fetch is logged, stored in the fetch log
    and, when it keeps failing, told to the admins; the bot keeps serving what it has. A stop
    (`stop_polls`) ends it at once, wherever it waits on the network: nothing is stored then
    (the poll stores only once every source has answered)."""
    assert services.http is not None, "the application prepares its HTTP client at start-up"
    if services.stopping:
        return PollResult(failures={"bot": STOPPED}, answered=False)
    task = asyncio.ensure_future(
        poll_once(
            services.store,
            services.config,
            services.http,
            now=services.clock.now(),
            today=services.today,
        )
    )
    services.polls.add(task)
    try:
        return await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if services.stopping and not (current and current.cancelling()):  # the poll's, by the stop
            return PollResult(failures={"bot": STOPPED}, answered=False)
        raise
    finally:
        services.polls.discard(task)


def stop_polls(services: Services) -> None:
    """The bot is stopping: polls under way end now, and no new one starts."""
    services.stopping = True
    for task in services.polls:
        task.cancel()


async def deliver(context: Context) -> None:
    await deliver_now(context.services)


async def deliver_now(services: Services) -> RoundStats | None:
    """Send what is due; a round with many failures tells the admins (once a day)."""
    if services.deliverer is None:
        return None
    stats = await services.deliverer.run()
    if stats.outage is not None and stats.outage[1] >= OUTAGE_ALERT:
        began, lasted = stats.outage
        minutes = int(lasted.total_seconds() // 60)
        text = texts.ngettext("ALERT_OUTAGE", minutes).format(
            began=f"{began:%Y-%m-%d %H:%M} UTC", minutes=minutes
        )
        alert_admins(
            services.store,
            services.config.telegram.admins,
            f"outage:{began.isoformat()}",
            text,
            now=services.clock.now(),
        )
    failures = stats.failed + stats.skipped
    if failures >= services.config.alerts.delivery_failures:
        text = texts.ngettext("ALERT_DELIVERY", failures).format(failed=failures)
        alert_admins(
            services.store,
            services.config.telegram.admins,
            f"delivery:{services.today}",
            text,
            now=services.clock.now(),
        )
    return stats


async def prune_outbox(context: Context) -> None:
    await prune_now(context.services)


async def prune_now(services: Services) -> Pruned | None:
    """Prune the outbox (bot/prune.py) in a worker thread on a connection of its own, resting
    between chunks: the event loop waits at most one chunk's transaction for the write lock. A
    stop ends it between chunks. A database that refuses is the heartbeat's to report; this
    tries again at the next turn."""
    now, zone = services.clock.now(), services.config.schedule.zone

    def pruned() -> Pruned:
        own = Store(services.store.path)  # SQLite's connections stay on their thread
        try:
            return prune(own, now=now, zone=zone, rest=True, stopping=lambda: services.stopping)
        finally:
            own.close()

    try:
        return await asyncio.to_thread(pruned)
    except StoreError as error:
        log.warning("outbox not pruned: %s", error)
        return None
