"""Where things that went wrong are answered, each in one place.

`refuse`: what someone asked cannot be done as asked (a UserError, raised by any handler: a bad
date, words that name no category, a group member changing the group's settings...). The
reader is told, in their language, what was wrong and what to type instead.

`on_error`: the bot's own failures. Logged (never the token), the person gets an apology, and
the bot keeps going."""

from __future__ import annotations

import logging

import httpx
from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot import render, texts
from bot.categories import UnknownCategories
from bot.errors import UserError
from bot.telegram.replies import reply
from bot.telegram.services import Context
from bot.telegram.wire import retry_seconds

log = logging.getLogger(__name__)


async def refuse(update: Update, error: UserError) -> None:
    """Answer a refusal: its message (plain text, escaped here); for words that named no
    category, each with its suggestions and the command to try."""
    chat = update.effective_chat
    log.info("refused chat=%s error=%r", chat.id if chat else None, str(error))
    if isinstance(error, UnknownCategories):
        await reply(update, render.unknown_categories(error.unknown, error.example))
    else:
        await reply(update, render.escaped(str(error)))


async def on_error(update: object, context: Context) -> None:
    """Log what went wrong (never the token), tell the person, and keep going."""
    chat = update.effective_chat if isinstance(update, Update) else None
    if update is None and isinstance(context.error, NetworkError):
        # Fetching updates failed: Telegram or the network is down. python-telegram-bot
        # retries with backoff; one line each time, not a traceback.
        log.warning("telegram unreachable while fetching updates error=%r", str(context.error))
        return
    if isinstance(context.error, RetryAfter):
        # Telegram asked for a longer wait than a reply waits out (replies.WAITS_AT_MOST): the
        # chat's flood limit. An apology would be refused as well; asking again works.
        log.warning(
            "reply not sent, Telegram asks to wait update=%s chat=%s seconds=%g",
            getattr(update, "update_id", None),
            chat.id if chat else None,
            retry_seconds(context.error),
        )
        return
    if _sent_but_unanswered(context.error):
        # The reply went out and Telegram was slow to say so (an 8 s answer, a 5 s read
        # timeout): the reader most likely has it, and an apology would arrive beside it.
        log.warning(
            "reply sent but unanswered in time update=%s chat=%s error=%r",
            getattr(update, "update_id", None),
            chat.id if chat else None,
            str(context.error),
        )
        return
    log.error(
        "handler failed update=%s chat=%s",
        getattr(update, "update_id", None),
        chat.id if chat else None,
        exc_info=context.error,
    )
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await reply(update, texts.INTERNAL_ERROR)
        except Exception:  # the apology itself failed: the log has the story
            log.exception("could not send the error reply")


def _sent_but_unanswered(error: BaseException | None) -> bool:
    """A timeout waiting for Telegram's answer to a request that was sent (not one that never
    left: no free connection, or none made in time). Telegram has most likely acted on it."""
    if not isinstance(error, TimedOut):
        return False
    if isinstance(error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout):  # uploads (httpx)
        return False
    # bot/telegram/bulk_request.py's and python-telegram-bot's words for a request not sent.
    return not error.message.startswith(("Pool timeout", "connecting to"))
