"""Subscriptions and daily delivery end to end: no message lost, none repeated."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing.context
import urllib.parse
from collections import Counter
from datetime import date, timedelta

import pytest

from bot import render, subscriptions, texts
from bot.store import DeliveryStatus, OutboxKind, SubscriberStatus
from bot.subscriptions import enqueue_bulletin
from bot.telegram.app import schedule_delivery
from bot.telegram.jobs import poll_now
from bot.telegram.services import job_queue
from tests.bot_harness import ADMIN, USER
from tests.conftest import NOW, outbox_counts

NEW_DAY = date(2026, 8, 8)  # the fake API has it; the store does not yet


def subscribe_many(bot, chat_ids, **options) -> None:
    for chat_id in chat_ids:
        bot.store.subscribers.subscribe(
            chat_id,
            "private",
            send_at=options.get("send_at"),
            timezone=options.get("timezone", "Europe/Kyiv"),
            now=NOW,
        )


def bulletins_sent(bot) -> Counter:
    return Counter(
        m.chat_id for m in bot.api.sent if m.method == "sendMessage" and "day 1627" in m.text
    )


def sent_to(bot) -> Counter:
    return Counter(m.chat_id for m in bot.api.sent if m.method == "sendMessage")


async def drain(bot, deliverer, *, step=timedelta(seconds=2), rounds=100) -> None:
    """Run delivery rounds, moving the clock on, until nothing is pending."""
    for _ in range(rounds):
        await deliverer.run()
        counts = outbox_counts(bot.store)
        if counts.get(DeliveryStatus.SENDING):  # a round a command started is still sending
            await asyncio.sleep(0.05)
        elif counts.get(DeliveryStatus.PENDING):
            bot.clock.advance(step)
        else:
            return
    raise AssertionError(f"still pending: {outbox_counts(bot.store)}")


def plain(message) -> str:
    """A message as read, less the title a digest sent alone starts with (whose losses they
    are: test_tryout_27 checks it), so that its first line is the period's."""
    text = render.to_plain(message.text)
    for language in ("en", "uk"):
        said = texts.of(language)
        text = text.removeprefix(said.TITLE.format(losses=said.LOSSES) + "\n\n")
    return text


async def test_subscribe_then_settings_then_unsubscribe(bot):
    reply = await bot.ask("/subscribe")
    assert reply.text == (
        "Subscribed. Summaries: daily; as soon as the bulletin is out, time zone Europe/Kyiv. "
        "Change them with the buttons below, stop them with /unsubscribe."
    )
    reply = await bot.ask("/subscribe 8:30 new_york")
    assert "at 08:30, time zone America/New_York" in reply.text
    subscriber = bot.store.subscribers.get(USER)
    assert (subscriber.send_at, subscriber.timezone, subscriber.status) == (
        "08:30",
        "America/New_York",
        SubscriberStatus.ACTIVE,
    )
    assert "at 08:30" in (await bot.ask("/settings")).text
    # Changing what comes keeps the time and zone chosen before ...
    refused = await bot.ask("/subscribe monthly weekdays")
    assert refused.text.startswith(
        "“weekdays” shapes the daily summary, and this subscription would have none: name daily"
    )
    reply = await bot.ask("/subscribe monthly")
    assert "monthly (the 1st)" in reply.text
    assert "at 08:30, time zone America/New_York" in reply.text
    # ... until asked otherwise.
    assert "as soon as the bulletin is out" in (await bot.ask("/subscribe monthly asap")).text

    assert (await bot.ask("/unsubscribe")).text == (
        "Unsubscribed from: monthly (the 1st). /subscribe brings them back as they were."
    )
    assert bot.store.subscribers.get(USER).status == SubscriberStatus.UNSUBSCRIBED
    assert (await bot.ask("/settings")).text == texts.SETTINGS_NONE
    assert (await bot.ask("/unsubscribe")).text == texts.NOT_SUBSCRIBED


async def test_subscribe_with_bad_arguments_changes_nothing(bot):
    for arguments, expected in [
        ("25:00", "“25:00” is not a time of day"),
        (
            "08:30 Mars/Olympus",
            "“Mars/Olympus” is neither a time (HH:MM, or asap: as soon as it is out), a time zone",
        ),
        ("<script>", "“&lt;script&gt;” is neither"),
    ]:
        reply = await bot.ask(f"/subscribe {arguments}")
        assert expected in reply.text
        assert "For example: /subscribe 08:30 Europe/Kyiv" in reply.text
    assert bot.store.subscribers.get(USER) is None


