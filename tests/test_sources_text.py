"""The text bulletin parser on real bulletin texts in both languages, checked against the
dataset's figures for the same day, and on text it must refuse."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

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
        ("from 24.02.2022 to 25.06.2031: tanks - 1511 (+4)", "found no date"),
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
