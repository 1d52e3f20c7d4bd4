"""Independent counts beside the claim: Oryx's photo-confirmed losses, bundled and compared."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot import categories, oryx, render
from bot.oryx import OryxCounts, OryxDataError

SAMPLE = """country,equipment_type,destroyed,abandoned,captured,damaged,type_total,date_recorded
Russia,Tanks,1,0,0,0,1,2025-03-01
Russia,Tanks,3,0,0,0,3,2025-03-05
Russia,Towed Artillery,2,0,0,0,2,2025-03-03
Ukraine,Tanks,9,0,0,0,9,2025-03-02
"""


def test_every_mapped_oryx_type_is_in_the_bundled_file():
    bundled = oryx.bundled()
    mapped = {t: c.key for c in categories.CATEGORIES for t in c.oryx_types}
    assert len(mapped) >= 14
    assert set(mapped) <= bundled.types(), set(mapped) - bundled.types()
    # A category without a comparable count says why, in both languages.
    uav = categories.get("uav")
    assert not uav.oryx_types and uav.note("en") and uav.note("uk")


def test_the_count_as_of_a_date_is_each_types_last_row_on_or_before_it():
    counts = OryxCounts.from_csv(SAMPLE)
    assert counts.as_of(["Tanks"], date(2025, 2, 28)) is None  # nothing counted yet
    assert counts.as_of(["Tanks"], date(2025, 3, 4)) == oryx.Documented(1, date(2025, 3, 1))
    both = counts.as_of(["Tanks", "Towed Artillery"], date(2025, 3, 4))
    assert both == oryx.Documented(3, date(2025, 3, 3))  # dated by the newest row in it
    # Towed artillery not counted yet on 2 March: no sum, rather than the tanks alone.
    assert counts.as_of(["Tanks", "Towed Artillery"], date(2025, 3, 2)) is None
    assert counts.as_of(["Tanks"], date(2026, 1, 1)) == oryx.Documented(3, date(2025, 3, 5))
    assert counts.types() == {"Tanks", "Towed Artillery"}  # Ukraine's rows are not Russia's


@pytest.mark.parametrize(
    "text, message",
    [
        ("date,total\n2025-01-01,3\n", "not Oryx's daily counts (missing columns: country, "),
        (SAMPLE.replace("1,2025-03-01", "one,2025-03-01"), "line 2: cannot read"),
        (SAMPLE.splitlines()[0] + "\nUkraine,Tanks,1,0,0,0,1,2025-03-01\n", "no rows for Russia"),
    ],
)
def test_a_file_of_another_shape_is_refused_with_what_is_wrong(text, message):
    with pytest.raises(OryxDataError, match=re.escape(message)):
        OryxCounts.from_csv(text, "new.csv")


def test_the_claim_and_the_count_are_set_side_by_side_on_the_same_date(history_store):
    day = date(2025, 7, 19)
    rows = oryx.compare(history_store, ["tanks", "uav"], day)
    tanks, uav = rows
    assert (tanks.on, tanks.documented) == (day, 4_074)
    assert tanks.claimed == history_store.reports.effective_totals(day, day)[day]["tanks"]
    assert uav.documented is None and uav.claimed is None
    text = render.to_plain(render.claimed_and_documented(rows, day))
    assert text.startswith("Claimed, and documented with photos or video, on 19 July 2025\n")
    assert f"Tanks: {tanks.claimed:,} claimed, 4,074 documented (2.7 times fewer)" in text
    assert "counts here end" not in text
    assert "Operational-tactical UAVs: no comparable Oryx count" in text
    assert "a lower bound" in text and "not independently verified" in text
    assert "Oryx, via scarnecchia/oryx_data (CC BY 4.0)" in text


def test_a_count_holds_until_its_next_row_so_the_claim_is_of_the_day_asked(history_store):
    """Oryx's MLRS count last changed on 12 June 2025; on 19 July it still stood, so it is set
    beside the claim of 19 July, not of 12 June (a claim five weeks older, a ratio too low)."""
    day = date(2025, 7, 19)
    (mlrs,) = oryx.compare(history_store, ["mlrs"], day)
    assert mlrs.on == day
    assert mlrs.claimed == history_store.reports.effective_totals(day, day)[day]["mlrs"]
    assert mlrs.documented == oryx.bundled().as_of(["Multiple Rocket Launchers"], day).total


def test_warships_are_set_beside_oryx_with_submarines_on_both_sides(history_store):
    day = date(2025, 7, 19)
    (warships,) = oryx.compare(history_store, ["warships"], day)
    claims = history_store.reports.effective_totals(day, day)[day]
    assert warships.claimed == claims["warships"] + claims["submarines"]
    text = render.to_plain(render.claimed_and_documented([warships], day))
    assert "(with submarines on both sides: Oryx counts them together)" in text


def test_a_date_before_oryx_counted_a_type_says_when_its_counts_start(history_store):
    day = date(2025, 1, 1)
    text = render.to_plain(
        render.claimed_and_documented(oryx.compare(history_store, ["tanks"], day), day)
    )
    assert "Tanks: Oryx's count starts on 21 March 2025" in text


def test_a_day_oryx_had_documented_none_yet_shows_the_claim_without_a_ratio(history_store):
    day = date(2022, 2, 25)
    (aircraft,) = oryx.compare(history_store, ["aircraft"], day)
    text = render.to_plain(render.claimed_and_documented([aircraft], day))
    assert aircraft.documented == 0  # the scraped file's first row, before any was filmed
    assert f"Aircraft: {aircraft.claimed} claimed, none documented by then" in text


async def test_after_the_counts_end_both_figures_are_of_their_last_day(bot):
    reply = render.to_plain((await bot.ask("/compare tanks")).text)  # the latest: 7 August 2026
    assert "on 19 July 2025\nTanks: 11,032 claimed, 4,074 documented (2.7 times fewer)" in reply
    assert (
        "Oryx's counts end on 19 July 2025: both figures are of that day, not of 7 August 2026."
    ) in reply


async def test_two_dates_are_refused_with_both_named(bot):
    reply = render.to_plain((await bot.ask("/compare tanks 2025-07-19 2025-07-01")).text)
    assert reply == "“2025-07-19” and “2025-07-01” are two dates: give one."


async def test_the_line_under_one_category_points_to_compare_only_where_oryx_counted(bot):
    latest = render.to_plain((await bot.ask("/latest tanks")).text)
    assert latest.endswith("(a lower bound): /compare tanks")
    on_day = render.to_plain((await bot.ask("/on 2025-07-19 artillery")).text)
    assert on_day.endswith("(a lower bound): /compare artillery 2025-07-19")
    # Oryx's scraped counts of tanks begin in March 2025, and UAVs it does not count alike.
    for asked in ("/on 2022-06-25 tanks", "/latest uav", "/latest tanks artillery"):
        assert "/compare" not in render.to_plain((await bot.ask(asked)).text), asked


async def test_compare_in_telegram_in_both_languages(bot):
    reply = render.to_plain((await bot.ask("/compare tanks 2025-07-19")).text)
    assert "on 19 July 2025\nTanks: 11,032 claimed, 4,074 documented (2.7 times fewer)" in reply
    await bot.ask("/language uk")
    reply = render.to_plain((await bot.ask("/compare танки 19.07.2025")).text)
    assert (
        "на 19 липня 2025 р.\nТанки: заявлено 11\u00a0032, "
        "задокументовано 4\u00a0074 (у 2,7 раза менше)" in reply
    )
    assert "нижня межа" in reply
    reply = render.to_plain((await bot.ask("/compare танкі")).text)
    assert "/compare танки" in reply


def test_the_documented_count_over_a_period_is_a_step_for_each_change():
    counts = OryxCounts.from_csv(SAMPLE)
    steps = counts.series(["Tanks", "Towed Artillery"], date(2025, 3, 2), date(2025, 3, 31))
    assert steps == [
        oryx.Documented(3, date(2025, 3, 3)),  # from the first day both types are counted
        oryx.Documented(5, date(2025, 3, 5)),  # to the last day counted: no further
    ]
    steps = counts.series(["Tanks"], date(2025, 3, 2), date(2025, 3, 31))
    assert steps[0] == oryx.Documented(1, date(2025, 3, 2))  # as it stood on the first day


async def test_a_chart_draws_the_documented_count_beside_the_claim(bot):
    reply = await bot.ask("/chart tanks compare 2025")
    assert reply.method == "sendPhoto" and reply.attachment.startswith(b"\x89PNG")
    plain = await bot.ask("/chart tanks 2025")
    assert plain.attachment != reply.attachment  # the second line is drawn
    refused = await bot.ask("/chart tanks artillery compare")
    assert refused.text.startswith("A chart beside Oryx's count shows one category at a time")


async def test_a_category_oryx_does_not_count_apart_says_where_to_look_or_that_it_does_not(bot):
    submarines = render.to_plain((await bot.ask("/compare submarines")).text)
    assert "Submarines: Oryx counts them with warships and boats: /compare warships" in submarines
    personnel = render.to_plain((await bot.ask("/compare personnel")).text)
    assert "Personnel: Oryx does not count these" in personnel
    assert "counts here end" not in personnel  # no figures beside it to be of another day


async def test_a_chart_with_nothing_of_oryx_to_draw_says_why_in_its_caption(bot):
    recent = await bot.ask("/chart tanks compare")  # the last 90 days: after the counts end
    assert recent.method == "sendPhoto"
    assert (
        "No Oryx line: its counts of tanks run 21 March – 19 July 2025, outside this period. "
        "All of them: /chart tanks compare all"
    ) in render.to_plain(recent.text)
    assert recent.attachment == (await bot.ask("/chart tanks")).attachment  # no empty legend
    uav = render.to_plain((await bot.ask("/chart uav compare")).text)
    assert "Operational-tactical UAVs: no comparable Oryx count" in uav
    drawn = render.to_plain((await bot.ask("/chart tanks compare all")).text)
    assert "No Oryx line" not in drawn
