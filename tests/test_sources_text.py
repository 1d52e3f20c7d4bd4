"""The text bulletin parser on real bulletin texts in both languages, checked against the
dataset's figures for the same day, and on text it must refuse."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import categories
from bot.sources.text import BulletinParseError, parse_bulletin

BULLETINS = Path(__file__).parent / "fixtures" / "bulletins"
LATER = date(2026, 11, 24)


@pytest.mark.parametrize(
    "name, today",
    [
        ("en_2022-06-25.txt", LATER),
        ("uk_2022-06-25.txt", LATER),
        ("uk_2024-06-25.txt", LATER),
        ("en_2026-08-08.txt", LATER),
        # Early bulletins had no year in the heading: read as posted, in spring 2022.
        ("uk_2022-03-31.txt", date(2022, 3, 31)),
    ],
)
def test_real_bulletins_give_the_dataset_figures(name, today, dataset_reports):
    day = date.fromisoformat(name[3:13])
    expected = next(r for r in dataset_reports if r.date == day)

    report = parse_bulletin((BULLETINS / name).read_text(), today=today)

    assert report.date == day
    assert report.source == "text"
    # POWs were in the dataset but not in the posted text of that day.
    assert dict(report.totals) == {k: v for k, v in expected.totals.items() if k != "pow"}


def test_the_changes_in_brackets_are_kept_for_cross_checking():
    report = parse_bulletin((BULLETINS / "uk_2024-06-25.txt").read_text(), today=LATER)
    assert report.increases["personnel"] == 1180
    assert report.increases["tanks"] == 4
    assert report.increases["mlrs"] == 0


def test_the_raw_text_is_kept_as_pasted():
    text = (BULLETINS / "en_2022-06-25.txt").read_text()
    assert parse_bulletin(text, today=LATER).raw == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tanks ‒ 1511 (+4)", 1511),
        ("tanks — 1 511 (+4)", 1511),
        ("tanks – 1\u00a0511 (+4)", 1511),
        ("🔹 tanks: 1,511 (+ 4)", 1511),
        ("tanks - 1511 (−2)", 1511),
    ],
)
def test_dashes_spaces_and_bullets(text, expected):
    report = parse_bulletin(f"from 24.02.2022 to 25.06.2022:\n{text}", today=LATER)
    assert report.totals == {"tanks": expected}


def test_a_negative_change_in_brackets():
    report = parse_bulletin("з 24.02.22 по 25.06.22:\nтанків ‒ 1511 (−2) од", today=LATER)
    assert report.increases == {"tanks": -2}


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "found no date"),
        ("Glory to Ukraine!", "found no date"),
        ("from 24.02.2022 to 25.06.2022 were approximately: nothing", "found no figures"),
        (
            "from 24.02.2022 to 25.06.2022: tanks - 1511 (+4), laser weapons - 5 (+1)",
            "not understood: 'laser weapons - 5 (+1)'",
        ),
        ("from 24.02.2022 to 25.06.2022: tanks - 1511 (+4), tanks - 1512 (+1)", "twice"),
        ("from 24.02.2022 to 25.06.2022: tanks - 999999999999 (+4)", "out of range"),
        ("from 24.02.2022 to 25.06.2031: tanks - 1511 (+4)", "after today (24.11.2026)"),
    ],
)
def test_text_that_is_not_a_bulletin_gets_an_error_naming_what_was_wrong(text, message):
    with pytest.raises(BulletinParseError, match=re.escape(message)):
        parse_bulletin(text, today=LATER)


def test_numbers_without_a_change_and_without_a_known_label_are_ignored():
    text = (
        "from 24.02.2022 to 25.06.2022: tanks - 1511 (+4).\n"
        "Details: https://t.me/GeneralStaffZSU/15230 #day123"
    )
    assert parse_bulletin(text, today=LATER).totals == {"tanks": 1511}


# Rewrites as news sites publish them: read right, or refused with the item quoted. -------------

NOW_TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    "text, expected",
    [
        # English, a date line added above a news site's list.
        (
            "General Staff, 25.06.2024:\n"
            "personnel — 536,840 (+1,180)\n"
            "armoured personnel vehicles — 15,431 (+18)\n"
            "automotive equipment – 10,868 units (+24)\n"
            "cruise missiles: 2,266 (+43 per day)",
            {"personnel": 536840, "afv": 15431, "vehicles": 10868, "cruise_missiles": 2266},
        ),
        # The number before its label, in English and Ukrainian.
        (
            "Losses as of 25.06.2022: 1,511 tanks (+4), 3,645 armoured combat vehicles (+8), "
            "764 artillery systems (+5)",
            {"tanks": 1511, "afv": 3645, "artillery": 764},
        ),
        (
            "Втрати ворога станом на 25.06.2024:\n"
            "8 035 танків (+4 за минулу добу)\n"
            "2 266 крилатих ракет\n"
            "особового складу – 536 тис. 840 (+1 180) осіб",
            {"tanks": 8035, "cruise_missiles": 2266, "personnel": 536840},
        ),
        # Russian, as Russian-language Ukrainian media repeat it.
        (
            "Общие боевые потери противника с 24.02.22 по 25.06.24 ориентировочно составили:\n"
            "личного состава ‒ около 536 840 (+1 180) человек\n"
            "танков ‒ 8 035 (+4) ед.\n"
            "боевых бронированных машин ‒ 15 431 (+18) ед.\n"
            "артиллерийских систем ‒ 14 521 (+41) ед.\n"
            "РСЗО ‒ 1 125 (+0) ед.\n"
            "средства ПВО ‒ 868 (+0) ед.\n"
            "самолетов ‒ 360 (+0) ед.\n"
            "вертолетов ‒ 326 (+0) ед.\n"
            "БПЛА оперативно-тактического уровня ‒ 11 589 (+44)\n"
            "крылатые ракеты ‒ 2 266 (+0)\n"
            "корабли / катера ‒ 28 (+0) ед.\n"
            "подводные лодки ‒ 1 (+0) ед.\n"
            "автомобильной техники и автоцистерн ‒ 19 460 (+71) ед.\n"
            "специальная техника ‒ 2 384 (+6)",
            {
                "personnel": 536840,
                "tanks": 8035,
                "afv": 15431,
                "artillery": 14521,
                "mlrs": 1125,
                "air_defence": 868,
                "aircraft": 360,
                "helicopters": 326,
                "uav": 11589,
                "cruise_missiles": 2266,
                "warships": 28,
                "submarines": 1,
                "vehicles": 19460,
                "special_equipment": 2384,
            },
        ),
        # Emoji bullets, a colon, spaced thousands with narrow no-break spaces.
        (
            "з 24.02.2022 по 25.06.2024:\n✈️ літаків: 360 (+0)\n🚁 гелікоптерів – 326\n"
            "🛸 БпЛА оперативно-тактичного рівня — 11\u202f589 (+44)",
            {"aircraft": 360, "helicopters": 326, "uav": 11589},
        ),
        # Early 2022: military vehicles and fuel tanks were separate figures.
        (
            "з 24.02.2022 по 30.04.2022: автомобільної техніки – 1701 (+6), "
            "цистерн з ПММ – 76 (+0)",
            {"military_vehicles": 1701, "fuel_tanks": 76},
        ),
    ],
)
def test_news_rewrites_are_read_right(text, expected):
    report = parse_bulletin(text, today=NOW_TODAY)
    assert dict(report.totals) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        # Two categories and two totals in one item: never "tanks = 217".
        (
            "Bulletin of 25.06.2022: Russia has lost 1,500 tanks and 217 planes.",
            "not understood: 'Russia has lost 1,500 tanks and 217 planes.' names 2 categories "
            "(Tanks, Aircraft)",
        ),
        # A number that belongs to no category we know, even with a category-like word.
        (
            "from 24.02.2022 to 25.06.2022: tanks - 1511 (+4), laser weapons - 5 (+1)",
            "not understood: 'laser weapons - 5 (+1)' (names no category we know)",
        ),
        # A rounded figure is not the total.
        (
            "з 24.02.2022 по 25.06.2024: особового складу – близько 537 тис. осіб",
            "(a rounded figure, not the total)",
        ),
        # A heading without a year, long ago: the admin is asked to write the year.
        (
            "Загальні бойові втрати противника з 24.02 до 27.09 орієнтовно склали:\n"
            "танків ‒ 2 350 (+4)",
            "the date 27.09 has no year, and it is not within the last 7 days: write it with "
            "its year, such as 27.09.2026",
        ),
        # No date at all: a news article.
        (
            "Russia has lost 12,251 tanks since the start of the invasion, Kyiv says.",
            "found no date: a date line is needed",
        ),
        ("from 24.02.2022 to 27.11.2026: tanks – 12 260 (+9)", "after today (26.11.2026)"),
    ],
)
def test_rewrites_that_cannot_be_read_with_certainty_are_refused(text, message):
    with pytest.raises(BulletinParseError, match=re.escape(message)):
        parse_bulletin(text, today=NOW_TODAY)


def test_a_yearless_heading_within_the_last_week_is_read_as_this_years():
    report = parse_bulletin("з 24.02 по 22.11:\nтанків ‒ 12 260 (+9)", today=NOW_TODAY)
    assert report.date == date(2026, 11, 22)


# Property: whatever the parser accepts, it reads the same again from the official form. ------

OFFICIAL_KEYS = [c.key for c in categories.CATEGORIES if c.last_reported is None]


def official(report, language: str) -> str:
    """A report written out as the General Staff writes its bulletin (a line per item)."""
    if language == "uk":
        heading = "Загальні бойові втрати противника з 24.02.22 по {:%d.%m.%y} орієнтовно склали:"
    else:
        heading = "The total combat losses of the enemy from 24.02.2022 to {:%d.%m.%Y} were:"
    lines = [heading.format(report.date)]
    for key in categories.sort_keys(report.totals):
        name = categories.get(key).name(language)
        change = report.increases.get(key)
        suffix = "" if change is None else f" ({change:+d})".replace("-", "−")
        lines.append(f"▪️ {name} ‒ {report.totals[key]:,}{suffix}".replace(",", "\u00a0"))
    return "\n".join(lines)


def _item(key: str, total: int, change: int | None, style: int, language: str) -> str:
    name = categories.get(key).name(language)
    grouped = f"{total:,}" if style % 2 else f"{total:,}".replace(",", " ")
    bracket = "" if change is None else f" ({change:+d}{' за минулу добу' if style == 3 else ''})"
    if style == 2:
        return f"{grouped} {name}{bracket}"
    unit = " units" if style == 4 else ""
    return f"{name} {'—:-'[style % 3]} {grouped}{unit}{bracket}"


@st.composite
def pasted_texts(draw):
    keys = draw(st.lists(st.sampled_from(OFFICIAL_KEYS), min_size=1, max_size=8, unique=True))
    language = draw(st.sampled_from(["en", "uk"]))
    figures = {
        key: (
            draw(st.integers(0, 2_000_000)),
            draw(st.one_of(st.none(), st.integers(-50, 5000))),
            draw(st.integers(0, 4)),
        )
        for key in keys
    }
    day = draw(st.dates(min_value=date(2022, 5, 1), max_value=LATER))
    separator = draw(st.sampled_from(["\n", ", ", ";\n"]))
    noise = draw(st.lists(st.text(max_size=30), max_size=2))
    items = [_item(k, t, c, s, language) for k, (t, c, s) in figures.items()] + noise
    text = f"from 24.02.2022 to {day:%d.%m.%Y}:\n" + separator.join(items)
    return text, day, {k: t for k, (t, _, _) in figures.items()}


@settings(max_examples=300)
@given(pasted_texts())
def test_what_the_parser_accepts_it_reads_the_same_from_the_official_form(case):
    text, day, totals = case
    try:
        report = parse_bulletin(text, today=LATER)
    except BulletinParseError:
        return  # refusing is always allowed; misreading never is
    assert report.date == day
    assert dict(report.totals) == totals
    for language in ("en", "uk"):
        again = parse_bulletin(official(report, language), today=LATER)
        assert (again.date, dict(again.totals), dict(again.increases)) == (
            report.date,
            dict(report.totals),
            dict(report.increases),
        )


@settings(max_examples=300)
@given(st.lists(st.sampled_from(OFFICIAL_KEYS), min_size=1, unique=True), st.data())
def test_the_official_form_is_always_read(keys, data):
    """Without noise every generated paste must be accepted, not only not misread."""
    totals = {key: data.draw(st.integers(0, 2_000_000)) for key in keys}
    style = data.draw(st.integers(0, 4))
    text = "from 24.02.2022 to 25.06.2024:\n" + "\n".join(
        _item(key, total, data.draw(st.integers(0, 99)), style, "uk")
        for key, total in totals.items()
    )
    assert dict(parse_bulletin(text, today=LATER).totals) == totals
