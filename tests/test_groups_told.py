"""Groups are told what happens to them, end to end through the bot and the Bot API stand-in:
a forum topic deleted under their summaries, and a shared link with a Subscribe button under
its figures. The fake API's new day, 8 August 2026, has tanks 12,251 (+4)."""

from __future__ import annotations

import time

from bot import render, texts
from bot.notices import topic_gone
from tests.bot_harness import USER
from tests.test_bot_delivery import drain
from tests.test_shape import GROUP, GROUP_ADMIN, deliver_the_new_day, summaries_to

TOPIC = 78
MEMBER = 55


def send_in_topic(bot, text: str, *, name: str | None, user_id: int = GROUP_ADMIN) -> None:
    """`text` written in the forum topic TOPIC of GROUP, as Telegram sends it: a message in a
    topic that answers nobody in particular is a reply to the topic's opening, which names the
    topic (forum_topic_created). The stand-in's send_text says no name, so the update is made
    here."""
    chat = {"id": GROUP, "type": "supergroup", "title": "A group", "is_forum": True}
    opening = {
        "message_id": TOPIC,
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Admin"},
        "message_thread_id": TOPIC,
        "forum_topic_created": {"name": name, "icon_color": 7322096},
    }
    message = {
        "message_id": TOPIC + 100,
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Admin", "language_code": "en"},
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        "message_thread_id": TOPIC,
        "is_topic_message": True,
    }
    if name is not None:
        message["reply_to_message"] = opening
    bot.api.queue({"message": message})


def told_in_general(bot) -> list[str]:
    return [
        render.to_plain(m.text)
        for m in bot.api.messages_to(GROUP)
        if m.thread_id is None and "was deleted" in m.text
    ]


async def test_a_group_whose_topic_was_deleted_is_told_once_in_general(bot):
    bot.api.chat_admins.setdefault(GROUP, set()).add(GROUP_ADMIN)
    send_in_topic(bot, "/subscribe chart", name="Daily losses")  # a bulletin and a chart
    reply = await bot.reply_to(GROUP, 0)
    assert reply.thread_id == TOPIC and "Summaries go to this topic." in reply.text
    assert bot.store.subscribers.get(GROUP).shape.topic_name == "Daily losses"
    # Asked again in a reply to someone (which does not name the topic): the name is kept.
    admin = {"chat_id": GROUP, "chat_type": "supergroup", "user_id": GROUP_ADMIN}
    bot.api.send_text("/subscribe tanks", topic=TOPIC, **admin)
    await bot.reply_to(GROUP, 1)
    assert bot.store.subscribers.get(GROUP).shape.topic_name == "Daily losses"
    bot.api.faults.deleted_topics.add(TOPIC)

    await deliver_the_new_day(bot)
    await deliver_the_new_day(bot)  # polled again: nothing new, nothing said twice

    summary, chart = summaries_to(bot, GROUP)
    assert (summary.method, chart.method) == ("sendMessage", "sendPhoto")
    assert summary.thread_id is None and chart.thread_id is None  # in General
    assert told_in_general(bot) == [
        "The topic “Daily losses”, where this chat's summaries went, was deleted, so they come "
        "here, to General, from now on. To have them in another topic, an admin sends "
        "/subscribe there."
    ]
    shape = bot.store.subscribers.get(GROUP).shape
    assert (shape.thread_id, shape.topic_name) == (None, None)
    # A late "thread not found" for a message that left for the old topic before the move
    # (several sends are in flight at once) tells the group nothing more.
    assert not topic_gone(bot.store, GROUP, TOPIC, now=bot.clock.now())
    await drain(bot, bot.deliverer())
    assert len(told_in_general(bot)) == 1
    # Told after the summary, not before it: the notice explains what the group just saw.
    sent = bot.api.messages_to(GROUP)
    assert sent.index(summary) < next(i for i, m in enumerate(sent) if "was deleted" in m.text)


