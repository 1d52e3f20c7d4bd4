"""Inline queries ('@bot tanks' in any chat): the latest figures as ready messages."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update

from bot import categories, render, texts
from bot.figures import Bulletin
from bot.telegram.keyboards import BUTTONS
from bot.telegram.reading import rendered_bulletin, view_of
from bot.telegram.services import Context, Services

INLINE_RESULTS = 10


async def inline(update: Update, context: Context) -> None:
    """'@bot tanks' in any chat: the latest figure as a ready message; nothing typed: all of it.
    Answers are kept per language, categories named and state of the data: a crowd typing
    costs one."""
    query = update.inline_query
    if query is None:
        return
    services = context.services
    note = services.age_note()
    words = tuple(query.query.split()[:10])
    view = view_of(services)
    if view is None:
        return
    # What is offered depends on the categories the words name, not on the words themselves
    # (a crowd types "tanks", "Tanks", "tanks pls"...): kept per what they resolve to. Only an
    # answer naming nothing there quotes the words typed.
    present = {c.category for c in view.changes}
    keys = tuple(k for k in _offered(words) if k in present)[:INLINE_RESULTS]
    said = () if keys else words
    language = texts.current_language()
    results = services.cached(
        ("inline", language, note, not words, keys, said),
        lambda: _inline_results(services, view, keys, said, note, everything=not words),
    )
    # Personal: the answer is in the asker's language, so Telegram must not share it.
    await query.answer(results, cache_time=300, is_personal=True)


def _offered(words: tuple[str, ...]) -> tuple[str, ...]:
    """The categories `words` name (or suggest, for a misspelt word), in order; all of them
    when nothing is typed."""
    if not words:
        return tuple(BUTTONS)
    keys, unknown = categories.resolve(words)
    keys += [key for item in unknown for key in item.suggestions]
    return tuple(dict.fromkeys(keys))


def _inline_results(
    services: Services,
    view: Bulletin,
    keys: tuple[str, ...],
    words: tuple[str, ...],
    note: str | None,
    *,
    everything: bool,
) -> list[InlineQueryResultArticle]:
    """The articles offered: the whole bulletin first when nothing was typed (`everything`),
    then each of `keys` (categories the bulletin has); when there are none, the whole bulletin
    under a title quoting what was typed (`words`)."""
    present = {c.category: c for c in view.changes}
    results = []
    if everything:
        results.append(
            InlineQueryResultArticle(
                "all",
                render.inline_all_title(view),  # titles are plain text
                InputTextMessageContent(
                    render.with_age(rendered_bulletin(services, view), note),
                ),
                description=texts.INLINE_ALL_DESCRIPTION,
            )
        )
    for key in keys:
        results.append(
            InlineQueryResultArticle(
                key,
                render.inline_title(present[key]),
                InputTextMessageContent(
                    render.with_age(rendered_bulletin(services, view, [key]), note),
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
                    render.with_age(rendered_bulletin(services, view), note),
                ),
                description=texts.INLINE_ALL_DESCRIPTION,
            )
        )
    return results
