"""The charts and the daily card as a phone shows them (issue 25.3), measured with matplotlib's
own renderer at the size they are saved: where the title is, how big the smallest letters are
on a phone, that nothing overlaps, that the legend stays off the data, whole-number ticks for
small counts, gaps drawn as gaps, and colours that read in a dark theme as in a light one."""

from __future__ import annotations

import io
import math
from dataclasses import replace
from datetime import date
from itertools import combinations

import pytest
from PIL import Image

from bot import cards, pictures, render, texts
from bot.charts import data_series, figure, parse_period
from bot.figures import Series, bulletin_on
from tests.conftest import STORED_UNTIL

LATEST = STORED_UNTIL


def chart(store, keys, period="90d", corrected=frozenset()):
    span = parse_period(period, LATEST)
    return figure(data_series(store, keys, span), span, set(corrected))


def card(store, keys=()):
    return cards.figure(render.card(bulletin_on(store, LATEST), keys))


def shown(drawn):
    """Every piece of text the picture shows: its own lines, the legend's, the axes' ticks."""
    drawn.canvas.draw()
    found = list(drawn.texts)
    for legend in drawn.legends:
        found += legend.get_texts()
    for ax in drawn.axes:
        found += ax.get_xticklabels() + ax.get_yticklabels()
    box = drawn.bbox
    return [
        t
        for t in found
        if t.get_visible()
        and t.get_text()
        and box.contains(*t.get_window_extent().get_points().mean(axis=0))
    ]


def phone_pixels(text, drawn) -> float:
    """A text's font size, in pixels at the size the picture is saved, as a phone shows it."""
    saved = text.get_fontsize() * drawn.dpi / pictures.POINTS_PER_INCH
    return saved * pictures.PHONE_WIDTH_PX / (drawn.get_figwidth() * drawn.dpi)


def pictures_of(store):
    return {
        "one category": chart(store, ["tanks"]),
        "four panels": chart(store, ["personnel", "tanks", "artillery", "uav"], "30d"),
        "card": card(store),
    }


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_title_says_whose_losses_and_is_at_the_top(history_store, speak, language):
    """The grey date line sat above the title, and the four-panel chart had none."""
    speak(language)
    for name, drawn in pictures_of(history_store).items():
        texts_shown = shown(drawn)
        top = max(texts_shown, key=lambda t: t.get_window_extent().y1)
        assert render.title().startswith(top.get_text()), name
        assert top.get_fontweight() == "bold" and top.get_fontsize() == pictures.TITLE
        margin = drawn.bbox.y1 - top.get_window_extent().y1
        assert margin <= 0.25 * drawn.dpi, name  # at the top: nothing above it


@pytest.mark.parametrize("language", ["en", "uk"])
def test_every_letter_is_at_least_11_pixels_on_a_phone(history_store, speak, language):
    """Measured at the saved size (1,000 pixels across), shown 360 across: the small print
    was 7.5 points on a 10-inch chart, 3.8 pixels on a phone; now 11.2."""
    speak(language)
    for name, drawn in pictures_of(history_store).items():
        assert drawn.get_figwidth() * drawn.dpi == 1000, name
        smallest = min(shown(drawn), key=lambda t: t.get_fontsize())
        assert phone_pixels(smallest, drawn) >= pictures.SMALLEST_PHONE_PX, (name, smallest)


def test_no_picture_prints_a_raw_url(history_store):
    """The card's small print had the post's link: it is in the caption, where it can be
    tapped."""
    view = bulletin_on(history_store, LATEST)
    linked = replace(view, report=replace(view.report, link="https://t.me/GeneralStaffZSU/1"))
    with_link = cards.figure(render.card(linked))
    for drawn in (*pictures_of(history_store).values(), with_link):
        for text in shown(drawn):
            assert "http" not in text.get_text() and "t.me/" not in text.get_text()


def test_the_legend_is_drawn_once_and_off_the_data(history_store):
    """It was drawn in every panel, over the bars, and over the claimed line."""
    for drawn in (
        chart(history_store, ["personnel", "tanks", "artillery", "uav"], "30d"),
        chart(
            history_store, ["helicopters"], "2025", corrected={("helicopters", date(2025, 6, 2))}
        ),
    ):
        drawn.canvas.draw()
        assert len(drawn.legends) == 1
        assert all(ax.get_legend() is None for ax in drawn.axes)
        legend = drawn.legends[0].get_window_extent()
        assert not any(legend.overlaps(ax.get_window_extent()) for ax in drawn.axes)


def test_small_counts_get_whole_number_ticks(history_store):
    """Helicopters in 2025: a few a month, ticked 0.5, 1.0, 1.5 before."""
    drawn = chart(history_store, ["helicopters"], "2025")
    drawn.canvas.draw()
    for ax in drawn.axes:
        low, high = ax.get_ylim()
        ticks = [t for t in ax.get_yticks() if low <= t <= high]
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)


def test_bars_that_average_several_days_say_so(history_store):
    labels = [t.get_text() for t in chart(history_store, ["tanks"], "all").legends[0].get_texts()]
    assert "Daily change, averaged over 3 days a bar" in labels
    labels = [t.get_text() for t in chart(history_store, ["tanks"], "90d").legends[0].get_texts()]
    assert "Daily change" in labels and not any("a bar" in label for label in labels)


