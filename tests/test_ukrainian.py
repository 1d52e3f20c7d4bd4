"""A Ukrainian reader and admin, through a whole console session: no English in the replies;
and a reader's day in each language, read as a news editor would.

The session touches every command, with good and bad arguments, as a person whose bot speaks
Ukrainian would, pastes texts the parser refuses, and meets a source that fails. Latin letters
are allowed only where they belong: commands, URLs, and a few names that are written that way
(Telegram, Oryx, CSV, UTC...). A reader's replies, in English and Ukrainian, also name
categories in lower case mid-sentence and give no ISO date or UTC time.
"""

from __future__ import annotations

import io
import re

import pytest

from bot import categories, texts
from bot.clock import FixedClock
from bot.config import Config, SourceConfig
from bot.telegram import console
from bot.telegram.services import Services
from tests.conftest import NOW

SESSION = """\
/language uk
/start
/help
/about
/latest
/latest танки
/latest танкі
/latest усі
/on вчора
/on 25.06.2022 танки
/on 2030-01-01
/on 2022-10-13 ббм
/on завтра
/history танки 14
/history танки 21
/history танки артилерія
/history танки 0
/chart танки 90д
/chart танки усі
/chart танки 3000x
/chart
/week
/week танки
/month
/records
/records танки
/export
/export json 2026-08-01
/export xml
/export 2026-08-07 2026-08-01
/sources
/subscribe 08:30 Київ
/subscribe 25:00
/subscribe щотижня графік
/settings
#час: 08:30
#одразу, як вийде
#готово
/unsubscribe
/unsubscribe
/language клінгонська
/nope
/correct 2026-08-07 танки 12250 опечатка
/correct 2026-08-07 танки 12250
/correct 2026-08-07 танкі 5
/corrections
/uncorrect 1
/uncorrect 99
/held
/notes
/notes 2022-10-13
/approve 2026-08-07
/reject
/announce Привіт усім
/stats
/fetch
/latest
#Танки
#Історія: танки
"""
# Pasted texts the parser refuses, each its own message (a paste ends at an empty line).
TOTAL = "Загальні бойові втрати противника з 24.02.2022 по {day} орієнтовно склали: "
SESSION += "\n".join(
    f"{paste}\n"
    for paste in (
        "привіт, це не зведення",
        TOTAL.format(day="08.08.2030") + "особового складу близько 1456610 (+1190)",
        TOTAL.format(day="08.08.2026") + "танків 12251 (+4), понад 600 літаків",
        TOTAL.format(day="08.08.2026") + "танків 12251 (+4), танків 12252 (+5)",
    )
)
# Every source failing: what an admin reading Ukrainian is told of it.
SOURCE_DOWN = """\
/language uk
/fetch
/sources
/stats
"""
# Written in Latin letters wherever they appear: names, formats, time zones, codes.
ALLOWED = {
    "bulletin-bot",
    "telegram",
    "oryx",
    "russianwarship.rip",
    "api",
    "csv",
    "json",
    "utc",
    "english",
    "uk",
    "en",
    "botfather",
    f"telegram:{console.CHAT_ID}",  # the console's person, as /corrections names an author
    # The attribution Oryx's counts' licence asks for: "scarnecchia/oryx_data (CC BY 4.0)".
    "scarnecchia",
    "oryx_data",
    "cc",
    "by",
    "mrap",  # a class of armoured vehicle, written so in Ukrainian too (Oryx's types, /compare)
}
_COMMAND = re.compile(r"/[a-z_]+(?: [a-z_|]+)?")
_URL = re.compile(r"https?://\S+")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9.:_-]*")


def bot_replies(transcript: str) -> list[str]:
    """The bot's messages in a console transcript (without the console's own lines)."""
    replies, current = [], None
    for line in transcript.splitlines():
        if line.startswith("bot> "):
            current = [line[5:]]
            replies.append(current)
        elif line.startswith("you> ") or line.startswith("("):
            current = None
        elif current is not None and line.startswith("     "):
            current.append(line[5:])
    return ["\n".join(r) for r in replies]


def latin_words(text: str) -> set[str]:
    text = _URL.sub(" ", text)
    text = re.sub(r"«[^»]*»", " ", text)  # what the person typed, quoted back
    text = re.sub(r"bulletin-bot [a-z]+", " ", text)  # a command on the server
    text = _COMMAND.sub(" ", text)
    text = re.sub(r"\[(?:picture|file) saved to [^\]]*\]", " ", text)  # the console's note
    return {w for w in _LATIN.findall(text) if w.casefold().strip(".:") not in ALLOWED}


async def session(store, url: str, script: str, folder) -> str:
    config = Config(sources=(SourceConfig("api", url),))
    services = Services(config, store, FixedClock(NOW))
    out = io.StringIO()
    unanswered = await console.chat(services, io.StringIO(script), out, folder=folder)
    assert unanswered == 0, out.getvalue()
    assert "(no such button)" not in out.getvalue()  # each #label pressed a button
    return out.getvalue()


@pytest.fixture
async def transcript(history_store, fake_api, tmp_path):
    return await session(history_store, fake_api.url, SESSION, tmp_path)


def messages_in(script: str) -> int:
    """How many messages a console script sends: a line each for commands and buttons, one
    for each pasted text (which ends at an empty line)."""
    count, pasting = 0, False
    for line in script.splitlines():
        if line.startswith(("/", "#")) or not line.strip():
            count += bool(line.strip())
            pasting = False
        elif not pasting:
            count, pasting = count + 1, True
    return count


