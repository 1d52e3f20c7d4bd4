"""Every command end to end, with good and bad arguments: the text a person gets back."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from telegram import InlineQueryResultArticle

from bot import render, texts
from bot.oryx import bundled
from bot.store import Store
from bot.store.database import examine
from bot.subscriptions import enqueue_bulletin
from bot.telegram import menus
from bot.telegram.jobs import poll_now
from tests.bot_harness import ADMIN, USER
from tests.conftest import NOW

GROUP = -100500
CROWD_CATEGORIES = ("", "tanks", "artillery", "uav", "personnel")
CAVEAT = "not independently verified"


def plain(message) -> str:
    return render.to_plain(message.text)


async def test_start_says_what_the_bot_does_and_the_caveat(bot):
    reply = await bot.ask("/start")
    assert reply.parse_mode == "HTML"
    assert "General Staff" in reply.text and CAVEAT in reply.text
    assert len(plain(reply).splitlines()) <= 5
    labels = [label for label, _ in reply.buttons]
    assert labels == ["Latest bulletin", "Subscribe", "Українська"]
    # The caveat's /about is a link, which works where commands do not; it opens /about.
    assert '<a href="https://t.me/bulletin_bot?start=about">/about</a>' in reply.text
    about = plain(await bot.ask("/start about"))
    assert about.startswith("What the figures mean")


async def test_a_reply_goes_where_the_command_was_and_quotes_it_outside_a_private_chat(bot):
    """As python-telegram-bot's `reply_text` would send it: replies skip reading Telegram's
    answer (bot/telegram/wire.py) and must not lose where and how they are sent."""
    private = await bot.ask("/latest tanks")
    assert private.quoting is None and private.thread_id is None
    assert "Tanks: 12,247 (+1)" in private.text and private.parse_mode == "HTML"
    in_topic = await bot.ask("/latest tanks", chat_id=GROUP, chat_type="supergroup", topic=77)
    assert in_topic.thread_id == 77
    assert in_topic.quoting == in_topic.message_id - 1  # the command, the message before it
    assert "Tanks: 12,247 (+1)" in in_topic.text and in_topic.parse_mode == "HTML"
    # The buttons go under it as before.
    assert ("Tanks", "c:tanks:2026-08-07") in in_topic.buttons


async def test_the_welcome_buttons_show_the_latest_subscribe_and_switch_language(bot):
    welcome = await bot.ask("/start")
    latest = await bot.press(welcome, "start:latest")
    assert "Tanks: 12,247 (+1)" in latest.text and ("Tanks", "c:tanks:2026-08-07") in latest.buttons
    subscribed = await bot.press(welcome, "start:subscribe")
    assert subscribed.text.startswith("Subscribed.")
    assert ("Short", "s:format:short") in subscribed.buttons  # the settings, a tap away
    ukrainian = await bot.press(welcome, "start:language:uk")
    assert ukrainian.text.startswith("Я щодня надсилаю дані Генштабу ЗСУ")
    assert [label for label, _ in ukrainian.buttons][-1] == "English"
    assert bot.services.store.subscribers.chat_language(USER) == "uk"


async def test_help_lists_every_command_with_an_example_in_short_groups(bot):
    reply = await bot.ask("/help")
    for command in menus.COMMANDS:
        assert command == "help" or f"/{command}" in reply.text
    assert "/chart tanks 90d" in reply.text
    text = plain(reply)
    assert len(text) < 1_000  # was 1,500, one line of brackets 267 characters long
    assert all(len(line) <= 80 for line in text.splitlines() if not line.startswith("Categ"))
    assert text.count("\n\n") >= 4  # grouped


async def test_each_kind_of_chat_and_person_has_its_own_menu_in_both_languages(bot):
    def menu(scope: str, language: str) -> list[str]:
        return [c["command"] for c in bot.api.commands[(scope, language)]]

    admin_only = {"correct", "approve", "held", "stats"}
    for language in ("", "uk"):
        private = menu("all_private_chats", language)
        assert private == menu("default", language)
        assert len(private) <= 10 and private[:2] == ["latest", "chart"]  # everyday first
        assert {"subscribe", "settings", "help"} <= set(private)
        # Members of a group see what they may use; its admins also see its settings.
        assert "latest" in menu("all_group_chats", language)
        assert not {"subscribe", "settings"} & set(menu("all_group_chats", language))
        assert {"subscribe", "settings"} <= set(menu("all_chat_administrators", language))
        assert len(menu("all_chat_administrators", language)) <= 10
        # The bot's admins, in their private chat, and no one else see the admin commands.
        assert admin_only <= set(menu(f"chat:{ADMIN}", language))
        others = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")
        assert not any(admin_only & set(menu(scope, language)) for scope in others)
    ukrainian = {
        c["command"]: c["description"] for c in bot.api.commands[("all_group_chats", "uk")]
    }
    assert ukrainian["latest"] == "Останнє зведення або категорії"


async def test_what_the_bot_does_is_said_before_start_in_both_languages(bot):
    """The "What can this bot do?" screen and the profile line: empty before, now set."""
    descriptions = bot.api.descriptions
    for language in ("", "uk"):
        assert 0 < len(descriptions[("description", language)]) <= 512
        assert 0 < len(descriptions[("short_description", language)]) <= 120
    assert "General Staff" in descriptions[("description", "")]
    assert descriptions[("short_description", "uk")].startswith("Втрати Росії з 24.02.2022")


async def test_latest_is_the_whole_bulletin_with_link_caveat_and_buttons(bot):
    reply = await bot.ask("/latest")
    assert "7 August 2026 · day 1626" in reply.text  # the store holds history to 7 August
    assert "Tanks: 12,247 (+1)" in reply.text
    assert "Personnel: about 1,455,420" in reply.text
    # The history has no links: no line about one (/sources says where the source publishes).
    assert "Original post:" not in reply.text and CAVEAT in reply.text
    assert ("Tanks", "c:tanks:2026-08-07") in reply.buttons


async def test_latest_for_one_category_is_short(bot, fake_api):
    bot.clock.advance(timedelta(hours=5))  # 14:30 in Kyiv: nothing to say about the time
    lines = [line for line in plain(await bot.ask("/latest tanks")).splitlines() if line]
    assert lines == [
        "Russian losses since 24 Feb 2022 (claimed by Ukraine's General Staff)",
        "7 August 2026 · day 1626 of the full-scale invasion",
        "Tanks: 12,247 (+1)",
        texts.TAKEN_FROM_DATASET,  # the bundled history: no post to link to
        render.to_plain(render.caveat()),
        "🔎 Beside it, the losses documented with photos or video (a lower bound): /compare tanks",
    ]
    assert render.to_plain(render.caveat()).endswith("More: /about")
    compared = plain(await bot.ask("/compare tanks"))
    assert "Tanks" in compared and "a lower bound" in compared
    about = plain(await bot.ask("/about"))
    assert "killed and wounded together" in about and "cannot be independently verified" in about


@pytest.mark.parametrize("words", ["tanks", "танки", "TANK"])
async def test_latest_with_one_category(bot, words):
    reply = await bot.ask(f"/latest {words}")
    assert "Tanks: 12,247 (+1)" in reply.text
    assert "Personnel" not in reply.text
    assert ("History: tanks", "h:tanks:2026-08-07") in reply.buttons


async def test_latest_with_several_categories(bot):
    reply = await bot.ask("/latest tanks air defence bbm")
    lines = [line for line in plain(reply).splitlines() if ": " in line and "(" in line]
    assert [line.split(":")[0] for line in lines] == [
        "Tanks",
        "Air defence systems",
        "Armoured combat vehicles",
    ]


async def test_an_unknown_category_gets_suggestions_only(bot):
    reply = await bot.ask("/latest tankz")
    assert plain(reply) == ("Unknown category “tankz”. Did you mean: tanks?\nTry: /latest tanks")


async def test_what_people_type_is_escaped(bot):
    reply = await bot.ask("/latest <b>x</b> & co")
    assert "Unknown category “&lt;b&gt;x&lt;/b&gt;”" in reply.text
    assert "“&amp;”" in reply.text


async def test_commands_addressed_to_the_bot_in_a_group(bot):
    reply = await bot.ask(
        "/latest@bulletin_bot tanks", chat_id=-100, chat_type="supergroup", user_id=5
    )
    assert "Tanks: 12,247 (+1)" in reply.text


async def test_on_a_past_day(bot):
    reply = await bot.ask("/on 25.06.2022 tanks")
    assert "25 June 2022 · day 122" in reply.text
    assert "Tanks: 1,511 (+4)" in reply.text


async def test_on_yesterday(bot):
    reply = await bot.ask("/on yesterday")
    assert "7 August 2026" in reply.text


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ("", "Which day? For example: /on 2022-06-25"),
        ("2030-01-01", "1 January 2030 is in the future."),
        ("1999-01-01", "is before the bulletin began on 24 February 2022"),
        ("soon", "“soon” is not a date; write it as 2022-06-25, 25.06.2022, today or yesterday."),
        ("2022-06-25 tankz", "Unknown category “tankz”"),
        (
            "2026-08-08",
            "No accepted bulletin for 8 August 2026. The nearest earlier one is of 7 August 2026.",
        ),
    ],
)
async def test_on_with_bad_arguments(bot, arguments, expected):
    reply = await bot.ask(f"/on {arguments}")
    assert expected in plain(reply)


async def test_history_table_with_average_and_largest_day(bot):
    reply = await bot.ask("/history tanks 3")
    text = plain(reply)
    assert "Tanks, last 3 days" in text
    table = reply.text.split("<pre>")[1].split("</pre>")[0].splitlines()
    assert table[0] == "Date               Total     Change"
    assert "5 Aug             12,242         +5" in table
    assert "7 Aug             12,247         +1" in table
    assert len({len(row) for row in table}) == 1  # the columns line up
    assert "Average over 3 days: +3.3 a day" in text  # the days shown, not a "7-day" one
    assert "Largest day: +5 on 5 August 2026" in text
    assert "<pre>" in reply.text
    assert "not independently verified" in text


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ("", "Which category? For example: /history tanks"),
        ("tanks artillery", "/history shows one category at a time"),
        ("tanks 0", "“0” is not a number of days from 1 to 60."),
        ("tanks 100000000000", "not a number of days"),
        ("tankz 7", "Unknown category “tankz”"),
    ],
)
async def test_history_with_bad_arguments(bot, arguments, expected):
    reply = await bot.ask(f"/history {arguments}")
    assert expected in plain(reply)


async def test_sources_tells_where_and_how_far_to_trust(bot):
    reply = await bot.ask("/sources")
    text = plain(reply)
    assert "https://www.facebook.com/GeneralStaff.ua" in text
    assert "History: 25 February 2022 to 7 August 2026, 1,625 days stored." in text
    assert "1. the russianwarship.rip API\n   not checked yet; newest day: —" in text
    assert "http://127.0.0.1:" not in text  # the URL is for admins, in private
    admins = plain(await bot.ask("/sources", chat_id=ADMIN))
    assert "1. the russianwarship.rip API: http://127.0.0.1:" in admins
    assert "last check: none yet; newest day: —" in admins
    assert "The bulletin comes from the russianwarship.rip API." in text
    assert "Oryx" in text and "Russia has almost never published" in text


async def test_buttons_switch_category_and_open_history(bot):
    bulletin = await bot.ask("/latest")
    edited = await bot.press(bulletin, "c:tanks:2026-08-07")
    assert edited.method == "editMessageText"
    assert "Tanks: 12,247 (+1)" in edited.text and "Personnel" not in edited.text
    # As /latest tanks shows it, with its age ("today's bulletin is not out yet") and /compare.
    latest = await bot.ask("/latest tanks")
    assert edited.text == latest.text and "/compare tanks" in edited.text
    assert edited.text.startswith("Today's bulletin is not out yet")
    history = await bot.press(edited, "h:tanks:2026-08-07")
    assert "Tanks, last 7 days" in plain(history)
    # Used, the history button is gone; the others stay, of the same day.
    assert not [data for _, data in history.buttons if data.startswith("h:")]
    assert ("All", "c::2026-08-07") in history.buttons
    back = await bot.press(history, "c::2026-08-07")
    assert "Personnel" in back.text


async def test_a_button_under_an_old_bulletin_shows_that_day_not_the_newest(bot):
    bot.store.subscribers.subscribe(USER, "private", send_at=None, timezone="Europe/Kyiv", now=NOW)
    enqueue_bulletin(bot.store, date(2026, 8, 7), now=NOW)
    await bot.services.deliverer.run()  # the application's own, with its buttons
    (bulletin,) = bot.api.messages_to(USER)
    assert ("Tanks", "c:tanks:2026-08-07") in bulletin.buttons
    await poll_now(bot.services)  # 8 August is out: the message above is now an old one
    assert bot.store.reports.latest_date() == date(2026, 8, 8)
    old = await bot.press(bulletin, "c:tanks:2026-08-07")
    assert "7 August 2026" in old.text and "8 August" not in old.text
    assert old.text.endswith("/compare tanks 2026-08-07")  # of that day, and no age note
    history = await bot.press(old, "h:tanks:2026-08-07")
    assert "\n7 Aug " in history.text and "\n8 Aug " not in history.text


async def test_a_tap_in_a_group_answers_the_tapper_and_leaves_the_shared_post(bot):
    post = await bot.ask("/latest", chat_id=GROUP, chat_type="supergroup")
    # Only categories in a group: "all" and "history" would need room a pop-up does not have.
    assert [data for _, data in post.buttons] == [
        f"c:{key}:2026-08-07"
        for key in ("personnel", "tanks", "afv", "artillery", "uav", "air_defence")
    ]
    sent_before = len(bot.api.sent)
    answer = await bot.press_unedited(post, "c:tanks:2026-08-07")
    assert answer["show_alert"] is True
    assert answer["text"].startswith("Tanks, 7 August 2026: 12,247 (+1)")
    assert "not independently verified" in answer["text"]
    assert len(bot.api.sent) == sent_before  # no edit, no new message: the post is as it was
    assert "editMessageText" not in bot.api.calls


@pytest.mark.parametrize(
    "data",
    [
        "x:tanks",
        "c:nonsense:2026-08-07",
        "h:'; DROP TABLE reports; --",
        "",
        "c:tanks",
        "c:tanks:2026-02-30",
    ],
)
async def test_a_forged_or_stale_button_is_answered_politely(bot, data):
    bulletin = await bot.ask("/latest")
    assert (await bot.press_unedited(bulletin, data))["text"] == texts.BUTTON_EXPIRED


async def test_unknown_commands_and_chatter_in_private(bot):
    assert plain(await bot.ask("/frobnicate")) == texts.UNKNOWN_COMMAND
    assert plain(await bot.ask("hello there")) == texts.NOT_UNDERSTOOD


async def test_a_failing_handler_apologises_and_the_bot_keeps_going(bot, caplog):
    bot.store.db.execute("ALTER TABLE figures RENAME TO figures_gone")
    reply = await bot.ask("/latest")
    assert plain(reply) == texts.INTERNAL_ERROR
    assert "handler failed" in caplog.text
    bot.store.db.execute("ALTER TABLE figures_gone RENAME TO figures")
    assert "Tanks" in (await bot.ask("/latest")).text
    assert USER  # the same chat got both answers


async def inline_answer(bot, query: str) -> list[dict]:
    before = len(bot.api.inline_answers)
    bot.api.inline_query(query)
    await asyncio.to_thread(bot.api.wait_for, lambda: len(bot.api.inline_answers) > before)
    return bot.api.inline_answers[-1]["results"]


async def test_inline_mode_offers_the_figure_as_a_ready_message(bot):
    (result,) = await inline_answer(bot, "tanks")
    assert result["title"] == "Tanks: 12,247 (+1)"
    assert result["description"].startswith("Russian losses since 24 Feb 2022 as of 7 August")
    message = result["input_message_content"]
    assert message["parse_mode"] == "HTML"
    assert "Tanks: 12,247 (+1)" in message["message_text"]
    assert "not independently verified" in message["message_text"]
    # Shared into another chat, /about is a link to the bot: a command would do nothing there.
    assert '<a href="https://t.me/bulletin_bot?start=about">/about</a>' in message["message_text"]


async def test_inline_mode_with_nothing_typed_offers_the_whole_bulletin_first(bot):
    results = await inline_answer(bot, "")
    assert results[0]["title"] == "The whole bulletin of 7 August 2026"
    assert "Personnel: about 1,455,420" in results[0]["input_message_content"]["message_text"]
    assert [r["id"] for r in results[1:]] == [
        "personnel",
        "tanks",
        "afv",
        "artillery",
        "uav",
        "air_defence",
    ]


async def test_inline_mode_suggests_for_a_misspelt_category(bot):
    results = await inline_answer(bot, "tankz")
    assert results[0]["id"] == "tanks"
    assert [r["id"] for r in await inline_answer(bot, "xyzzy")] == ["none"]
    # What people type only picks categories; it never reaches the message.
    for result in await inline_answer(bot, "<script>"):
        assert "<script>" not in result["input_message_content"]["message_text"]


@pytest.mark.parametrize(
    "command, expected",
    [
        ("/export xml", "“xml” is not a format: write csv or json"),
        ("/export json 2026-08-08", "There are no figures after 7 August 2026 yet"),
        ("/history tanks 7 extra", "Unknown category “extra”"),
        ("/history 3 tanks", "Tanks, last 3 days"),
        ("/latest tonks", "Did you mean: tanks"),
        ("/latest all", "Personnel: about"),
    ],
)
async def test_errors_give_the_right_reason_and_suggestions_lead_somewhere(bot, command, expected):
    text = render.to_plain((await bot.ask(command)).text)
    assert expected in text
    assert "fuel_tanks" not in text and "'7'" not in text


# What each command refuses, and the message that says why: (command, message, its fields).
REFUSALS = [
    ("/on", "USAGE_ON", {}),
    ("/history", "USAGE_HISTORY", {}),
    ("/history 7 14 tanks", "USAGE_HISTORY", {}),
    ("/history tanks 61", "BAD_DAYS", {"word": "61", "most": 60}),
    ("/history tanks artillery", "ONE_CATEGORY_HISTORY", {}),
    ("/records tanks artillery", "ONE_CATEGORY", {}),
    ("/chart", "USAGE_CHART", {}),
    ("/chart tanks artillery compare", "CHART_COMPARE_ONE", {}),
    ("/language klingon", "LANGUAGE_USAGE", {}),
]
# Where a group's member is refused what only the group's admins may do.
ADMINS_ONLY = ["/subscribe", "/unsubscribe", "/milestones", "/language en"]
# Words that name no category, with what each language answers (the suggestion in its words).
UNKNOWN = {
    "en": ("/latest tankz", "Unknown category “tankz”. Did you mean: tanks?\nTry: /latest tanks"),
    "uk": (
        "/latest танкі",
        "Невідома категорія «танкі». Можливо, ви мали на увазі: танки, літаки?\n"
        "Спробуйте: /latest танки",
    ),
}


@pytest.mark.parametrize("language", texts.LANGUAGES)
async def test_a_refusal_is_one_answer_in_the_readers_language(bot, language):
    """Handlers refuse by raising (a UserError); one place answers it (bot/telegram/errors.py):
    one message, in the reader's language, and nothing else sent."""

    async def refused(command: str, chat_id: int, **options) -> str:
        bot.clock.advance(timedelta(minutes=1))  # no flood: one person asking a lot
        before = len(bot.api.messages_to(chat_id))
        reply = await bot.ask(command, chat_id=chat_id, language_code=language, **options)
        await bot.settled()
        assert len(bot.api.messages_to(chat_id)) == before + 1, command
        return reply.text

    messages = texts.of(language)
    for command, name, fields in REFUSALS:
        expected = getattr(messages, name).format(**fields)
        assert await refused(command, USER) == expected, command
    most = texts.of(language).ngettext("TOO_MANY_CATEGORIES", 4).format(most=4)
    assert await refused("/chart tanks afv artillery uav personnel", USER) == most
    command, expected = UNKNOWN[language]
    assert render.to_plain(await refused(command, USER)) == expected
    bot.api.chat_admins.setdefault(GROUP, set()).add(USER)  # not user 7
    for command in ADMINS_ONLY:
        text = await refused(command, GROUP, chat_type="group", user_id=7)
        assert text == messages.GROUP_ADMINS_ONLY, command
    assert bot.store.subscribers.get(GROUP) is None