def test_a_gap_in_the_data_is_drawn_as_a_gap_never_as_flat_daily_bars(history_store):
    """Five days without a bulletin, then a change over six: no bars on the missing days (they
    were bars of the average before), a hatched bar of the average on the day that closes the
    gap, and the total's line broken there."""
    span = parse_period("30d", LATEST)
    (tanks,) = data_series(history_store, ["tanks"], span)
    missing = {date(2026, 7, day) for day in range(20, 25)}
    days = [d for d in tanks.days if d.date not in missing]
    closing = next(i for i, d in enumerate(days) if d.date == date(2026, 7, 25))
    days[closing] = replace(days[closing], delta=42, span_days=6)
    drawn = figure([Series("tanks", days)], span, set())
    total_axes, change_axes = drawn.axes
    (bars,) = [p for p in change_axes.patches if type(p).__name__ == "StepPatch"]
    values, _, _ = bars.get_data()
    first = tanks.days[0].date
    gap = [(d - first).days for d in missing]
    assert all(math.isnan(values[i]) for i in gap)
    assert math.isnan(values[(date(2026, 7, 25) - first).days])  # not a day's own change
    hatched = [p for p in change_axes.patches if p.get_hatch()]
    assert [p.get_height() for p in hatched] == [7.0]  # 42 over 6 days
    (line,) = total_axes.get_lines()
    assert any(math.isnan(y) for y in line.get_ydata())
    labels = [t.get_text().replace("\n", " ") for t in drawn.legends[0].get_texts()]
    assert texts.CHART_OVER_DAYS in labels


def test_personnel_is_about_in_a_chart_panel_too(history_store, speak):
    speak("uk")
    drawn = chart(history_store, ["personnel", "tanks"], "30d")
    assert any(t.get_text().startswith("Особовий склад (усього близько ") for t in drawn.texts)


LONGEST_ROWS = (
    ("Наземні робототехнічні комплекси", "близько 1 456 610", "(+142 200 за 119 днів)"),
    ("Автомобільна техніка та автоцистерни", "131 417", "(−1 234, джерело зменшило число)"),
    ("БпЛА оперативно-тактичного рівня", "449 606*", "(+1 751, після виправлення)"),
    ("Vehicles and fuel tanks", "about 1,456,610", "(+142,200 over 119 days)"),
    ("Tanks", "12,251", "(new)"),
    ("Підводні човни", "2", "(0)"),
)


def test_no_text_overlaps_on_the_card_whatever_its_values(history_store, speak):
    """A change over several days ran into the totals: every text is measured, and none
    overlaps another or leaves the card, for the longest values there are."""
    speak("uk")
    text = render.card(bulletin_on(history_store, LATEST))
    longest = replace(
        text,
        rows=text.rows + LONGEST_ROWS,
        small_print=(*text.small_print, "* " + "дуже довга причина виправлення " * 8),
    )
    for drawn in (cards.figure(text), cards.figure(longest)):
        boxes = [t.get_window_extent() for t in shown(drawn)]
        assert all(drawn.bbox.x0 <= b.x0 and b.x1 <= drawn.bbox.x1 for b in boxes)
        assert all(drawn.bbox.y0 <= b.y0 and b.y1 <= drawn.bbox.y1 for b in boxes)
        overlapping = [(a, b) for a, b in combinations(boxes, 2) if a.overlaps(b)]
        assert not overlapping


def test_no_line_of_a_chart_runs_into_another_or_into_the_data(history_store, speak):
    speak("uk")
    for drawn in pictures_of(history_store).values():
        if not drawn.axes:
            continue
        lines = [t.get_window_extent() for t in drawn.texts]
        lines += [drawn.legends[0].get_window_extent()]
        axes = [ax.get_window_extent() for ax in drawn.axes]
        assert not any(a.overlaps(b) for a, b in combinations(lines, 2))
        assert not any(line.overlaps(ax) for line in lines for ax in axes)


def luminance(colour: str) -> float:
    """WCAG's relative luminance of '#rrggbb'."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_palette_reads_in_a_dark_theme_as_in_a_light_one(history_store):
    """The pictures were pure white (luminance 1.0), a glare in Telegram's dark theme: now a
    dark slate, with every colour of text and data at WCAG's 4.5:1 against it at least."""
    assert luminance(pictures.BACKGROUND) < 0.05
    for colour in (
        pictures.TEXT,
        pictures.MUTED,
        pictures.CLAIMED,
        pictures.BARS,
        pictures.AVERAGE,
        pictures.DOCUMENTED,
        pictures.CORRECTED,
        pictures.RISE,
    ):
        assert contrast(colour, pictures.BACKGROUND) >= 4.5, colour
    for drawn in pictures_of(history_store).values():
        buffer = io.BytesIO()
        drawn.savefig(buffer, format="png", dpi=drawn.dpi, facecolor=pictures.BACKGROUND)
        corner = Image.open(buffer).convert("RGB").getpixel((2, 2))
        assert "#{:02x}{:02x}{:02x}".format(*corner) == pictures.BACKGROUND
