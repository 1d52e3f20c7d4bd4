"""What a subscriber chose holds everywhere and for as long as they keep it: their categories
in the weekly and monthly digests too, and their whole subscription back when they return
after /unsubscribe or after blocking the bot. End to end through the Bot API stand-in."""

from __future__ import annotations

from datetime import date

import pytest

from bot import render
from bot.subscriptions import enqueue_bulletin
from tests.conftest import NOW
from tests.test_bot_delivery import drain

MONDAY, FIRST = date(2026, 8, 3), date(2026, 8, 1)  # a weekly digest's day, a monthly one's


def digests_to(bot, chat_id: int) -> list[str]:
    plain = [render.to_plain(m.text) for m in bot.api.messages_to(chat_id) if m.text]
    return [text for text in plain if text.startswith(("Last ", "Останні "))]


@pytest.mark.parametrize(
    "words, day, title",
    [
        ("weekly tanks", MONDAY, "Last 7 days"),
        ("daily weekly tanks short", MONDAY, "Last 7 days"),
        ("monthly tanks", FIRST, "Last 30 days"),
    ],
)
async def test_a_digest_has_only_the_categories_chosen(bot, words, day, title):
    chat = 7007
    assert "Only Tanks." in render.to_plain(
        (await bot.ask(f"/subscribe {words}", chat_id=chat)).text
    )
    enqueue_bulletin(bot.store, day, now=NOW)
    await drain(bot, bot.deliverer())
    (digest,) = digests_to(bot, chat)
    assert digest.startswith(title)
    lines = digest.splitlines()
    assert [line for line in lines if line.startswith("Tanks")]
    assert not [line for line in lines if line.startswith(("Personnel", "Artillery", "Ships"))]


async def test_the_categories_button_of_a_weekly_only_subscriber_shapes_the_digest(bot):
    chat = 7008
    await bot.ask("/subscribe weekly", chat_id=chat)
    settings = await bot.ask("/settings", chat_id=chat)
    picker = await bot.press(settings, "s:categories")
    picker = await bot.press(picker, "s:category:artillery")
    await bot.press(picker, "s:done")
    enqueue_bulletin(bot.store, MONDAY, now=NOW)
    await drain(bot, bot.deliverer())
    (digest,) = digests_to(bot, chat)
    assert [line.split(":")[0] for line in digest.splitlines()[2:3]] == ["Artillery systems"]
    assert not [line for line in digest.splitlines() if line.startswith(("Tanks", "Personnel"))]
