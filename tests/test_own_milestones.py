"""/milestones end to end through the bot and the Bot API stand-in: the round-number alerts
on a chat that had unsubscribed, and a chat's own targets (`/milestones tanks 13000`). The
history ends on 7 August 2026 (tanks 12,247); the fake API's new day, 8 August, has tanks
12,251 (+4)."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest

from bot import render, texts
from bot.milestones import MOST_TARGETS
from bot.store import DeliveryStatus, Shape, SubscriberStatus, Target
from bot.telegram.jobs import poll_now
from tests.bot_harness import USER
from tests.test_bot_admin import admin
from tests.test_bot_delivery import drain
from tests.test_shape import GROUP, GROUP_ADMIN, deliver_the_new_day

NEW_DAY, NEXT_DAY = date(2026, 8, 8), date(2026, 8, 9)


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


# A chat's own milestones ------------------------------------------------------------------------


def said(message) -> str:
    return render.to_plain(message.text)


def alerts(bot, chat_id: int, value: str) -> list[str]:
    """The milestone alerts a chat got for tanks passing `value` ('12,250')."""
    return [
        said(m)
        for m in bot.api.messages_to(chat_id)
        if f"tanks past {value}" in render.to_plain(m.text)
    ]


async def ask(bot, text: str, **options):
    """A command, a minute after the last: a person types them one by one (and the flood
    check counts a burst of them on a clock that does not move)."""
    bot.clock.advance(timedelta(minutes=1))
    return await bot.ask(text, **options)


def add_next_day(fake_api, tanks: int, before: int | None) -> None:
    """The source publishes 9 August 2026, tanks at `tanks`, up from `before` (the figure of
    the 8th as it stands after a correction; default: as the source gave it)."""
    record = copy.deepcopy(fake_api.api.records[NEW_DAY])
    record["date"], record["day"] = NEXT_DAY.isoformat(), record["day"] + 1
    record["increase"] = {key: 0 for key in record["stats"]}
    record["increase"]["tanks"] = tanks - (before or record["stats"]["tanks"])
    record["stats"]["tanks"] = tanks
    fake_api.api.records[NEXT_DAY] = record


async def deliver_the_next_day(bot, fake_api, tanks: int, before: int | None = None) -> None:
    add_next_day(fake_api, tanks, before)
    bot.clock.advance(timedelta(days=1))
    await poll_now(bot.services)
    await drain(bot, bot.deliverer())


async def test_an_own_milestone_is_announced_once_then_removed(bot, fake_api):
    reply = await ask(bot, "/milestones tanks 12250")  # tanks at 12,247; no subscription
    assert said(reply) == (
        "Tanks: one message when the total reaches 12,250 (now 12,247, 3 to go); then this "
        "milestone is removed.\nYour own milestones: tanks at 12,250."
    )
    assert reply.buttons == [("✕ Tanks 12,250", "m:l:tanks:12250")]

    await poll_now(bot.services)  # 8 August: tanks 12,251
    # The bot is killed while the alert is on the wire; at the restart it goes back in the
    # queue, and the milestone still waits, until the alert is sent.
    bot.store.outbox.claim_due(bot.clock.now(), 100)
    assert bot.store.outbox.release_in_flight() == 1
    assert bot.store.targets.of_chat(USER) == [Target("tanks", 12250)]
    await drain(bot, bot.deliverer())

    (alert,) = alerts(bot, USER, "12,250")
    assert alert.startswith(
        "📊 Russian losses since 24 Feb 2022: tanks past 12,250\n"
        "12,251 (+4) on 8 August 2026, claimed by Ukraine's General Staff."
    )
    assert bot.store.targets.of_chat(USER) == []
    assert said(await ask(bot, "/milestones tanks off")) == (
        "Tanks: no milestone of your own to remove."
    )
    # The source revises the day, then the next day comes: nothing is announced twice.
    fake_api.api.set_total(NEW_DAY, "tanks", 12252)
    bot.clock.advance(timedelta(minutes=30))
    await poll_now(bot.services)
    await drain(bot, bot.deliverer(), step=timedelta(minutes=1))  # the errata notice
    assert "was revised: tanks 12,252, not 12,251." in said(bot.api.messages_to(USER)[-1])
    await deliver_the_next_day(bot, fake_api, tanks=12256)
    assert len(alerts(bot, USER, "12,250")) == 1


async def test_a_round_figure_chosen_as_ones_own_is_one_message(bot, fake_api):
    fake_api.api.set_total(NEW_DAY, "tanks", 12300)  # a round figure passed: 12,300
    await ask(bot, "/subscribe milestones")
    await ask(bot, "/milestones tanks 12300")

    await deliver_the_new_day(bot)

    assert len(alerts(bot, USER, "12,300")) == 1
    assert bot.store.targets.of_chat(USER) == []


async def test_a_correction_below_an_announced_milestone_announces_it_again_only_if_asked(
    bot, fake_api
):
    again = USER + 1
    for chat_id in (USER, again):
        await ask(bot, "/milestones tanks 12250", chat_id=chat_id)
    await deliver_the_new_day(bot)
    assert len(alerts(bot, USER, "12,250")) == len(alerts(bot, again, "12,250")) == 1

    await admin(bot, "/correct 2026-08-08 tanks 12249 a typo in the source")
    bot.clock.advance(timedelta(minutes=15))
    await drain(bot, bot.deliverer())
    notice = [said(m) for m in bot.api.messages_to(USER) if "Correction" in m.text]
    assert "Tanks: not past 12,250 after all; the figure is now 12,249." in notice[0]
    # One chat asks for it again; the other does not.
    assert "(now 12,249, 1 to go)" in said(await ask(bot, "/milestones tanks 12250", chat_id=again))

    await deliver_the_next_day(bot, fake_api, tanks=12256, before=12249)

    assert len(alerts(bot, USER, "12,250")) == 1
    first, second = alerts(bot, again, "12,250")
    assert "12,251 (+4) on 8 August 2026" in first and "12,256 (+7) on 9 August 2026" in second


async def test_an_own_milestone_corrected_away_before_it_goes_keeps_waiting(bot, fake_api):
    await ask(bot, "/milestones tanks 12250")
    bot.clock.advance(timedelta(hours=1))
    await poll_now(bot.services)  # queued, not yet sent
    await admin(bot, "/correct 2026-08-08 tanks 12249 a typo in the source")

    await drain(bot, bot.deliverer())

    assert alerts(bot, USER, "12,250") == []
    assert bot.store.targets.of_chat(USER) == [Target("tanks", 12250)]
    assert "tanks at 12,250" in said(await ask(bot, "/settings"))
    await deliver_the_next_day(bot, fake_api, tanks=12256, before=12249)
    (alert,) = alerts(bot, USER, "12,250")
    assert "12,256 (+7) on 9 August 2026" in alert
    assert bot.store.targets.of_chat(USER) == []


TANKS_NOW = "Tanks: the total is already 12,247 (bulletin of 7 August 2026)"
ABOVE = "Choose a figure above it, for example /milestones tanks 13000."
BAD_FIGURE = (
    "is not a figure to wait for: type a whole number in digits, above the current total and "
    "at most 99,999,999, for example /milestones tanks 13000."
)
USAGE = (
    "/milestones alone turns alerts at round figures on or off. A milestone of your own is a "
    "category and a figure: /milestones tanks 13000; /milestones tanks off removes it."
)


@pytest.mark.parametrize(
    "words, answer",
    [
        ("tanks 13k", f"“13k” {BAD_FIGURE}"),
        ("tanks -5", f"“-5” {BAD_FIGURE}"),
        ("tanks 12 56", f"“12 56” {BAD_FIGURE}"),
        ("tanks 100000000", f"“100000000” {BAD_FIGURE}"),
        (
            "tankz 13000",
            "Unknown category “tankz”. Did you mean: tanks?\nTry: /milestones tanks 13000",
        ),
        (
            "tanks 12000",
            f"{TANKS_NOW}, past 12,000. {ABOVE}",
        ),
        (
            "tanks 12247",
            f"{TANKS_NOW}, past 12,247. {ABOVE}",
        ),
        ("tanks", USAGE),
        ("off", USAGE),
        (
            "tanks artillery 50000",
            "One category at a time: /milestones tanks 13000, then /milestones artillery 50000.",
        ),
        (
            "tanks 13000 14000",
            "One figure at a time: /milestones tanks 13000, then /milestones tanks 14000.",
        ),
        (
            "prisoners 20000",
            "Prisoners of war: not in the latest bulletin, so a milestone of it would never come.",
        ),
    ],
)
async def test_a_milestone_that_cannot_be_set_is_refused_saying_what_to_type(bot, words, answer):
    reply = await ask(bot, f"/milestones {words}")
    assert said(reply) == answer
    assert bot.store.targets.of_chat(USER) == []
    assert bot.store.subscribers.get(USER) is None  # nothing else changed either


async def test_a_milestone_refused_in_ukrainian(bot):
    asked = {"chat_id": 7101, "language_code": "uk"}
    passed = said(await ask(bot, "/milestones танки 12 000", **asked))
    assert passed == (
        "Танки: підсумок уже 12\u00a0247 (зведення за 7 серпня 2026 р.), тобто понад 12\u00a0000. "
        "Оберіть число, більше за нього, наприклад /milestones танки 13000."
    )
    bad = said(await ask(bot, "/milestones танки 13к", **asked))
    assert bad.startswith("«13к» — не число, якого можна чекати")
    done = said(await ask(bot, "/milestones танки 13 000", **asked))
    assert done.startswith("Танки: одне повідомлення, щойно підсумок сягне 13\u00a0000")
    assert done.endswith("Ваші власні рубежі: танки — 13\u00a0000.")


async def test_own_milestones_are_listed_and_removed_by_word_or_button(bot):
    for words in ("uav 999999", "personnel 2 000 000", "tanks 13,000", "tanks 12300"):
        await ask(bot, f"/milestones {words}")
    listed = "tanks at 12,300; tanks at 13,000; operational-tactical UAVs at 999,999"
    settings = await ask(bot, "/settings")  # no subscription: the milestones alone
    assert said(settings) == (
        f"{texts.SETTINGS_NONE}\nYour own milestones: personnel at 2,000,000; {listed}."
    )
    assert [label for label, _ in settings.buttons] == [
        "✕ Personnel 2,000,000",
        "✕ Tanks 12,300",
        "✕ Tanks 13,000",
        "✕ Drones 999,999",
    ]
    edited = await bot.press(settings, "m:s:personnel:2000000")
    assert said(edited) == f"{texts.SETTINGS_NONE}\nYour own milestones: {listed}."
    # A second tap on the same button (another phone, a slow network): said, nothing else.
    gone = await bot.press(settings, "m:s:personnel:2000000")
    assert bot.api.answered_callbacks[-1]["text"] == texts.OWN_MILESTONE_BUTTON_GONE
    assert said(gone) == said(edited)

    removed = await ask(bot, "/milestones tanks 13000 off")  # one of the two
    assert said(removed) == (
        "Removed: tanks at 13,000.\nYour own milestones: tanks at 12,300; "
        "operational-tactical UAVs at 999,999."
    )
    removed = await ask(bot, "/milestones tanks off")  # all of a category
    assert said(removed) == (
        "Removed: tanks at 12,300.\nYour own milestones: operational-tactical UAVs at 999,999."
    )
    left = await bot.press(removed, "m:l:uav:999999")
    assert said(left) == "No milestones of your own. /milestones tanks 13000 sets one."
    assert left.buttons == []
    assert bot.store.targets.of_chat(USER) == []


async def test_own_milestones_stay_under_the_settings_while_they_change(bot):
    await ask(bot, "/subscribe")
    await ask(bot, "/milestones tanks 13000")
    toggled = await ask(bot, "/milestones")  # the round-figure alerts: listed with them
    assert "\nYour own milestones: tanks at 13,000.\n\nNext: " in said(toggled)
    assert ("✕ Tanks 13,000", "m:s:tanks:13000") in toggled.buttons
    settings = await ask(bot, "/settings")
    short = await bot.press(settings, "s:format:short")
    assert "\nYour own milestones: tanks at 13,000.\n\nNext: " in said(short)
    assert ("✕ Tanks 13,000", "m:s:tanks:13000") in short.buttons
    removed = await bot.press(short, "m:s:tanks:13000")
    assert "Your own milestones" not in said(removed)
    assert ("✓ Short", "s:format:short") in removed.buttons  # still the settings
    assert not [data for _, data in removed.buttons if data.startswith("m:")]


async def test_a_chat_has_at_most_so_many_own_milestones(bot):
    for value in range(MOST_TARGETS):
        await ask(bot, f"/milestones uav {500_000 + value}")
    refused = await ask(bot, "/milestones tanks 13000")
    assert said(refused) == (
        "This chat already has as many milestones of its own as it may (10): remove one first, "
        "with /milestones tanks off or its button in /settings."
    )
    assert len(bot.store.targets.of_chat(USER)) == MOST_TARGETS
    again = await ask(bot, "/milestones uav 500000")  # one it has: no harm
    assert "one message when the total reaches 500,000" in said(again)


async def test_only_a_groups_admins_set_or_remove_its_own_milestones(bot, fake_api):
    bot.api.chat_admins.setdefault(GROUP, set()).add(GROUP_ADMIN)
    member = {"chat_id": GROUP, "chat_type": "supergroup", "user_id": 55}
    refused = await ask(bot, "/milestones tanks 12250", **member)
    assert said(refused) == texts.GROUP_ADMINS_ONLY
    set_by_admin = await ask(
        bot, "/milestones tanks 12250", chat_id=GROUP, chat_type="supergroup", user_id=GROUP_ADMIN
    )
    answer = await bot.press_unedited(set_by_admin, "m:l:tanks:12250", user_id=55)
    assert answer["text"] == texts.GROUP_ADMINS_ONLY
    assert bot.store.targets.of_chat(GROUP) == [Target("tanks", 12250)]

    await deliver_the_new_day(bot)

    (alert,) = alerts(bot, GROUP, "12,250")
    assert alert.startswith("📊 Russian losses since 24 Feb 2022: tanks past 12,250")
    assert bot.store.outbox.counts_since(bot.clock.now() - timedelta(days=1)) == {
        DeliveryStatus.SENT: 1
    }


async def test_a_groups_own_milestones_follow_it_when_it_becomes_a_supergroup(bot):
    old, new = -4001, -1004001
    asked = {"chat_id": old, "chat_type": "group", "user_id": GROUP_ADMIN}
    bot.api.chat_admins.setdefault(old, set()).add(GROUP_ADMIN)
    await ask(bot, "/subscribe", **asked)
    await ask(bot, "/milestones tanks 12250", **asked)
    await ask(bot, "/milestones tanks 13000", **asked)
    bot.api.faults.migrated[old] = new  # Telegram: "group chat was upgraded to a supergroup"

    await deliver_the_new_day(bot)

    assert len(alerts(bot, new, "12,250")) == 1
    assert bot.store.targets.of_chat(new) == [Target("tanks", 13000)]  # the one still to come
    assert bot.store.targets.of_chat(old) == []