async def test_only_group_admins_change_a_group_subscription(bot):
    group = -4001
    reply = await bot.ask("/subscribe", chat_id=group, chat_type="group", user_id=7)
    assert reply.text == texts.GROUP_ADMINS_ONLY
    assert bot.store.subscribers.get(group) is None

    bot.api.chat_admins.setdefault(group, set()).add(8)
    reply = await bot.ask("/subscribe 09:00", chat_id=group, chat_type="group", user_id=8)
    assert "at 09:00" in reply.text
    reply = await bot.ask("/unsubscribe", chat_id=group, chat_type="group", user_id=7)
    assert reply.text == texts.GROUP_ADMINS_ONLY
    assert bot.store.subscribers.get(group).status == SubscriberStatus.ACTIVE


async def test_a_group_admins_rights_are_asked_of_telegram_once_per_five_minutes(bot):
    group = -4002
    bot.api.chat_admins.setdefault(group, set()).add(8)
    for when in ("08:00", "08:30", "09:00"):
        await bot.ask(f"/subscribe {when}", chat_id=group, chat_type="group", user_id=8)
    assert bot.api.member_checks == 1
    bot.clock.advance(timedelta(minutes=6))
    await bot.ask("/subscribe 10:00", chat_id=group, chat_type="group", user_id=8)
    assert bot.api.member_checks == 2


async def test_a_channel_can_subscribe(bot):
    reply = await bot.ask("/subscribe", chat_id=-100500, chat_type="channel")
    assert "Subscribed" in reply.text
    assert bot.store.subscribers.get(-100500).chat_type == "channel"


async def test_a_subscriber_in_another_time_zone_gets_it_at_their_time_once(bot):
    await bot.ask("/subscribe 08:30 America/New_York")  # 12:30 UTC in August
    await bot.ask("/subscribe", chat_id=2002)  # as soon as it is out
    bot.services.deliverer = bot.deliverer()

    # 06:30 UTC: the poll finds 8 August's bulletin.
    assert (await poll_now(bot.services)).queued == 2
    await bot.services.deliverer.run()
    assert bulletins_sent(bot) == Counter({2002: 1})

    bot.clock.advance(timedelta(hours=5, minutes=59))  # 12:29 UTC
    await bot.services.deliverer.run()
    assert bulletins_sent(bot)[USER] == 0

    bot.clock.advance(timedelta(minutes=1))  # 12:30 UTC = 08:30 in New York
    await bot.services.deliverer.run()
    assert bulletins_sent(bot) == Counter({2002: 1, USER: 1})
    message = bot.api.messages_to(USER)[-1]
    assert "Tanks: 12,251 (+4)" in message.text and "not independently verified" in message.text

    # Polling again, or later rounds, send nothing more.
    bot.clock.advance(timedelta(hours=1))
    assert (await poll_now(bot.services)).queued == 0
    await bot.services.deliverer.run()
    assert bulletins_sent(bot) == Counter({2002: 1, USER: 1})


async def test_history_and_revisions_are_never_broadcast(bot):
    subscribe_many(bot, [3003])
    bot.services.deliverer = bot.deliverer()
    bot.clock.advance(timedelta(days=30))  # the source's latest is now a month old
    assert (await poll_now(bot.services)).queued == 0
    assert outbox_counts(bot.store) == {}


async def test_a_broadcast_to_1000_with_blocked_users_and_a_429_burst(bot):
    chats = list(range(10_000, 11_000))
    subscribe_many(bot, chats)
    blocked = set(chats[::20])  # 50 people blocked the bot
    bot.api.faults.blocked |= blocked
    bot.api.faults.rate_limited = 30
    bot.api.faults.retry_after = 3
    enqueue_bulletin(bot.store, NEW_DAY - timedelta(days=1), now=NOW)

    await drain(bot, bot.deliverer(), step=timedelta(seconds=3))

    got = Counter(m.chat_id for m in bot.api.sent)
    assert set(got) == set(chats) - blocked
    assert max(got.values()) == 1  # nobody twice
    counts = outbox_counts(bot.store)
    assert counts == {DeliveryStatus.SENT: 950, DeliveryStatus.SKIPPED: 50}
    statuses = Counter(bot.store.subscribers.get(c).status for c in chats)
    assert statuses == {SubscriberStatus.ACTIVE: 950, SubscriberStatus.BLOCKED: 50}
    assert bot.api.too_many_requests == 30


