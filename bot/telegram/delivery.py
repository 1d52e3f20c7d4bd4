"""Sending the outbox through Telegram at a safe rate, so nothing is lost or sent twice.

Each round claims a small batch of due rows (marking them 'sending' in the database before any
message leaves), sends them concurrently but paced by a global rate, then records every outcome in
one transaction. A crash can therefore repeat at most the batch in flight; `Store.release_in_flight`
puts it back in the queue at start-up.

Telegram's answers: 429 pauses all sending for `retry_after` and slows the pace; 403 (the user
blocked the bot) and "chat not found" retire the subscriber; a group that became a supergroup is
followed to its new id; network errors and 5xx are retried with backoff, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot import metrics, summary, texts
from bot.charts import ChartCache, parse_period
from bot.clock import Clock
from bot.notices import text_for
from bot.store import Delivery, DeliveryResult, DeliveryStatus, OutboxKind, Store, SubscriberStatus

log = logging.getLogger(__name__)

DEFAULT_RATE = 25.0  # messages a second; Telegram allows about 30
BATCH_SIZE = 50
MAX_ATTEMPTS = 6
BACKOFF = timedelta(seconds=15)  # then 30 s, 1 min, 2 min, ...
MAX_BACKOFF = timedelta(minutes=5)  # so the end of a long outage is seen within minutes
NETWORK_ERROR = "network error or 5xx: retrying"
SLOWDOWN = 0.8  # the pace after a burst of 429s, as a share of the one before
RECOVERY = 1.0  # messages a second regained each second after it, up to the configured rate
PER_CHAT_GAP = timedelta(seconds=1)  # between two messages to one chat
# How long a send waits for Telegram's answer. A send that gets no answer may still have been
# delivered, and is retried: a duplicate. Telegram answers in well under a second, so waiting
# this long makes that rare (5 s, the library's default, turned 10 s of slow answers into 99
# duplicates); a connection that fails before the request is sent is always safe to retry.
SEND_TIMEOUT = 30.0
# At a stop (SIGTERM), how long the sends on the wire may take to be answered and recorded:
# well inside Docker's 10 s grace.
STOP_GRACE = timedelta(seconds=5)

Sleep = Callable[[float], Awaitable[None]]
Keyboard = Callable[[Delivery], Any]  # the reply markup of a message (or None)


class Pace:
    """A global pace (messages a second; 0 = unlimited) that Telegram's 429s pause and slow.

    One burst of 429s (a batch of concurrent sends collects many at once) is one signal: the
    pause honours the longest `retry_after` of the burst, and the rate drops once, by
    SLOWDOWN. Then it climbs back to the configured rate by RECOVERY messages a second every
    second (additive increase, multiplicative decrease), so a passing burst costs seconds, not
    the rest of the broadcast.
    """

    def __init__(
        self,
        rate: float,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target = rate
        self.rate = rate
        self._sleep = sleep
        self._monotonic = monotonic
        self._next = 0.0
        self._paused_until = 0.0
        self._recovered_at = monotonic()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = self._monotonic()
            self._recover(now)
            slot = max(now, self._next)
            if self.rate > 0:
                self._next = slot + 1 / self.rate
            elif slot > now:
                self._next = slot
        if slot > now:
            await self._sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes out for `seconds`; the first 429 of a burst also
        slows the pace, the others only make the pause as long as the longest asked."""
        now = self._monotonic()
        if now >= self._paused_until and self.rate > 0:
            self.rate = max(1.0, self.rate * SLOWDOWN)
        self._paused_until = max(self._paused_until, now + seconds)
        self._next = max(self._next, self._paused_until)

    def _recover(self, now: float) -> None:
        if 0 < self.rate < self.target and now > self._paused_until:
            climbed = (now - max(self._paused_until, self._recovered_at)) * RECOVERY
            self.rate = min(self.target, self.rate + climbed)
        self._recovered_at = now


@dataclass
class RoundStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    rate_limited: int = 0
    # A Telegram outage that this round saw end: (first failed send, length).
    outage: tuple[datetime, timedelta] | None = None

    def add(self, other: RoundStats) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.skipped += other.skipped
        self.rate_limited += other.rate_limited


