"""Issue 29, round two, point 7: replies sent without reading Telegram's answer (14597af,
bot/telegram/wire.py `send_text` in place of `Message.reply_text`), tried as readers, admins,
groups, forum topics, channels and a bad day at Telegram would.

Side by side with the code before (09696eb), every sendMessage of /start (and its deep links),
/help, /latest, refusals, unknown commands, /language, welcome buttons and a throttled flood, in
a private chat, a group, a forum topic, a supergroup's General topic and a channel, carried the
same parameters; only `reply_parameters.quote_parse_mode`, which Telegram reads only beside a
`quote` text, is no longer sent. Telegram's refusals of a reply (403, 429, 502, a reset
connection, a quoted message gone) were logged the same way, and the bot kept answering.

The tests guard what the change had to keep, and two gaps found that were already there
before it, since mended: a command deleted before its answer lost the answer and the apology,
and a 429 on a reply was answered at once with an apology Telegram would refuse too.
"""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest

from bot import links, render, texts
from bot.telegram import replies
from tests.bot_harness import ADMIN, USER, BulletinBot, write_config
from tests.fake_bot_api import LocalBotApi

FORUM = -1002900
TOPIC = 42


async def replies_to(bot, text: str, *, chat_id: int, count: int = 1, **options) -> list:
    """Everything the bot sends in `chat_id` in answer to `text`, once `count` have come."""
    before = len(bot.api.messages_to(chat_id))
    bot.api.send_text(text, chat_id=chat_id, **options)
    await asyncio.to_thread(
        bot.api.wait_for, lambda: len(bot.api.messages_to(chat_id)) >= before + count, 60
    )
    await bot.settled()
    return bot.api.messages_to(chat_id)[before:]


async def test_a_reply_cut_in_pieces_in_a_forum_topic_puts_every_piece_there_quoting_the_command(
    bot, monkeypatch
):
    """`reply` now sets the topic and the quote itself, once for all pieces: each piece in the
    topic, each quoting the command (as `reply_text` did for each), in HTML, and the welcome's
    buttons under the last piece only. Telegram's limit is made small so the welcome is cut."""
    monkeypatch.setattr(replies, "MessageLimit", SimpleNamespace(MAX_TEXT_LENGTH=200))
    options = {"chat_type": "supergroup", "user_id": 5, "topic": TOPIC}
    pieces = await replies_to(bot, "/start", chat_id=FORUM, count=2, **options)
    command_id = pieces[0].message_id - 1  # the stand-in numbers the command, then the replies
    assert len(pieces) >= 2
    assert [p.thread_id for p in pieces] == [TOPIC] * len(pieces)
    assert [p.quoting for p in pieces] == [command_id] * len(pieces)
    assert {p.parse_mode for p in pieces} == {"HTML"}
    assert [bool(p.buttons) for p in pieces] == [False] * (len(pieces) - 1) + [True]
    whole = "\n".join(render.to_plain(p.text) for p in pieces)
    assert "not independently verified" in whole and whole.startswith("I send the daily figures")


@pytest.mark.parametrize(
    ("chat_type", "topic", "quoted"),
    [("private", None, False), ("group", None, True), ("channel", None, True)],
)
async def test_a_deep_link_welcome_goes_to_the_chat_it_came_from_quoting_it_outside_private(
    bot, chat_type, topic, quoted
):
    chat_id = USER if chat_type == "private" else -4700
    (about,) = await replies_to(bot, "/start about", chat_id=chat_id, chat_type=chat_type)
    assert render.to_plain(about.text).startswith("What the figures mean")
    assert about.thread_id is None and about.parse_mode == "HTML"
    assert (about.quoting == about.message_id - 1) if quoted else about.quoting is None


async def test_the_caveat_made_once_per_language_follows_each_chat_and_the_bots_name(
    bot, monkeypatch
):
    """The caveat is cached per (language, about link): a Ukrainian chat and an English one
    asking in turn each get their own, and a link only once the bot knows its username."""
    (english,) = await replies_to(bot, "/start", chat_id=3001)
    (ukrainian,) = await replies_to(bot, "/start", chat_id=3002, language_code="uk")
    (english_again,) = await replies_to(bot, "/latest tanks", chat_id=3001)
    link = '<a href="https://t.me/bulletin_bot?start=about">/about</a>'
    assert "not independently verified. More: " + link in english.text
    assert "незалежно їх перевірити неможливо. Докладніше: " + link in ukrainian.text
    assert "not independently verified. More: " + link in english_again.text
    monkeypatch.setattr(links, "bot_username", None)  # before start-up has asked Telegram
    (unnamed,) = await replies_to(bot, "/start", chat_id=3003, language_code="uk")
    assert "Докладніше: /about" in unnamed.text and "t.me" not in unnamed.text


