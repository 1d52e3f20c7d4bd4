"""Hostile input, property-based: nothing escapes but a clear error, every reply is valid
Telegram HTML, and nothing is stored from garbage."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import categories, render
from bot.admin import AdminError, Desk
from bot.charts import PeriodError, parse_period
from bot.clock import FixedClock
from bot.config import Config
from bot.dates import DateError, parse_user_date
from bot.export import ExportError, parse_arguments
from bot.sources.text import BulletinParseError, parse_bulletin
from bot.subscriptions import SubscriptionError, parse_options
from bot.telegram.stand_in import html_text
from tests.conftest import NOW

TODAY = date(2026, 8, 8)
# Unicode of every kind, plus what people paste on purpose.
NASTY = st.sampled_from(
    [
        "0000-00-00",
        "99999-01-01",
        "31.02.2022",
        "'; DROP TABLE reports; --",
        "<b>",
        "</pre>",
        "&amp;",
        "\u202etanks",
        "tanks\u0000",
        "🔹",
        "танки",
        "1e9",
        "-0",
        "2022-06-25",
        "all",
        "9" * 500,
        "\n",
        "<a href='javascript:x'>",
    ]
)
WORD = st.one_of(st.text(min_size=1, max_size=40), NASTY)
WORDS = st.lists(WORD, max_size=8)


def assert_telegram_html(text: str) -> None:
    """Fails on anything Telegram's HTML parse mode would refuse (the stand-in's parser, as
    Telegram's: a bare '<' too, which Python's HTMLParser lets through as text)."""
    html_text(text)
    assert len(text) <= 4096


@given(st.text(max_size=3000))
@settings(max_examples=300)
def test_the_bulletin_parser_only_ever_says_what_it_did_not_understand(text):
    try:
        report = parse_bulletin(text, today=TODAY)
    except BulletinParseError as error:
        assert str(error)
    else:
        assert report.totals and all(0 <= v <= 100_000_000 for v in report.totals.values())


@given(WORD)
def test_dates_periods_and_subscription_options(word):
    for parse, error in (
        (lambda w: parse_user_date(w, TODAY), DateError),
        (lambda w: parse_period(w, TODAY), PeriodError),
        (lambda w: parse_options([w], "Europe/Kyiv"), SubscriptionError),
        (lambda w: parse_arguments([w], TODAY, TODAY, prefix="/"), ExportError),
    ):
        try:
            parse(word)
        except error as problem:
            assert str(problem)


@given(WORDS)
def test_whatever_names_a_category_the_reply_is_valid_telegram_html(words):
    keys, unknown = categories.resolve(words)
    assert_telegram_html(render.unknown_categories(unknown, "latest"))
    assert all(k in categories.BY_KEY for k in keys)


@given(words=WORDS)
@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_correction_from_garbage_changes_nothing(history_store, words):
    desk = Desk(history_store, Config(), FixedClock(NOW), "telegram:1", "/")
    before = history_store.corrections.log()
    try:
        desk.correct(["2026-08-07", *words])
    except AdminError as error:
        assert str(error)
        assert history_store.corrections.log() == before
    else:  # a valid correction after all: it is kept, and can be withdrawn
        history_store.db.execute("DELETE FROM corrections")


COMMANDS = st.sampled_from(
    [
        "/latest",
        "/on",
        "/history",
        "/chart",
        "/subscribe",
        "/export",
        "/records",
        "/language",
        "/week",
        "/nonsense",
        "",
    ]
)


_chats = iter(range(200_000, 300_000))  # a chat per example: the flood throttle is per person


@given(st.data())
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_no_command_argument_breaks_the_bot_or_stores_garbage(bot, data):
    command = data.draw(COMMANDS)
    words = data.draw(st.lists(WORD.filter(lambda w: w.strip() and "\n" not in w), max_size=4))
    text = " ".join([command, *words]).strip() or "hello"
    reports = bot.store.db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    reply = await bot.ask(text, chat_id=next(_chats))
    if reply.method == "sendMessage":
        assert_telegram_html(reply.text)
        assert "Something went wrong" not in reply.text
    assert bot.store.db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == reports


async def test_a_flood_of_unknown_words_gets_a_short_answer(bot):
    reply = await bot.ask("/latest " + " ".join(f"nonsense{i}" for i in range(2040)))
    assert len(reply.text) < 1000
    assert "nonsense0" in reply.text and "nonsense2039" not in reply.text
