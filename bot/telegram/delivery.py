"""Sending the outbox through Telegram at a safe rate, so nothing is lost or sent twice.

Sends go out through a sliding window: at most `window` are claimed at once (marked 'sending'
in the database before they leave), each is recorded the moment its answer arrives, and a new
one is claimed as soon as there is room, in small batches (one transaction for several). A crash
can therefore repeat only what was on the wire, or answered a moment before; at start-up
`store.outbox.release_in_flight` puts those back in the queue.

Telegram's answers: 429 pauses all sending for `retry_after` and slows the pace; 403 (the user
blocked the bot) and "chat not found" retire the subscriber; a group that became a supergroup is
followed to its new id; network errors and 5xx are retried with backoff, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, Message, TelegramObject
from telegram.constants import MessageLimit
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot import metrics, render, samples, texts
from bot.charts import ChartCache
from bot.clock import Clock
from bot.notices import chart_of, expired, hand_on_digests, text_for, topic_gone
from bot.queueing import Queueing
from bot.store import Delivery, DeliveryResult, DeliveryStatus, OutboxKind, Store, SubscriberStatus
from bot.store.outbox import SendError
from bot.subscriptions import HOME_ZONE, PAUSE_DEFERS, held_by_pause
from bot.telegram.uploads import send_upload
from bot.telegram.wire import retry_seconds, send_text
from bot.uploads import Upload

log = logging.getLogger(__name__)

DEFAULT_RATE = 25.0  # messages a second; Telegram allows about 30
# Sends in flight at once. Enough to keep 1,000 messages a second going when Telegram takes
# 50 ms to answer each; a kill repeats at most this many.
WINDOW = 64
# Claim again once this share of the window is free: one transaction for several claims.
REFILL = 0.25
# Network errors in a row, with no send succeeding in between, that mean Telegram (or the way
# to it) is down rather than these messages failing.
OUTAGE_STREAK = 5
MAX_ATTEMPTS = 6
BACKOFF = timedelta(seconds=15)  # then 30 s, 1 min, 2 min, ...
MAX_BACKOFF = timedelta(minutes=5)  # so the end of a long outage is seen within minutes
SLOWDOWN = 0.8  # the pace after a burst of 429s, as a share of the rate it came at
# The share of the configured rate regained each second after it (1 a second at 25 a second,
# 40 at 1,000): a 429 costs seconds at any rate, paid broadcasts' included...
RECOVERY = 0.04
# ...up to this share of the rate the last burst came at (the ceiling as far as the pace knows);
# from there to the ceiling it creeps, over PROBE, and past it climbs fast again. Telegram's
# ceiling is not published (about 30 a second, less for some bots, more when paid): under one
# the pace settles a little below it, meeting it again about once a PROBE, with a 429 or two.
APPROACH = 0.9
PROBE = timedelta(seconds=30)
# Turns the pace lets pass while the event loop was busy elsewhere may still be taken, up to
# this long ago: each wake-up comes a little late, and without this every lateness was lost for
# good (a pace of 1,000 a second sent 530). Never more than the rate in any second, all the same.
CATCH_UP = 0.05  # seconds
PER_CHAT_GAP = timedelta(seconds=1)  # between two messages to one chat
# The share of the rate left unused in any second as this process sees its sends go and come
# back answered (`Pace._within_a_second`), for arrivals that bunch up on their way. Counted by
# when they left alone, a paid broadcast at Telegram's 1,000 a second met 429s (each a second's
# pause) unless 6% was left, and sent 94% of the rate; counted by their answers too, 3% leaves
# none and sends 96% (bench/README.md).
HEADROOM = 0.03
# The longest an answered send waits for its outcome to be recorded with others (seconds).
RECORD_AFTER = 0.02
# While a broadcast is being queued, how soon the loop asks again for its turn at the write lock
# (seconds): a chunk takes about 10 ms.
TURN_POLL = 0.002
# How long a send waits for Telegram's answer. A send that gets no answer may still have been
# delivered, and is retried: a duplicate. Telegram answers in well under a second, so waiting
# this long makes that rare (5 s, the library's default, turned 10 s of slow answers into 99
# duplicates); a connection that fails before the request is sent is always safe to retry.
SEND_TIMEOUT = 30.0
# At a stop (SIGTERM), how long the sends on the wire may take to be answered and recorded:
# well inside Docker's 10 s grace.
STOP_GRACE = timedelta(seconds=5)

Sleep = Callable[[float], Awaitable[None]]
# The reply markup of a message (or None). Every subscriber of one bulletin gets the same
# buttons: a keyboard function returns one object for them all (bot/telegram/keyboards.py keeps
# each keyboard it makes), and each such object is serialised once (bot/telegram/wire.py).
Keyboard = Callable[[Delivery], TelegramObject | None]


class Pace:
    """A global pace (messages a second; 0 = unlimited) that Telegram's 429s pause and slow.

    One burst of 429s (a batch of concurrent sends collects many at once) is one signal: the
    pause honours the longest `retry_after` of the burst, no send leaves during it (those given
    a turn before it wait for a new one after it), and the rate drops once, to SLOWDOWN of the
    rate the sends were actually leaving at. Under APPROACH of the configured rate, that rate
    is remembered as the ceiling; the pace climbs back fast (RECOVERY of the configured rate a
    second) to APPROACH of it, creeps up to it over PROBE, and past it (the ceiling has gone up,
    or the burst was a passing one) climbs fast again to the configured rate. So a passing
    burst costs a few seconds, and a ceiling below the configured rate, which Telegram does not
    announce, costs a 429 or two each PROBE instead of one every second. Sends leaving at the
    configured rate or near it climb straight back to it.
    """

    def __init__(
        self,
        rate: float,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target = rate
        self.rate = rate
        self.ceiling: float | None = None  # the rate of the last burst of 429s
        self.pauses = 0  # 429s that paused sending, ever
        self._sleep = sleep
        self._monotonic = monotonic
        self._next = 0.0
        self._paused_until = 0.0
        self._recovered_at = monotonic()
        self._lock = asyncio.Lock()
        self._sent: deque[float] = deque()  # when the sends of the last second left
        self._answered: deque[float] = deque()  # when those of the last second were answered

    async def wait(self) -> None:
        """Wait for this send's turn. A 429 while waiting takes the turn away: the send waits
        for the pause to end and for a turn after it."""
        while True:
            async with self._lock:
                now = self._monotonic()
                self._recover(now)
                pauses = self.pauses
                # Turns missed while sending may be caught up; a pace that sent nothing for a
                # second has none to catch up. Its first sends used to leave at once, 50 ms of
                # turns, as Telegram's connections were being opened: they reached it late and
                # together, and a second later the window let as many go at once again.
                idle = not self._sent or now - self._sent[-1] >= 1.0
                slot = max(now if idle else now - CATCH_UP, self._next, self._paused_until)
                if self.rate > 0:
                    self._next = slot + 1 / self.rate
            if slot > now:
                await self._sleep(slot - now)
            if self.pauses != pauses:
                continue
            if self.rate > 0:
                await self._within_a_second()
            if self.pauses == pauses:
                return

    async def _within_a_second(self) -> None:
        """Never more than `rate` sends in any second, as this process sees them go and as it
        sees them answered. Sends whose turns passed while the event loop was held up (a
        garbage collection, a long commit) would otherwise leave together, and Telegram counts
        them as they arrive, which is after they leave and before they are answered: a send
        that left late (its connection being opened, the loop busy) is counted by its answer
        too, so that a second later its turn is not given again with the next second's."""
        limit = self.rate * (1 - HEADROOM)
        async with self._lock:
            for window in (self._sent, self._answered):
                now = self._monotonic()
                while window and now - window[0] >= 1.0:
                    window.popleft()
                if len(window) >= limit:
                    await self._sleep(1.0 - (now - window[0]))
                    window.popleft()
            self._sent.append(self._monotonic())

    def answered(self) -> None:
        """A send was answered (whatever the answer): counted in the second it was."""
        if self.rate > 0:
            self._answered.append(self._monotonic())

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes out for `seconds`; the first 429 of a burst also
        slows the pace, the others only make the pause as long as the longest asked."""
        now = self._monotonic()
        if now >= self._paused_until and self.rate > 0:
            while self._sent and now - self._sent[0] >= 1.0:
                self._sent.popleft()
            # What was actually leaving (a window not full, a slow Telegram: less than `rate`).
            leaving = min(self.rate, max(1.0, float(len(self._sent))))
            # Sends leaving at (nearly) the configured rate met a burst of arrivals, not a
            # ceiling under it: no creeping back, which cost a paid broadcast 30 s at 90 to 100%
            # of its rate for each jitter of the network (bench/README.md).
            self.ceiling = leaving if leaving < self.target * APPROACH else None
            self.rate = max(1.0, leaving * SLOWDOWN)
        self.pauses += 1
        self._paused_until = max(self._paused_until, now + seconds)
        self._next = self._paused_until  # turns given before the 429 are taken back

    def _recover(self, now: float) -> None:
        """Climb back towards the configured rate for the time since the last call."""
        left = now - max(self._paused_until, self._recovered_at)
        self._recovered_at = now
        while left > 0 and 0 < self.rate < self.target:
            ceiling = self.ceiling or self.target
            if self.ceiling is None:
                speed, limit = RECOVERY * self.target, self.target
            elif self.rate < ceiling * APPROACH:
                speed, limit = RECOVERY * self.target, ceiling * APPROACH
            elif self.rate < ceiling:
                speed, limit = ceiling * (1 - APPROACH) / PROBE.total_seconds(), ceiling
            else:
                speed, limit = RECOVERY * self.target, self.target
            limit = min(limit, self.target)
            needed = (limit - self.rate) / speed
            if needed >= left:
                self.rate += left * speed
                return
            self.rate = limit
            left -= needed


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


# Notices whose text depends on what their chat was sent before.
PER_CHAT_KINDS = frozenset({OutboxKind.CORRECTION, OutboxKind.ERRATA, OutboxKind.RESUMED})


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
        window: int = WINDOW,
        paid_broadcast: bool = False,
        home_zone: str = HOME_ZONE,
    ) -> None:
        self.store = store
        # Where the bulletin is published: whose today decides whether a summary is news.
        self.home_zone = ZoneInfo(home_zone)
        self.bot = bot
        self.clock = clock
        self.pace = Pace(rate, sleep)
        self.keyboard = keyboard
        self.paid_broadcast = paid_broadcast
        self.charts = charts or ChartCache()
        self.window = window
        self._running = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()  # a round's: a send answered, a chunk queued, a stop
        # When each chat was last sent to, oldest first; only the last PER_CHAT_GAP is kept.
        self._last_sent_to: dict[int, datetime] = {}
        self._network_errors_in_row = 0
        # Since when every send has failed for want of Telegram (None: it answers).
        self.unreachable_since: datetime | None = None
        # Send only this chat's messages (the console sets its own: the rest wait for the bot).
        self.only_chat: int | None = None
        # The deliveries whose request is on its way to Telegram, or awaits its answer.
        self._on_wire: set[int] = set()

    def stop(self) -> None:
        """The process is stopping (SIGTERM): claim nothing more, send nothing that is not on
        the wire yet, and give what is on the wire STOP_GRACE to be answered and recorded."""
        self._stopping.set()
        self._wake.set()

    async def run(self) -> RoundStats:
        """Send every due message. A call while a run is under way returns at once: the run
        under way picks up whatever became due meanwhile."""
        total = RoundStats()
        if self._running.locked():
            return total
        async with self._running:
            await self._drain(total)
        metrics.OUTBOX.set(self.store.outbox.pending_count())
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

    async def _drain(self, total: RoundStats) -> None:
        """Keep up to `window` sends in flight until nothing is due, recording each outcome
        as it arrives, while any broadcast still being queued is queued beside them
        (bot/queueing.py: in a process of its own, taking turns at the write lock with this
        loop). During an outage a round sends one window's worth and ends: the next round
        tries again. At a stop (SIGTERM) it claims nothing more, sends nothing not yet on the
        wire, and waits at most STOP_GRACE for what is; a send still unanswered then is
        recorded as such (SendError.UNANSWERED) and queued again: Telegram may have delivered
        it, so it may arrive twice, but it is never lost."""
        rendered: dict[tuple[str, ...], str | None] = {}
        in_flight: dict[asyncio.Task[DeliveryResult], Delivery] = {}
        # Sends answered and not yet recorded, in the order they ended; each end wakes the
        # loop below (one callback a send, not a wait on all of them each time).
        answered: list[asyncio.Task[DeliveryResult]] = []
        wake = self._wake = asyncio.Event()

        loop = asyncio.get_running_loop()
        answered_since = 0.0  # when the first of `answered` was
        recording: asyncio.TimerHandle | None = None  # a wake-up to record those answered

        def sent(task: asyncio.Task[DeliveryResult]) -> None:
            nonlocal answered_since
            if not answered:
                answered_since = time.monotonic()
            answered.append(task)
            wake.set()

        refill = max(1, int(self.window * REFILL))
        exhausted = False  # nothing more was due at the last claim
        claims = 0
        queueing = Queueing(self.store) if self.store.broadcasts.in_progress() else None
        try:
            while True:
                # While a broadcast is queued, this loop writes when the queueing is paused.
                writable = queueing is None or queueing.turn()
                # Outcomes are recorded several at a time: a paced send is answered alone, and
                # a transaction for each was a tenth of a paid broadcast's CPU. None waits
                # longer than RECORD_AFTER, so a kill repeats what a few ms of sends were.
                waited = time.monotonic() - answered_since if answered else 0.0
                gathered = len(answered) >= refill or len(answered) == len(in_flight)
                if writable and answered and (gathered or waited >= RECORD_AFTER):
                    for task in answered:
                        del in_flight[task]
                    self._record([task.result() for task in answered], total)
                    answered.clear()
                elif answered and not recording:
                    recording = loop.call_later(RECORD_AFTER - waited, wake.set)
                if queueing is not None and writable:
                    exhausted = False  # more may have been queued since the last claim
                room = self.window - len(in_flight)
                # While Telegram is unreachable a round sends one window's worth, to probe.
                probed = self._unreachable() and claims > 0
                claiming = writable and not (exhausted or probed or self._stopping.is_set())
                if claiming and (room >= refill or not in_flight):
                    claimed = self.store.outbox.claim_due(
                        self.clock.now(), room, chat_id=self.only_chat
                    )
                    claims += 1
                    exhausted = len(claimed) < room
                    for delivery in claimed:
                        task = asyncio.create_task(self._send(delivery, rendered))
                        in_flight[task] = delivery
                        task.add_done_callback(sent)
                if queueing is not None and writable:
                    queueing.done()
                    if queueing.finished:
                        await asyncio.to_thread(queueing.close)
                        queueing = None
                if self._stopping.is_set():
                    break
                if not in_flight and queueing is None:
                    return
                if queueing is not None and (not writable or not in_flight):
                    # The queueing is mid-chunk, or queues what is due later: look again soon.
                    asyncio.get_running_loop().call_later(TURN_POLL, wake.set)
                if not answered or not writable or recording:
                    await wake.wait()
                wake.clear()
                if recording is not None and recording.when() <= loop.time():
                    recording = None
        finally:
            if queueing is not None:
                await asyncio.to_thread(queueing.close)
        await self._stop(in_flight, total)

    async def _stop(
        self, in_flight: dict[asyncio.Task[DeliveryResult], Delivery], total: RoundStats
    ) -> None:
        """The sends under way at a stop. Those not on the wire yet (waiting for their turn,
        a card being drawn) end at once, unsent and due as before. Each answer to those on the
        wire that comes within STOP_GRACE is recorded; the rest are cancelled and recorded as
        unanswered, due again now."""
        waiting = {t: d for t, d in in_flight.items() if not t.done() and d.id not in self._on_wire}
        for task in waiting:
            task.cancel()
        sending = [task for task in in_flight if task not in waiting]
        answered: set[asyncio.Task[DeliveryResult]] = set()
        if sending:
            answered, _ = await asyncio.wait(sending, timeout=STOP_GRACE.total_seconds())
        unanswered = [in_flight[task] for task in sending if task not in answered]
        for task in sending:
            task.cancel()  # those unanswered (the others are done)
        now = self.clock.now()
        results = [task.result() for task in answered]
        results += [
            DeliveryResult(d.id, DeliveryStatus.PENDING, SendError.UNANSWERED, now)
            for d in unanswered
        ]
        results += [
            DeliveryResult(d.id, DeliveryStatus.PENDING, None, d.due_at, attempt=False)
            for d in waiting.values()
        ]
        self._record(results, total)
        if unanswered:
            log.warning(
                "stopped with sends unanswered after %gs count=%d: queued again, they may "
                "arrive twice",
                STOP_GRACE.total_seconds(),
                len(unanswered),
            )

    def _record(self, results: list[DeliveryResult], total: RoundStats) -> None:
        """Outcomes that just arrived, in one transaction."""
        if not results:
            return
        results = self._through_outages(results, total)
        self.store.outbox.finish(results, now=self.clock.now())
        for result in results:
            metrics.DELIVERIES.labels(result.status).inc()
        total.add(_count(results))

    def _unreachable(self) -> bool:
        return self.unreachable_since is not None

    def _through_outages(
        self, results: list[DeliveryResult], total: RoundStats
    ) -> list[DeliveryResult]:
        """OUTAGE_STREAK network errors in a row are Telegram (or the way to it) being down,
        not these messages failing: from then until a send succeeds, tries do not count, so no
        message is given up during an outage, however long. Its start and end are noted for
        the alert."""
        now = self.clock.now()
        counted = []
        for result in results:
            if result.error == SendError.NETWORK:
                self._network_errors_in_row += 1
                if self._network_errors_in_row >= OUTAGE_STREAK:
                    self.unreachable_since = self.unreachable_since or now
                if self._unreachable():
                    result = replace(result, attempt=False)
            elif result.status == DeliveryStatus.SENT:
                self._network_errors_in_row = 0
                if self.unreachable_since is not None:
                    total.outage = (self.unreachable_since, now - self.unreachable_since)
                    log.warning(
                        "Telegram reachable again after=%ds",
                        (now - self.unreachable_since).seconds,
                    )
                    self.unreachable_since = None
            counted.append(result)
        return counted

    async def _send(
        self, delivery: Delivery, rendered: dict[tuple[str, ...], str | None]
    ) -> DeliveryResult:
        texts.set_language(delivery.language)  # this send's own task: its own language
        if held_by_pause(delivery.kind, delivery.paused_until, self.clock.now()):
            if delivery.kind in PAUSE_DEFERS:  # due again when the pause ends
                return DeliveryResult(
                    delivery.id, DeliveryStatus.PENDING, due_at=delivery.paused_until, attempt=False
                )
            until = delivery.paused_until.isoformat() if delivery.paused_until else ""
            return DeliveryResult(
                delivery.id, DeliveryStatus.SKIPPED, SendError.PAUSED, detail=until
            )
        lateness = ("expired", delivery.kind, delivery.subject)
        if lateness not in rendered:
            today = self.clock.now().astimezone(self.home_zone).date()
            rendered[lateness] = expired(self.store, delivery.kind, delivery.subject, today)
        if (reason := rendered[lateness]) is not None:
            hand_on_digests(self.store, delivery, now=self.clock.now())
            return DeliveryResult(
                delivery.id, DeliveryStatus.SKIPPED, SendError.EXPIRED, detail=reason
            )
        delivery = samples.as_delivered(delivery)  # a sample goes as what it is a sample of
        # A notice names what its chat was shown: rendered for each chat, not shared.
        chat = delivery.chat_id if delivery.kind in PER_CHAT_KINDS else None
        key = (
            delivery.kind,
            delivery.subject,
            delivery.language,
            ",".join(delivery.categories),
            delivery.format,
            str(chat),
            ",".join(delivery.digests),
            str(delivery.thresholds),
        )
        if key not in rendered:
            rendered[key] = text_for(
                self.store,
                delivery.kind,
                delivery.subject,
                delivery.categories,
                delivery.format,
                chat_id=chat,
                digests=delivery.digests,
                thresholds=delivery.thresholds,
            )
        text = rendered[key]
        if text is None:  # a bulletin no longer accepted, a correction withdrawn meanwhile
            return DeliveryResult(
                delivery.id, DeliveryStatus.SKIPPED, SendError.NOTHING_TO_SEND, detail=str(key)
            )
        # One message a second per chat; marked before the first await, so a second message
        # to the same chat in this batch sees it. (Not for the console's chat, a terminal:
        # each of its messages is shown as soon as it is due.)
        now = self.clock.now()
        last = self._last_sent_to.get(delivery.chat_id)
        if self.only_chat is None and last is not None and now - last < PER_CHAT_GAP:
            return DeliveryResult(
                delivery.id, DeliveryStatus.PENDING, None, last + PER_CHAT_GAP, attempt=False
            )
        self._mark_sent_to(delivery.chat_id, now)
        photo = None
        if delivery.kind == OutboxKind.CARD:
            day = date.fromisoformat(delivery.subject)
            photo = await self.charts.card(self.store, day, delivery.categories)
            if photo is None:
                return DeliveryResult(
                    delivery.id, DeliveryStatus.SKIPPED, SendError.NO_CARD, detail=str(key)
                )
        if delivery.kind == OutboxKind.CHART:
            day = date.fromisoformat(delivery.subject)
            keys, period = chart_of(
                self.store, day, delivery.categories, delivery.digests, delivery.thresholds
            )
            photo = await self.charts.chart(self.store, keys, period, may_refuse=False)
        if photo is not None:
            return await self._send_to(delivery, delivery.chat_id, text, photo)
        # A morning's summaries are one row; over Telegram's limit, its text goes in pieces,
        # the buttons under the last. A piece that fails sends the row again, every piece.
        *leading, final = render.pieces(text, MessageLimit.MAX_TEXT_LENGTH)
        for piece in leading:
            result = await self._send_to(delivery, delivery.chat_id, piece, markup=False)
            if result.status != DeliveryStatus.SENT:
                return result
        return await self._send_to(delivery, delivery.chat_id, final)

    def _mark_sent_to(self, chat_id: int, now: datetime) -> None:
        """Note a send to a chat, forgetting those older than the gap: a broadcast to a
        million chats keeps only the last second's worth."""
        sent_to = self._last_sent_to
        sent_to.pop(chat_id, None)
        sent_to[chat_id] = now  # newest last
        for oldest, at in list(itertools.islice(sent_to.items(), 16)):
            if now - at < PER_CHAT_GAP:
                break
            del sent_to[oldest]

    async def _send_text(
        self, delivery: Delivery, chat_id: int, text: str, *, paid: bool, markup: bool
    ) -> None:
        """sendMessage, its answer left unread (bot/telegram/wire.py): `Bot.send_message`
        would read it into a `Message` (0.14 ms of CPU: a third of a broadcast's per message,
        bench/README.md), which delivery throws away."""
        await send_text(
            self.bot,
            chat_id,
            text,
            keyboard=self.keyboard(delivery) if self.keyboard and markup else None,
            timeout=SEND_TIMEOUT,
            message_thread_id=delivery.thread_id,
            allow_paid_broadcast=paid or None,
        )

    async def _send_to(
        self,
        delivery: Delivery,
        chat_id: int,
        text: str,
        photo: Upload | None = None,
        *,
        markup: bool = True,
    ) -> DeliveryResult:
        await self.pace.wait()
        if self._stopping.is_set():  # not on the wire yet: it waits for the next start
            return DeliveryResult(
                delivery.id, DeliveryStatus.PENDING, None, delivery.due_at, attempt=False
            )
        # Paid for above the free rate; an alert to the admins never needs it.
        paid = self.paid_broadcast and delivery.kind != OutboxKind.ALERT
        self._on_wire.add(delivery.id)
        try:
            if photo is not None:
                await self._send_photo(chat_id, photo, text, delivery.thread_id, paid=paid)
            else:
                await self._send_text(delivery, chat_id, text, paid=paid, markup=markup)
        except RetryAfter as error:
            seconds = retry_seconds(error)
            self.pace.pause(seconds)
            later = self.clock.now() + timedelta(seconds=seconds)
            return DeliveryResult(
                delivery.id,
                DeliveryStatus.PENDING,
                SendError.RATE_LIMITED,
                later,
                attempt=False,
                detail=f"retry after {seconds:g} s",
            )
        except Forbidden as error:
            self.store.subscribers.set_status(
                chat_id, SubscriberStatus.BLOCKED, now=self.clock.now(), reason=error.message
            )
            return DeliveryResult(
                delivery.id, DeliveryStatus.SKIPPED, SendError.FORBIDDEN, detail=error.message
            )
        except ChatMigrated as error:
            log.info("chat migrated old=%d new=%d", chat_id, error.new_chat_id)
            self.store.subscribers.move_chat(chat_id, error.new_chat_id, now=self.clock.now())
            if chat_id != delivery.chat_id:  # migrated twice in one go: give up on it
                return DeliveryResult(delivery.id, DeliveryStatus.FAILED, SendError.MIGRATED_TWICE)
            self._on_wire.discard(delivery.id)  # answered; the send to the new id waits its turn
            return await self._send_to(delivery, error.new_chat_id, text, photo, markup=markup)
        except BadRequest as error:
            if delivery.thread_id is not None and "thread not found" in error.message.lower():
                # The forum topic was deleted: the group still wants its summaries, in General
                # (and is told so, once).
                log.info("topic gone chat=%d thread=%d", chat_id, delivery.thread_id)
                topic_gone(self.store, chat_id, delivery.thread_id, now=self.clock.now())
                self._on_wire.discard(delivery.id)
                return await self._send_to(
                    replace(delivery, thread_id=None), chat_id, text, photo, markup=markup
                )
            if "chat not found" in error.message.lower():
                self.store.subscribers.set_status(
                    chat_id, SubscriberStatus.GONE, now=self.clock.now(), reason=error.message
                )
                return DeliveryResult(
                    delivery.id, DeliveryStatus.SKIPPED, SendError.BAD_REQUEST, detail=error.message
                )
            log.error(
                "delivery refused id=%d chat=%d error=%r", delivery.id, chat_id, error.message
            )
            return DeliveryResult(
                delivery.id, DeliveryStatus.FAILED, SendError.BAD_REQUEST, detail=error.message
            )
        except NetworkError as error:  # includes TimedOut and 5xx answers
            if delivery.attempts >= MAX_ATTEMPTS:
                return DeliveryResult(
                    delivery.id, DeliveryStatus.FAILED, SendError.GAVE_UP, detail=error.message
                )
            wait = min(BACKOFF * 2 ** (delivery.attempts - 1), MAX_BACKOFF)
            return DeliveryResult(
                delivery.id, DeliveryStatus.PENDING, SendError.NETWORK, self.clock.now() + wait
            )
        finally:
            self._on_wire.discard(delivery.id)
            self.pace.answered()
        return DeliveryResult(delivery.id, DeliveryStatus.SENT)

    async def _send_photo(
        self, chat_id: int, picture: Upload, caption: str, thread_id: int | None, *, paid: bool
    ) -> None:
        """A chart or a card: uploaded by the first send, then by the file id Telegram gave it
        (`send_upload`; the Upload lives in ChartCache while the figures stay the same): every
        other subscriber is sent a form of a few hundred bytes instead of a 200 KB multipart
        upload. A send waiting for that first upload holds its turn of the pace; an id
        Telegram refuses costs one more call in this send's turn, which is rare."""

        async def send(photo: str | bytes) -> Message:
            return await self.bot.send_photo(
                chat_id,
                photo,
                caption=caption,
                message_thread_id=thread_id,
                allow_paid_broadcast=paid or None,
                read_timeout=SEND_TIMEOUT,
                write_timeout=SEND_TIMEOUT,
            )

        await send_upload(picture, send)


def _count(results: list[DeliveryResult]) -> RoundStats:
    stats = RoundStats()
    for result in results:
        if result.status == DeliveryStatus.SENT:
            stats.sent += 1
        elif result.status == DeliveryStatus.PENDING:
            stats.retried += 1
            stats.rate_limited += result.error == SendError.RATE_LIMITED
        elif result.status == DeliveryStatus.FAILED:
            stats.failed += 1
        else:
            stats.skipped += 1
    return stats
