"""The bot's commands: thin handlers that read the arguments, ask the core, and reply.

Every reply is HTML built by bot.render, with what came from outside escaped there. A wrong
argument gets a short message saying what was wrong and what to type instead.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import httpx
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputFile,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType, MessageLimit
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import ApplicationHandlerStop

from bot import categories, failover, links, oryx, render, texts
from bot.charts import (
    DEFAULT_PERIOD,
    MOST_CATEGORIES,
    data_series,
    looks_like_period,
    parse_period,
)
from bot.dates import date_among, parse_user_date
from bot.export import export
from bot.export import parse_arguments as parse_export
from bot.figures import Bulletin, Series, bulletin_on, series
from bot.numbers import looks_numeric
from bot.telegram import menus
from bot.telegram.delivery import markup_json
from bot.telegram.services import Context, Kept, Services, off_the_loop
from bot.throttle import ALLOW, WARN
from bot.trends import all_records, compare

log = logging.getLogger(__name__)

HISTORY_DAYS, HISTORY_MOST_DAYS = 7, 60
# In /chart: draw Oryx's photo-confirmed count beside the claim.
COMPARE_WORDS = {"compare", "oryx", "порівняти", "порівняння"}
# A group admin's rights are asked of Telegram once per this long (a demoted admin may change
# the group's subscription for up to 5 minutes more), for at most this many (group, user) pairs.
GROUP_ADMIN_FOR, GROUP_ADMINS_KEPT = timedelta(minutes=5), 10_000
# Categories offered as buttons under a bulletin; each label is the message BUTTON_<KEY>.
BUTTONS = ("personnel", "tanks", "afv", "artillery", "uav", "air_defence")


async def reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Answer in the chat; a reply longer than Telegram takes goes as several messages, cut at
    line boundaries, with the buttons under the last."""
    parts = render.pieces(text, MessageLimit.MAX_TEXT_LENGTH)
    for number, part in enumerate(parts, 1):
        markup = keyboard if number == len(parts) else None
        await update.effective_message.reply_text(  # type: ignore[union-attr]
            part,
            # A shared keyboard (the welcome's, a bulletin's) is serialised once.
            api_kwargs={"reply_markup": markup_json(markup)} if markup else None,
        )


def is_shared(chat_id: int) -> bool:
    """Whether a chat is a group or a channel: Telegram gives those negative ids, people
    positive ones."""
    return chat_id < 0


def bulletin_keyboard(
    day: date, selected: str | None = None, *, shared: bool = False, history: bool = False
) -> InlineKeyboardMarkup:
    """Buttons under the bulletin of `day`: a category, all of it, the selected category's
    history (not under that history itself). Each button carries the date: a bulletin is a
    record, and a tap under last Tuesday's post shows last Tuesday's figures.

    In a group or channel a tap answers the tapping person alone (see `button`), never by
    rewriting the post everyone sees, so only the category buttons are offered there."""
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
        InlineKeyboardButton(
            getattr(texts, f"BUTTON_{key.upper()}"), callback_data=f"c:{key}:{stamp}"
        )
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


# Language ------------------------------------------------------------------------------------


async def use_chat_language(update: object, context: Context) -> None:
    """Runs before every handler: speak the chat's language. On first contact that is the
    language of the person's Telegram app (in a group, of whoever added the bot or spoke
    first; a channel has no author to go by: [telegram] default_language); /language changes
    it for good."""
    if not isinstance(update, Update):
        return
    s = context.services
    user, chat = update.effective_user, update.effective_chat
    guess = texts.language_for(user.language_code if user else None)
    if chat is None:  # an inline query: no chat, the person's own language
        texts.set_language(guess)
        return
    language = s.first_contacts.language(chat.id)
    if language is None:  # a first contact: remembered with others (bot/telegram/contacts.py)
        language = s.config.telegram.default_language if chat.type == ChatType.CHANNEL else guess
        s.first_contacts.guessed(chat.id, language)
    texts.set_language(language)


