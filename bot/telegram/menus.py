"""Telegram's command menu: each kind of chat, and each kind of person, sees what they may use.

    private chats            the ten everyday reader commands, the most used first
    groups, for members      what members may use: no subscribe or settings
    groups, for their admins the members' commands and the group's subscription and settings
    the bot's admins         the private menu and the admin commands, in their private chat

Every reader command works whether its menu lists it or not; /help lists them all. A menu is
kept to ten, as the best-loved bots keep theirs: a longer one is a list nobody scrolls.

Each menu is set in every language the bot speaks; each command is described by its message
in render.COMMAND_DESCRIPTION. Telegram picks the most specific scope for a person, then their
app's language.
The "What can this bot do?" screen before /start and the bot's profile say what it is
(`set_descriptions`), in the same languages.
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

from bot import render, texts
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
    "pause",
    "resume",
    "language",
    "help",
)
# At most this many commands in a menu.
MOST_IN_MENU = 10
# A private chat's menu: the everyday commands, the most used first.
PRIVATE = (
    "latest",
    "chart",
    "history",
    "on",
    "week",
    "compare",
    "subscribe",
    "settings",
    "about",
    "help",
)
# What only a group's admins may do in the group.
GROUP_SETTINGS = ("subscribe", "unsubscribe", "milestones", "language", "settings")
GROUP_MEMBERS = tuple(c for c in PRIVATE if c not in GROUP_SETTINGS)
GROUP_ADMINS = (*GROUP_MEMBERS[:-2], "subscribe", "settings", *GROUP_MEMBERS[-2:])
# The bot's admin commands (bot/admin.py), after the reader commands.
ADMIN = tuple(command.name for command in admin_commands(TELEGRAM))

SCOPES: tuple[tuple[BotCommandScope, Sequence[str]], ...] = (
    (BotCommandScopeDefault(), PRIVATE),
    (BotCommandScopeAllPrivateChats(), PRIVATE),
    (BotCommandScopeAllGroupChats(), GROUP_MEMBERS),
    (BotCommandScopeAllChatAdministrators(), GROUP_ADMINS),
)


def menu(names: Iterable[str], language: str) -> list[BotCommand]:
    messages = texts.of(language)
    return [BotCommand(name, getattr(messages, render.COMMAND_DESCRIPTION[name])) for name in names]


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
                    menu((*PRIVATE, *ADMIN), language),
                    scope=BotCommandScopeChat(admin),
                    language_code=code,
                )
            except TelegramError as error:
                log.warning("no admin menu for chat=%d error=%r", admin, str(error))


async def set_descriptions(bot: Bot) -> None:
    """What the bot is, in every language: the "What can this bot do?" screen a person sees
    before pressing Start (up to 512 characters), and the line on its profile and in shared
    links (up to 120). Not being able to set them is worth a log line, not a failed start."""
    for language in texts.LANGUAGES:
        code = None if language == texts.DEFAULT_LANGUAGE else language
        messages = texts.of(language)
        try:
            await bot.set_my_description(messages.BOT_DESCRIPTION, language_code=code)
            await bot.set_my_short_description(messages.BOT_SHORT_DESCRIPTION, language_code=code)
        except TelegramError as error:
            log.warning("no bot description language=%s error=%r", language, str(error))
