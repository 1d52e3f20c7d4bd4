"""What only those who may change a chat's settings do: /unsubscribe, /language, and the
check of who may (anyone in a private chat, a group's or channel's admins). /subscribe,
/milestones and /settings are in bot/telegram/settings.py."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot import render, texts
from bot.errors import UserError
from bot.telegram.replies import reply
from bot.telegram.services import GROUP_ADMIN_FOR, Context

log = logging.getLogger(__name__)


LANGUAGE_WORDS = {
    "uk": "uk",
    "ua": "uk",
    "українська": "uk",
    "укр": "uk",
    "en": "en",
    "english": "en",
    "англійська": "en",
}


async def language(update: Update, context: Context) -> None:
    """/language uk|en."""
    words = context.args or []
    chosen = LANGUAGE_WORDS.get(words[0].casefold()) if len(words) == 1 else None
    if chosen is None:
        raise UserError(texts.LANGUAGE_USAGE)
    await must_be_allowed_to_change(update, context)
    services = context.services
    services.store.subscribers.set_chat_language(
        update.effective_chat.id,  # type: ignore[union-attr]
        chosen,
        chosen=True,
        now=services.clock.now(),
    )
    texts.set_language(chosen)
    await reply(update, texts.LANGUAGE_SET)


async def unsubscribe(update: Update, context: Context) -> None:
    await must_be_allowed_to_change(update, context)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    subscriptions = context.services.subscriptions
    ended = subscriptions.unsubscribe(chat_id)
    if ended is None:
        await reply(update, texts.NOT_SUBSCRIBED)
        return
    await reply(update, render.unsubscribed(ended, subscriptions.targets(chat_id)))


async def must_be_allowed_to_change(update: Update, context: Context) -> None:
    """Refuse (GROUP_ADMINS_ONLY) whoever may not change the chat's subscription or language."""
    if not await may_change_subscription(update, context):
        raise UserError(texts.GROUP_ADMINS_ONLY)


async def may_change_subscription(update: Update, context: Context) -> bool:
    """Whether whoever sent this update may change the chat's subscription or language.

    Anyone in a private chat. In a group, supergroup or channel only that chat's administrators,
    asked of Telegram (getChatMember, kept at most GROUP_ADMIN_FOR). A post made as the chat itself
    is an administrator's: Telegram lets only a group's anonymous admins speak as the group, and
    only a channel's admins post in it. A button press is never one: the message under the
    button is the bot's own (in a channel it too is signed by the channel), and the person
    pressing it, who may be any reader, is the one asked about.
    """
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    message = update.effective_message
    if (
        update.callback_query is None
        and message is not None
        and message.sender_chat is not None
        and message.sender_chat.id == chat.id
    ):
        return True  # an anonymous group admin, or a channel's own post
    user = update.callback_query.from_user if update.callback_query else update.effective_user
    if user is None:
        return False
    services = context.services

    async def asked() -> bool:
        member = await context.bot.get_chat_member(chat.id, user.id)
        return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)

    # Kept for the rest of a GROUP_ADMIN_FOR window (so never longer than that); a failed
    # check is not kept, and a crowd of taps by one person asks Telegram once.
    window = int(services.clock.now().timestamp() // GROUP_ADMIN_FOR.total_seconds())
    try:
        return await services.group_admins.get_awaited(
            window, ("group admin", chat.id, user.id), asked
        )
    except TelegramError as error:  # fail closed, in one line
        log.warning(
            "group admin check failed chat=%d user=%d error=%r", chat.id, user.id, str(error)
        )
        return False
