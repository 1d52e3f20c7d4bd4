"""The reader commands: thin handlers that read the arguments, ask the core, and reply.

/start, /about, /help, /latest, /on, /history, /week, /month, /records, /compare, /sources,
/share. Every reply is HTML built by bot.render, with what came from outside escaped there.
A wrong argument gets a short message saying what was wrong and what to type instead."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType

from bot import failover, links, oryx, reading, render, texts
from bot.dates import date_among, parse_user_date
from bot.errors import UserError
from bot.figures import Bulletin, bulletin_on, series
from bot.numbers import looks_numeric
from bot.telegram import menus
from bot.telegram.keyboards import bulletin_keyboard, start_keyboard, with_subscribe
from bot.telegram.replies import is_admin, is_shared, reply
from bot.telegram.services import Context, Services, off_the_loop
from bot.trends import all_records, compare

log = logging.getLogger(__name__)

HISTORY_DAYS, HISTORY_MOST_DAYS = 7, 60


async def added_to_group(update: Update, context: Context) -> None:
    """The bot was added to a group: say once, in the language of whoever added it (already
    the group's, see middleware.use_chat_language), what it does and how the group subscribes."""
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return
    was = change.old_chat_member.status
    now = change.new_chat_member.status
    if was in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED) and now in (
        ChatMemberStatus.MEMBER,
        ChatMemberStatus.ADMINISTRATOR,
    ):
        log.info("added to group chat=%d by=%d", change.chat.id, change.from_user.id)
        await context.bot.send_message(change.chat.id, texts.GREETING)


async def start(update: Update, context: Context) -> None:
    """The welcome, with its buttons; or, opened by a link, /about (t.me/<bot>?start=about,
    the caveat's link) or that bulletin (t.me/<bot>?start=tanks-20260808), with a Subscribe
    button under it for the link's categories."""
    word = context.args[0] if context.args else None
    if word == links.ABOUT:
        await about(update, context)
        return
    found = links.parse(word) if word else None
    if found is None:
        await reply(update, render.start(), start_keyboard())
        return
    keys, written = found
    # A date answers as /on would: one made up, impossible or still to come says so.
    day = parse_user_date(written, context.services.today) if written else None
    await _bulletin(update, context, day, keys, "latest", subscribe=True)


async def share(update: Update, context: Context) -> None:
    """A link to the latest bulletin (of the categories named) that anyone can open."""
    keys = named_categories(context, list(context.args or []), "share")
    view = bulletin_on(context.services.store)
    if view is None:
        await reply(update, texts.NO_DATA)
        return
    link = links.bot_link(context.bot.username, keys, view.report.date)
    button = InlineKeyboardButton(texts.BUTTON_SHARE, url=links.share_link(link))
    text = render.with_age(render.share(view, keys, link), context.services.age_note())
    await reply(update, text, InlineKeyboardMarkup([[button]]))


async def about(update: Update, context: Context) -> None:
    await reply(update, render.about())


async def help_command(update: Update, context: Context) -> None:
    """Every reader command; in an admin's private chat, the admin commands too."""
    text = render.help_text()
    user, chat = update.effective_user, update.effective_chat
    admins = context.services.config.telegram.admins
    if user and user.id in admins and chat and chat.type == ChatType.PRIVATE:
        text += "\n\n" + render.admin_help(menus.ADMIN)
    await reply(update, text)


async def latest(update: Update, context: Context) -> None:
    await _bulletin(update, context, None, context.args or [], "latest")


async def on(update: Update, context: Context) -> None:
    if not context.args:
        raise UserError(texts.USAGE_ON)
    day = parse_user_date(context.args[0], context.services.today)
    await _bulletin(update, context, day, context.args[1:], "on")


def named_categories(context: Context, words: list[str], example: str) -> list[str]:
    """The categories named (bot/reading.py); UnknownCategories for words that name none,
    answered in one place (bot/telegram/errors.py)."""
    return reading.category_keys(words, context.services.store, example)


async def _bulletin(
    update: Update,
    context: Context,
    day: date | None,
    words: list[str],
    example: str,
    *,
    subscribe: bool = False,
) -> None:
    """A bulletin (of `day`, or the latest) and its buttons; `subscribe`: a Subscribe button
    under them too, for the categories shown (a link's)."""
    keys = named_categories(context, words, example)
    services = context.services
    store = services.store
    view = view_of(services, day)
    if view is None:
        text = (
            texts.NO_DATA
            if day is None
            else render.no_report_on(day, store.reports.latest_date(day))
        )
        await reply(update, text)
        return
    selected = keys[0] if len(keys) == 1 else None
    shared = is_shared(update.effective_chat.id)  # type: ignore[union-attr]
    keyboard = bulletin_keyboard(view.report.date, selected, shared=shared) if day is None else None
    if subscribe:
        keyboard = with_subscribe(keyboard, keys)
    note = services.age_note() if day is None else None
    await reply(update, render.with_age(bulletin_text(services, view, keys, day), note), keyboard)
    if example == "on" and day is not None and not shared and is_admin(update, context):
        # For an admin, /on DATE also says where each figure of that day came from.
        found = render.provenance(day, store.reports.revisions(day), store.corrections.log(day))
        await reply(update, found)


def view_of(services: Services, day: date | None = None) -> Bulletin | None:
    """The bulletin of `day` (default: the latest), read once per state of the data."""
    return services.cached(("view", day), lambda: bulletin_on(services.store, day))


