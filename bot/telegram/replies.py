"""How every handler answers, and who is asking: `reply` (cut to Telegram's limit, the
buttons under the last piece), `is_admin` (one of the bot's admins), `is_shared` (a group or
channel)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, MessageLimit
from telegram.error import RetryAfter

from bot import render
from bot.telegram.services import Context
from bot.telegram.wire import retry_seconds, send_text

log = logging.getLogger(__name__)

# The longest wait for Telegram (a 429's retry_after, in seconds) a reply waits out: a
# person in a private chat may send one message a second, a group twenty a minute.
WAITS_AT_MOST = 10.0


async def reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Answer in the chat; a reply longer than Telegram takes goes as several messages, cut at
    line boundaries, with the buttons under the last.

    Sent as `Message.reply_text` would (in the message's topic; quoting it outside a private
    chat), through `send_text` (bot/telegram/wire.py): reading Telegram's answer, which no
    handler uses, into a `Message` took a quarter of the CPU of answering a /start."""
    message = update.effective_message
    assert message is not None
    quote = None if message.chat.type == ChatType.PRIVATE else _quote(message.message_id)
    parts = render.pieces(text, MessageLimit.MAX_TEXT_LENGTH)
    for number, part in enumerate(parts, 1):
        await _send(
            message.get_bot(),
            message.chat_id,
            part,
            keyboard=keyboard if number == len(parts) else None,
            message_thread_id=message.message_thread_id if message.is_topic_message else None,
            reply_parameters=quote,
            business_connection_id=message.business_connection_id,
            direct_messages_topic_id=(
                message.direct_messages_topic.topic_id if message.direct_messages_topic else None
            ),
        )


def _quote(message_id: int) -> str:
    """The reply parameters that quote a message, as JSON; unlike python-telegram-bot's
    default, the reply goes unquoted if the message is gone (a group's clean-up bot deletes
    commands as they come), rather than refused with the apology after it."""
    return json.dumps({"message_id": message_id, "allow_sending_without_reply": True})


async def _send(bot: Bot, chat_id: int, text: str, **options: Any) -> None:
    """send_text; when Telegram asks to wait (a 429, the chat's flood limit) no longer than
    WAITS_AT_MOST, once more after the wait. A longer wait is the error handler's, which
    logs it and sends no apology: Telegram would refuse that as well."""
    try:
        await send_text(bot, chat_id, text, **options)
    except RetryAfter as error:
        seconds = retry_seconds(error)
        if seconds > WAITS_AT_MOST:
            raise
        log.info("reply waits for Telegram chat=%d seconds=%g", chat_id, seconds)
        await asyncio.sleep(seconds)
        await send_text(bot, chat_id, text, **options)


def is_shared(chat_id: int) -> bool:
    """Whether a chat is a group or a channel: Telegram gives those negative ids, people
    positive ones."""
    return chat_id < 0


def is_admin(update: Update, context: Context) -> bool:
    """Whether the person is one of the bot's admins (`[telegram] admins`)."""
    user = update.effective_user
    return user is not None and user.id in context.services.config.telegram.admins
