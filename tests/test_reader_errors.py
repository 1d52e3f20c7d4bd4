"""What readers see of a source that is down, and of a source URL that carries a password or a
key: its name and when it was last reached, in their language; never the URL or the error, which
go to the log and to admins (without the credentials or query values)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.config import SourceConfig
from bot.logs import RedactingFormatter
from bot.render import to_plain
from bot.telegram.jobs import poll_now
from tests.bot_harness import ADMIN, USER

PASSWORD = "hunter22-pass"
KEY = "k3y-0f-the-api"
UK = 1002  # a reader whose Telegram speaks Ukrainian


@pytest.fixture
def bot_sources(fake_api) -> tuple[SourceConfig, ...]:
    """The API stand-in behind a URL with credentials and a key, as an operator might write it
    (the stand-in ignores both)."""
    with_credentials = fake_api.url.replace("http://", f"http://reader:{PASSWORD}@")
    return (SourceConfig("api", f"{with_credentials}?key={KEY}"),)


def secret_free(text: str) -> bool:
    return PASSWORD not in text and KEY not in text and "reader:" not in text


async def test_a_source_down_is_said_in_the_readers_words_and_the_detail_goes_to_admins(
    bot, fake_api, caplog
):
    caplog.set_level(logging.INFO)
    bot.clock.advance(timedelta(days=12))  # 2026-08-20 06:30 UTC: 09:30 in Kyiv
    await poll_now(bot.services)  # fails: the key in the URL spoils the API's paths

    english = to_plain((await bot.ask("/latest tanks")).text)
    assert english.startswith(
        "⚠️ These are the figures of 7 August 2026, 13 days old: nothing newer has come in. "
        "The source could not be reached at 09:30 (Kyiv time).\n"
    )
    ukrainian = to_plain((await bot.ask("/latest tanks", chat_id=UK, language_code="uk")).text)
    assert ukrainian.startswith(
        "⚠️ Це дані за 7 серпня 2026 р. (13 днів тому): новіших не надходило. "
        "Не вдалося звʼязатися з джерелом о 09:30 за київським часом.\n"
    )
    for reply in (english, ukrainian):
        assert "http" not in reply and "127.0.0.1" not in reply and "HTTP 404" not in reply

    readers = to_plain((await bot.ask("/sources")).text)
    assert "1. the russianwarship.rip API\n   could not be reached at 09:30 (Kyiv time);" in readers
    assert "127.0.0.1" not in readers and "HTTP" not in readers and secret_free(readers)
    readers_uk = to_plain((await bot.ask("/sources", chat_id=UK, language_code="uk")).text)
    assert "звʼязатися не вдалося о 09:30 за київським часом;" in readers_uk

    # An admin in a private chat gets the URL and the error, without the secrets.
    admins = to_plain((await bot.ask("/sources", chat_id=ADMIN)).text)
    assert "1. the russianwarship.rip API: http://[redacted]@127.0.0.1:" in admins
    assert "?key=[redacted]" in admins and "failed (http://[redacted]@127.0.0.1:" in admins
    assert secret_free(admins)
    # So does the fetch log the alerts quote, and the log.
    assert secret_free(bot.store.logs.last_fetch().detail)
    assert "HTTP 404" in bot.store.logs.last_fetch().detail
    # The log as written (bot/logs.py's formatter, which `run` installs).
    written = "\n".join(RedactingFormatter([]).format(r) for r in caplog.records)
    assert "fetch failed source=api" in written and secret_free(written)


async def test_readers_see_when_the_source_last_answered_at_their_local_time(bot):
    await poll_now(bot.services)
    bot.clock.advance(timedelta(days=1, hours=20))  # 2026-08-10 02:30 UTC, the poll 2 days ago
    latest = to_plain((await bot.ask("/latest tanks")).text)
    assert latest.startswith(
        "⚠️ These are the figures of 7 August 2026, 3 days old: nothing newer has come in. "
        "The source could not be reached on 8 August at 09:30 (Kyiv time).\n"
    )
    sources = to_plain((await bot.ask("/sources", chat_id=USER)).text)
    assert "could not be reached on 8 August at 09:30 (Kyiv time)" in sources