async def test_a_topic_without_a_known_name_is_told_as_the_topic_of_the_summaries(bot):
    bot.api.chat_admins.setdefault(GROUP, set()).add(GROUP_ADMIN)
    admin = {"chat_id": GROUP, "chat_type": "supergroup", "user_id": GROUP_ADMIN}
    await bot.ask("/language uk", **admin)
    bot.api.send_text("/subscribe", topic=TOPIC, **admin)  # a reply to someone: no name
    await bot.reply_to(GROUP, 1)
    bot.api.faults.deleted_topics.add(TOPIC)

    await deliver_the_new_day(bot)

    (told,) = [render.to_plain(m.text) for m in bot.api.messages_to(GROUP) if "видалено" in m.text]
    assert told == (
        "Тему, куди надходила розсилка, видалено, тож відтепер вона надходитиме сюди, у "
        "загальну тему (General). Щоб отримувати її в іншій темі, адміністратор має надіслати "
        "/subscribe у тій темі."
    )


async def test_a_shared_link_answers_with_a_subscribe_button_under_the_figures(bot):
    await bot.ask("/subscribe 07:15 weekdays")  # someone who had a subscription, left it
    await bot.ask("/unsubscribe")
    linked = await bot.ask("/start tanks-20260807")
    assert "Tanks: 12,247 (+1)" in render.to_plain(linked.text)
    assert linked.buttons == [("Subscribe: Tanks", "start:subscribe:tanks")]
    forged = await bot.press_unedited(linked, "start:subscribe:nonsense!")  # or outdated
    assert forged["text"] == texts.BUTTON_EXPIRED

    subscribed = await bot.press(linked, "start:subscribe:tanks")

    said = render.to_plain(subscribed.text)
    assert said.startswith("Welcome back")  # what they chose before is kept...
    assert "at 07:15" in said and "Only tanks. Weekdays only." in said  # ...with the link's
    assert ("Categories: tanks", "s:categories") in subscribed.buttons  # the settings' buttons
    assert bot.store.subscribers.get(USER).shape.categories == ("tanks",)


async def test_a_link_without_a_date_keeps_its_bulletin_buttons_above_subscribe(bot):
    linked = await bot.ask("/start drones__tanks")
    assert linked.buttons[-1] == ("Subscribe: Drones, Tanks", "start:subscribe:uav__tanks")
    assert ("All", f"c::{bot.store.reports.latest_date()}") in linked.buttons
    # Six categories do not fit in a button's 64 bytes: no button rather than a wrong one.
    many = await bot.ask("/start personnel__tanks__afv__artillery__uav__air_defence")
    assert not [data for _, data in many.buttons if data.startswith("start:subscribe")]
    everything = await bot.ask("/start all")
    assert everything.buttons[-1] == ("Subscribe", "start:subscribe:all")
    subscribed = await bot.press(everything, "start:subscribe:all")
    assert "Only" not in render.to_plain(subscribed.text)
    assert bot.store.subscribers.get(USER).shape.categories == ()


async def test_in_a_group_only_an_admin_subscribes_it_from_a_link(bot):
    bot.api.chat_admins.setdefault(GROUP, set()).add(GROUP_ADMIN)
    linked = await bot.ask("/start artillery-20260807", chat_id=GROUP, chat_type="supergroup")
    assert linked.buttons == [("Subscribe: Artillery", "start:subscribe:artillery")]

    refused = await bot.press_unedited(linked, "start:subscribe:artillery", user_id=MEMBER)
    assert (
        refused["text"]
        == "Only this chat's admins can change its settings (language, subscription)."
    )
    assert bot.store.subscribers.get(GROUP) is None

    subscribed = await bot.press(linked, "start:subscribe:artillery", user_id=GROUP_ADMIN)
    assert render.to_plain(subscribed.text).startswith("Subscribed.")
    assert bot.store.subscribers.get(GROUP).shape.categories == ("artillery",)
