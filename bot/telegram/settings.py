"""/settings: a chat's daily summary in one short message, with a button for each choice.

A tap changes the choice and the same message, in place: the format, weekends, milestone
alerts, the time and the categories (each on a keyboard of its own), or unsubscribing (asked
once more first). Every choice reads the same way: a tick on what is on. In a group only its
admins may. /subscribe and /milestones answer with the same buttons, and so does the welcome's
Subscribe button (`start_button`, with its others: the latest bulletin, the other language).
"""

from __future__ import annotations

from collections.abc import Mapping

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import categories, render, texts
from bot.store import Subscriber, SummaryFormat
from bot.subscriptions import Milestones, SubscriptionError
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


def settings_keyboard(subscriber: Subscriber) -> InlineKeyboardMarkup:
    shape = subscriber.shape
    formats = [
        InlineKeyboardButton(
            (TICK if shape.format == kind else "") + texts.message(FORMAT_BUTTON[kind]),
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
    # The format and quiet days shape the daily summary: offered only with it.
    daily = Digest.DAILY in subscriber.digests
    choices = [formats, [weekends, milestones]] if daily else [[milestones]]
    return InlineKeyboardMarkup(
        [
            *choices,
            [
                InlineKeyboardButton(
                    texts.BUTTON_CATEGORIES.format(chosen=_chosen(shape.categories)),
                    callback_data=f"{PREFIX}categories",
                )
            ],
            [
                InlineKeyboardButton(
                    texts.BUTTON_TIME.format(time=subscriber.send_at or texts.BUTTON_ASAP),
                    callback_data=f"{PREFIX}times",
                )
            ],
            [InlineKeyboardButton(texts.BUTTON_UNSUBSCRIBE, callback_data=f"{PREFIX}stop")],
        ]
    )


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
    subscriber, resumed = context.services.subscriptions.subscribe(
        chat.id, chat.type, words, topic=topic
    )
    said = render.subscription(subscriber, just_subscribed=True)
    await reply(
        update,
        f"{texts.SUBSCRIPTION_RESUMED}\n{said}" if resumed else said,
        settings_keyboard(subscriber),
    )


async def milestones(update: Update, context: Context) -> None:
    """Milestone alerts on, or off again: added to (or taken from) the chat's summaries, or a
    subscription of their own; answered with the settings' buttons, to change the rest."""
    await must_be_allowed_to_change(update, context)
    chat = update.effective_chat
    assert chat is not None  # commands come from chats
    done, subscriber = context.services.subscriptions.toggle_milestones(chat.id, chat.type)
    if done == Milestones.OFF_NOTHING_LEFT:
        await reply(update, texts.MILESTONES_OFF_NOTHING_LEFT)
        return
    said = texts.MILESTONES_ON if done == Milestones.ON else texts.MILESTONES_OFF
    await reply(update, f"{said}\n{render.subscription(subscriber)}", settings_keyboard(subscriber))


async def start_button(update: Update, context: Context) -> None:
    """The welcome's buttons: the latest bulletin (as /latest), a daily summary (as
    /subscribe, with its settings), the other language (the welcome again, in it)."""
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
    language = action.removeprefix("language:")
    if language not in texts.LANGUAGES:
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    s = context.services
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    s.store.subscribers.set_chat_language(chat_id, language, chosen=True, now=s.clock.now())
    texts.set_language(language)
    await query.answer()
    await query.edit_message_text(render.start(), reply_markup=keyboards.start_keyboard())


async def settings(update: Update, context: Context) -> None:
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    subscriber = context.services.subscriptions.active(chat_id)
    keyboard = settings_keyboard(subscriber) if subscriber else None
    await reply(
        update,
        render.subscription(subscriber or context.services.store.subscribers.get(chat_id)),
        keyboard,
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
        await query.edit_message_text(render.unsubscribed(subscriber))
        return
    setting, _, value = action.partition(":")
    try:
        subscriber = subscriptions.change(subscriber, setting, value)
    except SubscriptionError as error:
        await query.answer(str(error), show_alert=True)
        return
    await query.answer()
    keyboard = KEYBOARDS.get(setting, settings_keyboard)
    text = render.subscription(subscriber)
    if keyboard is times_keyboard:
        text += "\n\n" + texts.SETTINGS_OTHER_TIME
    await query.edit_message_text(text, reply_markup=keyboard(subscriber))


# The keyboard a button's setting leaves showing; the main one for the rest.
KEYBOARDS = {
    "categories": categories_keyboard,
    "category": categories_keyboard,
    "times": times_keyboard,
    "time": times_keyboard,
}
