"""Sending a text message as python-telegram-bot would, without the work the bot never uses.

For each message, `Bot.send_message` turns its keyboard and the default link preview into dicts
and then into JSON, looks up each of a score of defaults, and reads Telegram's answer into a
`Message`: a quarter of the CPU of answering a /start (0.42 -> 0.32 ms in a crowd,
bench/README.md), and a third of a broadcast's per message. Every subscriber of one bulletin,
every reader of the welcome, gets the same keyboard and the same defaults: here they are
serialised once, and the answer is left unread. Delivery (bot/telegram/delivery.py) and every
reply (bot/telegram/replies.py) send their texts through `send_text`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Generic, TypeVar

from telegram import Bot, TelegramObject
from telegram.error import RetryAfter
from telegram.ext import Defaults
from telegram.request import BaseRequest

T = TypeVar("T")
Made = TypeVar("Made")

# Keyboards serialised at most: a day's bulletin has one per language and kind of chat.
MARKUPS_KEPT = 64


class _MadeOnce(Generic[T, Made]):
    """What `make` makes of an object, kept per object: by identity, for an equal keyboard is
    not worth comparing (its hash is its whole content), and the same one is used again."""

    def __init__(self, make: Callable[[T], Made], most: int) -> None:
        self._make = make
        self._most = most
        # id(object) -> (the object, kept so that its id is not reused; what was made).
        self._kept: dict[int, tuple[T, Made]] = {}

    def __call__(self, thing: T) -> Made:
        kept = self._kept.get(id(thing))
        if kept is None or kept[0] is not thing:
            if len(self._kept) >= self._most:
                self._kept.clear()
            kept = self._kept[id(thing)] = (thing, self._make(thing))
        return kept[1]


def _keyboard_json(keyboard: TelegramObject) -> str:
    return json.dumps(keyboard.to_dict())


def _defaults_sent(defaults: Defaults | None) -> Mapping[str, str]:
    sent: dict[str, str] = {}
    if defaults is None:
        return MappingProxyType(sent)
    if defaults.parse_mode is not None:
        sent["parse_mode"] = defaults.parse_mode
    if defaults.link_preview_options is not None:
        sent["link_preview_options"] = json.dumps(defaults.link_preview_options.to_dict())
    return MappingProxyType(sent)


# A keyboard's JSON, as python-telegram-bot would send it (`reply_markup`), made once for
# every message that carries the same keyboard object: a bulletin's subscribers, the welcome's
# readers (bot/telegram/keyboards.py keeps each keyboard it makes).
markup_json = _MadeOnce(_keyboard_json, MARKUPS_KEPT)
# The application's defaults for a message's text (bot/telegram/app.py: Telegram HTML, no link
# preview) as python-telegram-bot would send them, made once per bot.
defaults_json = _MadeOnce(_defaults_sent, 4)


async def send_text(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    keyboard: TelegramObject | None = None,
    timeout: float | None = None,
    **more: object,
) -> None:
    """sendMessage, with what `send_message` would send (the bot's defaults, the keyboard, the
    `more` parameters that are not None), its answer left unread; `timeout` for writing the
    request and reading the answer, else the request layer's.

    Sent through `Bot._post`, the call every `send_*` method ends in, which raises the same
    errors (RetryAfter, Forbidden, ...); its answer, the message as a dict, is dropped. `_post`
    is python-telegram-bot's own, not its public API: the version is pinned (constraints.txt),
    and tests/test_bot_delivery.py and tests/test_bot_commands.py check the messages that
    arrive (text, parse mode, buttons, topic, quote, the paid flag)."""
    parameters: dict[str, object] = {
        "chat_id": chat_id,
        "text": text,
        **defaults_json(getattr(bot, "defaults", None)),
        **more,
    }
    if keyboard is not None:
        parameters["reply_markup"] = markup_json(keyboard)
    wait = BaseRequest.DEFAULT_NONE if timeout is None else timeout
    await bot._post("sendMessage", parameters, read_timeout=wait, write_timeout=wait)


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait (a 429), in seconds."""
    retry_after = error.retry_after  # a timedelta with PTB_TIMEDELTA (bot/telegram/__init__.py)
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