async def test_inline_answers_are_personal_and_an_unknown_word_still_gets_a_result(bot):
    (result,) = await inline_answer(bot, "zzzz")
    assert result["title"].startswith("No category “zzzz”: try tanks")
    assert "Personnel: about" in result["input_message_content"]["message_text"]
    assert bot.api.inline_answers[-1]["is_personal"] is True


async def test_added_to_a_group_the_bot_greets_once_in_the_language_of_who_added_it(bot):
    bot.api.add_bot(GROUP, by_user_id=USER, language_code="uk")
    greeting = await bot.reply_to(GROUP, 0)
    assert greeting.text == texts.of("uk").GREETING
    # The group keeps that language, whoever speaks there next.
    reply = await bot.ask("/latest tanks", chat_id=GROUP, chat_type="supergroup")
    assert "Танки: 12\u00a0247 (+1)" in reply.text
    assert len(bot.api.messages_to(GROUP)) == 2  # one greeting


async def test_a_channel_speaks_the_configured_language_until_told_otherwise(bot):
    config = bot.services.config
    bot.services.config = replace(config, telegram=replace(config.telegram, default_language="uk"))
    channel = -100900
    reply = await bot.ask("/latest tanks", chat_id=channel, chat_type="channel")
    assert "Танки" in reply.text
    await bot.ask("/language en", chat_id=channel, chat_type="channel")
    assert "Tanks" in (await bot.ask("/latest tanks", chat_id=channel, chat_type="channel")).text


