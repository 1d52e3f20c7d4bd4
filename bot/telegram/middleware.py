"""What runs before every handler: the chat's language is set, then the flood check (a
throttled update stops there)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot import texts
from bot.telegram.replies import reply
from bot.telegram.services import Context
from bot.throttle import Verdict

log = logging.getLogger(__name__)


async def use_chat_language(update: object, context: Context) -> None:
    """Runs before every handler: speak the chat's language. On first contact that is the
    language of the person's Telegram app (in a group, of whoever added the bot or spoke
    first; a channel has no author to go by: [telegram] default_language); /language changes
    it for good."""
    if not isinstance(update, Update):
        return
    services = context.services
    user, chat = update.effective_user, update.effective_chat
    guess = texts.language_for(user.language_code if user else None)
    if chat is None:  # an inline query: no chat, the person's own language
        texts.set_language(guess)
        return
    language = services.first_contacts.language(chat.id)
    if language is None:  # a first contact: remembered with others (bot/telegram/contacts.py)
        language = (
            services.config.telegram.default_language if chat.type == ChatType.CHANNEL else guess
        )
        services.first_contacts.guessed(chat.id, language)
    texts.set_language(language)


async def throttle(update: object, context: Context) -> None:
    """Runs after the language is set: one person flooding the bot gets one polite word, and
    the rest of the flood is dropped, so everyone else is answered as usual."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    services = context.services
    # Anonymous group admins, people posting as a channel and Telegram's own account all come
    # as one placeholder user: the chat they speak for tells them apart.
    sender = update.effective_message.sender_chat if update.effective_message else None
    who = sender.id if sender is not None else update.effective_user.id
    verdict = services.throttle.check(who, services.clock.now())
    if verdict == Verdict.ALLOW:
        return
    if verdict == Verdict.WARN:
        log.warning("throttled sender=%d", who)
        if update.effective_message is not None:
            await reply(update, texts.SLOW_DOWN)
    raise ApplicationHandlerStop
