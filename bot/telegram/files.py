"""The commands that answer with a file made once for a crowd: /chart (a picture) and
/export (CSV or JSON)."""

from __future__ import annotations

from functools import partial

from telegram import InputFile, Message, Update
from telegram.constants import ChatAction

from bot import oryx, render, texts
from bot.admin import PREFIX, TELEGRAM
from bot.charts import DEFAULT_PERIOD, MOST_CATEGORIES, data_series, looks_like_period, parse_period
from bot.errors import UserError
from bot.export import export
from bot.export import parse_arguments as parse_export
from bot.telegram.reading import named_categories
from bot.telegram.replies import reply
from bot.telegram.services import Context, off_the_loop
from bot.telegram.uploads import send_upload
from bot.uploads import Upload

# In /chart: draw Oryx's photo-confirmed count beside the claim.
COMPARE_WORDS = {"compare", "oryx", "порівняти", "порівняння"}


async def chart(update: Update, context: Context) -> None:
    """/chart CATEGORY... [PERIOD]: drawn in a worker thread, cached until the data changes."""
    services = context.services
    words = list(context.args or [])
    latest = services.store.reports.latest_date()
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
    keys = named_categories(context, words, "chart")
    if not keys:
        raise UserError(texts.USAGE_CHART)
    if documented and len(keys) > 1:
        raise UserError(texts.CHART_COMPARE_ONE)
    if len(keys) > MOST_CATEGORIES:
        most = MOST_CATEGORIES
        raise UserError(texts.ngettext("TOO_MANY_CATEGORIES", most).format(most=most))
    undrawn = None
    if documented:
        counts = oryx.counts_for(services.store)
        undrawn = render.undrawn_beside(keys[0], period.start, period.end, counts)
    beside = documented and not undrawn

    async def drawn() -> Upload:
        chat = update.effective_chat
        if not services.charts.limiter.full:  # not for a drawing about to be refused
            await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)  # type: ignore[union-attr]
        # The drawing waits for its turn (limits.Busy) in the chart cache, whose Upload a
        # delivery of the same chart shares: its file id, once either has sent it.
        store = services.store
        return await services.charts.chart(store, keys, period, documented=beside)

    language = texts.current_language()
    kept = await services.cached_awaited(("chart", tuple(keys), period, beside, language), drawn)

    def captioned() -> str:
        report = services.store.reports.on(latest)
        data = data_series(services.store, keys, period)
        return render.chart_caption(data, period.label(), report)

    caption = services.cached(("chart caption", tuple(keys), period, language), captioned)
    caption = render.with_age(caption + (f"\n{undrawn}" if undrawn else ""), services.age_note())
    await send_file(update, kept, caption, photo=True)


async def export_command(update: Update, context: Context) -> None:
    """/export [CSV|JSON] [FROM] [TO]: the effective figures as a file."""
    services = context.services
    latest = services.store.reports.latest_date()
    if latest is None:
        await reply(update, texts.NO_DATA)
        return
    fmt, first, last = parse_export(
        list(context.args or []), services.today, latest, prefix=PREFIX[TELEGRAM]
    )

    async def built() -> Upload:
        # Cut from the whole history's, kept in the drawing process for every later export.
        work = partial(export, fmt=fmt, first=first, last=last, keep_whole=True)
        made = await off_the_loop(services, work)
        return Upload(made.data, made.file_name, keep=False)

    # Heavy, and any range may be asked for: a turn of the charts' limit. Those asking for a
    # file being built wait for it and take no turn.
    language = texts.current_language()
    kept = await services.cached_awaited(("export", fmt, first, last, language), built, heavy=True)
    caption = render.export_caption(first, last)
    await send_file(update, kept, caption, photo=False)


async def send_file(update: Update, upload: Upload, caption: str, *, photo: bool) -> None:
    """Send a file made once for a crowd: uploaded by the first of them, the others waiting
    for the file id that upload brings, then sent by it, at once (bot/telegram/uploads.py)."""
    message = update.effective_message
    assert message is not None  # commands come in messages

    async def send(file: str | bytes) -> Message:
        sent = InputFile(file, filename=upload.file_name) if isinstance(file, bytes) else file
        if photo:
            return await message.reply_photo(sent, caption=caption)
        return await message.reply_document(sent, caption=caption)

    await send_upload(upload, send)
