"""The Bot API stand-in through python-telegram-bot's real `Bot`: answered in this process (as
the console runs it) and over loopback HTTP (as the tests and benchmarks run it), it answers
the same, and refuses what Telegram refuses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any, TypeVar

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Defaults, ExtBot

from bot.telegram.stand_in import BASE_URL, BotApiStandIn, InProcessRequest
from tests.fake_bot_api import LocalBotApi

T = TypeVar("T")
Talk = Callable[[Bot, BotApiStandIn], Awaitable[T]]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # bytes of every value, as a picture has
# The application's defaults: every text is Telegram HTML.
DEFAULTS = Defaults(parse_mode=ParseMode.HTML)


async def in_process(talk: Talk[T]) -> T:
    """`talk` to a stand-in in this process, as the console does."""
    api = BotApiStandIn()
    request = InProcessRequest(api)
    try:
        bot = ExtBot(
            "1:test",
            base_url=BASE_URL,
            request=request,
            get_updates_request=request,
            defaults=DEFAULTS,
        )
        async with bot:
            return await talk(bot, api)
    finally:
        api.close()


async def over_loopback(talk: Talk[T]) -> T:
    """`talk` to a stand-in on a loopback port, through python-telegram-bot's HTTP client."""
    api = LocalBotApi()
    with api.serve() as server:
        async with ExtBot("1:test", base_url=server.base_url, defaults=DEFAULTS) as bot:
            return await talk(bot, api)


def undated(value: Any) -> Any:
    """`value` without its "date" keys, at any depth: the clock's second is no difference."""
    if isinstance(value, dict):
        return {key: undated(item) for key, item in value.items() if key != "date"}
    if isinstance(value, list | tuple):
        return [undated(item) for item in value]
    return value


async def outcome(call: Awaitable[Any]) -> object:
    """What the bot gets back from a call: the result, or the error."""
    try:
        result = await call
    except TelegramError as error:
        return (type(error).__name__, error.message)
    return undated(result.to_dict()) if hasattr(result, "to_dict") else result


async def conversation(bot: Bot, api: BotApiStandIn) -> list[Any]:
    """Calls of each kind the bot makes, people's updates, and what the stand-in kept."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Tanks", callback_data="h:tanks")]])
    seen = [
        await outcome(
            bot.send_message(5, "<b>Tanks</b>: 12,251 &amp; more", reply_markup=keyboard)
        ),
        await outcome(bot.send_photo(5, PNG, caption="<i>Tanks</i>, 30 days")),
        await outcome(bot.send_document(5, b"date,tanks\n", filename="tanks.csv", caption="CSV")),
        await outcome(bot.send_photo(6, "photo3", caption="Again, by its file id")),
        await outcome(bot.edit_message_text("Edited", chat_id=5, message_id=2)),
        await outcome(bot.send_message(5, "<b>unclosed")),
        await outcome(bot.set_my_commands([("latest", "The latest bulletin")], language_code="uk")),
    ]
    api.send_text("/latest tanks", chat_id=7)
    updates = await bot.get_updates(timeout=5)
    api.press(api.sent[0], "h:tanks")
    updates += await bot.get_updates(offset=updates[-1].update_id + 1, timeout=5)
    query = updates[-1].callback_query
    assert query is not None
    seen.append(await outcome(bot.answer_callback_query(query.id, "Done")))
    seen += [undated(update.to_dict()) for update in updates]
    seen += [{k: v for k, v in asdict(m).items() if k != "at"} for m in api.sent]
    seen.append(api.answered_callbacks)
    return seen


async def test_the_stand_in_answers_the_same_in_process_as_over_http():
    """The console's calls, answered in its own process, are encoded and answered as the
    tests' over HTTP: the same results and errors, the same updates, the same messages kept,
    files byte for byte."""
    over_http = await over_loopback(conversation)
    assert await in_process(conversation) == over_http
    kept = [item for item in over_http if isinstance(item, dict) and item.get("attachment")]
    photo, document, again = kept
    assert photo["attachment"] == PNG and again["attachment"] == PNG
    assert (document["attachment"], document["file_name"]) == (b"date,tanks\n", "tanks.csv")
    assert (
        "BadRequest",
        "Can't parse entities: can't find end tag corresponding to start tag \"b\"",
    ) in over_http


async def send(text: str, *, photo: bool = False) -> object:
    """What sending `text` (as a picture's caption if `photo`) gets back, in-process."""

    async def talk(bot: Bot, api: BotApiStandIn) -> object:
        if photo:
            return await outcome(bot.send_photo(5, PNG, caption=text))
        return await outcome(bot.send_message(5, text))

    return await in_process(talk)


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>bold</i>", 'Unmatched end tag at byte offset 7, expected "</b>", found "</i>"'),
        ("plain</b>", "Unexpected end tag at byte offset 5"),
        ("<br>line", 'Unsupported start tag "br" at byte offset 0'),
        ("Танки < 5", 'Unsupported start tag "" at byte offset 11'),
        ('<a href="https://x.org', "Unclosed start tag at byte offset 0"),
    ],
)
async def test_html_telegram_cannot_parse_is_refused_as_telegram_refuses_it(text, refusal):
    assert await send(text) == ("BadRequest", f"Can't parse entities: {refusal}".capitalize())


async def sent(text: str, *, photo: bool = False) -> bool:
    """Whether sending `text` (as a caption if `photo`) was taken."""
    return isinstance(await send(text, photo=photo), dict)


async def test_text_and_captions_are_refused_over_telegrams_limits_of_what_a_person_sees():
    # Counted after the markup is parsed, in UTF-16 code units (an emoji is two).
    assert await sent("<b>" + "x" * 4096 + "</b>")
    assert await send("x" * 4097) == ("BadRequest", "Message is too long")
    assert await sent("😀" * 2048)
    assert await send("😀" * 2049) == ("BadRequest", "Message is too long")
    assert await send(" <b> </b> ") == ("BadRequest", "Message text is empty")
    assert await sent("&lt;" * 1024, photo=True)
    assert await send("x" * 1025, photo=True) == ("BadRequest", "Message caption is too long")
    # What Telegram takes: its four named entities and numeric ones; an '&' that starts none.
    assert await sent("&lt;b&gt; &amp; &quot; &#128512; &#x1F600; AT&T &nbsp; 3 > 2")
