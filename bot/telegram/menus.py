"""Telegram's command menu: each kind of chat, and each kind of person, sees what they may use.

    private chats            every reader command
    groups, for members      what members may use: no subscribe, unsubscribe or language
    groups, for their admins the members' commands and the group's settings
    the bot's admins         every reader command and the admin commands, in their private chat

Each menu is set in every language the bot speaks; each command is described by the message
COMMAND_<NAME>. Telegram picks the most specific scope for a person, then their app's language.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from bot import texts
from bot.admin import TELEGRAM, admin_commands

log = logging.getLogger(__name__)

# Reader commands, in the menu's order.
COMMANDS = (
    "latest",
    "on",
    "history",
    "chart",
    "week",
    "month",
    "records",
    "compare",
    "share",
    "export",
    "sources",
    "about",
    "subscribe",
    "unsubscribe",
    "milestones",
    "settings",
    "language",
    "help",
)
# What only a group's admins may do in the group.
GROUP_SETTINGS = ("subscribe", "unsubscribe", "milestones", "language")
GROUP_MEMBERS = tuple(c for c in COMMANDS if c not in GROUP_SETTINGS)
# The bot's admin commands (bot/admin.py), after the reader commands.
ADMIN = tuple(command.name for command in admin_commands(TELEGRAM))

SCOPES: tuple[tuple[BotCommandScope, Sequence[str]], ...] = (
    (BotCommandScopeDefault(), COMMANDS),
    (BotCommandScopeAllPrivateChats(), COMMANDS),
    (BotCommandScopeAllGroupChats(), GROUP_MEMBERS),
    (BotCommandScopeAllChatAdministrators(), COMMANDS),
)


def menu(names: Iterable[str], language: str) -> list[BotCommand]:
    messages = texts.of(language)
    return [BotCommand(name, getattr(messages, f"COMMAND_{name.upper()}")) for name in names]


async def set_menus(bot: Bot, admins: Iterable[int]) -> None:
    """Every menu, in every language. An admin's own menu can only be set once they have
    started a chat with the bot: until then they see the reader's, and the log says why."""
    for language in texts.LANGUAGES:
        code = None if language == texts.DEFAULT_LANGUAGE else language
        for scope, names in SCOPES:
            await bot.set_my_commands(menu(names, language), scope=scope, language_code=code)
        for admin in admins:
            try:
                await bot.set_my_commands(
                    menu((*COMMANDS, *ADMIN), language),
                    scope=BotCommandScopeChat(admin),
                    language_code=code,
                )
            except TelegramError as error:
                log.warning("no admin menu for chat=%d error=%r", admin, str(error))