@pytest.mark.parametrize(
    "command, expected",
    [
        ("/history tanks artillery", "/history shows one category at a time"),
        ("/week tankz", "Unknown category “tankz”"),
    ],
)
async def test_commands_for_one_or_all_categories_say_so(bot, command, expected):
    assert expected in plain(await bot.ask(command))


async def test_week_and_month_show_the_categories_named(bot):
    text = plain(await bot.ask("/week tanks artillery"))
    lines = [line for line in text.splitlines() if ": +" in line]
    assert [line.split(":")[0] for line in lines] == ["Tanks", "Artillery systems"]


async def test_a_reply_longer_than_telegram_takes_comes_in_pieces(bot):
    for day in range(1, 51):  # fifty corrections: /corrections lists them all
        bot.store.corrections.add(
            date(2026, 6, day % 30 + 1), "tanks", 1, 2, reason="r" * 40, author="test", now=NOW
        )
    before = len(bot.api.messages_to(ADMIN))
    bot.api.send_text("/corrections", chat_id=ADMIN)
    await asyncio.to_thread(bot.api.wait_for, lambda: len(bot.api.messages_to(ADMIN)) > before + 1)
    parts = [m.text for m in bot.api.messages_to(ADMIN)[before:]]
    assert len(parts) == 2 and all(len(part) <= 4096 for part in parts)
    lines = "\n".join(parts).splitlines()
    assert lines[0] == "Corrections, newest first:"
    assert [line.split()[0] for line in lines[1:]] == [f"#{n}" for n in range(50, 0, -1)]


