"""A tap under a bulletin: that bulletin's day in place (a private chat), or a pop-up for
the tapping person alone (a group or channel)."""

from __future__ import annotations

import re
from datetime import date

from telegram import CallbackQuery, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot import categories, render, texts
from bot.figures import Series, series
from bot.telegram.keyboards import bulletin_keyboard
from bot.telegram.reading import HISTORY_DAYS, bulletin_text, view_of
from bot.telegram.services import Context


def _button_data(data: str | None) -> tuple[str, str, date] | None:
    """'c:tanks:2026-08-08' -> ('c', 'tanks', date): what a button shows, of which bulletin.
    None for anything else, such as a button from before buttons carried their date."""
    match = re.fullmatch(r"([ch]):([a-z_]*):([0-9]{4}-[0-9]{2}-[0-9]{2})", data or "")
    if match is None or (match[2] and match[2] not in categories.BY_KEY):
        return None
    try:
        return match[1], match[2], date.fromisoformat(match[3])
    except ValueError:
        return None


async def button(update: Update, context: Context) -> None:
    """A tap under a bulletin shows that bulletin's day, never a newer one. In a private chat
    the message changes in place; in a group or channel only the tapping person sees the
    answer (a pop-up), and the post everyone shares stays as it was."""
    query: CallbackQuery = update.callback_query  # type: ignore[assignment]
    services = context.services
    found = _button_data(query.data)
    view = view_of(services, found[2]) if found else None
    if found is None or view is None or view.report.date != found[2]:
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    kind, key, day = found
    language = texts.current_language()

    def last_days() -> Series:
        return series(services.store, key, HISTORY_DAYS, until=day)

    message = query.message
    if message is None or message.chat.type != ChatType.PRIVATE:
        # Everyone reading a channel's post may tap: one pop-up per button and language.
        popup = services.cached(
            ("popup", day, kind, key, language),
            lambda: render.popup(view, key or None, last_days() if kind == "h" and key else None),
        )
        await query.answer(popup, show_alert=True)
        return
    if kind == "h" and key:
        text = services.cached(
            ("history of", key, day, language), lambda: render.history(last_days(), view.report)
        )
    else:  # as /latest or /on would show it
        latest = day == services.store.reports.latest_date()
        text = bulletin_text(services, view, [key] if key else [], None if latest else day)
        text = render.with_age(text, services.age_note() if latest else None)
    await query.answer()
    try:
        await query.edit_message_text(
            text,
            reply_markup=bulletin_keyboard(day, key or None, history=kind == "h"),
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            raise