async def added_to_group(update: Update, context: Context) -> None:
    """The bot was added to a group: say once, in the language of whoever added it (already
    the group's, see use_chat_language), what it does and how the group subscribes."""
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


async def throttle(update: object, context: Context) -> None:
    """Runs after the language is set: one person flooding the bot gets one polite word, and
    the rest of the flood is dropped, so everyone else is answered as usual."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    s = context.services
    # Anonymous group admins, people posting as a channel and Telegram's own account all come
    # as one placeholder user: the chat they speak for tells them apart.
    sender = update.effective_message.sender_chat if update.effective_message else None
    who = sender.id if sender is not None else update.effective_user.id
    verdict = s.throttle.check(who, s.clock.now())
    if verdict == ALLOW:
        return
    if verdict == WARN:
        log.warning("throttled sender=%d", who)
        if update.effective_message is not None:
            await reply(update, texts.SLOW_DOWN)
    raise ApplicationHandlerStop


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
        await reply(update, texts.LANGUAGE_USAGE)
        return
    if not await may_change_subscription(update, context):
        await reply(update, texts.GROUP_ADMINS_ONLY)
        return
    s = context.services
    s.store.set_chat_language(
        update.effective_chat.id,  # type: ignore[union-attr]
        chosen,
        chosen=True,
        now=s.clock.now(),
    )
    texts.set_language(chosen)
    await reply(update, texts.LANGUAGE_SET)


# Commands ------------------------------------------------------------------------------------


# Callback data of the welcome's buttons: "start:latest", "start:subscribe",
# "start:language:<code>" (bot/telegram/settings.py answers them).
START = "start:"


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


async def start(update: Update, context: Context) -> None:
    """The welcome, with its buttons; or, opened by a link, /about (t.me/<bot>?start=about,
    the caveat's link) or that bulletin (t.me/<bot>?start=tanks-20260808)."""
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
    await _bulletin(update, context, day, keys, "latest")


async def share(update: Update, context: Context) -> None:
    """A link to the latest bulletin (of the categories named) that anyone can open."""
    keys = await _categories(update, context, list(context.args or []), "share")
    if keys is None:
        return
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
        await reply(update, texts.USAGE_ON)
        return
    day = parse_user_date(context.args[0], context.services.today)
    await _bulletin(update, context, day, context.args[1:], "on")


async def _categories(
    update: Update, context: Context, words: list[str], example: str
) -> list[str] | None:
    """The categories named, or None after telling the person which words named none.
    A word the registry does not know may name a category the source started sending."""
    # "/latest all": the word of the bulletin's "all" button.
    words = [w for w in words if w.casefold() not in categories.ALL_WORDS]
    keys, unknown = categories.resolve(words)
    if unknown:
        keys, unknown = categories.resolve(words, context.services.store.stored_categories())
    if unknown:
        await reply(update, render.unknown_categories(unknown, example))
        return None
    return keys


def is_admin(update: Update, context: Context) -> bool:
    """Whether the person is one of the bot's admins (`[telegram] admins`)."""
    user = update.effective_user
    return user is not None and user.id in context.services.config.telegram.admins


async def _bulletin(
    update: Update,
    context: Context,
    day: date | None,
    words: list[str],
    example: str,
) -> None:
    keys = await _categories(update, context, words, example)
    if keys is None:
        return
    s = context.services
    store = s.store
    view = _view(s, day)
    if view is None:
        text = texts.NO_DATA if day is None else render.no_report_on(day, store.latest_date(day))
        await reply(update, text)
        return
    selected = keys[0] if len(keys) == 1 else None
    shared = is_shared(update.effective_chat.id)  # type: ignore[union-attr]
    keyboard = bulletin_keyboard(view.report.date, selected, shared=shared) if day is None else None
    note = s.age_note() if day is None else None
    await reply(update, render.with_age(_bulletin_text(s, view, keys, day), note), keyboard)
    if example == "on" and day is not None and not shared and is_admin(update, context):
        # For an admin, /on DATE also says where each figure of that day came from.
        found = render.provenance(day, store.revisions(day), store.corrections(day))
        await reply(update, found)


def _view(s: Services, day: date | None = None) -> Bulletin | None:
    """The bulletin of `day` (default: the latest), read once per state of the data."""
    return s.cached(("view", day), lambda: bulletin_on(s.store, day))


def _rendered(s: Services, view: Bulletin, keys: Sequence[str] = ()) -> str:
    """render.bulletin, once per bulletin, categories and language: every /latest, every
    inline answer and every button under a broadcast shows one of a few."""
    key = ("bulletin", view.report.date, tuple(keys), texts.current_language())
    return s.cached(key, lambda: render.bulletin(view, keys))


def _bulletin_text(s: Services, view: Bulletin, keys: list[str], day: date | None) -> str:
    """A bulletin (or some of its categories: of `day`, or the latest) and, under one category
    that Oryx had counted by then, the line pointing to /compare."""

    def text() -> str:
        found = _rendered(s, view, keys)
        if len(keys) == 1 and oryx.documents(s.store, keys[0], view.report.date):
            # /compare without a date is of the latest day, so only an older one is named.
            latest = s.store.latest_date()
            found += render.compare_hint(keys[0], None if day == latest else day)
        return found

    language = texts.current_language()
    return s.cached(("bulletin text", view.report.date, tuple(keys), day, language), text)


async def history(update: Update, context: Context) -> None:
    words = list(context.args or [])
    days = HISTORY_DAYS
    numbers = [w for w in words if looks_numeric(w)]
    if len(numbers) > 1:
        await reply(update, texts.USAGE_HISTORY)
        return
    if numbers:  # the number of days may stand anywhere: "/history 14 tanks"
        word = numbers[0]
        words.remove(word)
        if not re.fullmatch("[0-9]{1,3}", word) or not 1 <= int(word) <= HISTORY_MOST_DAYS:
            await reply(
                update,
                render.escaped(
                    texts.BAD_DAYS.format(word=texts.shown(word), most=HISTORY_MOST_DAYS)
                ),
            )
            return
        days = int(word)
    keys = await _categories(update, context, words, "history")
    if keys is None:
        return
    if not keys:
        await reply(update, texts.USAGE_HISTORY)
        return
    if len(keys) > 1:
        await reply(update, texts.ONE_CATEGORY_HISTORY)
        return
    s, key = context.services, keys[0]
    latest_day = s.store.latest_date()

    def history_text() -> str:
        newest = s.store.report_on(latest_day) if latest_day else None
        return render.history(series(s.store, key, days), newest)

    found = s.cached(("history", key, days, texts.current_language()), history_text)
    text = render.with_age(found, s.age_note())
    if latest_day is None:
        await reply(update, text)
        return
    shared = is_shared(update.effective_chat.id)  # type: ignore[union-attr]
    await reply(update, text, bulletin_keyboard(latest_day, key, shared=shared, history=True))


async def chart(update: Update, context: Context) -> None:
    """/chart CATEGORY... [PERIOD]: drawn in a worker thread, cached until the data changes."""
    s = context.services
    words = list(context.args or [])
    latest = s.store.latest_date()
    if latest is None:
        await reply(update, texts.NO_DATA)
        return
    period = parse_period(DEFAULT_PERIOD, latest)
    # "compare": Oryx's photo-confirmed count beside the claim.
    documented = any(w.casefold() in COMPARE_WORDS for w in words)
    words = [w for w in words if w.casefold() not in COMPARE_WORDS]
    # The last word is the period when it looks like one: "90d", "2024", "all".
    if words and looks_like_period(words[-1]):
        period = parse_period(words.pop(), latest)
    keys = await _categories(update, context, words, "chart")
    if keys is None:
        return
    if not keys:
        await reply(update, texts.USAGE_CHART)
        return
    if documented and len(keys) > 1:
        await reply(update, texts.CHART_COMPARE_ONE)
        return
    if len(keys) > MOST_CATEGORIES:
        await reply(
            update,
            texts.ngettext("TOO_MANY_CATEGORIES", MOST_CATEGORIES).format(most=MOST_CATEGORIES),
        )
        return
    undrawn = None
    if documented:
        counts = oryx.counts_for(s.store)
        undrawn = render.undrawn_beside(keys[0], period.start, period.end, counts)
    beside = documented and not undrawn

    async def drawn() -> Kept:
        chat = update.effective_chat
        if not s.charts.limiter.full:  # not for a drawing about to be refused
            await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)  # type: ignore[union-attr]
        # The drawing waits for its turn (limits.Busy) in the chart cache.
        return Kept(await s.charts.chart(s.store, keys, period, documented=beside))

    language = texts.current_language()
    kept = await s.cached_awaited(("chart", tuple(keys), period, beside, language), drawn)
    report = s.store.report_on(latest)
    data = s.cached(("chart data", tuple(keys), period), lambda: data_series(s.store, keys, period))
    caption = render.chart_caption(data, period.label(), report)
    caption = render.with_age(caption + (f"\n{undrawn}" if undrawn else ""), s.age_note())
    await send_file(update, kept, caption, photo=True)


