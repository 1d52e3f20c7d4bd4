"""What a reader meets every day, read as a news editor would: whose figures, which caveat,
in house style, in both languages (issue 25). The console sessions that check every reply
are in tests/test_ukrainian.py; these check one message each, by what it must say."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from bot import categories, render, texts
from bot.figures import bulletin_on
from bot.sources.http import SourceError
from bot.store import Shape
from bot.trends import Comparison, Trend
from tests.conftest import NOW, STORED_UNTIL, TODAY, fetch_latest
from tests.fake_statistics_api import closed_port_url


@pytest.fixture
def view(history_store):
    return bulletin_on(history_store, STORED_UNTIL)


@pytest.mark.parametrize(
    "source, language, said",
    [
        (
            "api",
            "uk",
            "Джерело: Генеральний штаб Збройних Сил України, за передруком russianwarship.rip.",
        ),
        ("text", "uk", "Джерело: Генеральний штаб Збройних Сил України."),
        (
            "api",
            "en",
            "Source: the General Staff of the Armed Forces of Ukraine, as republished by "
            "russianwarship.rip.",
        ),
        ("text", "en", "Source: the General Staff of the Armed Forces of Ukraine."),
    ],
)
def test_a_card_names_the_general_staff_and_how_its_bulletin_reached_us(
    view, speak, source, language, said
):
    speak(language)
    card = render.card(replace(view, report=replace(view.report, source=source, link=None)))
    assert card.small_print[0] == said
    assert not any("вставленого" in line or "pasted" in line for line in card.small_print)


def test_the_caveat_says_whose_figures_in_newsroom_ukrainian(speak):
    speak("uk")
    assert texts.CAVEAT.startswith("⚠️ Дані Генштабу ЗСУ, сторони війни; незалежно їх перевірити")
    assert "«Дані уточнюються»" in texts.CAVEAT_LONG
    assert "Збройних Сил України" in texts.CAVEAT_LONG


def test_every_header_a_reader_may_see_alone_says_whose_losses_and_since_when(view, speak):
    speak("uk")
    whose = "Втрати Росії з 24.02.2022"
    assert render.bulletin(view, ["tanks"], short=True).startswith(f"<b>{whose} (за даними")
    assert render.card_caption(view).startswith(f"<b>{whose}")
    assert render.card(view).title.startswith(whose)
    assert render.inline_description(view).startswith(f"{whose} станом на 7 серпня")
    personnel = next(c for c in view.changes if c.category == "personnel")
    assert render.inline_title(personnel).startswith("Особовий склад: близько ")
    milestone = render.milestone(1_455_000, personnel, view)
    assert milestone.startswith(f"📊 <b>{whose}: особовий склад — понад 1")
    assert "🎯" not in milestone


@pytest.mark.parametrize(
    "first, last, written",
    [
        (date(2026, 8, 8), date(2026, 8, 8), "8 серпня 2026 р."),
        (date(2026, 8, 2), date(2026, 8, 8), "з 2 до 8 серпня 2026 р."),
        (date(2026, 7, 26), date(2026, 8, 8), "з 26 липня до 8 серпня 2026 р."),
        (date(2025, 12, 26), date(2026, 1, 8), "з 26 грудня 2025 р. до 8 січня 2026 р."),
    ],
)
def test_dates_and_ranges_in_house_style(speak, first, last, written):
    speak("uk")
    assert texts.format_range(first, last) == written


def test_a_period_with_nothing_before_it_says_so_without_a_dash_for_a_percentage(speak):
    speak("uk")
    nothing_before = Trend("helicopters", rise=1, previous_rise=0, largest=None)
    text = render.comparison(
        Comparison(date(2026, 8, 2), date(2026, 8, 8), 7, [nothing_before]), None
    )
    assert "Гелікоптери: +1 (попередні: 0)" in text
    assert ", -" not in text and "0, —" not in text


@pytest.mark.parametrize(
    "language, key, written",
    [
        ("uk", "tanks", "танки"),
        ("uk", "air_defence", "засоби ППО"),
        ("uk", "uav", "БпЛА оперативно-тактичного рівня"),
        ("uk", "mlrs", "РСЗВ"),
        ("en", "artillery", "artillery systems"),
        ("en", "mlrs", "MLRS"),
    ],
)
def test_a_category_mid_sentence_is_lower_case_but_an_abbreviation_keeps_its_capitals(
    speak, language, key, written
):
    speak(language)
    assert render.in_text(key) == written


def test_help_and_suggestions_write_abbreviations_in_capitals(speak):
    speak("uk")
    assert "танки, ББМ, артилерія, РСЗВ, ППО" in render.help_text()
    suggested = render.unknown_categories(categories.resolve(["бплаа"])[1], "latest")
    assert "ви мали на увазі: БпЛА?" in suggested and "/latest БпЛА" in suggested


def test_a_subscription_names_its_categories_mid_sentence_in_lower_case(speak, store):
    subscriber = store.subscribers.subscribe(
        1,
        "private",
        send_at="08:30",
        timezone="Europe/Kyiv",
        now=NOW,
        shape=Shape(categories=("tanks", "artillery")),
    )
    assert "Only tanks, artillery systems." in render.subscription(subscriber)
    speak("uk")
    assert "Лише: танки, артилерійські системи." in render.subscription(subscriber)


def test_ukrainian_has_the_modifier_apostrophe_and_one_word_for_as_soon_as_it_is_out():
    uk = texts.catalogue("uk")
    flat = "\n".join(v if isinstance(v, str) else "\n".join(v) for v in uk.values())
    assert re.findall(r"\w[’']\w", flat) == []
    assert "щойно" not in texts.of("uk").WHEN_ASAP and "одразу" in texts.of("uk").WHEN_ASAP


@pytest.mark.parametrize("language", ["en", "uk"])
def test_about_and_compare_say_the_same_of_drones_what_is_known(speak, language):
    """/about said smaller drones are not counted, /compare that the bulletin counts thousands
    of them: the General Staff does not define the category, and both now say so."""
    speak(language)
    about = render.about()
    note = categories.get("uav").note(language)
    unknown = "не пояснює" if language == "uk" else "does not say which drones"
    assert unknown in about and unknown in note
    for text in (about, note):
        assert "smaller drones" not in text and "менші" not in text and "менших" not in text


def test_compare_and_the_admin_lines_in_newsroom_ukrainian(speak):
    speak("uk")
    uk = texts.of("uk")
    assert "Ці підрахунки не тотожні" in uk.COMPARE_CAVEAT
    assert "тут починаються" not in uk.COMPARE_NOT_YET and "тут" not in uk.COMPARE_ENDS
    assert "позашляховики" in categories.get("vehicles").note("uk")
    assert "бронеавтомобілі" in categories.get("afv").note("uk")
    assert uk.DIGEST_WEEKLY == "щотижнева (щопонеділка)"
    assert "автор: {author}" in uk.CORRECTION_LINE and "скасував {by}" in uk.CORRECTION_WITHDRAWN
    assert "редакці" not in "".join(v for v in texts.catalogue("uk").values() if isinstance(v, str))


LATIN = re.compile(r"[A-Za-z]{2,}")


@pytest.mark.parametrize("failure", ["500", "404", "html", "truncated", "no_data", "down"])
async def test_a_source_error_is_said_in_ukrainian_with_its_url_as_it_was(
    history_store, api, fake_api, failure, speak
):
    """The sources' errors are English, for the log; an admin reading Ukrainian gets them in
    Ukrainian (the URL as it was), in /fetch, /sources and /stats."""
    if failure == "down":
        api.url = closed_port_url()
    else:
        fake_api.api.fail(failure)
    with pytest.raises(SourceError):
        await fetch_latest(history_store, api, now=NOW, today=TODAY)
    detail = history_store.logs.last_fetch().detail
    speak("uk")
    said = render.fetch_error(detail)
    url, _, what = said.partition(": ")
    assert detail.startswith(url + ": ")
    assert not LATIN.findall(what), said
    speak("en")
    assert render.fetch_error(detail).startswith(url + ": ")


@pytest.mark.parametrize("language", ["en", "uk"])
def test_a_cards_caption_carries_every_figure_within_telegrams_limit(view, speak, language):
    """A caption holds at most 1,024 characters: every category's line fits, in short names."""
    speak(language)
    caption = render.card_caption(view)
    assert len(caption) <= 1024
    figures = [line for line in caption.splitlines() if re.search(r": [^:]*\d \(", line)]
    assert len(figures) == len(view.changes) == 15