def assert_no_english(transcript: str, script: str) -> None:
    replies = bot_replies(transcript)
    assert len(replies) >= messages_in(script) - 2  # every message had its answer
    english = {reply: found for reply in replies if (found := latin_words(reply))}
    assert not english, "\n\n".join(f"{words}: {reply}" for reply, words in english.items())


def test_a_ukrainian_session_has_no_english_in_any_reply(transcript):
    assert_no_english(transcript, SESSION)
    assert transcript.count("Це не схоже на зведення Генштабу") == 4  # each paste refused


@pytest.mark.parametrize("failure", ["404", "html"])
async def test_a_failed_source_is_told_in_ukrainian(history_store, fake_api, tmp_path, failure):
    fake_api.api.fail(failure)
    transcript = await session(history_store, fake_api.url, SOURCE_DOWN, tmp_path)
    assert "Не вдалося отримати дані: API russianwarship.rip: http" in transcript
    assert_no_english(transcript, SOURCE_DOWN)


# What a reader (no admin) does in a day, in each language: every reply is checked for what a
# news editor would strike out (issue 25's "done when").
READER = {
    "en": """\
/language en
/start
/help
/about
/latest
/latest tanks
/on 2022-06-25 tanks submarines
/on yesterday
/history tanks 14
/chart tanks 30d
/chart tanks compare all
/chart personnel tanks artillery uav 30d
/week
/month tanks
/records
/records tanks
/compare
/compare tanks 2025-01-31
/export 2026-08-01
/sources
/share tanks artillery
/subscribe 08:30 tanks artillery short weekdays tanks>10
/settings
#Categories: tanks, artillery
#Vehicles
#Done
/milestones
/subscribe card
#Unsubscribe
#Yes, unsubscribe
/latest tankz
/history
/nope
""",
    "uk": """\
/language uk
/start
/help
/about
/latest
/latest танки
/on 25.06.2022 танки підводні
/on вчора
/history танки 14
/chart танки 30д
/chart танки порівняти усі
/chart особовий танки артилерія бпла 30д
/week
/month танки
/records
/records танки
/compare
/compare танки 2025-01-31
/export 2026-08-01
/sources
/share танки артилерія
/subscribe 08:30 танки артилерія коротко будні танки>10
/settings
#Категорії: танки, артилерія
#Автотехніка
#Готово
/milestones
/subscribe картка
#Скасувати розсилку
#Так, скасувати
/latest танкі
/history
/nope
""",
}


def capitalised_mid_sentence(text: str, language: str) -> list[str]:
    """Lines where a category's name (full or short) keeps its capital mid-sentence: 'Only
    Tanks', «Лише: Танки». A name that opens a line or a sentence, or an abbreviation (ППО,
    MLRS), is as it should be; buttons are labels, not sentences."""
    messages = texts.of(language)
    names = {c.name(language) for c in categories.CATEGORIES} | {
        getattr(messages, f"BUTTON_{c.key.upper()}", c.name(language))
        for c in categories.CATEGORIES
    }
    names = {n for n in names if sum(ch.isupper() for ch in n.split(" ")[0]) == 1}
    found = []
    for line in text.splitlines():
        if line.lstrip().startswith("["):  # the buttons under a message
            continue
        for name in names:
            for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", line):
                before = line[: match.start()].rstrip()
                opening = re.fullmatch(r"[\s•*⚠️📊🔎\d.]*", before) or before.endswith(
                    (".", "!", "?")
                )
                if not opening:
                    found.append(line)
    return found


_COMMAND_WITH_WORDS = re.compile(r"/[a-z_]+(?:[ \t]+[^\s,;:()]+)*")
_ISO_OR_UTC = re.compile(r"\b\d{4}-\d\d-\d\d\b|\bUTC\b|\bT\d\d:\d\d")


def iso_or_utc(text: str) -> list[str]:
    """ISO dates and UTC times in a reader's text (what they type is theirs: commands with
    their words are left out, and links)."""
    text = _URL.sub(" ", text)
    text = re.sub(r"\[(?:picture|file) saved to [^\]]*\]", " ", text)
    text = _COMMAND_WITH_WORDS.sub(" ", text)
    return _ISO_OR_UTC.findall(text)


@pytest.mark.parametrize("language", ["en", "uk"])
async def test_a_readers_day_in_house_style(history_store, fake_api, tmp_path, language):
    """Every reply a reader gets, in both languages: no Latin word in Ukrainian, no category
    name capitalised mid-sentence, no ISO date or UTC time."""
    config = Config(sources=(SourceConfig("api", fake_api.url),))
    services = Services(config, history_store, FixedClock(NOW))
    out = io.StringIO()
    script = READER[language]
    unanswered = await console.chat(
        services, io.StringIO(script), out, as_admin=False, folder=tmp_path
    )
    transcript = out.getvalue()
    assert unanswered == 0, transcript
    assert "(no such button)" not in transcript
    replies = bot_replies(transcript)
    assert len(replies) >= messages_in(script) - 2
    faults = {}
    for reply in replies:
        found = capitalised_mid_sentence(reply, language) + iso_or_utc(reply)
        if language == "uk":
            found += sorted(latin_words(reply))
        if found:
            faults[reply] = found
    assert not faults, "\n\n".join(f"{found}: {reply}" for reply, found in faults.items())