async def week(update: Update, context: Context) -> None:
    await _trend(update, context, 7, "week")


async def month(update: Update, context: Context) -> None:
    await _trend(update, context, 30, "month")


async def _trend(update: Update, context: Context, days: int, example: str) -> None:
    """/week, /month [CATEGORY...]: every category, or those named."""
    keys = await _categories(update, context, context.args or [], example)
    if keys is None:
        return
    s = context.services

    def trend_text() -> str | None:
        data = s.cached(("trend", days), lambda: compare(s.store, days))
        if data is None:
            return None
        if keys:
            data = replace(data, trends=[t for t in data.trends if t.category in keys])
        return render.comparison(data, s.store.report_on(data.last))

    text = s.cached(("trend", days, tuple(keys), texts.current_language()), trend_text)
    if text is None:
        await reply(update, texts.NO_DATA)
        return
    await reply(update, render.with_age(text, s.age_note()))


async def records(update: Update, context: Context) -> None:
    """/records [CATEGORY]: the largest daily rises ever."""
    keys = await _categories(update, context, context.args or [], "records")
    if keys is None:
        return
    if len(keys) > 1:
        await reply(update, texts.ONE_CATEGORY)
        return
    s, key = context.services, keys[0] if keys else None

    # The whole history read once, off the loop, for every category at once.
    found = await s.cached_awaited(("records",), lambda: off_the_loop(s.store, all_records))
    text = s.cached(
        ("records", key, texts.current_language()), lambda: render.records(found.of(key), key)
    )
    await reply(update, text)