async def test_kept_answers_change_the_moment_an_admin_corrects_a_figure(bot):
    """Answers are kept per state of the data for crowds (bot/limits.py, Memo): each reading
    command asked before a correction shows the corrected figure right after it."""
    asks = {
        "/latest tanks": "Tanks: 20,000 (+7,754)*",
        "/on 2026-08-07 tanks": "Tanks: 20,000 (+7,754)*",
        "/history tanks": "7 Aug             20,000     +7,754",
        "/records tanks": "1. +7,754 on 7 August 2026",
        "/month tanks": "Tanks: +7,900 (previous: +103",
    }
    for ask in asks:
        assert "7,754" not in plain(await bot.ask(ask))
    (result,) = await inline_answer(bot, "tanks")
    assert result["title"] == "Tanks: 12,247 (+1)"
    chart = (await bot.ask("/chart tanks 30d")).attachment
    export = (await bot.ask("/export csv 2026-08-01 2026-08-07")).attachment
    assert export is not None and b",20000," not in export

    await bot.ask("/correct 2026-08-07 tanks 20000 a test confirm", chat_id=ADMIN)
    for ask, expected in asks.items():  # someone else asks: a person may ask ten at once
        assert expected in plain(await bot.ask(ask, chat_id=USER + 1))
    (result,) = await inline_answer(bot, "tanks")
    assert result["title"] == "Tanks: 20,000 (+7,754)"
    assert (await bot.ask("/chart tanks 30d", chat_id=USER + 1)).attachment != chart
    export = (await bot.ask("/export csv 2026-08-01 2026-08-07", chat_id=USER + 1)).attachment
    assert export is not None and b",20000," in export


