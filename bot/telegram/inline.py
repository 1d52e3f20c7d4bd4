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
    Answers are kept per language, words and state of the data: a crowd typing costs one."""
    query = update.inline_query
    if query is None:
        return
    s = context.services
    note = s.age_note()
    words = tuple(query.query.split()[:10])

    def answer() -> list[InlineQueryResultArticle] | None:
        view = view_of(s)
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
                    render.with_age(rendered_bulletin(s, view), note),
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
                    render.with_age(rendered_bulletin(s, view, [key]), note),
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
                    render.with_age(rendered_bulletin(s, view), note),
                ),
                description=texts.INLINE_ALL_DESCRIPTION,
            )
        )
    return results
