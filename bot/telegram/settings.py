"""/settings: a chat's daily summary in one short message, with a button for each choice.

A tap changes the choice and the same message, in place: the format, weekends, the chart,
milestone alerts, the daily, weekly and monthly summaries, the time, the time zone, the
categories and the thresholds (the last four each on a keyboard of its own), a pause (for a
number of days, or ended), or unsubscribing (asked once more first); "Send me today's now"
queues the latest summary in the chat's shape (bot/samples.py); the chat's own milestones
are listed, each with a button that removes it. The message says when the next
summary comes, in the chat's own zone, and until when it is paused. Every choice reads the same
way: a tick on what is on. In a group only its admins may. /subscribe, /milestones, /pause and
/resume answer with the same buttons, and so does the welcome's Subscribe button
(`start_button`, with its others: the latest bulletin, the other language).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import categories, links, render, texts
from bot.errors import UserError
from bot.store import Subscriber, SummaryFormat, Target
from bot.subscriptions import (
    PAUSE_CHOICES,
    Milestones,
    Subscriptions,
    dropped_thresholds,
    find_zone,
    pause_days,
    zone_name,
)
from bot.summary import Digest
from bot.telegram import keyboards, reading
from bot.telegram.replies import reply
from bot.telegram.services import Context
from bot.telegram.subscribing import may_change_subscription, must_be_allowed_to_change

# Callback data: "s:<setting>:<value>", "s:categories" / "s:times" / "s:done" to switch
# keyboards, "s:stop" to ask whether to unsubscribe and "s:stop:yes" to do it.
PREFIX = "s:"
TICK = "✓ "
# The times offered on the time keyboard (the chat's own zone); any other is typed, as the
# message above it says (SETTINGS_OTHER_TIME).
# Each format's button (texts.message; tests/test_texts.py checks each has its message).
FORMAT_BUTTON: Mapping[str, str] = {
    SummaryFormat.FULL: "BUTTON_FULL",
    SummaryFormat.SHORT: "BUTTON_SHORT",
    SummaryFormat.CARD: "BUTTON_CARD",
}
TIMES = ("06:00", "07:00", "08:00", "09:00", "10:00", "12:00", "18:00", "21:00")


# The zones offered on the zone keyboard: where most readers live, Kyiv first; any other is
# typed, as the message above it says (SETTINGS_OTHER_ZONE).
ZONES = (
    "Europe/Kyiv",
    "Europe/Warsaw",
    "Europe/Berlin",
    "Europe/Prague",
    "Europe/London",
    "Europe/Lisbon",
    "America/New_York",
    "America/Toronto",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Tokyo",
)
# The summaries toggled on their own row, by their button's message.
SUMMARY_BUTTON: Mapping[str, str] = {
    Digest.DAILY: "BUTTON_DAILY",
    Digest.WEEKLY: "BUTTON_WEEKLY",
    Digest.MONTHLY: "BUTTON_MONTHLY",
}
REMOVE = "✕ "


def settings_keyboard(
    subscriber: Subscriber, targets: Sequence[Target] = (), *, paused: bool = False
) -> InlineKeyboardMarkup:
    """Every choice of a subscription, a button each (each shaping choice only where it shapes
    a summary the chat gets), the chat's own milestones (`targets`) each with its ✕; Resume
    in place of Pause while `paused`."""
    shape = subscriber.shape
    daily = Digest.DAILY in subscriber.digests
    # A card kept from a daily summary since turned off: the digests come as full text.
    chosen = (
        SummaryFormat.FULL if shape.format == SummaryFormat.CARD and not daily else shape.format
    )
    formats = [
        InlineKeyboardButton(
            (TICK if chosen == kind else "") + texts.message(FORMAT_BUTTON[kind]),
            callback_data=f"{PREFIX}format:{kind}",
        )
        for kind in SummaryFormat
    ]
    # Toggles read as the formats do: ticked when on, a tap turns them the other way.
    weekends = InlineKeyboardButton(
        ("" if shape.skip_weekends else TICK) + texts.BUTTON_WEEKENDS,
        callback_data=f"{PREFIX}weekends:{int(shape.skip_weekends)}",
    )
    alerts = Digest.MILESTONES in subscriber.digests
    milestones = InlineKeyboardButton(
        (TICK if alerts else "") + texts.BUTTON_MILESTONES,
        callback_data=f"{PREFIX}milestones:{int(not alerts)}",
    )
    chart = InlineKeyboardButton(
        (TICK if subscriber.with_chart else "") + texts.BUTTON_CHART,
        callback_data=f"{PREFIX}chart:{int(not subscriber.with_chart)}",
    )
    summaries = [
        InlineKeyboardButton(
            (TICK if digest in subscriber.digests else "") + texts.message(name),
            callback_data=f"{PREFIX}digest:{digest}:{int(digest not in subscriber.digests)}",
        )
        for digest, name in SUMMARY_BUTTON.items()
    ]
    # Quiet days and the card shape the daily summary only; the short format, the chart and
    # thresholds any summary (bot/summary.py): each offered where it shapes something.
    any_summary = daily or bool({Digest.WEEKLY, Digest.MONTHLY} & set(subscriber.digests))
    if not daily:
        formats = [b for b in formats if b.callback_data != f"{PREFIX}format:{SummaryFormat.CARD}"]
    toggles = [*([weekends] if daily else []), *([chart] if any_summary else []), milestones]
    choices = [formats, toggles] if any_summary else [toggles]
    thresholds = InlineKeyboardButton(
        texts.BUTTON_THRESHOLDS.format(
            chosen=", ".join(render.threshold_button(k, n) for k, n in shape.thresholds)
            or texts.BUTTON_NO_THRESHOLDS
        ),
        callback_data=f"{PREFIX}thresholds",
    )
    time_and_zone = [
        InlineKeyboardButton(
            texts.BUTTON_TIME.format(time=subscriber.send_at or texts.BUTTON_ASAP),
            callback_data=f"{PREFIX}times",
        ),
        InlineKeyboardButton(
            texts.BUTTON_ZONE.format(zone=_city(subscriber.timezone)),
            callback_data=f"{PREFIX}zones",
        ),
    ]
    sample = [InlineKeyboardButton(texts.BUTTON_TRY, callback_data=f"{PREFIX}try")]
    pause = (
        InlineKeyboardButton(texts.BUTTON_RESUME, callback_data=f"{PREFIX}resume")
        if paused
        else InlineKeyboardButton(texts.BUTTON_PAUSE, callback_data=f"{PREFIX}pauses")
    )
    return InlineKeyboardMarkup(
        [
            *choices,
            summaries,
            [
                InlineKeyboardButton(
                    texts.BUTTON_CATEGORIES.format(chosen=_chosen(shape.categories)),
                    callback_data=f"{PREFIX}categories",
                )
            ],
            *([[thresholds]] if any_summary else []),
            time_and_zone,
            # A sample of what comes: of milestone alerts alone there is none to show.
            *([sample] if set(subscriber.digests) & set(SUMMARY_BUTTON) else []),
            *own_milestone_rows(targets, UNDER_SETTINGS),
            [pause, InlineKeyboardButton(texts.BUTTON_UNSUBSCRIBE, callback_data=f"{PREFIX}stop")],
        ]
    )


def _city(zone: str) -> str:
    """A zone as its button says it: its city ('New York', 'Київ'), or its name if it has
    none ('UTC')."""
    shown = zone_name(zone, texts.current_language())
    return shown.rsplit("/", 1)[-1].replace("_", " ") if shown == zone else shown


# Callback data of an own milestone's button: "m:<under>:<category>:<value>", <under> saying
# which message it is under (so that message is shown again without it): the settings, or the
# answer to /milestones CATEGORY FIGURE.
OWN = "m:"
UNDER_SETTINGS, UNDER_LIST = "s", "l"


def own_milestone_rows(targets: Sequence[Target], under: str) -> list[list[InlineKeyboardButton]]:
    """A button for each of the chat's own milestones, two to a row: a tap removes it."""
    buttons = [
        InlineKeyboardButton(
            render.own_milestone_button(t), callback_data=f"{OWN}{under}:{t.category}:{t.value}"
        )
        for t in targets
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def settings_text(subscriber: Subscriber | None, targets: Sequence[Target]) -> str:
    """The chat's summary as /settings describes it, and its own milestones."""
    own = render.own_milestones(targets)
    return f"{render.subscription(subscriber)}\n{own}" if own else render.subscription(subscriber)


# More categories than this are counted on their button, not each named.
MOST_NAMED = 3


def _chosen(keys: tuple[str, ...]) -> str:
    """The categories chosen, by their short names, as their button says them: 'tanks,
    artillery', '5 chosen', or all."""
    if not keys:
        return texts.BUTTON_ALL_CATEGORIES
    if len(keys) > MOST_NAMED:
        return texts.ngettext("CATEGORIES_COUNT", len(keys)).format(count=len(keys))
    return ", ".join(render.mid_sentence(render.short_name(k)) for k in keys)


def categories_keyboard(subscriber: Subscriber) -> InlineKeyboardMarkup:
    """A tick for each category the bulletin reports today, by its short name (a full one
    such as "Vehicles and fuel tanks" is cut off on a phone); all unticked means all."""
    chosen = subscriber.shape.categories
    buttons = [
        InlineKeyboardButton(
            (TICK if c.key in chosen else "") + render.short_name(c.key),
            callback_data=f"{PREFIX}category:{c.key}",
        )
        for c in categories.BY_KEY.values()
        if c.last_reported is None
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                (TICK if not chosen else "") + texts.BUTTON_ALL_CATEGORIES,
                callback_data=f"{PREFIX}category:",
            ),
            InlineKeyboardButton(texts.BUTTON_DONE, callback_data=f"{PREFIX}done"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def times_keyboard(subscriber: Subscriber) -> InlineKeyboardMarkup:
    """A few times of day and "as soon as it is out", the chosen one ticked (and offered
    first, if it was typed and is none of them)."""
    chosen = subscriber.send_at
    times = TIMES if chosen is None or chosen in TIMES else (chosen, *TIMES)
    buttons = [
        InlineKeyboardButton(
            (TICK if at == chosen else "") + at, callback_data=f"{PREFIX}time:{at}"
        )
        for at in times
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    asap = InlineKeyboardButton(
        (TICK if chosen is None else "") + texts.BUTTON_ASAP, callback_data=f"{PREFIX}time:"
    )
    rows.append([asap, InlineKeyboardButton(texts.BUTTON_DONE, callback_data=f"{PREFIX}done")])
    return InlineKeyboardMarkup(rows)


def zones_keyboard(subscriber: Subscriber) -> InlineKeyboardMarkup:
    """The common zones by their cities, the chosen one ticked (and offered first, if it was
    typed and is none of them), and Another… for the rest, which are typed."""
    chosen = subscriber.timezone
    zones = [z for z in ZONES if find_zone(z)]  # as the tz database here spells them
    shown = zones if any(find_zone(z) == chosen for z in zones) else [chosen, *zones]
    buttons = [
        InlineKeyboardButton(
            (TICK if find_zone(zone) == chosen else "") + _city(zone),
            callback_data=f"{PREFIX}zone:{zone}",
        )
        for zone in shown
    ]
    buttons.append(
        InlineKeyboardButton(texts.BUTTON_OTHER_ZONE, callback_data=f"{PREFIX}another-zone")
    )
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([InlineKeyboardButton(texts.BUTTON_DONE, callback_data=f"{PREFIX}done")])
    return InlineKeyboardMarkup(rows)


def thresholds_keyboard(subscriber: Subscriber) -> InlineKeyboardMarkup:
    """Each threshold on a button of its own, which removes it; new ones are typed, as the
    message above says (SETTINGS_THRESHOLDS)."""
    rows = [
        [
            InlineKeyboardButton(
                REMOVE + render.threshold_button(key, value),
                callback_data=f"{PREFIX}threshold:{key}",
            )
        ]
        for key, value in subscriber.shape.thresholds
    ]
    rows.append([InlineKeyboardButton(texts.BUTTON_DONE, callback_data=f"{PREFIX}done")])
    return InlineKeyboardMarkup(rows)


def pause_keyboard(subscriber: Subscriber | None = None) -> InlineKeyboardMarkup:
    """How many days to pause for (PAUSE_CHOICES), and Back to the settings: the same for
    every subscriber (taken, as every keyboard of a setting takes it)."""
    days = [InlineKeyboardButton(str(n), callback_data=f"{PREFIX}pause:{n}") for n in PAUSE_CHOICES]
    back = InlineKeyboardButton(texts.BUTTON_BACK, callback_data=f"{PREFIX}done")
    return InlineKeyboardMarkup([days, [back]])


def unsubscribe_keyboard() -> InlineKeyboardMarkup:
    """Unsubscribing, asked once more: a slip of the thumb must not end a subscription."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_UNSUBSCRIBE_YES, callback_data=f"{PREFIX}stop:yes"
                ),
                InlineKeyboardButton(texts.BUTTON_KEEP, callback_data=f"{PREFIX}done"),
            ]
        ]
    )


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe [words]: the subscription made or changed, with its settings' buttons."""
    await must_be_allowed_to_change(update, context)
    await _subscribed(update, context, list(context.args or []))


async def _subscribed(update: Update, context: Context, words: list[str]) -> None:
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None  # commands and buttons come from chats
    # In a forum, the summaries go to the topic /subscribe was sent in.
    topic = message.message_thread_id if message and message.is_topic_message else None
    before = context.services.store.subscribers.get(chat.id)
    subscriptions = context.services.subscriptions
    subscriber, resumed = subscriptions.subscribe(
        chat.id, chat.type, words, topic=topic, topic_name=topic_name(message) if topic else None
    )
    said = render.subscription(subscriber, just_subscribed=True)
    if dropped := dropped_thresholds(before, subscriber):
        said += "\n" + render.thresholds_dropped(dropped)
    paused = subscriber.paused_at(subscriptions.clock.now())
    if paused:  # changing a paused subscription does not end its pause: say so
        said += "\n" + render.pause_line(subscriber)
    await reply(
        update,
        f"{texts.SUBSCRIPTION_RESUMED}\n{said}" if resumed else said,
        main_keyboard(subscriptions, subscriber),
    )


def topic_name(message: Message | None) -> str | None:
    """The name of the forum topic a message was written in, when Telegram says it: a message
    in a topic that answers nobody in particular comes as a reply to the topic's opening
    (forum_topic_created, which names it); a reply to someone's message does not say it."""
    opening = message.reply_to_message if message else None
    created = opening.forum_topic_created if opening else None
    return created.name if created else None


async def milestones(update: Update, context: Context) -> None:
    """Milestone alerts on, or off again: added to (or taken from) the chat's summaries, or a
    subscription of their own; answered with the settings' buttons, to change the rest. With
    words, one of the chat's own milestones: '/milestones tanks 13000', '/milestones tanks off'."""
    await must_be_allowed_to_change(update, context)
    chat = update.effective_chat
    assert chat is not None  # commands come from chats
    if context.args:
        await _own_milestone(update, context, chat.id, list(context.args))
        return
    done, subscriber = context.services.subscriptions.toggle_milestones(chat.id, chat.type)
    targets = context.services.subscriptions.targets(chat.id)
    if done == Milestones.OFF_NOTHING_LEFT:
        own = render.own_milestones(targets)
        said = texts.MILESTONES_OFF_NOTHING_LEFT
        await reply(update, f"{said}\n{own}" if own else said, own_milestones_keyboard(targets))
        return
    said = texts.MILESTONES_ON if done == Milestones.ON else texts.MILESTONES_OFF
    await reply(
        update,
        f"{said}\n{view(context.services.subscriptions, subscriber)}",
        main_keyboard(context.services.subscriptions, subscriber),
    )


async def _own_milestone(update: Update, context: Context, chat_id: int, words: list[str]) -> None:
    """'/milestones tanks 13000' or '/milestones tanks off': what was done, then the chat's own
    milestones, each with the button that removes it."""
    changed = context.services.subscriptions.change_target(chat_id, words)
    if changed.added is not None:
        said = render.own_milestone_set(changed.added, changed.total)
    else:
        said = render.own_milestones_removed(changed.category, changed.removed)
    targets = context.services.subscriptions.targets(chat_id)
    own = render.own_milestones(targets)
    await reply(update, f"{said}\n{own}" if own else said, own_milestones_keyboard(targets))


def own_milestones_keyboard(targets: Sequence[Target]) -> InlineKeyboardMarkup | None:
    """The buttons under the answer to /milestones CATEGORY FIGURE: one per own milestone."""
    return InlineKeyboardMarkup(own_milestone_rows(targets, UNDER_LIST)) if targets else None


async def own_milestone_button(update: Update, context: Context) -> None:
    """An own milestone's button: removed, and the message it is under shown again without it
    (the settings, or the list of them); one already gone (reached, or removed meanwhile) says
    so. In a group only its admins may."""
    query: CallbackQuery = update.callback_query  # type: ignore[assignment]
    if not await may_change_subscription(update, context):
        await query.answer(texts.GROUP_ADMINS_ONLY, show_alert=True)
        return
    under, _, named = (query.data or "").removeprefix(OWN).partition(":")
    category, _, value = named.partition(":")
    if under not in (UNDER_SETTINGS, UNDER_LIST) or not value.isascii() or not value.isdigit():
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    services = context.services
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    removed = services.subscriptions.remove_target(chat_id, Target(category, int(value)))
    await query.answer(None if removed else texts.OWN_MILESTONE_BUTTON_GONE, show_alert=not removed)
    targets = services.subscriptions.targets(chat_id)
    if under == UNDER_LIST:
        text = render.own_milestones(targets) or texts.OWN_MILESTONES_NONE
        await query.edit_message_text(text, reply_markup=own_milestones_keyboard(targets))
        return
    subscriber = services.subscriptions.active(chat_id)
    if subscriber is None:
        keyboard = InlineKeyboardMarkup(own_milestone_rows(targets, UNDER_SETTINGS))
        await query.edit_message_text(settings_text(None, targets), reply_markup=keyboard)
        return
    await query.edit_message_text(
        view(services.subscriptions, subscriber),
        reply_markup=main_keyboard(services.subscriptions, subscriber),
    )


async def start_button(update: Update, context: Context) -> None:
    """The welcome's buttons: the latest bulletin (as /latest), a daily summary (as
    /subscribe, with its settings), the other language (the welcome again, in it); and the
    Subscribe button under a linked bulletin (as /subscribe with the link's categories)."""
    query: CallbackQuery = update.callback_query  # type: ignore[assignment]
    action = (query.data or "").removeprefix(keyboards.START)
    if action == "latest":
        await query.answer()
        await reading.latest(update, context)
        return
    if not await may_change_subscription(update, context):
        await query.answer(texts.GROUP_ADMINS_ONLY, show_alert=True)
        return
    if action == "subscribe":
        await query.answer()
        await _subscribed(update, context, [])
        return
    if query.data and query.data.startswith(keyboards.SUBSCRIBE_TO):  # under a linked bulletin
        linked = links.parse(query.data.removeprefix(keyboards.SUBSCRIBE_TO))
        if linked is None:
            await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
            return
        await query.answer()
        await _subscribed(update, context, linked[0] or [links.ALL])
        return
    language = action.removeprefix("language:")
    if language not in texts.LANGUAGES:
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    services = context.services
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    services.store.subscribers.set_chat_language(
        chat_id, language, chosen=True, now=services.clock.now()
    )
    texts.set_language(language)
    await query.answer()
    await query.edit_message_text(render.start(), reply_markup=keyboards.start_keyboard())


async def settings(update: Update, context: Context) -> None:
    """/settings: the subscription, when its next summary comes and any pause, with its
    buttons; or how to start one."""
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    subscriptions = context.services.subscriptions
    subscriber = subscriptions.active(chat_id)
    if subscriber is None:  # none, or milestones of its own alone
        targets = subscriptions.targets(chat_id)
        rows = own_milestone_rows(targets, UNDER_SETTINGS)
        text = settings_text(context.services.store.subscribers.get(chat_id), targets)
        await reply(update, text, InlineKeyboardMarkup(rows) if rows else None)
        return
    await reply(update, view(subscriptions, subscriber), main_keyboard(subscriptions, subscriber))


def view(subscriptions: Subscriptions, subscriber: Subscriber, *, just_paused: bool = False) -> str:
    """The settings' message: the subscription, its pause, and when the next summary comes."""
    upcoming = subscriptions.upcoming(subscriber)
    now = subscriptions.clock.now()
    own = render.own_milestones(subscriptions.targets(subscriber.chat_id))
    return render.settings_view(subscriber, upcoming, now, just_paused=just_paused, own=own)


def main_keyboard(subscriptions: Subscriptions, subscriber: Subscriber) -> InlineKeyboardMarkup:
    """The settings' buttons as they stand now (Resume while paused)."""
    targets = subscriptions.targets(subscriber.chat_id)
    paused = subscriber.paused_at(subscriptions.clock.now())
    return settings_keyboard(subscriber, targets, paused=paused)


async def pause(update: Update, context: Context) -> None:
    """/pause DAYS: nothing for that many days, then the summaries come back by themselves
    (and say so); /pause alone asks how many, with buttons."""
    await must_be_allowed_to_change(update, context)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    subscriptions = context.services.subscriptions
    subscriber = subscriptions.to_pause(chat_id)
    words = list(context.args or [])
    if not words:
        await reply(update, texts.PAUSE_QUESTION, pause_keyboard(subscriber))
        return
    subscriber = subscriptions.pause(chat_id, pause_days(words))
    await reply(
        update,
        view(subscriptions, subscriber, just_paused=True),
        main_keyboard(subscriptions, subscriber),
    )


async def resume(update: Update, context: Context) -> None:
    """/resume: the pause ends now (NOT_PAUSED if there is none)."""
    await must_be_allowed_to_change(update, context)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    subscriptions = context.services.subscriptions
    subscriber, was_paused = subscriptions.resume(chat_id)
    if not was_paused:
        await reply(update, texts.NOT_PAUSED)
        return
    await reply(
        update,
        f"{texts.RESUMED_NOW}\n\n{view(subscriptions, subscriber)}",
        main_keyboard(subscriptions, subscriber),
    )


async def button(update: Update, context: Context) -> None:
    query: CallbackQuery = update.callback_query  # type: ignore[assignment]
    if not await may_change_subscription(update, context):
        await query.answer(texts.GROUP_ADMINS_ONLY, show_alert=True)
        return
    subscriptions = context.services.subscriptions
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    subscriber = subscriptions.active(chat_id)
    if subscriber is None:
        await query.answer(texts.SETTINGS_NONE, show_alert=True)
        return
    action = (query.data or "").removeprefix(PREFIX)
    if action == "stop":
        await query.answer()
        await query.edit_message_text(
            render.unsubscribe_question(subscriber), reply_markup=unsubscribe_keyboard()
        )
        return
    if action == "stop:yes":
        subscriptions.unsubscribe(chat_id)
        await query.answer()
        said = render.unsubscribed(subscriber, subscriptions.targets(chat_id))
        await query.edit_message_text(said)
        return
    if action == "try":
        await _send_sample(query, subscriptions, subscriber)
        return
    if action == "another-zone":
        await query.answer(texts.SETTINGS_OTHER_ZONE, show_alert=True)
        return
    setting, _, value = action.partition(":")
    said = ""
    try:
        if setting == "pause":
            subscriber = subscriptions.pause(chat_id, pause_days([value]))
        elif action == "resume":
            subscriber, was_paused = subscriptions.resume(chat_id)
            said = f"{texts.RESUMED_NOW}\n\n" if was_paused else ""
        else:
            subscriber = subscriptions.change(subscriber, setting, value)
    except UserError as error:  # a button of another version, or one that would leave nothing
        await query.answer(str(error), show_alert=True)
        return
    await query.answer()
    text = said + view(subscriptions, subscriber, just_paused=setting == "pause")
    keyboard = KEYBOARDS.get(setting)
    if keyboard is None:
        markup = main_keyboard(subscriptions, subscriber)
    else:
        markup = keyboard(subscriber)
        if keyboard in KEYBOARD_NOTE:
            text += "\n\n" + texts.message(KEYBOARD_NOTE[keyboard])
    await query.edit_message_text(text, reply_markup=markup)


async def _send_sample(
    query: CallbackQuery, subscriptions: Subscriptions, subscriber: Subscriber
) -> None:
    """Send me today's now: queued through the outbox (sent within a delivery round, a few
    seconds), and the press answered with what comes, or why nothing does."""
    day, queued = subscriptions.send_sample(subscriber)
    if day is None:
        await query.answer(texts.TRY_NOTHING, show_alert=True)
    elif not queued:
        await query.answer(texts.TRY_ALREADY.format(date=texts.format_date(day)), show_alert=True)
    else:
        await query.answer(texts.TRY_QUEUED.format(date=texts.format_date(day)))


Keyboard = Callable[[Subscriber], InlineKeyboardMarkup]
# The keyboard a button's setting leaves showing; the main one for the rest.
KEYBOARDS: Mapping[str, Keyboard] = {
    "categories": categories_keyboard,
    "category": categories_keyboard,
    "times": times_keyboard,
    "time": times_keyboard,
    "zones": zones_keyboard,
    "zone": zones_keyboard,
    "thresholds": thresholds_keyboard,
    "threshold": thresholds_keyboard,
    "pauses": pause_keyboard,
}
# What a keyboard's message adds under the settings: how to do what its buttons do not.
KEYBOARD_NOTE: Mapping[Keyboard, str] = {
    times_keyboard: "SETTINGS_OTHER_TIME",
    zones_keyboard: "SETTINGS_OTHER_ZONE",
    thresholds_keyboard: "SETTINGS_THRESHOLDS",
    pause_keyboard: "PAUSE_QUESTION",
}
