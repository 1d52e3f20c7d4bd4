"""Subscriptions people shape, end to end through the bot and the Bot API stand-in: their
categories, a short format, quiet days, forum topics, /settings buttons, and links that open
the bot on a bulletin. The fake API's new day, 8 August 2026, is a Saturday."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot import render, texts
from bot.store import Shape, Store, SubscriberStatus
from bot.subscriptions import SubscriptionError, parse_options
from bot.telegram.jobs import poll_now
from tests.bot_harness import USER
from tests.conftest import NOW
from tests.test_bot_admin import admin
from tests.test_bot_delivery import drain

SATURDAY = date(2026, 8, 8)
GROUP = -1003001
GROUP_ADMIN = 31


def summaries_to(bot, chat_id: int):
    return [m for m in bot.api.sent if m.chat_id == chat_id and "8 August 2026" in m.text]


async def deliver_the_new_day(bot) -> None:
    await poll_now(bot.services)
    await drain(bot, bot.deliverer())


def test_subscribe_words_shape_the_summary():
    options = parse_options(
        ["08:30", "tanks", "air", "defence", "short", "weekdays", "бпла>100"], "Europe/Kyiv"
    )
    assert options.send_at == "08:30"
    assert options.shape == Shape(
        categories=("tanks", "air_defence"),
        format="short",
        skip_weekends=True,
        thresholds=(("uav", 100),),
    )


def test_what_is_not_said_again_is_kept_and_all_goes_back_to_every_category(store: Store):
    subscriber = store.subscribers.subscribe(
        USER,
        "private",
        send_at="08:30",
        timezone="Europe/Kyiv",
        now=NOW,
        shape=Shape(categories=("tanks",), format="short"),
    )
    kept = parse_options(["09:00"], "Europe/Kyiv", subscriber)
    assert (kept.send_at, kept.shape.categories, kept.shape.format) == (
        "09:00",
        ("tanks",),
        "short",
    )
    assert parse_options(["all"], "Europe/Kyiv", subscriber).shape.categories == ()
    for word in ("asap", "одразу"):  # the words of the settings button, in both languages
        assert parse_options([word], "Europe/Kyiv", subscriber).send_at is None


def test_a_word_that_names_nothing_is_refused_with_the_nearest_category():
    with pytest.raises(SubscriptionError) as refused:
        parse_options(["tankz"], "Europe/Kyiv")
    message = str(refused.value)
    assert message.startswith(
        "“tankz” is neither a time (HH:MM, or asap: as soon as it is out), a time zone"
    )
    assert "Did you mean: tanks?" in message
    assert "/subscribe tanks artillery short" in message


@pytest.mark.parametrize(
    ("words", "first", "second"),
    [
        (["short", "full"], "short", "full"),
        (["08:00", "Europe/London", "09:30"], "08:00", "09:30"),
        (["asap", "08:00"], "asap", "08:00"),
        (["London", "Paris"], "London", "Paris"),
        (["weekdays", "вихідні"], "weekdays", "вихідні"),
        (["all", "tanks"], "all", "tanks"),
        (["tanks", "artillery", "all"], "tanks", "all"),
        (["tanks>10", "танки>20"], "tanks>10", "танки>20"),
    ],
)
def test_two_words_choosing_one_thing_two_ways_are_refused(words, first, second):
    with pytest.raises(SubscriptionError) as refused:
        parse_options(words, "Europe/Kyiv")
    assert str(refused.value).startswith(
        f"“{first}” and “{second}” ask for different things: keep one of them. For example:"
    )


async def test_contradictory_words_change_nothing_and_say_why(bot):
    await bot.ask("/subscribe 08:30 tanks short")
    reply = await bot.ask("/subscribe card full")
    assert render.to_plain(reply.text).startswith("“card” and “full” ask for different things")
    settings = render.to_plain((await bot.ask("/settings")).text)
    assert "08:30" in settings and "Short: a line per category." in settings


async def test_a_tanks_short_subscriber_gets_exactly_one_line_of_tanks(bot):
    reply = await bot.ask("/subscribe tanks short")
    assert "Only tanks. Short: a line per category." in reply.text
    assert ("✓ Short", "s:format:short") in reply.buttons  # the settings, a tap away

    await deliver_the_new_day(bot)

    (summary,) = summaries_to(bot, USER)
    lines = render.to_plain(summary.text).splitlines()
    assert lines[0] == render.title()
    assert lines[1] == "8 August 2026 · day 1627 of the full-scale invasion"
    assert lines[2] == "Tanks: 12,251 (+4)"
    assert [line for line in lines if ": " in line and "(+" in line] == ["Tanks: 12,251 (+4)"]
    assert lines[-1] == render.to_plain(render.caveat())
    assert summary.reply_markup is None  # no seven buttons taller than the message


async def test_weekdays_only_skips_saturdays_bulletin(bot):
    await bot.ask("/subscribe weekdays")
    await bot.ask("/subscribe", chat_id=USER + 1)

    await deliver_the_new_day(bot)

    assert summaries_to(bot, USER) == []
    assert len(summaries_to(bot, USER + 1)) == 1


async def test_a_threshold_sends_only_days_with_a_larger_change(bot):
    await bot.ask("/subscribe tanks>10")  # tanks rose by 4 that day
    await bot.ask("/subscribe tanks>3", chat_id=USER + 1)

    await deliver_the_new_day(bot)

    assert summaries_to(bot, USER) == []
    assert len(summaries_to(bot, USER + 1)) == 1
    settings = await bot.ask("/settings")
    assert "Only on days when tanks changed by more than 10." in settings.text


async def test_a_subscription_made_in_a_forum_topic_is_delivered_into_it(bot):
    bot.api.chat_admins.setdefault(GROUP, set()).add(GROUP_ADMIN)
    bot.api.send_text(
        "/subscribe artillery short",
        chat_id=GROUP,
        chat_type="supergroup",
        user_id=GROUP_ADMIN,
        topic=77,
    )
    reply = await bot.reply_to(GROUP, 0)
    assert "Summaries go to this topic." in reply.text
    assert bot.store.subscribers.get(GROUP).shape.thread_id == 77

    await deliver_the_new_day(bot)

    (summary,) = summaries_to(bot, GROUP)
    assert summary.thread_id == 77
    assert "Artillery systems" in summary.text and "Tanks" not in summary.text


async def test_a_deleted_topic_falls_back_to_the_general_one(bot):
    bot.api.chat_admins.setdefault(GROUP, set()).add(GROUP_ADMIN)
    bot.api.send_text(
        "/subscribe", chat_id=GROUP, chat_type="supergroup", user_id=GROUP_ADMIN, topic=78
    )
    await bot.reply_to(GROUP, 0)
    bot.api.faults.deleted_topics.add(78)

    await deliver_the_new_day(bot)

    (summary,) = summaries_to(bot, GROUP)
    assert summary.thread_id is None
    assert bot.store.subscribers.get(GROUP).shape.thread_id is None


async def test_settings_buttons_change_each_choice_and_it_is_kept(bot, history_store):
    await bot.ask("/subscribe")
    settings = await bot.ask("/settings")
    assert ("✓ Full", "s:format:full") in settings.buttons
    assert ("Categories: all", "s:categories") in settings.buttons
    # Every toggle reads the same way: ticked when on.
    assert ("✓ Weekends", "s:weekends:0") in settings.buttons
    assert ("Milestones", "s:milestones:1") in settings.buttons

    edited = await bot.press(settings, "s:format:short")
    assert "Short: a line per category." in edited.text
    assert ("✓ Short", "s:format:short") in edited.buttons
    edited = await bot.press(edited, "s:weekends:0")
    assert "Weekdays only." in edited.text and ("Weekends", "s:weekends:1") in edited.buttons
    picker = await bot.press(edited, "s:categories")
    assert ("Tanks", "s:category:tanks") in picker.buttons
    # Short names, which fit a phone's button: not "Vehicles and fuel tanks" cut off.
    assert ("Vehicles", "s:category:vehicles") in picker.buttons
    picker = await bot.press(picker, "s:category:tanks")
    picker = await bot.press(picker, "s:category:uav")
    assert ("✓ Tanks", "s:category:tanks") in picker.buttons
    assert "Only tanks, operational-tactical UAVs." in picker.text
    done = await bot.press(picker, "s:done")
    assert ("Categories: tanks, drones", "s:categories") in done.buttons
    assert ("🕗 Time: As soon as it is out", "s:times") in done.buttons
    bot.clock.advance(timedelta(minutes=1))  # past the flood limit of a person's taps
    times = await bot.press(done, "s:times")
    assert ("✓ As soon as it is out", "s:time:") in times.buttons
    assert times.text.endswith("Another time: type it, like /subscribe 07:45.")
    times = await bot.press(times, "s:time:08:00")
    assert "at 08:00" in times.text and ("✓ 08:00", "s:time:08:00") in times.buttons
    done = await bot.press(times, "s:done")
    assert ("🕗 Time: 08:00", "s:times") in done.buttons

    # Kept in the database, as a restarted bot would read it.
    again = Store(history_store.path)
    assert again.subscribers.get(USER).shape == Shape(
        categories=("tanks", "uav"), format="short", skip_weekends=True
    )
    assert again.subscribers.get(USER).send_at == "08:00"
    again.close()

    asked = await bot.press(done, "s:stop")  # a slip of the thumb ends nothing
    assert asked.text == "Stop your summaries (daily)?"
    assert asked.buttons == [("Yes, unsubscribe", "s:stop:yes"), ("No, keep it", "s:done")]
    assert bot.store.subscribers.get(USER).status == SubscriberStatus.ACTIVE
    kept = await bot.press(asked, "s:done")
    assert kept.text.startswith("Summaries: daily")
    asked = await bot.press(kept, "s:stop")
    stopped = await bot.press(asked, "s:stop:yes")
    assert stopped.text.startswith("Unsubscribed")
    assert bot.store.subscribers.get(USER).status == SubscriberStatus.UNSUBSCRIBED


async def test_settings_offer_only_what_the_chats_summaries_use(bot):
    await bot.ask("/subscribe weekly milestones")
    settings = await bot.ask("/settings")
    labels = [label for label, _ in settings.buttons]
    # The digest takes the full or short format and a chart; a card and quiet days are the
    # daily summary's alone.
    assert labels[:2] == ["✓ Full", "Short"]
    assert not any(label.endswith(("Card", "Weekends")) for label in labels)
    await bot.ask("/subscribe milestones fresh")
    assert bot.store.subscribers.get(USER).digests == ("milestones",)
    labels = [label for label, _ in (await bot.ask("/settings")).buttons]
    assert labels[0] == "✓ Milestones"  # first, where the format and quiet days would be
    await bot.ask("/subscribe daily tanks artillery uav mlrs")
    settings = await bot.ask("/settings")
    assert ("Categories: 4 chosen", "s:categories") in settings.buttons
    assert ("✓ Full", "s:format:full") in settings.buttons


async def test_a_stale_settings_button_says_so(bot):
    await bot.ask("/subscribe")
    settings = await bot.ask("/settings")
    for forged in ("s:format:holographic", "s:time:25:00", "s:time:noon"):
        assert (await bot.press_unedited(settings, forged))["text"] == texts.SETTINGS_BUTTON_EXPIRED
    kept = bot.store.subscribers.get(USER)
    assert (kept.send_at, kept.shape.format) == (None, "full")


async def test_a_link_opens_the_bot_on_that_bulletin(bot):
    reply = await bot.ask("/start tanks-20260807")
    text = render.to_plain(reply.text)
    assert "7 August 2026" in text and "Tanks: 12,247 (+1)" in text
    assert "Personnel" not in text
    welcome = await bot.ask("/start not-a-link!")
    assert welcome.text == render.start()
    for day in ("20300101", "20200101"):  # a made-up date answers as /on does
        linked, on = await bot.ask(f"/start tanks-{day}"), await bot.ask(f"/on {day[:4]}-01-01")
        assert linked.text == on.text
        assert linked.text.endswith(
            ("is in the future.", "before the bulletin began on 24 February 2022.")
        )


async def test_a_link_takes_any_name_of_a_category_and_a_date_as_people_write_it(bot):
    for name, category in (("drones", "Operational-tactical UAVs"), ("ппо", "Air defence systems")):
        text = render.to_plain((await bot.ask(f"/start {name}")).text)
        assert f"{category}: " in text and "Personnel" not in text, name
    dashed, linked = await bot.ask("/start tanks-2026-08-03"), await bot.ask("/on 2026-08-03 tanks")
    assert dashed.text == linked.text
    impossible = await bot.ask("/start tanks-20261301")
    assert impossible.text == (await bot.ask("/on 2026-13-01")).text
    assert impossible.text == "“2026-13-01” is not a real calendar date."
    latest = bot.store.reports.latest_date()
    newest = render.to_plain((await bot.ask(f"/start tanks-{latest:%Y%m%d}")).text)
    assert newest.endswith("/compare tanks")  # of the latest day: no date to name


async def test_share_gives_a_link_to_todays_bulletin(bot):
    reply = await bot.ask("/share tanks")
    text = render.to_plain(reply.text)
    assert text.startswith("Today's bulletin is not out yet; these are yesterday's figures.")
    assert "The bulletin of 7 August 2026 (tanks): " in text
    assert "https://t.me/bulletin_bot?start=tanks-20260807" in text
    ((label, _),) = reply.buttons
    assert label == "Share"
    url = reply.reply_markup["inline_keyboard"][0][0]["url"]
    assert url == (
        "https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fbulletin_bot%3Fstart%3Dtanks-20260807"
    )


async def test_a_card_subscriber_gets_one_picture_drawn_once_for_everyone_alike(bot):
    await bot.ask("/subscribe card tanks artillery")
    await bot.ask("/subscribe tanks artillery card", chat_id=USER + 1)
    deliverer = bot.deliverer()

    await poll_now(bot.services)
    await drain(bot, deliverer)

    photos = [m for m in bot.api.sent if m.method == "sendPhoto" and m.chat_id in (USER, USER + 1)]
    assert len(photos) == 2
    assert all(p.attachment.startswith(b"\x89PNG") for p in photos)
    caption = render.to_plain(photos[0].text)
    # The figures as text too: a notification, a screen reader and search see no picture.
    assert "\nTanks: 12,251 (+4)\nArtillery: 47,580 (+58)\n" in caption
    assert caption.startswith(f"{render.title()}\n8 August 2026 · day 1627")
    assert caption.endswith(render.to_plain(render.caveat()))
    assert deliverer.charts.drawn == 1  # one card, two readers
    # Sent side by side, so in either order: each reader gets the one picture, nothing else.
    for chat_id in (USER, USER + 1):
        assert summaries_to(bot, chat_id) == [p for p in photos if p.chat_id == chat_id]


WARSHIPS_FIELD = "warships_cutters"


async def test_a_milestone_is_sent_once_to_those_who_follow_it(bot, fake_api):
    fake_api.api.set_total(SATURDAY, WARSHIPS_FIELD, 40)  # 34 the day before
    reply = await bot.ask("/milestones")
    assert reply.text.startswith("Milestone alerts on")
    assert ("✓ Milestones", "s:milestones:0") in reply.buttons  # "change them with the buttons"
    await bot.ask("/subscribe tanks milestones", chat_id=USER + 1)  # follows tanks alone
    await bot.ask("/subscribe", chat_id=USER + 2)  # no milestones asked for

    await deliver_the_new_day(bot)
    await deliver_the_new_day(bot)  # polled again: nothing new, nothing twice

    alerts = [m for m in bot.api.sent if "past 40" in m.text]
    assert [m.chat_id for m in alerts] == [USER]
    assert render.to_plain(alerts[0].text).startswith(
        "📊 Russian losses since 24 Feb 2022: warships and boats past 40\n"
        "40 (+6) on 8 August 2026, claimed by Ukraine's General Staff."
    )
    assert render.caveat() in alerts[0].text


async def test_a_milestone_corrected_away_before_it_goes_out_is_never_sent(bot, fake_api):
    fake_api.api.set_total(SATURDAY, WARSHIPS_FIELD, 40)
    await bot.ask("/milestones")
    bot.clock.advance(timedelta(hours=1))
    await poll_now(bot.services)  # queued, not yet sent
    await admin(bot, "/correct 2026-08-08 warships 35 a typo in the source")

    await drain(bot, bot.deliverer())

    assert not [m for m in bot.api.sent if "past 40" in m.text]


async def test_a_milestone_sent_then_corrected_brings_a_correction_notice(bot, fake_api):
    fake_api.api.set_total(SATURDAY, WARSHIPS_FIELD, 40)
    await bot.ask("/milestones")
    await deliver_the_new_day(bot)
    await admin(bot, "/correct 2026-08-08 warships 35 a typo in the source")
    bot.clock.advance(timedelta(minutes=15))

    await drain(bot, bot.deliverer())

    (notice,) = [m for m in bot.api.sent if m.chat_id == USER and "Correction" in m.text]
    assert render.to_plain(notice.text).startswith(
        "Correction to the bulletin of 8 August 2026: warships and boats 35, not 40."
    )


async def test_changing_the_time_keeps_milestones_and_the_rest(bot):
    await bot.ask("/subscribe daily milestones tanks short")
    reply = await bot.ask("/subscribe 09:00")
    assert "daily, milestones (round figures); at 09:00" in reply.text
    assert "Only tanks. Short: a line per category." in reply.text


async def test_a_chat_that_unsubscribed_subscribes_again(bot):
    await bot.ask("/subscribe")
    await bot.ask("/unsubscribe")
    reply = await bot.ask("/subscribe tanks")
    assert reply.text.startswith("Welcome back") and "\nSubscribed." in reply.text
    await bot.ask("/unsubscribe")
    assert (await bot.ask("/milestones")).text.startswith("Milestone alerts on")
    assert bot.store.subscribers.counts() == {SubscriberStatus.ACTIVE: 1}
    off = await bot.ask("/milestones")  # they were all it had: off, and nothing left
    assert off.text.startswith("Milestone alerts off, and they were all this chat had.")
    assert bot.store.subscribers.counts() == {SubscriberStatus.UNSUBSCRIBED: 1}


def test_milestones_are_added_and_a_chart_goes_with_the_summaries_asked_with_it(store: Store):
    subscriber = store.subscribers.subscribe(
        USER, "private", send_at=None, timezone="Europe/Kyiv", now=NOW, with_chart=True
    )
    added = parse_options(["milestones"], "Europe/Kyiv", subscriber)
    assert (added.digests, added.with_chart) == (("daily", "milestones"), True)
    weekly = parse_options(["weekly", "chart"], "Europe/Kyiv", subscriber)  # a chart of the week
    assert (weekly.digests, weekly.with_chart) == (("weekly",), True)
    weekly = parse_options(["weekly"], "Europe/Kyiv", subscriber)  # named: replaces daily
    assert (weekly.digests, weekly.with_chart) == (("weekly",), False)
    assert parse_options(["milestones"], "Europe/Kyiv").digests == ("milestones",)


def test_words_that_shape_the_daily_summary_ask_for_it_or_are_refused_without_it(store: Store):
    # New: milestones with a format, quiet days or a threshold mean the daily summary too.
    for words in (
        ["card", "milestones"],
        ["tanks", "weekdays", "milestones"],
        ["milestones", "tanks>10"],
    ):
        assert parse_options(words, "Europe/Kyiv").digests == ("daily", "milestones"), words
    assert parse_options(["tanks", "milestones"], "Europe/Kyiv").digests == ("milestones",)
    # Kept without one: refused, naming the word, rather than shaping nothing.
    weekly = store.subscribers.subscribe(
        USER, "private", send_at=None, timezone="Europe/Kyiv", now=NOW, digests=("weekly",)
    )
    with pytest.raises(SubscriptionError) as refused:
        parse_options(["weekdays"], "Europe/Kyiv", weekly)
    assert str(refused.value).startswith(
        "“weekdays” shapes the daily summary, and this subscription would have none: "
        "name daily too, like /subscribe daily weekdays."
    )
    with pytest.raises(SubscriptionError, match="“card” is a picture of one day's bulletin"):
        parse_options(["card"], "Europe/Kyiv", weekly)
    # The short format, a chart and thresholds shape the digests too.
    short = parse_options(["short", "chart", "tanks>100"], "Europe/Kyiv", weekly)
    assert (short.digests, short.with_chart, short.shape.format) == (("weekly",), True, "short")
    assert parse_options(["daily", "short"], "Europe/Kyiv", weekly).digests == ("daily",)


def test_a_long_word_is_quoted_back_cut_short():
    with pytest.raises(SubscriptionError) as refused:
        parse_options(["x" * 5000], "Europe/Kyiv")
    assert str(refused.value).startswith(f"“{'x' * 40}…” is neither a time")
    assert len(str(refused.value)) < 600


@pytest.mark.parametrize("word", ["8am", "8:30PM", "0800", "8", "25:00", "8:5"])
def test_a_time_written_another_way_is_refused_as_a_time(word):
    with pytest.raises(SubscriptionError) as refused:
        parse_options([word], "Europe/Kyiv")
    assert str(refused.value).startswith(f"“{word}” is not a time of day; write it as HH:MM")


@pytest.mark.parametrize("word", ["tanks>-1", "tanks>abc", "tanks>", "tanks>12345678"])
def test_a_threshold_that_is_not_a_number_says_so(word):
    with pytest.raises(SubscriptionError) as refused:
        parse_options([word], "Europe/Kyiv")
    assert str(refused.value).startswith(
        f"In “{word}” the change must be a whole number from 0 to 9999999, like tanks>10."
    )


async def test_a_subscription_without_the_daily_summary_does_not_describe_its_format(bot):
    await bot.ask("/subscribe card weekdays milestones")
    reply = render.to_plain((await bot.ask("/subscribe weekly milestones tanks")).text)
    assert "Only tanks." in reply  # categories choose milestone alerts too
    assert "the daily card" not in reply and "Weekdays only" not in reply


CHANNEL, CHANNEL_ADMIN, READER = -1003002, 32, 777


async def test_a_channels_readers_cannot_change_its_subscription_with_its_buttons(bot):
    """The /settings post in a channel is seen by every reader; a tap is the tapper's, and only
    the channel's admins (asked of Telegram) may change anything with it."""
    await bot.ask("/subscribe 08:00 tanks", chat_id=CHANNEL, chat_type="channel")
    settings = await bot.ask("/settings", chat_id=CHANNEL, chat_type="channel")
    before = bot.store.subscribers.get(CHANNEL)
    for data in ("s:format:short", "s:time:09:00", "s:milestones:1", "s:weekends:0", "s:stop:yes"):
        answer = await bot.press_unedited(settings, data, user_id=READER, chat_type="channel")
        assert answer["text"] == texts.GROUP_ADMINS_ONLY and answer["show_alert"], data
    assert bot.store.subscribers.get(CHANNEL) == before
    assert bot.api.member_checks >= 1  # Telegram was asked, not the message's signature

    bot.api.chat_admins.setdefault(CHANNEL, set()).add(CHANNEL_ADMIN)
    as_admin = {"user_id": CHANNEL_ADMIN, "chat_type": "channel"}
    changed = await bot.press(settings, "s:format:short", **as_admin)
    assert ("✓ Short", "s:format:short") in changed.buttons
    asked = await bot.press(changed, "s:stop", **as_admin)
    stopped = await bot.press(asked, "s:stop:yes", **as_admin)
    assert stopped.text.startswith("Unsubscribed")
    assert bot.store.subscribers.get(CHANNEL).status == SubscriberStatus.UNSUBSCRIBED


async def test_a_groups_buttons_answer_to_the_presser_not_to_the_group(bot):
    """A button is pressed by a person, who must be the group's admin, even under a message
    signed by the group itself."""
    bot.api.chat_admins.setdefault(GROUP, set()).add(GROUP_ADMIN)
    await bot.ask("/subscribe", chat_id=GROUP, chat_type="supergroup", sender_chat_id=GROUP)
    settings = await bot.ask("/settings", chat_id=GROUP, chat_type="supergroup", user_id=READER)
    for signed_by in (None, GROUP):
        answer = await bot.press_unedited(
            settings, "s:stop:yes", user_id=READER, sender_chat_id=signed_by
        )
        assert answer["text"] == texts.GROUP_ADMINS_ONLY
    assert bot.store.subscribers.get(GROUP).status == SubscriberStatus.ACTIVE
    asked = await bot.press(settings, "s:stop", user_id=GROUP_ADMIN)
    stopped = await bot.press(asked, "s:stop:yes", user_id=GROUP_ADMIN)
    assert stopped.text.startswith("Unsubscribed")
