"""/milestones end to end through the bot and the Bot API stand-in: the round-number alerts
on a chat that had unsubscribed, and a chat's own targets (`/milestones tanks 13000`). The
history ends on 7 August 2026 (tanks 12,247); the fake API's new day, 8 August, has tanks
12,251 (+4)."""

from __future__ import annotations

from bot import render
from bot.store import Shape, SubscriberStatus
from tests.bot_harness import USER
from tests.test_shape import GROUP, GROUP_ADMIN


async def test_milestones_on_a_chat_that_unsubscribed_keeps_what_it_chose(bot):
    await bot.ask("/subscribe 07:15 tanks short weekdays chart")
    await bot.ask("/unsubscribe")

    on = render.to_plain((await bot.ask("/milestones")).text)

    assert on.startswith("Milestone alerts on")
    assert "Summaries: milestones (round figures); at 07:15" in on and "Only tanks." in on
    assert "chart" not in on  # kept, but it goes with the daily summary alone
    kept = bot.store.subscribers.get(USER)
    assert (kept.status, kept.digests, kept.send_at, kept.with_chart) == (
        SubscriberStatus.ACTIVE,
        ("milestones",),
        "07:15",
        True,
    )
    assert kept.shape == Shape(categories=("tanks",), format="short", skip_weekends=True)
    # The daily summary comes back as it was, the alerts beside it.
    back = render.to_plain((await bot.ask("/subscribe daily")).text)
    assert "Summaries: daily, milestones (round figures); at 07:15" in back
    assert "Only tanks. Short: a line per category. Weekdays only." in back


async def test_a_groups_milestones_after_unsubscribing_stay_in_its_topic(bot):
    bot.api.chat_admins.setdefault(GROUP, set()).add(GROUP_ADMIN)
    asked = {"chat_id": GROUP, "chat_type": "supergroup", "user_id": GROUP_ADMIN}
    bot.api.send_text("/subscribe artillery", topic=77, **asked)
    await bot.reply_to(GROUP, 0)
    await bot.ask("/unsubscribe", **asked)

    await bot.ask("/milestones", **asked)

    kept = bot.store.subscribers.get(GROUP)
    assert (kept.shape.thread_id, kept.shape.categories) == (77, ("artillery",))
