"""The buttons under a bulletin (a category, all of it, a category's history: each carrying
the bulletin's date; under one a link opened, Subscribe) and under the welcome. Their taps are
answered by bot/telegram/buttons.py and settings.py."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import links, render, texts

# Categories offered as buttons under a bulletin; each label is its short name (render.SHORT_NAME).
BUTTONS = ("personnel", "tanks", "afv", "artillery", "uav", "air_defence")


def bulletin_keyboard(
    day: date, selected: str | None = None, *, shared: bool = False, history: bool = False
) -> InlineKeyboardMarkup:
    """Buttons under the bulletin of `day`: a category, all of it, the selected category's
    history (not under that history itself). Each button carries the date: a bulletin is a
    record, and a tap under last Tuesday's post shows last Tuesday's figures.

    In a group or channel a tap answers the tapping person alone (bot/telegram/buttons.py),
    never by rewriting the post everyone sees, so only the category buttons are offered there."""
    return _keyboard(day, selected, shared, history, texts.current_language())


@functools.lru_cache(maxsize=256)
def _keyboard(
    day: date, selected: str | None, shared: bool, history: bool, language: str
) -> InlineKeyboardMarkup:
    """bulletin_keyboard's buttons in `language` (the one being spoken): made once and shared
    by every reply and broadcast message under the same bulletin (Telegram objects are
    immutable), as they are a sizeable part of a reply's cost."""
    stamp = day.isoformat()
    buttons = [
        InlineKeyboardButton(render.short_name(key), callback_data=f"c:{key}:{stamp}")
        for key in BUTTONS
    ]
    rows = [buttons[:3], buttons[3:]]
    if shared:
        return InlineKeyboardMarkup(rows)
    last = [InlineKeyboardButton(texts.BUTTON_ALL, callback_data=f"c::{stamp}")]
    if selected and not history:
        last.append(
            InlineKeyboardButton(
                texts.BUTTON_HISTORY.format(name=render.in_text(selected)),
                callback_data=f"h:{selected}:{stamp}",
            )
        )
    return InlineKeyboardMarkup([*rows, last])


# Callback data of the welcome's buttons: "start:latest", "start:subscribe",
# "start:language:<code>" (bot/telegram/settings.py answers them); and of the Subscribe button
# under a linked bulletin, "start:subscribe:<categories>" (a link's payload without its date).
START = "start:"
SUBSCRIBE_TO = f"{START}subscribe:"
# Telegram keeps at most this many bytes of a button's callback data.
MOST_CALLBACK_DATA = 64


def start_keyboard() -> InlineKeyboardMarkup:
    """Under the welcome: the latest bulletin, a daily summary, and the other language, each
    a tap away (the commands are in the text for whoever prefers typing)."""
    return _start_keyboard(texts.current_language())


@functools.lru_cache(maxsize=8)
def _start_keyboard(language: str) -> InlineKeyboardMarkup:
    """start_keyboard's buttons in `language` (the one being spoken), made once: a crowd
    sending /start shares them."""
    other = next(code for code in texts.LANGUAGES if code != language)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BUTTON_LATEST, callback_data=f"{START}latest"),
                InlineKeyboardButton(texts.BUTTON_SUBSCRIBE, callback_data=f"{START}subscribe"),
            ],
            [InlineKeyboardButton(texts.BUTTON_LANGUAGE, callback_data=f"{START}language:{other}")],
        ]
    )


def with_subscribe(
    keyboard: InlineKeyboardMarkup | None, keys: Sequence[str]
) -> InlineKeyboardMarkup | None:
    """A linked bulletin's buttons and, under them, Subscribe: one press subscribes the chat
    with the link's categories (all of them for a link of all). Left out when the categories'
    keys do not fit in a button's data (six long ones): a wrong subscription would be worse."""
    data = SUBSCRIBE_TO + links.payload(keys, None)
    if len(data.encode()) > MOST_CALLBACK_DATA:
        return keyboard
    label = (
        texts.BUTTON_SUBSCRIBE_TO.format(names=", ".join(render.short_name(k) for k in keys))
        if keys
        else texts.BUTTON_SUBSCRIBE
    )
    rows = list(keyboard.inline_keyboard) if keyboard else []
    return InlineKeyboardMarkup([*rows, [InlineKeyboardButton(label, callback_data=data)]])
