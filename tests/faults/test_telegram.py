"""A 5,000-subscriber broadcast through everything Telegram does wrong, at once."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from bot.store import DeliveryStatus, SubscriberStatus
from bot.subscriptions import enqueue_bulletin
from tests.conftest import NOW, outbox_counts

SUBSCRIBERS = 5_000


async def test_nothing_lost_nothing_twice_and_the_counts_reconcile(bot):
    private = list(range(100_000, 100_000 + SUBSCRIBERS - 50))
    groups = list(range(-50, 0))
    for chat in private + groups:
        bot.store.subscribers.subscribe(
            chat,
            "private" if chat > 0 else "group",
            send_at=None,
            timezone="Europe/Kyiv",
            now=NOW,
        )
    faults = bot.api.faults
    faults.blocked |= set(private[::50])  # 99 people blocked the bot
    faults.missing |= set(private[1::200])  # 25 chats are gone
    faults.migrated.update({g: g * 1000 for g in groups[:20]})  # 20 groups became supergroups
    faults.rate_limited, faults.retry_after = 60, 2  # a 429 burst
    faults.server_errors = 40  # 502s
    faults.resets = 20  # connections dropped mid-request
    faults.delay = 0.0005  # and every answer is slow
    enqueue_bulletin(bot.store, date(2026, 8, 7), now=NOW)

    deliverer = bot.deliverer()
    for _ in range(200):
        await deliverer.run()
        if not outbox_counts(bot.store).get(DeliveryStatus.PENDING):
            break
        bot.clock.advance(timedelta(minutes=1))

    got = Counter(m.chat_id for m in bot.api.sent if m.method == "sendMessage")
    refused = faults.blocked | faults.missing
    expected = (
        {c for c in private if c not in refused}
        | {g * 1000 for g in groups[:20]}
        | set(groups[20:])
    )
    assert set(got) == expected  # nobody lost
    assert max(got.values()) == 1  # nobody twice (no kill here: nothing was in flight)
    outbox = outbox_counts(bot.store)
    assert outbox == {DeliveryStatus.SENT: len(expected), DeliveryStatus.SKIPPED: len(refused)}
    statuses = Counter(
        bot.store.subscribers.get(c).status
        for c in [*private, *groups[20:], *(g * 1000 for g in groups[:20])]
    )
    assert statuses == {
        SubscriberStatus.ACTIVE: len(expected),
        SubscriberStatus.BLOCKED: 99,
        SubscriberStatus.GONE: 25,
    }
    # sent + inactive = subscribers
    assert (
        outbox[DeliveryStatus.SENT]
        + statuses[SubscriberStatus.BLOCKED]
        + statuses[SubscriberStatus.GONE]
        == SUBSCRIBERS
    )
    assert bot.api.too_many_requests == 60 and faults.server_errors == 0 and faults.resets == 0


async def test_a_long_telegram_outage_gives_up_no_message_and_is_told_to_admins_after(bot, caplog):
    from bot.telegram.jobs import deliver_now
    from tests.bot_harness import ADMIN

    bot.services.config = replace(
        bot.services.config, telegram=replace(bot.services.config.telegram, admins=(ADMIN,))
    )
    for chat in range(1, 101):
        bot.store.subscribers.subscribe(
            chat, "private", send_at=None, timezone="Europe/Kyiv", now=NOW
        )
    enqueue_bulletin(bot.store, date(2026, 8, 7), now=NOW)
    bot.services.deliverer = bot.deliverer()
    bot.api.faults.server_errors = 10**9  # every send: 502, Telegram is down
    for _ in range(12 * 4):  # 12 minutes, a delivery round every 15 s
        await deliver_now(bot.services)
        bot.clock.advance(timedelta(seconds=15))
    counts = outbox_counts(bot.store)
    assert counts.get("failed", 0) == 0 and counts[DeliveryStatus.PENDING] == 100  # none given up

    bot.api.faults.server_errors = 0  # back
    for _ in range(40):
        await deliver_now(bot.services)
        if not outbox_counts(bot.store).get(DeliveryStatus.PENDING):
            break
        bot.clock.advance(timedelta(seconds=15))
    got = Counter(m.chat_id for m in bot.api.sent if m.method == "sendMessage")
    assert all(got[chat] == 1 for chat in range(1, 101))
    (alert,) = [m.text for m in bot.api.messages_to(ADMIN)]
    assert "Telegram was unreachable for 12 minutes from 2026-08-08 06:30 UTC" in alert
    # One line a round in the log, no tracebacks.
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_slow_answer_is_waited_for_not_sent_twice(bot):
    """Telegram answering a send after 8 s: the library's 5 s default would give up and the
    retry would duplicate the message (99 duplicates in 10 s of slow answers, before)."""
    bot.store.subscribers.subscribe(501, "private", send_at=None, timezone="Europe/Kyiv", now=NOW)
    enqueue_bulletin(bot.store, date(2026, 8, 7), now=NOW)
    bot.api.faults.delay = 8.0
    deliverer = bot.deliverer()
    for _ in range(3):
        await deliverer.run()
        bot.clock.advance(timedelta(minutes=1))
    assert [m.chat_id for m in bot.api.sent if m.method == "sendMessage"] == [501]
    assert outbox_counts(bot.store) == {DeliveryStatus.SENT: 1}


def test_a_reply_telegram_answers_late_is_not_followed_by_an_apology(tmp_path, fake_api):
    """A real bot; Telegram takes 8 s to answer each message, past the 5 s a reply waits. Before:
    the reader got the answer and then "Something went wrong on our side"."""
    import time

    from bot import texts
    from tests.fake_bot_api import LocalBotApi
    from tests.faults.test_instances import started
    from tests.faults.test_kill import FILES, bot_config, bulletin_bot

    assert bulletin_bot(tmp_path, "import", *FILES).wait(timeout=60) == 0
    api = LocalBotApi()
    with api.serve() as server:
        bot = bulletin_bot(tmp_path, "run", config=bot_config(server, fake_api))
        try:
            assert started(api, 1)
            api.faults.delay = 8.0
            api.send_text("/latest tanks", chat_id=777)
            assert api.wait_for(lambda: bool(api.messages_to(777)), timeout=30)
            time.sleep(12)  # an apology would be sent at 5 s and answered by 13 s
        finally:
            log = bot.stop()
    assert [m.text for m in api.messages_to(777)] != []
    assert texts.INTERNAL_ERROR not in [m.text for m in api.messages_to(777)]
    assert len(api.messages_to(777)) == 1 and "Tanks" in api.messages_to(777)[0].text
    assert "reply sent but unanswered in time" in log and "Traceback" not in log
