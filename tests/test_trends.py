"""/week, /month and /records, checked against figures computed straight from the dataset."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot import render
from bot.ingest import seed_if_empty
from bot.trends import compare, records
from tests.conftest import NOW, TODAY

LAST = date(2026, 8, 8)


@pytest.fixture
def seeded(store):
    seed_if_empty(store, now=NOW, today=TODAY)
    return store


def total(dataset_reports, day: date, key: str) -> int:
    return next(r for r in dataset_reports if r.date == day).totals[key]


@pytest.mark.parametrize("days", [7, 30])
@pytest.mark.parametrize("key", ["tanks", "personnel", "uav"])
def test_a_period_against_the_one_before(seeded, dataset_reports, days, key):
    data = compare(seeded, days)
    trend = next(t for t in data.trends if t.category == key)
    start, before = LAST - timedelta(days=days), LAST - timedelta(days=2 * days)
    assert trend.rise == total(dataset_reports, LAST, key) - total(dataset_reports, start, key)
    assert trend.previous_rise == (
        total(dataset_reports, start, key) - total(dataset_reports, before, key)
    )
    assert (data.first, data.last) == (LAST - timedelta(days=days - 1), LAST)


def test_the_largest_day_of_the_period(seeded):
    tanks = next(t for t in compare(seeded, 7).trends if t.category == "tanks")
    assert (tanks.largest.date, tanks.largest.delta) == (date(2026, 8, 5), 5)


def test_records_of_one_category(seeded, dataset_reports):
    found = records(seeded, "tanks", limit=3)
    assert [(d.date, d.delta) for _, d in found] == [
        (date(2022, 2, 26), 66),
        (date(2023, 10, 20), 55),
        (date(2022, 3, 1), 48),
    ]
    first = found[0][1]
    assert first.delta == total(dataset_reports, date(2022, 2, 26), "tanks") - total(
        dataset_reports, date(2022, 2, 25), "tanks"
    )


def test_records_of_every_category_skip_merged_early_ones(seeded):
    found = dict(records(seeded))
    assert found["aircraft"].date == date(2025, 6, 3) and found["aircraft"].delta == 41
    assert "military_vehicles" not in found and "fuel_tanks" not in found


def test_rendering_says_what_the_numbers_are(seeded):
    text = render.to_plain(render.comparison(compare(seeded, 7), None))
    assert text.startswith("Last 7 days (2–8 August 2026) against the 7 days")
    assert "Tanks: +20 (previous: +23, −13%); most in a day +5 on 5 August" in text
    assert "not independently verified" in text


async def test_week_month_and_records_in_telegram(bot):
    week = render.to_plain((await bot.ask("/week")).text)
    assert "Last 7 days (1–7 August 2026)" in week
    assert "not independently verified" in week
    assert "Last 30 days" in render.to_plain((await bot.ask("/month")).text)
    assert "1. +66 on 26 February 2022" in render.to_plain((await bot.ask("/records tanks")).text)
    assert "Unknown category “tankz”" in (await bot.ask("/records tankz")).text
