"""A subscription's every choice through /settings, a pause, and "send me today's now", end to
end through the bot and the Bot API stand-in, with the clock moved (issue 27, points 5, 6, 9).

The tests live on Saturday 8 August 2026, 06:30 UTC (07:30 in London, 09:30 in Kyiv); the store
has the bulletins up to 7 August and the fake API has the 8th.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import render, texts
from bot.clock import FixedClock
from bot.config import Config, TelegramConfig
from bot.notices import announce
from bot.store import DeliveryStatus, OutboxKind, Store, SubscriberStatus
from bot.subscriptions import Subscriptions, enqueue_bulletin
from bot.telegram import settings
from bot.telegram.app import build, running
from bot.telegram.jobs import poll_now
from bot.telegram.services import Services
from tests import bot_harness
from tests.bot_harness import ADMIN, USER, Harness
from tests.conftest import NOW
from tests.test_bot_delivery import drain

FRIDAY = date(2026, 8, 7)
GROUP, GROUP_ADMIN, MEMBER = -1003101, 41, 42


class Restartable:
    """The bot as the `bot` fixture runs it, which can be stopped and started again on the
    same database file (a new Store, a new application: nothing kept in memory), with the same
    Bot API stand-in and clock."""

    def __init__(self, api, url: str, config: Config, clock: FixedClock, path) -> None:
        self.api, self.url, self.config, self.clock, self.path = api, url, config, clock, path
        self._stack = contextlib.AsyncExitStack()

    async def start(self) -> Harness:
        store = self._stack.enter_context(contextlib.closing(Store(self.path)))
        services = Services(self.config, store, self.clock)
        application = build(services, token="1:test", base_url=self.url)
        await self._stack.enter_async_context(running(application))
        return Harness(self.api, application, services, self.clock)

    async def restart(self) -> Harness:
        await self.stop()
        return await self.start()

    async def stop(self) -> None:
        await self._stack.aclose()
        self._stack = contextlib.AsyncExitStack()


@pytest.fixture
async def restartable(history_store: Store, bot_sources) -> AsyncIterator[Restartable]:
    config = Config(telegram=TelegramConfig(admins=(ADMIN,)), sources=bot_sources)
    api = bot_harness.LocalBotApi()
    with api.serve() as server:
        bots = Restartable(api, server.base_url, config, FixedClock(NOW), history_store.path)
        try:
            yield bots
        finally:
            await bots.stop()


def plain(message) -> str:
    return render.to_plain(message.text)


async def press(bot: Harness, message, data: str, **options):
    """Press a settings button, the clock moved on a little first: a person's taps are
    rate-limited (10 at once, then one a second), and a tour of every button is more."""
    bot.clock.advance(timedelta(seconds=2))
    return await bot.press(message, data, **options)


async def test_settings_cover_every_choice_button_by_button_and_a_restart_keeps_them(restartable):
    bot = await restartable.start()
    await bot.ask("/subscribe 08:15 london tanks tanks>10")
    shown = await bot.ask("/settings")
    assert plain(shown).endswith("\n\nNext: Sat 8 Aug, 08:15 (Europe/London).")
    for button in [
        ("✓ Full", "s:format:full"),
        ("✓ Weekends", "s:weekends:0"),
        ("Chart", "s:chart:1"),
        ("Milestones", "s:milestones:1"),
        ("✓ Daily", "s:digest:daily:0"),
        ("Weekly", "s:digest:weekly:1"),
        ("Monthly", "s:digest:monthly:1"),
        ("Categories: tanks", "s:categories"),
        ("Thresholds: Tanks > 10", "s:thresholds"),
        ("🕗 Time: 08:15", "s:times"),
        ("🌍 Zone: London", "s:zones"),
        ("📨 Send me today's now", "s:try"),
        ("⏸ Pause", "s:pauses"),
        ("Unsubscribe", "s:stop"),
    ]:
        assert button in shown.buttons, button

    # Daily, weekly and monthly are toggles; without the daily summary, what shapes it goes.
    edited = await press(bot, shown, "s:digest:weekly:1")
    assert plain(edited).startswith("Summaries: daily, weekly (Mondays); at 08:15")
    assert ("✓ Weekly", "s:digest:weekly:0") in edited.buttons
    edited = await press(bot, edited, "s:digest:daily:0")
    assert plain(edited).startswith("Summaries: weekly (Mondays); at 08:15")
    assert plain(edited).endswith("Next: Mon 10 Aug, 08:15 (Europe/London).")
    labels = [label for label, _ in edited.buttons]
    # Quiet days and the card shape the daily summary alone; the rest shapes the digest too.
    assert not any("Weekends" in label or "Card" in label for label in labels)
    assert ("Chart", "s:chart:1") in edited.buttons and "✓ Full" in labels
    assert any(label.startswith("Thresholds") for label in labels)
    # The last summary is not turned off by a toggle: Unsubscribe says it, asked once more.
    refused = await bot.press_unedited(edited, "s:digest:weekly:0")
    assert refused["text"] == texts.SETTINGS_KEEP_ONE and refused["show_alert"]
    assert bot.store.subscribers.get(USER).digests == ("weekly",)
    edited = await press(bot, edited, "s:digest:daily:1")
    edited = await press(bot, edited, "s:chart:1")
    assert ", with a chart." in plain(edited) and ("✓ Chart", "s:chart:0") in edited.buttons
    # The chart comes with the weekly digest too (its week's daily changes): still said.
    edited = await press(bot, edited, "s:digest:daily:0")
    assert ", with a chart." in plain(edited)
    edited = await press(bot, edited, "s:digest:daily:1")
    assert ", with a chart." in plain(edited)

    # Thresholds: shown, and removed one by one; a new one is typed, as the keyboard says.
    limits = await press(bot, edited, "s:thresholds")
    assert limits.buttons == [("✕ Tanks > 10", "s:threshold:tanks"), ("Done", "s:done")]
    assert plain(limits).endswith(render.to_plain(texts.SETTINGS_THRESHOLDS))
    limits = await press(bot, limits, "s:threshold:tanks")
    assert limits.buttons == [("Done", "s:done")]
    assert "Only on days when" not in plain(limits)
    edited = await press(bot, limits, "s:done")
    assert ("Thresholds: none", "s:thresholds") in edited.buttons

    # Time zones: the common ones by city, and any other typed.
    zones = await press(bot, edited, "s:zones")
    for button in [
        ("✓ London", "s:zone:Europe/London"),
        ("Kyiv", "s:zone:Europe/Kyiv"),
        ("Berlin", "s:zone:Europe/Berlin"),
        ("New York", "s:zone:America/New_York"),
        ("Another…", "s:another-zone"),
    ]:
        assert button in zones.buttons, button
    assert plain(zones).endswith(texts.SETTINGS_OTHER_ZONE)
    another = await bot.press_unedited(zones, "s:another-zone")
    assert another["text"] == texts.SETTINGS_OTHER_ZONE
    zones = await press(bot, zones, "s:zone:America/New_York")
    assert ("✓ New York", "s:zone:America/New_York") in zones.buttons
    assert "time zone America/New_York" in plain(zones)
    # 08:15 in New York is 12:15 UTC: still to come today, and said in the reader's zone.
    assert "Next: Sat 8 Aug, 08:15 (America/New_York)." in plain(zones)
    done = await press(bot, zones, "s:done")

    # A restart between pressing and reading: everything is read back from the database.
    bot = await restartable.restart()
    again = await bot.ask("/settings")
    assert plain(again) == plain(done)
    assert again.buttons == done.buttons
    kept = bot.store.subscribers.get(USER)
    assert (kept.digests, kept.with_chart, kept.timezone) == (
        ("daily", "weekly"),
        True,
        "America/New_York",
    )
    assert (kept.send_at, kept.shape.categories, kept.shape.thresholds) == ("08:15", ("tanks",), ())


async def test_the_next_summary_is_said_in_the_readers_language_and_zone(bot):
    await bot.ask("/language uk")
    await bot.ask("/subscribe 08:15 нью-йорк")
    shown = plain(await bot.ask("/settings"))
    assert shown.endswith("Наступна розсилка: сб, 8 серпня, 08:15 (Нью-Йорк).")
    zones = await bot.press(await bot.ask("/settings"), "s:zones")
    assert ("✓ Нью-Йорк", "s:zone:America/New_York") in zones.buttons
    assert ("Київ", "s:zone:Europe/Kyiv") in zones.buttons


async def test_subscribe_all_says_which_thresholds_it_dropped(bot):
    await bot.ask("/subscribe tanks>10 uav>100")
    reply = plain(await bot.ask("/subscribe all"))
    assert "Thresholds dropped: tanks > 10, operational-tactical UAVs > 100." in reply
    assert bot.store.subscribers.get(USER).shape.thresholds == ()
    # Nothing dropped, nothing said.
    assert "dropped" not in plain(await bot.ask("/subscribe 09:00"))


async def test_a_pause_skips_what_falls_in_it_and_ends_by_itself_saying_so(restartable):
    """Paused on Friday morning for a day: Friday's summary and an announcement that day are
    not sent (nor sent late); at the end the reader is told, once, that summaries are back and
    when the next comes; Saturday's, due after the end, comes. A restart during the pause
    changes none of it."""
    bot = await restartable.start()
    bot.clock.advance(timedelta(days=-1))  # Friday 7 August, 07:30 in London
    await bot.ask("/subscribe 08:00 london tanks short")
    reply = plain(await bot.ask("/pause 1"))
    assert reply.startswith(
        "⏸ Paused until Sat 8 Aug, 07:30 (Europe/London): no summaries, digests or milestone "
        "alerts till then. They come back by themselves, and I will tell you."
    )
    shown = await bot.ask("/settings")
    assert "\n\n⏸ Paused until Sat 8 Aug, 07:30 (Europe/London)." in plain(shown)
    assert plain(shown).endswith("Next: Sat 8 Aug, 08:00 (Europe/London).")
    assert ("▶️ Resume", "s:resume") in shown.buttons
    assert ("⏸ Pause", "s:pauses") not in shown.buttons

    bot = await restartable.restart()
    before = len(bot.api.messages_to(USER))
    enqueue_bulletin(bot.store, FRIDAY, now=bot.clock.now())  # Friday's, due at 08:00 London
    announce(bot.store, "Maintenance tonight.", author="admin", now=bot.clock.now())
    bot.clock.advance(timedelta(minutes=31))
    await bot.deliverer().run()
    assert len(bot.api.messages_to(USER)) == before  # nothing during the pause
    skipped = bot.store.db.execute(
        "SELECT kind, status, last_error FROM outbox WHERE chat_id = ? AND kind != ?",
        [USER, OutboxKind.RESUMED],
    ).fetchall()
    until = "2026-08-08T06:30:00+00:00"
    assert sorted(skipped) == [
        (OutboxKind.ANNOUNCEMENT, DeliveryStatus.SKIPPED, f"paused until {until}"),
        (OutboxKind.BULLETIN, DeliveryStatus.SKIPPED, f"paused until {until}"),
    ]

    bot.clock.advance(datetime(2026, 8, 8, 6, 30, tzinfo=UTC) - bot.clock.now())  # the end
    await drain(bot, bot.deliverer())
    (notice,) = bot.api.messages_to(USER)[before:]
    assert plain(notice) == (
        "▶️ The pause is over: your summaries are back.\nNext: Sat 8 Aug, 08:00 (Europe/London)."
    )
    await drain(bot, bot.deliverer())
    assert len(bot.api.messages_to(USER)) == before + 1  # told once

    await poll_now(bot.services)  # Saturday's bulletin, due at 08:00 in London: after the end
    bot.clock.advance(timedelta(minutes=31))
    await drain(bot, bot.deliverer())
    (summary,) = bot.api.messages_to(USER)[before + 1 :]
    assert "8 August 2026" in plain(summary) and "Tanks: 12,251 (+4)" in plain(summary)
    assert "Personnel" not in plain(summary)


async def test_resume_ends_a_pause_early_and_its_end_is_then_not_announced(bot):
    await bot.ask("/subscribe 08:00")
    await bot.ask("/pause 3")
    resumed = await bot.ask("/resume")
    assert plain(resumed).startswith("▶️ Your summaries are back.\n\nSummaries: daily; at 08:00")
    assert ("⏸ Pause", "s:pauses") in resumed.buttons
    assert bot.store.subscribers.get(USER).paused_until is None
    assert (await bot.ask("/resume")).text == texts.NOT_PAUSED
    before = len(bot.api.messages_to(USER))
    bot.clock.advance(timedelta(days=3, minutes=1))
    await drain(bot, bot.deliverer())
    assert len(bot.api.messages_to(USER)) == before  # the pause was ended: no notice of it
    (status,) = bot.store.db.execute(
        "SELECT status FROM outbox WHERE chat_id = ? AND kind = ?", [USER, OutboxKind.RESUMED]
    ).fetchone()
    assert status == DeliveryStatus.SKIPPED


async def test_pause_alone_and_the_pause_button_offer_days_and_resume_ends_it(bot):
    await bot.ask("/subscribe")
    asked = await bot.ask("/pause")
    assert asked.text == texts.PAUSE_QUESTION
    days = [("1", "s:pause:1"), ("3", "s:pause:3"), ("7", "s:pause:7"), ("14", "s:pause:14")]
    assert asked.buttons == [*days, ("30", "s:pause:30"), ("Back", "s:done")]
    paused = await bot.press(asked, "s:pause:14")
    # 06:30 UTC is 09:30 in Kyiv, the zone a subscription takes unless it names another.
    assert plain(paused).startswith("⏸ Paused until Sat 22 Aug, 09:30 (Europe/Kyiv)")
    assert ("▶️ Resume", "s:resume") in paused.buttons
    resumed = await press(bot, paused, "s:resume")
    assert plain(resumed).startswith("▶️ Your summaries are back.")
    offered = await press(bot, resumed, "s:pauses")
    assert offered.buttons == asked.buttons
    assert plain(offered).endswith(texts.PAUSE_QUESTION)
    back = await press(bot, offered, "s:done")
    assert ("⏸ Pause", "s:pauses") in back.buttons
    assert bot.store.subscribers.get(USER).paused_until is None


@pytest.mark.parametrize(
    ("language", "typed", "answer"),
    [
        ("en", "/pause 0", "A pause lasts 1 to 90 days, not 0. For longer, /unsubscribe"),
        ("en", "/pause 400", "A pause lasts 1 to 90 days, not 400."),
        ("en", "/pause 99999999999999999999", "A pause lasts 1 to 90 days, not 9999"),
        ("en", "/pause tomorrow", "“tomorrow” is not a number of days. Pause for 1 to 90 days"),
        ("en", "/pause -3", "“-3” is not a number of days."),
        ("uk", "/pause 400", "Пауза триває від 1 до 90 днів, а не 400."),
        ("uk", "/pause завтра", "«завтра» — не кількість днів. Призупинити можна на 1–90 днів"),
    ],
)
async def test_a_pause_that_cannot_be_says_what_to_type(bot, language, typed, answer):
    await bot.ask(f"/language {language}")
    await bot.ask("/subscribe")
    reply = await bot.ask(typed)
    assert reply.text.startswith(answer)
    assert bot.store.subscribers.get(USER).paused_until is None  # nothing changed


async def test_a_pause_takes_days_as_people_write_them_and_needs_a_subscription(bot):
    assert (await bot.ask("/pause 7")).text == texts.PAUSE_NOTHING
    assert (await bot.ask("/resume")).text == texts.PAUSE_NOTHING
    await bot.ask("/subscribe")
    for typed, days in (("7 днів", 7), ("3d", 3), ("2 days", 2), ("1 день", 1)):
        await bot.ask(f"/pause {typed}")
        until = bot.store.subscribers.get(USER).paused_until
        assert until == bot.clock.now() + timedelta(days=days), typed


async def test_only_a_groups_admins_pause_it_or_ask_for_a_sample(bot):
    bot.api.chat_admins.setdefault(GROUP, set()).add(GROUP_ADMIN)
    group = {"chat_id": GROUP, "chat_type": "supergroup"}
    await bot.ask("/subscribe", user_id=GROUP_ADMIN, **group)
    refused = await bot.ask("/pause 7", user_id=MEMBER, **group)
    assert refused.text == texts.GROUP_ADMINS_ONLY
    settings = await bot.ask("/settings", user_id=GROUP_ADMIN, **group)
    for data in ("s:pause:7", "s:pauses", "s:try", "s:zone:Europe/London", "s:digest:weekly:1"):
        answer = await bot.press_unedited(settings, data, user_id=MEMBER)
        assert answer["text"] == texts.GROUP_ADMINS_ONLY, data
    kept = bot.store.subscribers.get(GROUP)
    assert kept.paused_until is None and kept.timezone == "Europe/Kyiv"
    assert not bot.store.outbox.waiting_for(GROUP)
    paused = await bot.ask("/pause 7", user_id=GROUP_ADMIN, **group)
    assert plain(paused).startswith("⏸ Paused until Sat 15 Aug, 09:30 (Europe/Kyiv)")


async def test_a_reader_who_comes_back_is_not_paused(bot):
    await bot.ask("/subscribe 08:00")
    await bot.ask("/pause 30")
    await bot.ask("/unsubscribe")
    reply = plain(await bot.ask("/subscribe"))
    assert "Paused" not in reply
    assert bot.store.subscribers.get(USER).paused_until is None
    # A paused subscription changed stays paused, and says so.
    await bot.ask("/pause 2")
    changed = plain(await bot.ask("/subscribe 09:00"))
    assert "⏸ Paused until Mon 10 Aug, 09:30 (Europe/Kyiv)." in changed


async def test_send_me_todays_now_sends_the_summary_in_its_shape_once_per_day_and_shape(bot):
    subscribed = await bot.ask("/subscribe tanks short")
    assert ("📨 Send me today's now", "s:try") in subscribed.buttons
    before = len(bot.api.messages_to(USER))
    answer = await bot.press_unedited(subscribed, "s:try")
    assert answer["text"] == "On its way: the summary of 7 August 2026, as you chose it."
    await drain(bot, bot.deliverer())
    (sample,) = bot.api.messages_to(USER)[before:]
    text = plain(sample)
    assert "7 August 2026 · day 1626 of the full-scale invasion\nTanks: 12,247 (+1)\n" in text
    assert "Personnel" not in text

    again = await bot.press_unedited(subscribed, "s:try")
    assert again["text"].startswith("Already sent: the summary of 7 August 2026 as it is set now.")
    await drain(bot, bot.deliverer())
    assert len(bot.api.messages_to(USER)) == before + 1  # once per day and shape

    # Another shape is another sample: the full bulletin and its chart.
    bot.clock.advance(timedelta(seconds=2))
    changed = await bot.press(subscribed, "s:chart:1")
    await bot.press(changed, "s:format:full")
    await bot.press_unedited(subscribed, "s:try")
    await drain(bot, bot.deliverer())
    bulletin, chart = bot.api.messages_to(USER)[before + 1 :][-2:]
    assert "day 1626 of the full-scale invasion\n\nTanks: 12,247 (+1)\n" in plain(bulletin)
    assert chart.method == "sendPhoto" and chart.attachment.startswith(b"\x89PNG")

    # A sample takes nothing from the daily summary: Saturday's comes as it would have.
    await poll_now(bot.services)
    await drain(bot, bot.deliverer())
    assert any("8 August 2026" in plain(m) for m in bot.api.messages_to(USER))


async def test_a_sample_goes_to_a_paused_chat_and_not_to_one_with_milestones_alone(bot):
    """A sample is asked for: it comes during a pause, and on a day the chat's threshold makes
    quiet (tanks changed by 1 on 7 August)."""
    await bot.ask("/subscribe card tanks tanks>100")
    await bot.ask("/pause 7")
    settings = await bot.ask("/settings")
    await bot.press_unedited(settings, "s:try")
    await bot.deliverer().run()  # at once: the pause's end, a week away, waits
    (card,) = [m for m in bot.api.messages_to(USER) if m.method == "sendPhoto"]
    assert "Tanks: 12,247 (+1)" in plain(card)
    await bot.ask("/subscribe milestones")
    bot.clock.advance(timedelta(seconds=2))
    await bot.press(settings, "s:digest:daily:0")
    alone = await bot.ask("/settings")
    assert ("📨 Send me today's now", "s:try") not in alone.buttons
    assert "Next:" not in plain(alone)  # milestone alerts come when they come


@pytest.mark.parametrize("mapping", [settings.SUMMARY_BUTTON, settings.KEYBOARD_NOTE])
def test_every_message_a_settings_mapping_names_is_in_every_catalogue(mapping):
    for language in texts.LANGUAGES:
        for name in mapping.values():
            assert name in texts.catalogue(language), (language, name)


def test_a_pause_ends_at_the_same_local_time_across_a_clock_change(store: Store):
    """Paused on Saturday 24 October 2026 at 21:00 in London for a day: British summer time
    ends that night, so the pause lasts 25 hours and ends at 21:00 London time on Sunday."""
    clock = FixedClock(datetime(2026, 10, 24, 20, 0, tzinfo=UTC))  # 21:00 BST
    subscriptions = Subscriptions(store, clock, "Europe/Kyiv")
    subscriptions.subscribe(USER, "private", ["london"])
    paused = subscriptions.pause(USER, 1)
    assert paused.paused_until == datetime(2026, 10, 25, 21, 0, tzinfo=UTC)  # 21:00 GMT
    ((kind, subject, due),) = store.outbox.waiting_for(USER)
    assert (kind, subject, due) == (OutboxKind.RESUMED, paused.paused_until.isoformat(), due)
    assert store.subscribers.get(USER).status == SubscriberStatus.ACTIVE