async def test_a_charts_caption_is_made_once_and_shows_a_correction_at_once(bot):
    """The text under a chart (each category's figures, for whoever sees no picture) is made
    once for a crowd asking the same chart, and made again once a figure is corrected."""
    for person in (USER, USER + 1):
        caption = plain(await bot.ask("/chart tanks 30d", chat_id=person))
        assert "12,247" in caption and "20,000" not in caption
    assert bot.services.memo.worked["chart caption"] == 1
    await bot.ask("/correct 2026-08-07 tanks 20000 a test confirm", chat_id=ADMIN)
    caption = plain(await bot.ask("/chart tanks 30d", chat_id=USER + 2))
    assert "20,000" in caption and "12,247" not in caption


async def test_compare_shows_oryx_counts_imported_by_the_command_line_at_once(bot):
    """`bulletin-bot import` of Oryx's counts writes from another process: the answers kept
    per state of the data are dropped as soon as it has (SQLite's data_version)."""
    before = plain(await bot.ask("/compare tanks"))
    assert "Tanks: 11,032 claimed, 4,074 documented" in before
    other = Store(bot.store.path)  # as the command line opens it
    try:
        other.documented.replace((kind, day, total * 2) for kind, day, total in bundled().rows())
    finally:
        other.close()
    assert "Tanks: 11,032 claimed, 8,148 documented" in plain(await bot.ask("/compare tanks"))