class Deliverer:
    """Drains the outbox: `run()` sends everything due now and returns what happened."""

    def __init__(
        self,
        store: Store,
        bot: Bot,
        clock: Clock,
        *,
        rate: float = DEFAULT_RATE,
        keyboard: Keyboard | None = None,
        charts: ChartCache | None = None,
        sleep: Sleep = asyncio.sleep,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.store = store
        self.bot = bot
        self.clock = clock
        self.pace = Pace(rate, sleep)
        self.keyboard = keyboard
        self.charts = charts or ChartCache()
        self.batch_size = batch_size
        self._running = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._last_sent_to: dict[int, datetime] = {}
        # Since when every send has failed for want of Telegram (None: it answers).
        self.unreachable_since: datetime | None = None

    def stop(self) -> None:
        """The process is stopping (SIGTERM): claim nothing more, send nothing that is not on
        the wire yet, and give what is on the wire STOP_GRACE to be answered and recorded."""
        self._stopping.set()

    async def run(self) -> RoundStats:
        """Send every due message. A call while a run is under way returns at once: the run
        under way picks up whatever became due meanwhile."""
        total = RoundStats()
        if self._running.locked():
            return total
        async with self._running:
            rendered: dict[tuple[str, str, str], str | None] = {}
            while not self._stopping.is_set() and (
                batch := self.store.claim_due(self.clock.now(), self.batch_size)
            ):
                results = await self._send_batch(batch, rendered)
                results = self._through_outages(results, total)
                self.store.finish(results, now=self.clock.now())
                for result in results:
                    metrics.DELIVERIES.labels(result.status).inc()
                stats = _count(results)
                total.add(stats)
                if stats.sent == 0 and stats.retried == len(results):
                    break  # all of them wait for later: do not spin
        metrics.OUTBOX.set(self.store.pending_count())
        if self.unreachable_since is not None and total.retried:
            log.warning(
                "delivery round: Telegram unreachable since=%s waiting=%d",
                self.unreachable_since.isoformat(timespec="seconds"),
                total.retried,
            )
        if total.sent or total.failed or total.skipped:
            log.info(
                "delivery round sent=%d retried=%d failed=%d skipped=%d rate_limited=%d",
                total.sent,
                total.retried,
                total.failed,
                total.skipped,
                total.rate_limited,
            )
        return total

    def _through_outages(
        self, results: list[DeliveryResult], total: RoundStats
    ) -> list[DeliveryResult]:
        """A batch whose every send failed on the network is Telegram (or the way to it) being
        down, not these messages failing: their tries do not count, so no message is given up
        during an outage, however long. The outage's start and end are noted for the alert."""
        now = self.clock.now()
        unreachable = bool(results) and all(r.error == NETWORK_ERROR for r in results)
        if unreachable:
            self.unreachable_since = self.unreachable_since or now
            return [replace(r, attempt=False) for r in results]
        if self.unreachable_since is not None and any(
            r.status == DeliveryStatus.SENT for r in results
        ):
            total.outage = (self.unreachable_since, now - self.unreachable_since)
            log.warning(
                "Telegram reachable again after=%ds", (now - self.unreachable_since).seconds
            )
            self.unreachable_since = None
        return results

    async def _send_batch(
        self, batch: list[Delivery], rendered: dict[tuple[str, str, str], str | None]
    ) -> list[DeliveryResult]:
        """Send a batch concurrently; at a stop, wait at most STOP_GRACE for what is on the
        wire. A send still unanswered then stays 'sending' and goes back to the queue at the
        next start (it may have arrived: the documented repeat of messages in flight)."""
        sends = [asyncio.ensure_future(self._send(d, rendered)) for d in batch]
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            waiting: set[asyncio.Future[Any]] = set(sends)
            while waiting and not self._stopping.is_set():
                _, waiting = await asyncio.wait(
                    waiting | {stopping}, return_when=asyncio.FIRST_COMPLETED
                )
                waiting.discard(stopping)
            if waiting:
                _, unanswered = await asyncio.wait(waiting, timeout=STOP_GRACE.total_seconds())
                for send in unanswered:
                    send.cancel()
        finally:
            stopping.cancel()
        return [s.result() for s in sends if s.done() and not s.cancelled()]

    async def _send(
        self, delivery: Delivery, rendered: dict[tuple[str, str, str], str | None]
    ) -> DeliveryResult:
        texts.set_language(delivery.language)  # this send's own task: its own language
        key = (delivery.kind, delivery.subject, delivery.language)
        if key not in rendered:
            rendered[key] = text_for(self.store, delivery.kind, delivery.subject)
        text = rendered[key]
        if text is None:  # a bulletin no longer accepted, a correction withdrawn meanwhile
            return DeliveryResult(delivery.id, DeliveryStatus.SKIPPED, f"nothing to send for {key}")
        # One message a second per chat; marked before the first await, so a second message
        # to the same chat in this batch sees it.
        now = self.clock.now()
        last = self._last_sent_to.get(delivery.chat_id)
        if last is not None and now - last < PER_CHAT_GAP:
            return DeliveryResult(
                delivery.id, DeliveryStatus.PENDING, None, last + PER_CHAT_GAP, attempt=False
            )
        self._last_sent_to[delivery.chat_id] = now
        photo = None
        if delivery.kind == OutboxKind.CHART:
            day = date.fromisoformat(delivery.subject)
            period = parse_period(summary.CHART_PERIOD, day)
            photo = await self.charts.chart(
                self.store, summary.CHART_KEYS, period, may_refuse=False
            )
        return await self._send_to(delivery, delivery.chat_id, text, photo)

    async def _send_to(
        self, delivery: Delivery, chat_id: int, text: str, photo: bytes | None = None
    ) -> DeliveryResult:
        await self.pace.wait()
        if self._stopping.is_set():  # not on the wire yet: it waits for the next start
            return DeliveryResult(
                delivery.id, DeliveryStatus.PENDING, None, delivery.due_at, attempt=False
            )
        try:
            if photo is not None:
                await self.bot.send_photo(
                    chat_id,
                    photo,
                    caption=text,
                    read_timeout=SEND_TIMEOUT,
                    write_timeout=SEND_TIMEOUT,
                )
            else:
                await self.bot.send_message(
                    chat_id,
                    text,
                    reply_markup=self.keyboard(delivery) if self.keyboard else None,
                    read_timeout=SEND_TIMEOUT,
                    write_timeout=SEND_TIMEOUT,
                )
        except RetryAfter as error:
            seconds = _seconds(error)
            self.pace.pause(seconds)
            later = self.clock.now() + timedelta(seconds=seconds)
            return DeliveryResult(
                delivery.id,
                DeliveryStatus.PENDING,
                f"429: retry after {seconds:g} s",
                later,
                attempt=False,
            )
        except Forbidden as error:
            self.store.set_subscriber_status(
                chat_id, SubscriberStatus.BLOCKED, now=self.clock.now(), reason=error.message
            )
            return DeliveryResult(delivery.id, DeliveryStatus.SKIPPED, f"403: {error.message}")
        except ChatMigrated as error:
            log.info("chat migrated old=%d new=%d", chat_id, error.new_chat_id)
            self.store.move_chat(chat_id, error.new_chat_id, now=self.clock.now())
            if chat_id != delivery.chat_id:  # migrated twice in one go: give up on it
                return DeliveryResult(delivery.id, DeliveryStatus.FAILED, "chat migrated twice")
            return await self._send_to(delivery, error.new_chat_id, text, photo)
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                self.store.set_subscriber_status(
                    chat_id, SubscriberStatus.GONE, now=self.clock.now(), reason=error.message
                )
                return DeliveryResult(delivery.id, DeliveryStatus.SKIPPED, f"400: {error.message}")
            log.error(
                "delivery refused id=%d chat=%d error=%r", delivery.id, chat_id, error.message
            )
            return DeliveryResult(delivery.id, DeliveryStatus.FAILED, f"400: {error.message}")
        except NetworkError as error:  # includes TimedOut and 5xx answers
            if delivery.attempts >= MAX_ATTEMPTS:
                return DeliveryResult(
                    delivery.id, DeliveryStatus.FAILED, f"gave up: {error.message}"
                )
            wait = min(BACKOFF * 2 ** (delivery.attempts - 1), MAX_BACKOFF)
            return DeliveryResult(
                delivery.id, DeliveryStatus.PENDING, NETWORK_ERROR, self.clock.now() + wait
            )
        return DeliveryResult(delivery.id, DeliveryStatus.SENT)


def _seconds(error: RetryAfter) -> float:
    retry_after = error.retry_after  # a timedelta with PTB_TIMEDELTA (bot/telegram/__init__.py)
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


def _count(results: list[DeliveryResult]) -> RoundStats:
    stats = RoundStats()
    for result in results:
        if result.status == DeliveryStatus.SENT:
            stats.sent += 1
        elif result.status == DeliveryStatus.PENDING:
            stats.retried += 1
            stats.rate_limited += bool(result.error and result.error.startswith("429"))
        elif result.status == DeliveryStatus.FAILED:
            stats.failed += 1
        else:
            stats.skipped += 1
    return stats