async def compare_command(update: Update, context: Context) -> None:
    """/compare [CATEGORY...] [DATE]: the claim beside Oryx's photo-confirmed count."""
    s = context.services
    day, words = date_among(context.args or [], s.today)
    day = day or s.store.latest_date()
    if day is None:
        await reply(update, texts.NO_DATA)
        return
    keys = await _categories(update, context, words, "compare")
    if keys is None:
        return
    text = s.cached(
        ("compare", tuple(keys), day, texts.current_language()),
        lambda: render.claimed_and_documented(oryx.compare(s.store, keys, day), day),
    )
    await reply(update, text)


async def export_command(update: Update, context: Context) -> None:
    """/export [CSV|JSON] [FROM] [TO]: the effective figures as a file."""
    s = context.services
    latest = s.store.latest_date()
    if latest is None:
        await reply(update, texts.NO_DATA)
        return
    fmt, first, last = parse_export(list(context.args or []), s.today, latest)

    async def built() -> Kept:
        made = await off_the_loop(s.store, lambda store: export(store, fmt, first, last))
        return Kept(made.data, made.file_name)

    # Heavy, and any range may be asked for: a turn of the charts' limit. Those asking for a
    # file being built wait for it and take no turn.
    language = texts.current_language()
    kept = await s.cached_awaited(("export", fmt, first, last, language), built, heavy=True)
    caption = render.export_caption(first, last)
    await send_file(update, kept, caption, photo=False)


