"""/settings: a chat's daily summary in one short message, with a button for each choice.

A tap changes the choice and the same message, in place: the format, weekends, milestone
alerts, the categories (on a second keyboard of ticks), or unsubscribing. In a group only its
admins may.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import categories, render, subscriptions, texts
from bot.store import Subscriber, SubscriberStatus, SummaryFormat
from bot.subscriptions import SubscriptionError, with_milestones
from bot.summary import Digest
from bot.telegram.commands import may_change_subscription, reply
from bot.telegram.services import Context

# Callback data: "s:<setting>:<value>", and "s:categories" / "s:done" to switch keyboards.
PREFIX = "s:"
TICK = "✓ "


def settings_keyboard(subscriber: Subscriber) -> InlineKeyboardMarkup:
    shape = subscriber.shape
    formats = [
        InlineKeyboardButton(
            (TICK if shape.format == kind else "") + getattr(texts, f"BUTTON_{kind.upper()}"),
            callback_data=f"{PREFIX}format:{kind}",
        )
        for kind in SummaryFormat
    ]
    weekends = InlineKeyboardButton(
        texts.BUTTON_WEEKENDS_OFF if shape.skip_weekends else texts.BUTTON_WEEKENDS_ON,
        callback_data=f"{PREFIX}weekends:{int(shape.skip_weekends)}",
    )
    alerts = Digest.MILESTONES in subscriber.digests
    milestones = InlineKeyboardButton(
        texts.BUTTON_MILESTONES_ON if alerts else texts.BUTTON_MILESTONES_OFF,
        callback_data=f"{PREFIX}milestones:{int(not alerts)}",
    )
    chosen = (
        ", ".join(categories.get(k).name(texts.current_language()) for k in shape.categories)
        if shape.categories
        else texts.BUTTON_ALL_CATEGORIES
    )
    return InlineKeyboardMarkup(
        [
            formats,
            [weekends, milestones],
            [
                InlineKeyboardButton(
                    texts.BUTTON_CATEGORIES.format(chosen=chosen),
                    callback_data=f"{PREFIX}categories",
                )
            ],
            [InlineKeyboardButton(texts.BUTTON_UNSUBSCRIBE, callback_data=f"{PREFIX}stop")],
        ]
    )


def categories_keyboard(subscriber: Subscriber) -> InlineKeyboardMarkup:
    """A tick for each category the bulletin reports today; all unticked means all."""
    language = texts.current_language()
    chosen = subscriber.shape.categories
    buttons = [
        InlineKeyboardButton(
            (TICK if c.key in chosen else "") + c.name(language),
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


def _active(subscriber: Subscriber | None) -> bool:
    return subscriber is not None and subscriber.status == SubscriberStatus.ACTIVE


async def settings(update: Update, context: Context) -> None:
    subscriber = context.services.store.subscriber(update.effective_chat.id)  # type: ignore[union-attr]
    keyboard = settings_keyboard(subscriber) if subscriber and _active(subscriber) else None
    await reply(update, render.subscription(subscriber), keyboard)


async def button(update: Update, context: Context) -> None:
    query: CallbackQuery = update.callback_query  # type: ignore[assignment]
    if not await may_change_subscription(update, context):
        await query.answer(texts.GROUP_ADMINS_ONLY, show_alert=True)
        return
    s = context.services
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    subscriber = s.store.subscriber(chat_id)
    if subscriber is None or not _active(subscriber):
        await query.answer(texts.SETTINGS_NONE, show_alert=True)
        return
    action = (query.data or "").removeprefix(PREFIX)
    if action == "stop":
        s.store.set_subscriber_status(chat_id, SubscriberStatus.UNSUBSCRIBED, now=s.clock.now())
        await query.answer()
        await query.edit_message_text(render.unsubscribed(subscriber))
        return
    keyboard = categories_keyboard if action.startswith(("categories", "category:")) else None
    if action.startswith("milestones:"):
        digests = with_milestones(subscriber.digests, action.endswith(":1"))
        if digests:  # never none: Unsubscribe is the button for that
            s.store.set_digests(chat_id, digests, now=s.clock.now())
            subscriber = s.store.subscriber(chat_id) or subscriber
    elif action not in ("categories", "done"):
        setting, _, value = action.partition(":")
        try:
            shape = subscriptions.changed(subscriber.shape, setting, value)
        except SubscriptionError as error:
            await query.answer(str(error), show_alert=True)
            return
        subscriber = s.store.set_shape(chat_id, shape, now=s.clock.now()) or subscriber
    await query.answer()
    await query.edit_message_text(
        render.subscription(subscriber), reply_markup=(keyboard or settings_keyboard)(subscriber)
    )