async def test_a_migrated_group_is_followed_and_a_vanished_chat_retired(bot):
    subscribe_many(bot, [-500, -600, 700])
    bot.api.faults.migrated[-500] = -1000500
    bot.api.faults.missing.add(-600)
    enqueue_bulletin(bot.store, NEW_DAY - timedelta(days=1), now=NOW)

    await drain(bot, bot.deliverer())

    assert [m.chat_id for m in bot.api.sent if m.chat_id < 0] == [-1000500]
    assert bot.store.subscribers.get(-1000500).status == SubscriberStatus.ACTIVE
    assert bot.store.subscribers.get(-500) is None
    assert bot.store.subscribers.get(-600).status == SubscriberStatus.GONE
    assert len(bot.api.messages_to(700)) == 1


async def test_network_errors_are_retried_with_backoff(bot):
    subscribe_many(bot, [801])
    bot.api.faults.server_errors = 2
    enqueue_bulletin(bot.store, NEW_DAY - timedelta(days=1), now=NOW)
    deliverer = bot.deliverer()

    await deliverer.run()
    assert bot.api.messages_to(801) == []
    await drain(bot, deliverer, step=timedelta(minutes=1))
    assert len(bot.api.messages_to(801)) == 1


def last_errors(bot, chats) -> dict[int, tuple[str, str | None]]:
    """{chat: (status, last_error)} of the chats' outbox rows."""
    rows = bot.store.db.execute(
        f"SELECT chat_id, status, last_error FROM outbox "
        f"WHERE chat_id IN ({', '.join('?' * len(chats))})",
        list(chats),
    )
    return {chat: (status, error) for chat, status, error in rows}


async def test_each_row_keeps_why_its_send_did_not_go_as_rows_always_have(bot):
    """The texts rows kept before the error kinds were an enum, so old rows and new read
    alike; and a round counts its 429s."""
    yesterday = NEW_DAY - timedelta(days=1)
    deliverer = bot.deliverer()
    subscribe_many(bot, [901, 902, 903])
    bot.api.faults.blocked.add(901)
    bot.api.faults.missing.add(902)
    enqueue_bulletin(bot.store, yesterday, now=NOW)
    await deliverer.run()
    subscribe_many(bot, [904])
    bot.api.faults.rate_limited, bot.api.faults.retry_after = 1, 7
    enqueue_bulletin(bot.store, yesterday, now=NOW)
    assert (await deliverer.run()).rate_limited == 1
    subscribe_many(bot, [905])
    bot.api.faults.server_errors = 1
    enqueue_bulletin(bot.store, yesterday, now=NOW)
    assert (await deliverer.run()).rate_limited == 0

    assert last_errors(bot, range(901, 906)) == {
        901: ("skipped", "403: Forbidden: bot was blocked by the user"),
        902: ("skipped", "400: Chat not found"),
        903: ("sent", None),
        904: ("pending", "429: retry after 7 s"),
        905: ("pending", "network error or 5xx: retrying"),
    }


async def test_a_restart_in_the_middle_of_a_broadcast_loses_and_repeats_nothing_more(bot):
    chats = list(range(20_000, 20_300))
    subscribe_many(bot, chats)
    enqueue_bulletin(bot.store, NEW_DAY - timedelta(days=1), now=NOW)
    bot.api.faults.delay = 0.01  # so the kill lands mid-broadcast
    batch = 20
    first = bot.deliverer(window=batch)

    task = asyncio.create_task(first.run())
    await asyncio.to_thread(bot.api.wait_for, lambda: len(bot.api.sent) >= 120)
    task.cancel()  # killed: the batch in flight never reaches its `finish`
    await asyncio.gather(task, return_exceptions=True)
    in_flight = outbox_counts(bot.store).get(DeliveryStatus.SENDING, 0)
    assert 0 < in_flight <= batch

    # Start-up after the crash: in-flight messages go back to the queue, and the rest is sent.
    assert bot.store.outbox.release_in_flight() == in_flight
    bot.api.faults.delay = 0
    await drain(bot, bot.deliverer(window=batch))

    got = Counter(m.chat_id for m in bot.api.sent)
    assert set(got) == set(chats)  # nobody lost
    repeated = [chat for chat, count in got.items() if count > 1]
    assert len(repeated) <= in_flight  # only messages in flight at the kill may repeat
    assert max(got.values()) <= 2
    assert outbox_counts(bot.store) == {DeliveryStatus.SENT: 300}


async def test_queued_twice_is_sent_once(bot):
    subscribe_many(bot, [901])
    assert enqueue_bulletin(bot.store, NEW_DAY, now=NOW) == 1
    assert enqueue_bulletin(bot.store, NEW_DAY, now=NOW) == 0
    rows = bot.store.db.execute("SELECT kind, subject FROM outbox").fetchall()
    assert rows == [(OutboxKind.BULLETIN, NEW_DAY.isoformat())]