async def send_file(update: Update, kept: Kept, caption: str, *, photo: bool) -> None:
    """Send a file made once for a crowd. It is uploaded once: the crowd waits for that one
    upload instead of each uploading it; then Telegram has the file, its bytes are let go,
    and everyone is sent it by its file id, at once."""
    message = update.effective_message
    assert message is not None  # commands come in messages
    if kept.file_id is None:
        async with kept.upload:
            if kept.file_id is None:
                assert kept.data is not None  # let go only once the file id is known
                upload = InputFile(kept.data, filename=kept.file_name)
                if photo:
                    sent = await message.reply_photo(upload, caption=caption)
                else:
                    sent = await message.reply_document(upload, caption=caption)
                if sent.photo:
                    kept.file_id = sent.photo[-1].file_id
                elif sent.document:
                    kept.file_id = sent.document.file_id
                if kept.file_id is not None:
                    kept.data = None
                return
    if photo:
        await message.reply_photo(kept.file_id, caption=caption)
    else:
        await message.reply_document(kept.file_id, caption=caption)


async def sources(update: Update, context: Context) -> None:
    """Each source by name and whether it answered; an admin in a private chat also gets its
    URL and error (credentials and query values removed), which others never see."""
    s = context.services
    states, lead = failover.now(s.store, s.config)
    last_fetches = [s.store.last_fetch(source.kind) for source in s.config.sources]
    chat = update.effective_chat
    private = chat is not None and chat.type == ChatType.PRIVATE
    await reply(
        update,
        render.sources(
            s.config.sources,
            states,
            lead,
            last_fetches,
            s.store.date_range(),
            oryx.counts_for(s.store).last_date(),
            now_local=s.clock.now().astimezone(s.config.schedule.zone),
            detailed=private and is_admin(update, context),
        ),
    )


async def unsubscribe(update: Update, context: Context) -> None:
    if not await may_change_subscription(update, context):
        await reply(update, texts.GROUP_ADMINS_ONLY)
        return
    ended = context.services.subscriptions.unsubscribe(update.effective_chat.id)  # type: ignore[union-attr]
    await reply(update, render.unsubscribed(ended) if ended else texts.NOT_SUBSCRIBED)


