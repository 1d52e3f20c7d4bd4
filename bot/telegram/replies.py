"""How every handler answers, and who is asking: `reply` (cut to Telegram's limit, the
buttons under the last piece), `is_admin` (one of the bot's admins), `is_shared` (a group or
channel)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit

from bot import render
from bot.telegram.delivery import markup_json
from bot.telegram.services import Context


async def reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Answer in the chat; a reply longer than Telegram takes goes as several messages, cut at
    line boundaries, with the buttons under the last."""
    parts = render.pieces(text, MessageLimit.MAX_TEXT_LENGTH)
    for number, part in enumerate(parts, 1):
        markup = keyboard if number == len(parts) else None
        await update.effective_message.reply_text(  # type: ignore[union-attr]
            part,
            # A shared keyboard (the welcome's, a bulletin's) is serialised once.
            api_kwargs={"reply_markup": markup_json(markup)} if markup else None,
        )


def is_shared(chat_id: int) -> bool:
    """Whether a chat is a group or a channel: Telegram gives those negative ids, people
    positive ones."""
    return chat_id < 0


def is_admin(update: Update, context: Context) -> bool:
    """Whether the person is one of the bot's admins (`[telegram] admins`)."""
    user = update.effective_user
    return user is not None and user.id in context.services.config.telegram.admins
