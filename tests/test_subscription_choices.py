"""What a subscriber chose holds everywhere and for as long as they keep it: their categories
in the weekly and monthly digests too, and their whole subscription back when they return
after /unsubscribe or after blocking the bot. End to end through the Bot API stand-in."""

from __future__ import annotations

from datetime import date

import pytest

from bot import render
from bot.store import Shape, SubscriberStatus
from bot.subscriptions import enqueue_bulletin
from tests.bot_harness import USER
from tests.conftest import NOW
from tests.test_bot_delivery import drain, plain

MONDAY, FIRST = date(2026, 8, 3), date(2026, 8, 1)  # a weekly digest's day, a monthly one's


def digests_to(bot, chat_id: int) -> list[str]:
    """The digests a chat got, each from its period's line (after the title a digest sent
    alone starts with, as every message with figures does)."""
    texts = [plain(m) for m in bot.api.messages_to(chat_id) if m.text]
    return [text for text in texts if " against the " in text.split("\n")[0]]


@pytest.mark.parametrize(
    "words, day, title",
    [
        ("weekly tanks", MONDAY, "The week of 27 July – 2 August 2026"),
        ("daily weekly tanks short", MONDAY, "The week of 27 July – 2 August 2026"),
        ("monthly tanks", FIRST, "July 2026 (31 days)"),
    ],
)
async def test_a_digest_has_only_the_categories_chosen(bot, words, day, title):
    chat = 7007
    assert "Only tanks." in render.to_plain(
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
    assert [line.split(":")[0] for line in digest.splitlines()[3:4]] == ["Artillery systems"]
    assert not [line for line in digest.splitlines() if line.startswith(("Tanks", "Personnel"))]


async def test_a_returning_reader_gets_their_subscription_back_and_fresh_starts_over(bot):
    await bot.ask("/subscribe 07:15 tanks short weekdays")
    left = await bot.ask("/unsubscribe")
    assert left.text == "Unsubscribed from: daily. /subscribe brings them back as they were."
    back = render.to_plain((await bot.ask("/subscribe")).text)
    assert back.startswith(
        "Welcome back: what you chose before is kept. "
        "To start afresh with the defaults: /subscribe fresh.\n"
        "Subscribed. Summaries: daily; at 07:15, time zone Europe/Kyiv. Only tanks. "
        "Short: a line per category. Weekdays only."
    )
    kept = bot.store.subscribers.get(USER)
    assert (kept.status, kept.send_at) == (SubscriberStatus.ACTIVE, "07:15")
    assert kept.shape == Shape(categories=("tanks",), format="short", skip_weekends=True)

    await bot.ask("/unsubscribe")
    fresh = render.to_plain((await bot.ask("/subscribe fresh weekly")).text)
    assert fresh.startswith("Subscribed. Summaries: weekly (Mondays); as soon as the bulletin")
    assert "Only Tanks" not in fresh and "Welcome back" not in fresh
    assert bot.store.subscribers.get(USER).shape == Shape()


async def test_a_returning_reader_is_told_in_ukrainian_and_nanovo_starts_over(bot):
    chat = 7009
    await bot.ask("/subscribe 07:15 танки коротко", chat_id=chat, language_code="uk")
    left = await bot.ask("/unsubscribe", chat_id=chat, language_code="uk")
    assert left.text.endswith("/subscribe — відновити з тими самими налаштуваннями.")
    back = render.to_plain((await bot.ask("/subscribe", chat_id=chat, language_code="uk")).text)
    assert back.startswith("З поверненням! Попередні налаштування збережено.")
    assert "о 07:15" in back and "Лише: танки." in back
    await bot.ask("/unsubscribe", chat_id=chat, language_code="uk")
    again = render.to_plain(
        (await bot.ask("/subscribe наново", chat_id=chat, language_code="uk")).text
    )
    assert again.startswith("Ви підписалися") and "танки" not in again
    assert bot.store.subscribers.get(chat).send_at is None


async def test_a_reader_who_blocked_the_bot_and_came_back_gets_their_subscription_back(bot):
    chat = 7010
    await bot.ask("/subscribe daily weekly 07:15 tanks short", chat_id=chat)
    bot.api.faults.blocked.add(chat)
    enqueue_bulletin(bot.store, date(2026, 8, 7), now=NOW)
    await drain(bot, bot.deliverer())
    assert bot.store.subscribers.get(chat).status == SubscriberStatus.BLOCKED  # a 403

    bot.api.faults.blocked.discard(chat)  # unblocked, and asks again
    back = render.to_plain((await bot.ask("/subscribe", chat_id=chat)).text)
    assert back.startswith("Welcome back: what you chose before is kept.")
    assert "Summaries: daily, weekly (Mondays); at 07:15" in back and "Only tanks." in back
    enqueue_bulletin(bot.store, MONDAY, now=NOW)
    await drain(bot, bot.deliverer())
    (digest,) = digests_to(bot, chat)  # their weekly digest, of their categories
    assert not [line for line in digest.splitlines() if line.startswith("Personnel")]


async def test_a_chosen_category_without_figures_in_the_period_is_named_in_the_digest(bot):
    """Prisoners of war left the bulletin in April 2022: a digest of tanks and them has the
    tanks and says the prisoners have no figures, rather than dropping them silently."""
    chat = 7011
    await bot.ask("/subscribe weekly tanks pow", chat_id=chat)
    enqueue_bulletin(bot.store, MONDAY, now=NOW)
    await drain(bot, bot.deliverer())
    (digest,) = digests_to(bot, chat)
    assert [line.split(":")[0] for line in digest.splitlines()[3:4]] == ["Tanks"]
    assert "No figures in these days for: prisoners of war." in digest