def rendered_bulletin(services: Services, view: Bulletin, keys: Sequence[str] = ()) -> str:
    """render.bulletin, once per bulletin, categories and language: every /latest, every
    inline answer and every button under a broadcast shows one of a few."""
    key = ("bulletin", view.report.date, tuple(keys), texts.current_language())
    return services.cached(key, lambda: render.bulletin(view, keys))


def bulletin_text(services: Services, view: Bulletin, keys: list[str], day: date | None) -> str:
    """A bulletin (or some of its categories: of `day`, or the latest) and, under one category
    that Oryx had counted by then, the line pointing to /compare."""

    def text() -> str:
        found = rendered_bulletin(services, view, keys)
        if len(keys) == 1 and oryx.documents(services.store, keys[0], view.report.date):
            # /compare without a date is of the latest day, so only an older one is named.
            latest = services.store.reports.latest_date()
            found += render.compare_hint(keys[0], None if day == latest else day)
        return found

    language = texts.current_language()
    return services.cached(("bulletin text", view.report.date, tuple(keys), day, language), text)


async def history(update: Update, context: Context) -> None:
    words = list(context.args or [])
    days = HISTORY_DAYS
    numbers = [w for w in words if looks_numeric(w)]
    if len(numbers) > 1:
        raise UserError(texts.USAGE_HISTORY)
    if numbers:  # the number of days may stand anywhere: "/history 14 tanks"
        word = numbers[0]
        words.remove(word)
        if not re.fullmatch("[0-9]{1,3}", word) or not 1 <= int(word) <= HISTORY_MOST_DAYS:
            raise UserError(texts.BAD_DAYS.format(word=texts.shown(word), most=HISTORY_MOST_DAYS))
        days = int(word)
    keys = named_categories(context, words, "history")
    if not keys:
        raise UserError(texts.USAGE_HISTORY)
    if len(keys) > 1:
        raise UserError(texts.ONE_CATEGORY_HISTORY)
    services, key = context.services, keys[0]
    latest_day = services.store.reports.latest_date()

    def history_text() -> str:
        view = view_of(services)  # the newest report, read once for every history
        return render.history(series(services.store, key, days), view.report if view else None)

    found = services.cached(("history", key, days, texts.current_language()), history_text)
    text = render.with_age(found, services.age_note())
    if latest_day is None:
        await reply(update, text)
        return
    shared = is_shared(update.effective_chat.id)  # type: ignore[union-attr]
    await reply(update, text, bulletin_keyboard(latest_day, key, shared=shared, history=True))


async def week(update: Update, context: Context) -> None:
    await _trend(update, context, 7, "week")


async def month(update: Update, context: Context) -> None:
    await _trend(update, context, 30, "month")


async def _trend(update: Update, context: Context, days: int, example: str) -> None:
    """/week, /month [CATEGORY...]: every category, or those named."""
    keys = named_categories(context, context.args or [], example)
    services = context.services

    def trend_text() -> str | None:
        data = services.cached(("trend", days), lambda: compare(services.store, days))
        if data is None:
            return None
        if keys:
            data = replace(data, trends=[t for t in data.trends if t.category in keys])
        return render.comparison(data, services.store.reports.on(data.last))

    text = services.cached(("trend", days, tuple(keys), texts.current_language()), trend_text)
    if text is None:
        await reply(update, texts.NO_DATA)
        return
    await reply(update, render.with_age(text, services.age_note()))


async def records(update: Update, context: Context) -> None:
    """/records [CATEGORY]: the largest daily rises ever."""
    keys = named_categories(context, context.args or [], "records")
    if len(keys) > 1:
        raise UserError(texts.ONE_CATEGORY)
    services, key = context.services, keys[0] if keys else None

    # The whole history read once, off the loop, for every category at once.
    found = await services.cached_awaited(("records",), lambda: off_the_loop(services, all_records))
    text = services.cached(
        ("records", key, texts.current_language()), lambda: render.records(found.of(key), key)
    )
    await reply(update, text)


async def compare_command(update: Update, context: Context) -> None:
    """/compare [CATEGORY...] [DATE]: the claim beside Oryx's photo-confirmed count."""
    services = context.services
    day, words = date_among(context.args or [], services.today)
    day = day or services.store.reports.latest_date()
    if day is None:
        await reply(update, texts.NO_DATA)
        return
    keys = named_categories(context, words, "compare")
    text = services.cached(
        ("compare", tuple(keys), day, texts.current_language()),
        lambda: render.claimed_and_documented(oryx.compare(services.store, keys, day), day),
    )
    await reply(update, text)


async def sources(update: Update, context: Context) -> None:
    """Each source by name and whether it answered; an admin in a private chat also gets its
    URL and error (credentials and query values removed), which others never see."""
    services = context.services
    states, lead = failover.now(services.store, services.config)
    last_fetches = [
        services.store.logs.last_fetch(source.kind) for source in services.config.sources
    ]
    chat = update.effective_chat
    private = chat is not None and chat.type == ChatType.PRIVATE
    await reply(
        update,
        render.sources(
            services.config.sources,
            states,
            lead,
            last_fetches,
            services.store.reports.date_range(),
            oryx.counts_for(services.store).last_date(),
            now_local=services.clock.now().astimezone(services.config.schedule.zone),
            detailed=private and is_admin(update, context),
        ),
    )


async def unknown_command(update: Update, context: Context) -> None:
    await reply(update, texts.UNKNOWN_COMMAND)