async def test_weekly_and_monthly_digests_come_on_mondays_and_the_first(bot):
    reply = await bot.ask("/subscribe weekly monthly", chat_id=5005)
    assert "Summaries: weekly (Mondays), monthly (the 1st);" in reply.text
    deliverer = bot.deliverer()
    for day in (date(2026, 8, 1), date(2026, 8, 2), date(2026, 8, 3)):  # Sat 1st, Sun, Mon
        enqueue_bulletin(bot.store, day, now=NOW)
    await drain(bot, deliverer)
    texts_sent = [plain(m) for m in bot.api.messages_to(5005)[1:]]
    assert len(texts_sent) == 2  # no daily summaries were asked for
    assert any(t.startswith("July 2026 (31 days) against the month before") for t in texts_sent)
    assert any(t.startswith("The week of 27 July – 2 August 2026 against") for t in texts_sent)


async def test_a_daily_summary_can_carry_a_chart(bot):
    await bot.ask("/subscribe chart", chat_id=6006)
    enqueue_bulletin(bot.store, date(2026, 8, 7), now=NOW)
    await drain(bot, bot.deliverer())
    summary, chart = bot.api.messages_to(6006)[1:]
    assert summary.method == "sendMessage" and "day 1626" in summary.text
    assert chart.method == "sendPhoto" and chart.attachment.startswith(b"\x89PNG")
    # The figures drawn, as text too: a notification, a screen reader and search see no picture.
    caption = render.to_plain(chart.text).splitlines()
    assert caption[1].startswith("Personnel: about 1,455,420 on 7 August 2026 (30 days: +")
    assert [line.split(":")[0] for line in caption[1:5]] == [
        "Personnel",
        "Tanks",
        "Artillery systems",
        "Operational-tactical UAVs",
    ]


async def test_a_long_broadcast_is_not_a_warning_every_few_seconds(bot, caplog):
    """The delivery job ticks while a broadcast outlasts many ticks: each tick returns at
    once, and the scheduler does not warn that it skipped one."""
    chats = range(30_000, 30_400)
    subscribe_many(bot, chats)
    enqueue_bulletin(bot.store, NEW_DAY - timedelta(days=1), now=NOW)
    bot.services.deliverer = bot.deliverer()
    bot.api.faults.delay = 0.3  # 400 sends, 64 at a time: about two seconds
    schedule_delivery(job_queue(bot.application), every=0.25)
    await asyncio.to_thread(bot.api.wait_for, lambda: len(bot.api.sent) >= 400, 30)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    # A loaded machine may stall the loop past a tick ("was missed by"): that is the machine.
    assert not [w for w in warnings if "was missed by" not in w]
    assert set(sent_to(bot)) == set(chats)
    assert max(sent_to(bot).values()) == 1


async def test_paid_broadcasts_are_marked_and_429s_still_slow_them(bot):
    chats = range(40_000, 40_200)
    subscribe_many(bot, chats)
    enqueue_bulletin(bot.store, NEW_DAY - timedelta(days=1), now=NOW)
    bot.api.faults.rate_limited, bot.api.faults.retry_after = 5, 2
    deliverer = bot.deliverer(paid_broadcast=True)
    await drain(bot, deliverer, step=timedelta(seconds=3))
    assert set(sent_to(bot)) == set(chats)
    assert all(m.paid for m in bot.api.sent)
    assert bot.api.too_many_requests == 5  # refused, then sent when Telegram said
    assert max(sent_to(bot).values()) == 1


async def test_a_big_broadcast_is_queued_while_it_is_sent(bot, monkeypatch):
    """The poll queues the first chunk of subscribers; delivery queues the rest a chunk at a
    time between sends. Everyone gets the bulletin once."""
    monkeypatch.setattr(subscriptions, "CHUNK", 100)
    chats = range(50_000, 50_450)
    subscribe_many(bot, chats)
    bot.services.deliverer = bot.deliverer()
    assert (await poll_now(bot.services)).queued == 450  # 100 queued, 350 to queue
    assert outbox_counts(bot.store) == {DeliveryStatus.PENDING: 100}
    await bot.services.deliverer.run()
    assert not bot.store.broadcasts.in_progress()
    assert bulletins_sent(bot) == Counter(dict.fromkeys(chats, 1))
    assert outbox_counts(bot.store) == {DeliveryStatus.SENT: 450}


