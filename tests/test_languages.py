"""Ukrainian and English: the chat's language is followed in every reply and every delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import render, texts
from bot.store import DeliveryStatus
from bot.subscriptions import enqueue_bulletin
from tests.bot_harness import ADMIN
from tests.conftest import NOW, outbox_counts

NBSP = "\u00a0"
UK = 3003


def plain(message) -> str:
    return render.to_plain(message.text)


async def ask_uk(bot, text: str, chat_id: int = UK):
    return plain(await bot.ask(text, chat_id=chat_id, language_code="uk"))


async def test_first_contact_follows_the_telegram_app_language(bot):
    reply = await ask_uk(bot, "/latest танки")
    # 09:30 in Kyiv, and the newest bulletin is yesterday's: said first.
    assert reply.startswith("Сьогоднішнього зведення ще немає; це вчорашні дані.")
    assert "Втрати Росії з 24.02.2022 (за даними Генштабу ЗСУ)\n7 серпня 2026" in reply
    assert f"Танки: 12{NBSP}247 (+1)" in reply
    assert "Дані Генштабу ЗСУ, сторони війни; незалежно їх перевірити неможливо" in reply
    assert bot.store.subscribers.chat_language(UK) == "uk"


async def test_language_command_changes_it_for_good(bot):
    await ask_uk(bot, "/start")
    assert await ask_uk(bot, "/language en") == texts.of("en").LANGUAGE_SET
    reply = await ask_uk(bot, "/latest tanks")  # the app still says Ukrainian: the choice wins
    assert "Tanks: 12,247 (+1)" in reply
    assert await ask_uk(bot, "/language klingon") == texts.of("en").LANGUAGE_USAGE
    assert await ask_uk(bot, "/language українська") == texts.of("uk").LANGUAGE_SET
    await ask_uk(bot, "/subscribe")
    await ask_uk(bot, "/language en")
    assert bot.store.subscribers.languages() == {"en": 1}


@pytest.mark.parametrize(
    "command, ukrainian",
    [
        ("/start", "Я щодня надсилаю дані Генштабу ЗСУ про втрати Росії"),
        ("/help", "Категорії: особовий склад, танки, ББМ, артилерія"),
        ("/on 25.06.2022 танки", "25 червня 2022 р. · 122-й день"),
        ("/on вчора", "7 серпня 2026"),
        ("/on 2030-01-01", "1 січня 2030 р. ще не настало."),
        ("/history танки 3", "Середнє за 3 дні: +3,3 на добу"),
        ("/week", "За 7 днів (з 1 до 7 серпня 2026 р.) порівняно з попередніми 7 днями"),
        ("/records танки", "1. +66 (26 лютого 2022 р.)"),
        ("/sources", "Наскільки їм довіряти"),
        (
            "/on 2022-10-13 ббм",
            "* Бойові броньовані машини: менше, ніж напередодні, — так опублікувало",
        ),
        ("/settings", "Цей чат не підписаний на розсилку."),
        ("/subscribe 25:00", "«25:00» — не час доби"),
        ("/latest танкі", "Невідома категорія «танкі». Можливо, ви мали на увазі: танки"),
        ("/chart", "Яка категорія? Наприклад: /chart танки 90д"),
        ("/latest танкі", "Спробуйте: /latest танки"),
        ("/chart танки 90д", "станом на 7 серпня 2026 р. (90 днів: +"),
        (
            "/chart танки усі",
            "Танки: 12\u00a0247 станом на 7 серпня 2026 р. (за весь час: +12\u00a0247)",
        ),
        ("/subscribe 08:30 Лондон", "(часовий пояс: Лондон)"),
        ("/history танки 21", "Танки, останній 21 день"),
        ("/history танки 23", "Танки, останні 23 дні"),
        ("/nope", "Такої команди я не знаю."),
        ("привіт", "Я розумію лише команди."),
        ("/correct 2026-08-07 tanks 1", "Ця команда лише для адміністраторів."),
    ],
)
async def test_replies_in_ukrainian(bot, command, ukrainian):
    assert ukrainian in await ask_uk(bot, command)


async def test_an_admin_in_ukrainian(bot):
    reply = await ask_uk(bot, "/correct 2026-08-07 танки 12250 опечатка", chat_id=ADMIN)
    assert reply.startswith("Виправлення 1: Танки за 7 серпня 2026 р. тепер 12")
    assert "Підписники" in await ask_uk(bot, "/stats", chat_id=ADMIN)


async def test_each_subscriber_gets_the_summary_in_their_language(bot):
    await ask_uk(bot, "/subscribe")
    await bot.ask("/subscribe", chat_id=4004, language_code="en")
    assert bot.store.subscribers.languages() == {"uk": 1, "en": 1}  # what /stats shows
    enqueue_bulletin(bot.store, NOW.date() - timedelta(days=1), now=NOW)
    await bot.services.deliverer.run()  # the application's own, with its buttons
    assert not outbox_counts(bot.store).get(DeliveryStatus.PENDING)
    uk = bot.api.messages_to(UK)[-1]
    en = bot.api.messages_to(4004)[-1]
    assert "Втрати Росії" in uk.text and ("Особовий склад", "c:personnel:2026-08-07") in uk.buttons
    assert "Russian losses" in en.text and ("Personnel", "c:personnel:2026-08-07") in en.buttons


async def test_a_chart_caption_in_ukrainian_and_a_chart_per_language(bot):
    reply = await bot.ask("/chart танки 30d", chat_id=UK, language_code="uk")
    assert "Танки: 12\u00a0247 станом на 7 серпня 2026 р. (30 днів: +" in reply.text
    await bot.ask("/chart tanks 30d", chat_id=4004, language_code="en")
    assert bot.services.charts.drawn == 2


async def test_inline_mode_speaks_the_person_s_language(bot):
    import asyncio

    before = len(bot.api.inline_answers)
    bot.api.inline_query("танки", language_code="uk")
    await asyncio.to_thread(bot.api.wait_for, lambda: len(bot.api.inline_answers) > before)
    (result,) = bot.api.inline_answers[-1]["results"]
    assert result["title"] == f"Танки: 12{NBSP}247 (+1)"


async def test_a_chart_for_a_year_in_ukrainian(bot):
    reply = await bot.ask("/chart танки рік", chat_id=UK, language_code="uk")
    assert reply.method == "sendPhoto"


async def test_the_history_table_has_no_english_in_ukrainian(bot):
    bot.store.db.execute(
        "DELETE FROM figures WHERE report_id IN (SELECT id FROM reports WHERE date = '2026-08-06')"
    )
    bot.store.db.execute("DELETE FROM reports WHERE date = '2026-08-06'")
    reply = await ask_uk(bot, "/history танки 3")
    assert "Дата" in reply and "/2д" in reply and "/2d" not in reply


async def test_a_chat_language_is_read_from_the_database_once_and_a_change_seen_at_once(bot):
    """Asked on every update: kept in memory after the first read (a crowd of a thousand
    costs no SQLite read each), and /language still takes effect with the next reply."""
    await ask_uk(bot, "/start")
    reads: list[str] = []
    connection = bot.store.subscribers.db.conn
    connection.set_trace_callback(
        lambda sql: reads.append(sql) if "FROM chats WHERE chat_id" in sql else None
    )
    try:
        for _ in range(5):
            assert "Танки" in await ask_uk(bot, "/latest танки")
        assert len(reads) <= 1
        assert await ask_uk(bot, "/language en") == texts.of("en").LANGUAGE_SET
        assert "Tanks: 12,247 (+1)" in await ask_uk(bot, "/latest tanks")
        assert await ask_uk(bot, "/language uk") == texts.of("uk").LANGUAGE_SET
        assert "Танки" in await ask_uk(bot, "/latest tanks")
    finally:
        connection.set_trace_callback(None)


async def test_a_crowd_of_first_contacts_is_remembered_in_one_write_not_one_each(bot):
    """50 people each sending /start for the first time at once: each is welcomed in their
    app's language, and their languages are remembered together (issue 29: one commit on the
    event loop for each of 5,000 made the last wait 11 s)."""
    statements: list[str] = []
    bot.store.db.conn.set_trace_callback(statements.append)
    people = range(80_000, 80_050)
    try:
        for chat_id in people:
            bot.api.send_text(
                "/start", chat_id=chat_id, language_code="uk" if chat_id % 2 else "en"
            )
        for chat_id in people:
            await bot.reply_to(chat_id, 0)
        await bot.settled()
    finally:
        bot.store.db.conn.set_trace_callback(None)
    for chat_id in people:
        (welcome,) = bot.api.messages_to(chat_id)
        ukrainian = welcome.text.startswith("Я щодня")
        assert ukrainian == bool(chat_id % 2)
        assert bot.store.subscribers.chat_language(chat_id) == ("uk" if chat_id % 2 else "en")
    writes, in_transaction, written = 0, False, False
    for statement in statements:  # each commit that wrote chats' languages
        if statement.startswith("BEGIN"):
            in_transaction, written = True, False
        elif statement.startswith("INSERT INTO chats"):
            written = True
            writes += not in_transaction  # a statement of its own commits on its own
        elif statement.startswith(("COMMIT", "ROLLBACK")):
            writes += written
            in_transaction = False
    assert writes <= 10, f"{writes} commits for 50 first contacts"
