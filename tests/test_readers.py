"""What a reader meets every day, read as a news editor would: whose figures, which caveat,
in house style, in both languages (issue 25). The console sessions that check every reply
are in tests/test_ukrainian.py; these check one message each, by what it must say."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot import render, texts
from bot.figures import bulletin_on
from tests.conftest import STORED_UNTIL


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