async def test_a_channel_gets_the_summary_its_corrections_and_its_digests(bot):
    """A channel reaches any number of readers with one message: the way to a very large
    audience. Subscribed by a post of its admin, it gets everything a private chat does."""
    channel = -1001234
    reply = await bot.ask("/subscribe daily weekly", chat_id=channel, chat_type="channel")
    assert "Subscribed" in reply.text
    bot.services.deliverer = bot.deliverer()
    assert (await poll_now(bot.services)).queued == 1
    await drain(bot, bot.services.deliverer)
    (summary,) = bot.api.messages_to(channel)[1:]
    assert "day 1627" in summary.text and "not independently verified" in summary.text

    await bot.ask("/correct 2026-08-08 tanks 12250 typo in source", chat_id=ADMIN)
    await drain(bot, bot.services.deliverer, step=timedelta(minutes=5))  # notices wait 10
    notice = render.to_plain(bot.api.messages_to(channel)[-1].text)
    assert notice.startswith(
        "Correction to the bulletin of 8 August 2026: tanks 12,250, not 12,251."
    )

    enqueue_bulletin(bot.store, date(2026, 8, 3), now=NOW)  # a Monday: the weekly digest
    await drain(bot, bot.services.deliverer)
    digest = plain(bot.api.messages_to(channel)[-1])
    assert digest.startswith("The week of 27 July – 2 August 2026 against the week before")


async def test_a_bulletins_buttons_and_text_are_made_once_for_all_its_subscribers(bot, monkeypatch):
    """Every subscriber of one bulletin in one language gets the same text and buttons, so
    they are serialised and percent-encoded once, not once a subscriber (issue 29: a third of
    a broadcast's CPU went on doing so for each message). Each message still carries them."""
    from telegram import InlineKeyboardMarkup

    from bot.telegram import aiohttp_request

    english, ukrainian = range(61_000, 61_040), range(62_000, 62_040)
    subscribe_many(bot, [*english, *ukrainian])
    for chat_id in ukrainian:
        bot.store.subscribers.set_chat_language(chat_id, "uk", chosen=True, now=NOW)
    enqueue_bulletin(bot.store, NEW_DAY - timedelta(days=1), now=NOW)
    serialised = Counter()
    to_dict = InlineKeyboardMarkup.to_dict

    def counted(markup, *args, **kwargs):
        serialised[markup.inline_keyboard[1][2].text] += 1  # the last category: per language
        return to_dict(markup, *args, **kwargs)

    monkeypatch.setattr(InlineKeyboardMarkup, "to_dict", counted)
    encoded: list[int] = []  # the length of each long value percent-encoded
    quote_from_bytes = urllib.parse.quote_from_bytes

    def quoted(value, *args, **kwargs):
        if len(value) > 300:
            encoded.append(len(value))
        return quote_from_bytes(value, *args, **kwargs)

    monkeypatch.setattr(urllib.parse, "quote_from_bytes", quoted)
    aiohttp_request._encoded.cache_clear()
    await bot.services.deliverer.run()  # the application's own, with its buttons
    messages = [m for m in bot.api.sent if m.chat_id in {*english, *ukrainian}]
    assert len(messages) == 80
    for chats, button in ((english, "Air defence"), (ukrainian, "ППО")):
        sent = [m for m in messages if m.chat_id in chats]
        assert len({m.text for m in sent}) == 1 and "2026" in sent[0].text
        assert all(m.buttons == sent[0].buttons for m in sent)
        assert all(m.parse_mode == "HTML" and m.method == "sendMessage" for m in sent)
        assert sent[0].buttons[5] == (button, "c:air_defence:2026-08-07")
        assert serialised[button] <= 1, f"{serialised[button]} keyboards serialised"
    # Each language's text and keyboard: encoded once each, not 80 times.
    assert len(encoded) <= 4, f"{len(encoded)} long values percent-encoded"


@pytest.mark.parametrize("process", [True, False], ids=["in a process", "on the loop"])
async def test_a_broadcast_of_several_chunks_is_queued_beside_its_sends(bot, monkeypatch, process):
    """A broadcast bigger than a chunk is queued while it is sent: in a process of its own
    (bot/queueing.py), or, when none can be started, on the event loop a chunk a turn. Either
    way everyone gets it once."""
    if not process:

        def refused(self):
            raise OSError("no processes left")

        monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refused)
    chats = range(70_000, 72_500)  # three chunks of subscriptions.CHUNK
    subscribe_many(bot, chats)
    bot.services.deliverer = bot.deliverer()
    assert (await poll_now(bot.services)).queued == len(chats)
    assert outbox_counts(bot.store) == {DeliveryStatus.PENDING: subscriptions.CHUNK}
    await bot.services.deliverer.run()
    assert not bot.store.broadcasts.in_progress()
    assert bulletins_sent(bot) == Counter(dict.fromkeys(chats, 1))
    assert outbox_counts(bot.store) == {DeliveryStatus.SENT: len(chats)}