@pytest.mark.parametrize(
    ("fault", "apology_sent"),
    [
        ({"blocked": True}, False),
        ({"resets": 2}, False),
        ({"server_errors": 1}, True),
    ],
)
async def test_telegram_refusing_a_reply_is_logged_as_before_and_the_bot_keeps_answering(
    bot, caplog, fault, apology_sent
):
    """The same log lines as with `reply_text` (measured side by side with 09696eb): the
    handler's failure with the error's type, the apology's if that failed too; then the next
    command is answered."""
    caplog.set_level(logging.INFO)
    chat = 3100
    faults = bot.api.faults
    if fault.pop("blocked", False):
        faults.blocked.add(chat)
    for name, value in fault.items():
        setattr(faults, name, value)
    bot.api.send_text("/latest tanks", chat_id=chat, chat_type="private")
    await asyncio.to_thread(bot.api.wait_for, lambda: "handler failed" in caplog.text, 60)
    await bot.settled()
    sent = [render.to_plain(m.text) for m in bot.api.messages_to(chat)]
    assert sent == ([texts.INTERNAL_ERROR] if apology_sent else [])
    failed = [r for r in caplog.records if r.getMessage().startswith("handler failed")]
    assert len(failed) == 1 and failed[0].levelno == logging.ERROR and failed[0].exc_info
    assert ("could not send the error reply" in caplog.text) is not apology_sent
    faults.blocked.clear()
    (welcome,) = await replies_to(bot, "/start", chat_id=chat)
    assert welcome.text.startswith("I send the daily figures")


async def test_a_command_deleted_before_its_answer_still_gets_the_answer_unquoted(bot):
    """A group's clean-up bot deletes commands as they come: the answer quoting one was
    refused ("message to be replied not found"), and so was the apology quoting it too."""
    chat = -4800
    bot.api.faults.deleted_messages.add(bot.api._next_message_id + 1)  # the command, about to be
    bot.api.send_text("/latest tanks", chat_id=chat, chat_type="group", user_id=7)
    await asyncio.to_thread(bot.api.wait_for, lambda: bot.api.messages_to(chat), 10)
    await bot.settled()
    (answer,) = bot.api.messages_to(chat)
    assert "Tanks" in render.to_plain(answer.text) and answer.quoting is None


async def test_a_reply_telegram_asks_to_wait_for_is_sent_after_the_wait_not_an_apology(bot):
    bot.api.faults.rate_limited, bot.api.faults.retry_after = 1, 1
    bot.api.send_text("/latest tanks", chat_id=3200)
    await asyncio.to_thread(bot.api.wait_for, lambda: bot.api.messages_to(3200), 10)
    await bot.settled()
    (answer,) = [render.to_plain(m.text) for m in bot.api.messages_to(3200)]
    assert "Tanks" in answer


async def test_a_reply_telegram_asks_to_wait_too_long_for_is_logged_not_apologised_for(bot, caplog):
    """Past replies.WAITS_AT_MOST (the chat's flood limit, a group's 20 a minute): one warning
    line, no traceback, nothing sent that Telegram would refuse as well; the next is answered."""
    caplog.set_level(logging.INFO)
    faults = bot.api.faults
    faults.rate_limited, faults.retry_after = 1, 30
    bot.api.send_text("/latest tanks", chat_id=3300)
    await asyncio.to_thread(bot.api.wait_for, lambda: "Telegram asks to wait" in caplog.text, 10)
    await bot.settled()
    assert bot.api.messages_to(3300) == []
    (warning,) = [r for r in caplog.records if "Telegram asks to wait" in r.getMessage()]
    assert warning.levelno == logging.WARNING and not warning.exc_info
    assert "seconds=30" in warning.getMessage() and "handler failed" not in caplog.text
    (welcome,) = await replies_to(bot, "/start", chat_id=3300)
    assert welcome.text.startswith("I send the daily figures")


def test_run_answers_in_a_forum_topic_quoting_and_in_private_as_before(tmp_path, fake_api):
    """`bulletin-bot run` as a process (its own request class, the real clock): a /start in a
    forum topic goes to the topic quoting the command, with the about link the bot learnt at
    start-up; a /latest in private neither quotes nor names a topic."""
    api = LocalBotApi()
    with api.serve() as server:
        config = write_config(
            tmp_path,
            f'[telegram]\napi_base_url = "{server.base_url}"\nadmins = [{ADMIN}]\n'
            f'[storage]\ndatabase = "{tmp_path / "bulletin.db"}"\n'
            f'[source]\nurl = "{fake_api.url}"\n',
        )
        with BulletinBot(tmp_path, "run", config=config):
            assert api.wait_for(lambda: api.commands_set >= 2, timeout=60), "no start-up"
            command_id = api._next_message_id + 1  # the stand-in numbers the command so
            api.send_text("/start", chat_id=FORUM, chat_type="supergroup", topic=TOPIC)
            api.send_text("/latest tanks", chat_id=USER)
            assert api.wait_for(lambda: api.messages_to(FORUM) and api.messages_to(USER), 60)
            (welcome,) = api.messages_to(FORUM)
            (latest,) = api.messages_to(USER)
    assert welcome.thread_id == TOPIC and welcome.quoting == command_id
    assert welcome.parse_mode == "HTML" and welcome.buttons
    assert '<a href="https://t.me/bulletin_bot?start=about">/about</a>' in welcome.text
    assert latest.thread_id is None and latest.quoting is None
    assert latest.parse_mode == "HTML" and "Tanks" in latest.text
