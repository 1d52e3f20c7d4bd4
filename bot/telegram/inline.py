"""Inline queries ('@bot tanks' in any chat): the latest figures as ready messages."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.ext import Defaults

from bot import categories, render, texts
from bot.figures import Bulletin
from bot.telegram.keyboards import BUTTONS
from bot.telegram.reading import rendered_bulletin, view_of
from bot.telegram.services import Context, Services

INLINE_RESULTS = 10
# Queries whose categories are kept (`_offered`): a few words each.
OFFERS_KEPT = 4096


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
    defaults = context.bot.defaults
    results = services.cached(
        ("inline", language, note, not words, keys, said),
        lambda: json.dumps(
            [
                result.to_dict()
                for result in _inline_results(
                    services, view, keys, said, note, defaults, everything=not words
                )
            ]
        ),
    )
    # Personal: the answer is in the asker's language, so Telegram must not share it. The
    # results go as the JSON made once (`api_kwargs` is sent as it is, and stands in for the
    # empty list): python-telegram-bot would copy each article to fill in the defaults and turn
    # it into a dict and JSON again for every person of a crowd typing the same.
    await query.answer([], cache_time=300, is_personal=True, api_kwargs={"results": results})


@functools.lru_cache(maxsize=OFFERS_KEPT)
def _offered(words: tuple[str, ...]) -> tuple[str, ...]:
    """The categories `words` name (or suggest, for a misspelt word), in order; all of them
    when nothing is typed. Kept for the words typed last: Telegram asks again at each letter
    typed, and a crowd types the same few names ("ta", "tan", "tank"...), each a fuzzy match
    over every category's names (a quarter of a millisecond) when it names none."""
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
    defaults: Defaults | None,
    *,
    everything: bool,
) -> list[InlineQueryResultArticle]:
    """The articles offered: the whole bulletin first when nothing was typed (`everything`),
    then each of `keys` (categories the bulletin has); when there are none, the whole bulletin
    under a title quoting what was typed (`words`). Each message's parse mode and link preview
    are the bot's `defaults` (bot/telegram/app.py), spelt out: the answer is sent as JSON made
    here, which python-telegram-bot does not fill in."""
    present = {c.category: c for c in view.changes}

    def message(keys: Sequence[str] = ()) -> InputTextMessageContent:
        return InputTextMessageContent(
            render.with_age(rendered_bulletin(services, view, keys), note),
            parse_mode=defaults.parse_mode if defaults else None,
            link_preview_options=defaults.link_preview_options if defaults else None,
        )

    results = []
    if everything:
        results.append(
            InlineQueryResultArticle(
                "all",
                render.inline_all_title(view),  # titles are plain text
                message(),
                description=texts.INLINE_ALL_DESCRIPTION,
            )
        )
    for key in keys:
        results.append(
            InlineQueryResultArticle(
                key,
                render.inline_title(present[key]),
                message([key]),
                description=render.inline_description(view),
            )
        )
    if not results:  # nothing matched: say so, and offer the whole bulletin
        results.append(
            InlineQueryResultArticle(
                "none",
                texts.INLINE_NO_SUCH.format(word=texts.shown(" ".join(words))),
                message(),
                description=texts.INLINE_ALL_DESCRIPTION,
            )
        )
    return results