async def test_answers_kept_for_crowds_outlive_a_commit_that_changes_nothing_shown(bot):
    """The heartbeat's write probe commits on a connection of its own every 10 s (as pruning
    and queueing do), changing nothing a reader sees: the records and a chart worked out before
    it are still kept after it (each such commit dropped them: the whole war read again, the
    chart drawn and uploaded again)."""
    assert "largest daily rises ever" in plain(await bot.ask("/records tanks"))
    assert (await bot.ask("/chart tanks 30d")).attachment is not None
    worked, drawn = bot.services.memo.worked["records"], bot.services.charts.drawn
    assert not examine(bot.store.path, integrity=False).fatal  # the heartbeat's look
    assert "largest daily rises ever" in plain(await bot.ask("/records tanks", chat_id=USER + 1))
    assert (await bot.ask("/chart tanks 30d", chat_id=USER + 1)).attachment is not None
    assert bot.services.memo.worked["records"] == worked
    assert bot.services.charts.drawn == drawn


async def test_a_crowd_asking_the_records_reads_the_history_once(bot):
    """The records of the whole war, the costliest read a reader can ask for: a crowd asking
    for every category at once gets every answer from one reading (bot/trends.py, Records)."""
    crowd = {person: CROWD_CATEGORIES[person % len(CROWD_CATEGORIES)] for person in range(1, 41)}
    for person, key in crowd.items():
        bot.api.send_text(f"/records {key}".strip(), chat_id=person)
    answered = await asyncio.to_thread(
        bot.api.wait_for, lambda: all(bot.api.messages_to(p) for p in crowd), 60
    )
    assert answered, "someone in the crowd got no answer"
    for person, key in crowd.items():
        expected = "Largest daily rises" if not key else "largest daily rises ever"
        assert expected in plain(bot.api.messages_to(person)[-1])
    assert bot.services.memo.worked["records"] == 1 + len(set(crowd.values()))


