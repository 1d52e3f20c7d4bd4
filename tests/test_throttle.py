"""One person flooding the bot is throttled politely; everyone else is answered as usual."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot import texts
from bot.throttle import Throttle, Verdict
from tests.conftest import NOW


def test_a_burst_then_one_warning_then_silence_then_refilled():
    throttle = Throttle(burst=3, rate=1.0)
    verdicts = [throttle.check(1, NOW) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN] + [Verdict.DROP] * 2
    assert throttle.check(2, NOW) == Verdict.ALLOW  # someone else
    assert throttle.check(1, NOW + timedelta(seconds=2)) == Verdict.ALLOW


async def test_a_flood_of_100_commands_is_throttled_and_others_are_unaffected(bot):
    flooder, other = 7777, 8888
    for _ in range(100):
        bot.api.send_text("/latest tanks", chat_id=flooder)
    bot.api.send_text("/latest tanks", chat_id=other)
    assert await asyncio.to_thread(bot.api.wait_for, lambda: bot.api.messages_to(other))
    got_11 = await asyncio.to_thread(
        bot.api.wait_for, lambda: len(bot.api.messages_to(flooder)) >= 11
    )
    assert got_11
    # ... and no twelfth reply comes, however long we give it.
    got_more = await asyncio.to_thread(
        bot.api.wait_for, lambda: len(bot.api.messages_to(flooder)) > 11, 1.0
    )
    assert not got_more
    replies = [m.text for m in bot.api.messages_to(flooder)]
    assert replies.count(texts.SLOW_DOWN) == 1
    assert len(replies) == 11  # the burst of 10, and one polite word
    assert "Tanks: 12,247" in bot.api.messages_to(other)[0].text


async def test_anonymous_admins_of_different_groups_are_throttled_apart(bot):
    anonymous = 1087968824  # Telegram's placeholder user for every anonymous group admin
    for _ in range(30):
        bot.api.send_text(
            "/latest tanks",
            chat_id=-1001,
            chat_type="supergroup",
            user_id=anonymous,
            sender_chat_id=-1001,
        )
    bot.api.send_text(
        "/latest tanks",
        chat_id=-1002,
        chat_type="supergroup",
        user_id=anonymous,
        sender_chat_id=-1002,
    )
    assert await asyncio.to_thread(bot.api.wait_for, lambda: bot.api.messages_to(-1002))
    assert "Tanks: 12,247" in bot.api.messages_to(-1002)[0].text
