"""Issue 27 tried as a subscriber, a group admin and a group member would (the tryout after the
merge): each test here is one of its findings, each failing before its fix."""

from __future__ import annotations

from datetime import date, timedelta

from bot import render, texts
from bot.store import SummaryFormat
from bot.telegram.jobs import poll_now
from tests.bot_harness import USER
from tests.test_bot_delivery import drain
from tests.test_digests import deliver, received, the_morning_of

FIRST = date(2026, 8, 1)  # a Saturday: its bulletin brings July


def plain(message) -> str:
    return render.to_plain(message.text)


async def later(bot, text: str, **options):
    """Ask, the clock moved on a little first (a person's commands are rate-limited)."""
    bot.clock.advance(timedelta(seconds=2))
    return await bot.ask(text, **options)


async def test_an_own_milestone_reached_in_a_pause_is_not_left_waiting_past_its_total(bot):
    bot.clock.advance(timedelta(days=-1))  # Friday 7 August, 06:30 UTC
    await later(bot, "/subscribe")
    await later(bot, "/milestones tanks 12250")  # the total is 12,247; 12,251 on the 8th
    await later(bot, "/pause 1")
    bot.clock.advance(timedelta(days=1) - timedelta(minutes=10))  # still paused
    await poll_now(bot.services)  # the bulletin of 8 August: tanks 12,251
    await bot.deliverer().run()
    bot.clock.advance(timedelta(minutes=30))  # the pause is over
    await drain(bot, bot.deliverer())
    listed = plain(await later(bot, "/milestones tanks 12260"))
    # Announced after the pause, or removed and said so: either way not 'waiting' at 12,250.
    assert "tanks at 12,250" not in listed


async def test_a_digest_alone_says_whose_losses_it_counts(bot):
    the_morning_of(bot, FIRST)
    await bot.ask("/subscribe monthly", chat_id=7201)
    await bot.ask("/subscribe monthly short", chat_id=7202, language_code="uk")
    await deliver(bot, FIRST)
    (full,) = received(bot, 7201)
    assert plain(full).startswith("Russian losses since 24 Feb 2022")
    (short,) = received(bot, 7202)
    assert plain(short).startswith("Втрати Росії з 24.02.2022")


async def test_a_sample_digest_does_not_weigh_part_of_a_week_against_a_whole_one(bot):
    subscribed = await bot.ask("/subscribe weekly", chat_id=7203)
    before = len(bot.api.messages_to(7203))
    await bot.press_unedited(subscribed, "s:try")
    await drain(bot, bot.deliverer())
    (sample,) = bot.api.messages_to(7203)[before:]
    (personnel,) = [line for line in plain(sample).splitlines() if line.startswith("Personnel")]
    # Either the last whole week, as Monday's digest will be, or no percentage.
    assert "\n\nThe week of 27 July – 2 August 2026 against " in plain(sample)
    assert "%" in personnel  # a whole week against the one before: the change is meaningful


async def test_an_old_card_button_does_not_give_a_digest_alone_the_card(bot):
    earlier = await bot.ask("/subscribe")
    await later(bot, "/subscribe weekly")
    bot.clock.advance(timedelta(seconds=2))
    refused = await bot.press_unedited(earlier, "s:format:card")
    assert refused["text"] == texts.SETTINGS_BUTTON_EXPIRED
    assert bot.store.subscribers.get(USER).shape.format != SummaryFormat.CARD
    shown = await later(bot, "/settings")
    assert any(
        label.startswith("✓ ") and data.startswith("s:format:") for label, data in shown.buttons
    )


async def test_unsubscribe_says_the_own_milestones_that_still_wait(bot):
    await later(bot, "/subscribe")
    await later(bot, "/milestones tanks 12250")
    answer = plain(await later(bot, "/unsubscribe"))
    assert "12,250" in answer