async def may_change_subscription(update: Update, context: Context) -> bool:
    """Whether whoever sent this update may change the chat's subscription or language.

    Anyone in a private chat. In a group, supergroup or channel only that chat's administrators,
    asked of Telegram (getChatMember, kept for GROUP_ADMIN_FOR). A post made as the chat itself
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
    s = context.services
    key, now = (chat.id, user.id), s.clock.now()
    if (known := s.group_admins.get(key)) and known[1] > now:
        return known[0]
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as error:  # fail closed, in one line
        log.warning(
            "group admin check failed chat=%d user=%d error=%r", chat.id, user.id, str(error)
        )
        return False
    allowed = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
    if len(s.group_admins) >= GROUP_ADMINS_KEPT:
        s.group_admins.clear()
    s.group_admins[key] = (allowed, now + GROUP_ADMIN_FOR)
    return allowed


# Buttons and anything else -------------------------------------------------------------------


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
    s = context.services
    found = _button_data(query.data)
    view = _view(s, found[2]) if found else None
    if found is None or view is None or view.report.date != found[2]:
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    kind, key, day = found
    language = texts.current_language()

    def last_days() -> Series:
        return series(s.store, key, HISTORY_DAYS, until=day)

    message = query.message
    if message is None or message.chat.type != ChatType.PRIVATE:
        # Everyone reading a channel's post may tap: one pop-up per button and language.
        popup = s.cached(
            ("popup", day, kind, key, language),
            lambda: render.popup(view, key or None, last_days() if kind == "h" and key else None),
        )
        await query.answer(popup, show_alert=True)
        return
    if kind == "h" and key:
        text = s.cached(
            ("history of", key, day, language), lambda: render.history(last_days(), view.report)
        )
    else:  # as /latest or /on would show it
        latest = day == s.store.latest_date()
        text = _bulletin_text(s, view, [key] if key else [], None if latest else day)
        text = render.with_age(text, s.age_note() if latest else None)
    await query.answer()
    try:
        await query.edit_message_text(
            text,
            reply_markup=bulletin_keyboard(day, key or None, history=kind == "h"),
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


INLINE_RESULTS = 10


async def inline(update: Update, context: Context) -> None:
    """'@bot tanks' in any chat: the latest figure as a ready message; nothing typed: all of it.
    Answers are kept per language, words and state of the data: a crowd typing costs one."""
    query = update.inline_query
    if query is None:
        return
    s = context.services
    note = s.age_note()
    words = tuple(query.query.split()[:10])

    def answer() -> list[InlineQueryResultArticle] | None:
        view = _view(s)
        return None if view is None else _inline_results(s, view, list(words), note)

    results = s.cached(("inline", texts.current_language(), note, words), answer)
    if results is None:
        return
    # Personal: the answer is in the asker's language, so Telegram must not share it.
    await query.answer(results, cache_time=300, is_personal=True)


def _inline_results(
    s: Services, view: Bulletin, words: list[str], note: str | None
) -> list[InlineQueryResultArticle]:
    """The articles offered for `words`: the whole bulletin first when nothing is typed, then
    each category named (or suggested for a misspelt word)."""
    keys, unknown = categories.resolve(words)
    keys += [key for item in unknown for key in item.suggestions]
    present = {c.category: c for c in view.changes}
    results = []
    if not words:
        results.append(
            InlineQueryResultArticle(
                "all",
                render.inline_all_title(view),  # titles are plain text
                InputTextMessageContent(
                    render.with_age(_rendered(s, view), note),
                ),
                description=texts.INLINE_ALL_DESCRIPTION,
            )
        )
        keys = list(BUTTONS)
    for key in list(dict.fromkeys(k for k in keys if k in present))[:INLINE_RESULTS]:
        results.append(
            InlineQueryResultArticle(
                key,
                render.inline_title(present[key]),
                InputTextMessageContent(
                    render.with_age(_rendered(s, view, [key]), note),
                ),
                description=render.inline_description(view),
            )
        )
    if not results:  # nothing matched: say so, and offer the whole bulletin
        results.append(
            InlineQueryResultArticle(
                "none",
                texts.INLINE_NO_SUCH.format(word=texts.shown(" ".join(words))),
                InputTextMessageContent(
                    render.with_age(_rendered(s, view), note),
                ),
                description=texts.INLINE_ALL_DESCRIPTION,
            )
        )
    return results


async def unknown_command(update: Update, context: Context) -> None:
    await reply(update, texts.UNKNOWN_COMMAND)


async def on_error(update: object, context: Context) -> None:
    """Log what went wrong (never the token), tell the person, and keep going."""
    chat = update.effective_chat if isinstance(update, Update) else None
    if update is None and isinstance(context.error, NetworkError):
        # Fetching updates failed: Telegram or the network is down. python-telegram-bot
        # retries with backoff; one line each time, not a traceback.
        log.warning("telegram unreachable while fetching updates error=%r", str(context.error))
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
