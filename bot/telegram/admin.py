"""Admin commands in Telegram: one gate (`admin_only`) in front of thin handlers over bot.admin.

Admins are the user ids in `[telegram] admins`; nothing in the bot can change that list. Anyone
else gets "This command is for admins.", and the attempt is logged and audited.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from telegram import MessageOriginChannel, Update
from telegram.constants import ChatType

from bot import render, texts
from bot.admin import PREFIX, TELEGRAM, AdminCommand, Desk, admin_commands
from bot.telegram.jobs import deliver_now, poll_now
from bot.telegram.replies import is_admin, reply
from bot.telegram.services import Context, Handler

log = logging.getLogger(__name__)

AdminHandler = Callable[[Update, Context, Desk], Awaitable[None]]


def admin_only(action: str, handler: AdminHandler) -> Handler:
    """The one place admin rights are checked, for every admin command."""

    async def gated(update: Update, context: Context) -> None:
        services = context.services
        user = update.effective_user
        actor = f"telegram:{user.id if user else 'unknown'}"
        if not is_admin(update, context):
            text = update.effective_message.text if update.effective_message else ""
            services.store.logs.audit(
                actor, action, allowed=False, detail=(text or "")[:200], now=services.clock.now()
            )
            log.warning("admin command refused actor=%s action=%s", actor, action)
            await reply(update, texts.ADMINS_ONLY)
            return
        chat = update.effective_chat
        if chat is not None and chat.type != ChatType.PRIVATE:
            # Admin output (subscriber counts, the source's errors, held figures) is for the
            # admin alone, not for everyone in a group or channel.
            await reply(update, texts.ADMIN_IN_PRIVATE)
            return
        await handler(
            update,
            context,
            Desk(services.store, services.config, services.clock, actor, PREFIX[TELEGRAM]),
        )

    return gated


async def fetch(update: Update, context: Context, desk: Desk) -> None:
    services = context.services
    result = await poll_now(services)
    if result.error:
        await reply(update, render.fetch_failed(result.failures))
        return
    desk.store.logs.audit(
        desk.actor, "fetch", allowed=True, detail=result.tally_line, now=desk.clock.now()
    )
    await reply(update, render.fetched(result.outcomes, result.queued, result.failures))
    await deliver_now(services)


def _answered(command: AdminCommand) -> AdminHandler:
    """The Telegram handler of a command the desk answers (bot/admin.py ADMIN_COMMANDS)."""
    answer = command.answer
    assert answer is not None

    async def handler(update: Update, context: Context, desk: Desk) -> None:
        words = list(context.args or [])
        if command.takes_text:  # the message after the command, as typed: lines and all
            text = update.effective_message.text or ""  # type: ignore[union-attr]
            words = re.split(r"\s", text, maxsplit=1)[1:]
        await reply(update, answer(desk, words))

    return handler


async def pasted(update: Update, context: Context, desk: Desk) -> None:
    """A bulletin pasted or forwarded by an admin: ingested like a fetched one."""
    message = update.effective_message
    origin = message.forward_origin if message else None
    link = None
    if isinstance(origin, MessageOriginChannel) and origin.chat.username:
        link = f"https://t.me/{origin.chat.username}/{origin.message_id}"
    report, outcome, queued = desk.ingest_text(message.text or "", link)  # type: ignore[union-attr]
    await reply(update, render.parsed(report, outcome, queued))


async def text_message(update: Update, context: Context) -> None:
    """Plain text in a private chat: a pasted bulletin from an admin, or a nudge to /help."""
    if is_admin(update, context):
        await admin_only("paste", pasted)(update, context)
    else:
        await reply(update, texts.NOT_UNDERSTOOD)


# Every admin command of Telegram, by name: the desk's answer, or a handler of its own.
HANDLERS: dict[str, AdminHandler] = {
    command.name: fetch if command.name == "fetch" else _answered(command)
    for command in admin_commands(TELEGRAM)
}