async def test_inline_answers_are_worked_out_once_per_categories_named(bot):
    """A crowd types different words for the same categories: one answer is worked out for
    them all; words naming nothing are still quoted back each as typed."""
    worked = bot.services.memo.worked
    before = worked["inline"]
    for n in range(5):
        results = await inline_answer(bot, f"tanks artillery word{n}")
        assert [r["id"] for r in results] == ["tanks", "artillery"]
    assert worked["inline"] - before == 1
    (zzzz,) = await inline_answer(bot, "zzzz")
    (qqqq,) = await inline_answer(bot, "qqqq")
    assert "“zzzz”" in zzzz["title"] and "“qqqq”" in qqqq["title"]


async def test_an_inline_answer_is_turned_into_json_once_for_a_crowd(bot, monkeypatch):
    """A crowd typing the same category is sent one answer made into JSON once (before, each
    person's answer was copied, filled in and serialised again); each gets all of it, a
    message in HTML without a link preview, as the bot's other messages."""
    serialised: Counter[str] = Counter()
    to_dict = InlineQueryResultArticle.to_dict

    def counted(article, *args, **kwargs):
        serialised[article.id] += 1
        return to_dict(article, *args, **kwargs)

    monkeypatch.setattr(InlineQueryResultArticle, "to_dict", counted)
    for _ in range(5):
        (result,) = await inline_answer(bot, "tanks")
        assert result["title"] == "Tanks: 12,247 (+1)"
        message = result["input_message_content"]
        assert "<b>" in message["message_text"] and "Tanks: 12,247 (+1)" in message["message_text"]
        assert message["parse_mode"] == "HTML"
        assert message["link_preview_options"] == {"is_disabled": True}
    assert serialised["tanks"] == 1
