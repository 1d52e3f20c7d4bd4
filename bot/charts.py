"""Charts of the figures as PNG: cumulative totals and daily changes. No Telegram here.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no global state), in
a process of its own (bot/drawing.py) while the bot keeps answering; at a phone's scale and in
the palette of bot/pictures.py, the card's. A chart depends only on the categories, the period
and the data, so `ChartCache` keeps each one until the stored figures change (a new report
accepted, a correction made or withdrawn).
"""

from __future__ import annotations

import asyncio
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from babel import dates as babel_dates

from bot import cards, categories, oryx, render, texts
from bot.dates import WAR_START
from bot.digests import Span
from bot.drawing import DrawingProcess
from bot.errors import UserError
from bot.figures import Series, bulletin_on, daily_changes
from bot.limits import Limiter, Memo
from bot.oryx import Documented
from bot.pictures import (
    AVERAGE,
    BACKGROUND,
    BARS,
    CLAIMED,
    CORRECTED,
    DOCUMENTED,
    DPI,
    GRID,
    HEADING,
    MARGIN,
    MUTED,
    POINTS_PER_INCH,
    SMALL,
    TEXT,
    TITLE,
    WIDTH_INCHES,
    line_height,
    text_width,
    wrapped,
)
from bot.store import Store
from bot.summary import Digest
from bot.uploads import Upload

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DEFAULT_PERIOD = "90d"
MOST_CATEGORIES = 4
CACHE_SIZE = 64
# Bars a chart draws at most: about one per pixel column of its 1,000-pixel width.
MAX_BARS = 800
_DAYS = re.compile(r"([0-9]{1,4})\s*(d|days?|д|дн(?:ів|і)?)", re.IGNORECASE)
_YEARS = re.compile(r"([0-9]{0,2})\s*(y|years?|р|рік|роки|років)", re.IGNORECASE)
_MONTHS = re.compile(r"([0-9]{1,3})\s*(m|months?|міс(?:яц\w*)?)", re.IGNORECASE)
# How a period is named, by its unit: the message with the plural forms for its count.
_UNIT_MESSAGES = {"days": "PERIOD_DAYS", "months": "PERIOD_MONTHS", "years": "PERIOD_YEARS"}


class PeriodError(UserError):
    """A period nobody can draw; the message says what to write instead."""


@dataclass(frozen=True)
class Period:
    """Days from `start` (None: the beginning) to `end` (None: the latest stored), as asked
    for: `count` of a `unit` (days, months, years), one calendar year, or all; or the
    bulletins of a subscriber's digest (unit 'weekly' or 'monthly': bot/digests.py)."""

    unit: str
    count: int = 0
    start: date | None = None
    end: date | None = None

    def label(self) -> str:
        """'90 days', '90 днів', '2024', 'за весь час', in the language being spoken."""
        if self.unit == "all":
            return texts.PERIOD_ALL
        if self.unit == "year":
            return str(self.count)
        if self.unit in (Digest.WEEKLY, Digest.MONTHLY) and self.start and self.end:
            losses = Span(self.start - timedelta(days=1), self.end - timedelta(days=1))
            return texts.CHART_DIGEST_PERIOD.format(period=render.period_name(self.unit, losses))
        return texts.ngettext(_UNIT_MESSAGES[self.unit], self.count).format(count=self.count)


def looks_like_period(word: str) -> bool:
    """Whether a word means a period (to be read, or refused as one), not a category: it
    starts with a digit, or is 'all' or 'year' in either language."""
    return bool(re.match(r"\d|all$|вс[еі]$|усі$|year$|рік$", word.strip().casefold()))


def parse_period(word: str, latest: date) -> Period:
    """'30d', '90 days', '6m', 'all', '2024': the period to draw, ending on `latest`."""
    text = word.strip().casefold()
    if text in ("all", "все", "всі", "усі"):
        return Period("all")
    if match := _DAYS.fullmatch(text):
        days = int(match[1])
        if 2 <= days <= 5000:
            return Period("days", days, latest - timedelta(days=days - 1), latest)
    elif match := _MONTHS.fullmatch(text):
        months = int(match[1])
        if 1 <= months <= 200:
            start = latest - timedelta(days=round(months * 30.44))
            return Period("months", months, start, latest)
    elif (match := _YEARS.fullmatch(text)) and not re.fullmatch(r"20[0-9]{2}", text):
        years = int(match[1] or 1)
        if 1 <= years <= 20:
            start = latest - timedelta(days=round(years * 365.25) - 1)
            return Period("years", years, start, latest)
    elif re.fullmatch(r"20[0-9]{2}", text):
        year = int(text)
        if 2022 <= year <= latest.year:
            return Period("year", year, date(year, 1, 1), min(date(year, 12, 31), latest))
    raise PeriodError(texts.BAD_PERIOD.format(word=texts.shown(word)))


# The height of each kind of panel, and the room around them, in inches.
TOTAL_INCHES, CHANGE_INCHES, PANEL_INCHES = 1.9, 1.5, 1.35
GAP, AXES_GAP, TICK_ROOM = 0.12, 0.06, 0.1
# A legend entry's line and the space between entries, in font sizes (matplotlib's own).
LEGEND_LINE, LEGEND_SPACING = 1.2, 0.35


def tick_label(day: date, span_days: int) -> str:
    """A date under the chart, in the reader's language: '5 Aug' / '5 серп.' over a couple of
    months, and for a tick inside a month ('15 Jun' between 'Jun' and 'Jul', never 'Jun'
    twice); at the start of a month over longer spans the month ('Aug', 'серп.'), or the year
    at its start."""
    language = texts.current_language()
    if span_days <= 62 or day.day != 1:
        return babel_dates.format_date(day, "d MMM", locale=language)
    if day.month == 1:
        return str(day.year)
    return babel_dates.format_date(day, "LLL", locale=language)


def data_series(store: Store, keys: Sequence[str], period: Period) -> list[Series]:
    """Each category's days within the period, with their changes."""
    end = period.end or store.reports.latest_date()
    if end is None:
        return [Series(key, []) for key in keys]
    changes = daily_changes(store, since=period.start or WAR_START, until=end, keys=keys)
    return [Series(key, changes.get(key, [])) for key in keys]


def figure(
    data: list[Series],
    period: Period,
    corrected: set[tuple[str, date]],
    documented: Sequence[Documented] = (),
) -> Figure:
    """The chart as a matplotlib figure: for one category, the total above and daily changes
    below; for several, one panel of daily changes each, headed with its total. `documented`,
    for one category: Oryx's photo-confirmed count, drawn beside the claimed total.

    Laid out from the top, in inches measured before anything is placed: the title (whose
    losses, since when), the dates, the legend (once, off the data), each panel under its
    heading, the dates under the last, and the small print."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, num2date
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    language = texts.current_language()
    single = len(data) == 1
    first = min((s.days[0].date for s in data if s.days), default=None)
    last = max((s.days[-1].date for s in data if s.days), default=None)
    span = (last - first).days + 1 if first and last else 0
    step = max(1, -(-span // MAX_BARS))  # calendar days a bar stands for

    headings: list[str] = []
    heights: list[float] = []
    for item in data:
        category = categories.get(item.category)
        total = render.MISSING
        if item.days:
            approx = texts.APPROXIMATELY if category.approximate else ""
            total = approx + texts.number(item.days[-1].total)
        headings.append(texts.CHART_PANEL.format(name=category.name(language), total=total))
        heights.append(TOTAL_INCHES if single else PANEL_INCHES)
    if single:
        headings.append(texts.CHART_DAILY)
        heights.append(CHANGE_INCHES)

    drawn = Figure(figsize=(WIDTH_INCHES, 10.0), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(drawn)
    axes = [drawn.add_axes((0.0, 0.0, 1.0, 1.0)) for _ in headings]
    for ax in axes[1:]:
        ax.sharex(axes[0])
    legend: dict[str, Artist] = {}
    for index, item in enumerate(data):
        if single:
            _total(axes[0], item, corrected, documented, legend)
        _changes(axes[-1] if single else axes[index], item, step, legend)

    for index, ax in enumerate(axes):
        ax.set_facecolor(BACKGROUND)
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines[["top", "right", "left"]].set_visible(False)
        ax.spines["bottom"].set_color(GRID)
        ax.tick_params(colors=MUTED, labelsize=SMALL, length=3)
        # Whole numbers only (no half a helicopter), few enough to read on a phone.
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True, min_n_ticks=2))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: texts.number(value)))
        changes = not single or index == 1
        ax.autoscale_view()
        if changes:
            ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1))
        ax.tick_params(axis="x", labelbottom=index == len(axes) - 1)
    axes[-1].xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=5))
    axes[-1].xaxis.set_major_formatter(
        FuncFormatter(lambda value, _: tick_label(num2date(value).date(), span))
    )

    # The room the numbers beside each axis take: the widest tick label, measured.
    widest = max(
        (
            text_width(texts.number(tick), SMALL)
            for ax in axes
            for tick in ax.yaxis.get_major_locator().tick_values(*ax.get_ylim())
            if ax.get_ylim()[0] <= tick <= ax.get_ylim()[1]
        ),
        default=0.3,
    )
    left = MARGIN + widest + 0.08
    inner = WIDTH_INCHES - 2 * MARGIN

    placed: list[tuple[float, str, float, str, bool]] = []  # (top, text, size, colour, bold)
    y = MARGIN
    for line in wrapped(render.title(), TITLE, inner, bold=True):
        placed.append((y, line, TITLE, TEXT, True))
        y += line_height(TITLE)
    dates = texts.format_range(first, last) if first and last else render.MISSING
    for line in wrapped(
        texts.CHART_SUBTITLE.format(dates=dates, period=period.label()), SMALL, inner
    ):
        placed.append((y, line, SMALL, MUTED, False))
        y += line_height(SMALL)
    y += GAP
    labels = ["\n".join(wrapped(label, SMALL, inner - 0.45)) for label in legend]
    legend_top = y
    y += (
        sum((label.count("\n") + 1) * LEGEND_LINE + LEGEND_SPACING for label in labels)
        * SMALL
        / POINTS_PER_INCH
    )
    boxes: list[tuple[float, float]] = []  # (top, height) of each axes, in inches
    for heading, height in zip(headings, heights, strict=True):
        y += GAP
        for line in wrapped(heading, HEADING, inner):
            placed.append((y, line, HEADING, TEXT, False))
            y += line_height(HEADING)
        y += AXES_GAP
        boxes.append((y, height))
        y += height
    y += line_height(SMALL) + TICK_ROOM + GAP
    small_print = texts.CHART_SMALL_PRINT
    if documented:
        small_print += " " + texts.CHART_ORYX_CREDIT.format(attribution=texts.ORYX_ATTRIBUTION)
    for line in wrapped(small_print, SMALL, inner):
        placed.append((y, line, SMALL, MUTED, False))
        y += line_height(SMALL)
    height = y + MARGIN

    drawn.set_size_inches(WIDTH_INCHES, height)
    for top, text, size, colour, bold in placed:
        drawn.text(
            MARGIN / WIDTH_INCHES,
            1 - top / height,
            text,
            fontsize=size,
            color=colour,
            weight="bold" if bold else "normal",
            va="top",
        )
    if legend:
        drawn.legend(
            list(legend.values()),
            labels,
            loc="upper left",
            bbox_to_anchor=(MARGIN / WIDTH_INCHES, 1 - legend_top / height),
            frameon=False,
            fontsize=SMALL,
            labelcolor=TEXT,
            handlelength=1.6,
            handletextpad=0.5,
            labelspacing=LEGEND_SPACING,
            borderpad=0,
            borderaxespad=0,
        )
    for ax, (top, box) in zip(axes, boxes, strict=True):
        ax.set_position(
            (
                left / WIDTH_INCHES,
                1 - (top + box) / height,
                (WIDTH_INCHES - MARGIN - left) / WIDTH_INCHES,
                box / height,
            )
        )
    return drawn


def draw(
    data: list[Series],
    period: Period,
    corrected: set[tuple[str, date]],
    documented: Sequence[Documented] = (),
) -> bytes:
    """The chart as a PNG (see `figure`)."""
    buffer = io.BytesIO()
    figure(data, period, corrected, documented).savefig(
        buffer, format="png", dpi=DPI, facecolor=BACKGROUND
    )
    return buffer.getvalue()


def draw_in(
    language: str,
    data: list[Series],
    period: Period,
    corrected: set[tuple[str, date]],
    documented: Sequence[Documented] = (),
) -> bytes:
    """`draw` in `language`: what the drawing process runs for a chart (bot/drawing.py), whose
    words (title, headings, dates) are put there in the reader's language."""
    texts.set_language(language)
    return draw(data, period, corrected, documented)


def _by_day(item: Series) -> tuple[list[float], list[tuple[date, float]], list[float]]:
    """A category's days as calendar days from its first: each day's own change (nan where
    there is none: a day with no bulletin, or one whose change covers several days), those
    changes over several days (their day, their per-day average), and the per-day rise of
    every day a bulletin covers (for bars that average several days)."""
    first = item.days[0].date
    count = (item.days[-1].date - first).days + 1
    own, covered = [math.nan] * count, [math.nan] * count
    closing = []
    for day in item.days:
        if day.delta is None:
            continue
        index = (day.date - first).days
        rate = max(day.delta, 0) / day.span_days
        if day.span_days == 1:
            own[index] = rate
        else:
            closing.append((day.date, rate))
        for covers in range(max(0, index - day.span_days + 1), index + 1):
            covered[covers] = rate
    return own, closing, covered


def _changes(ax: Axes, item: Series, step: int, legend: dict[str, Artist]) -> None:
    """Daily changes as bars, with their 7-day average. A day with no bulletin is a gap; the
    change reported after it, covering several days, is a hatched bar of its per-day average
    on its own day. Over a long span each bar is several days' average, and says so."""
    from matplotlib.dates import date2num
    from matplotlib.patches import Patch

    if not item.days:
        return
    own, closing, covered = _by_day(item)
    first = date2num(item.days[0].date) - 0.5
    if step == 1:
        values = own
    else:
        values = [_mean(covered[start : start + step]) for start in range(0, len(covered), step)]
    edges = [first + index * step for index in range(len(values) + 1)]
    ax.stairs(values, edges, fill=True, color=BARS, linewidth=0)
    label = (
        texts.CHART_DAILY
        if step == 1
        else texts.ngettext("CHART_BARS_AVERAGE", step).format(days=step)
    )
    legend.setdefault(label, Patch(color=BARS))
    if step == 1 and closing:
        ax.bar(
            [date2num(day) for day, _ in closing],
            [rate for _, rate in closing],
            width=1.0,
            color="none",
            edgecolor=BARS,
            hatch="////",
            linewidth=0.8,
        )
        legend.setdefault(
            texts.CHART_OVER_DAYS, Patch(facecolor="none", edgecolor=BARS, hatch="////")
        )
    known = list(own)
    for day, rate in closing:
        known[(day - item.days[0].date).days] = rate
    average = [
        math.nan if math.isnan(value) else _mean(known[max(0, index - 6) : index + 1])
        for index, value in enumerate(known)
    ]
    days = [first + 0.5 + index for index in range(len(average))]
    if step > 1:  # one point a bar, at its last day
        ends = bin_ends(len(average), MAX_BARS)
        days, average = (
            [days[e] for e in ends],
            [_mean(covered[max(0, e - 6) : e + 1]) for e in ends],
        )
    (line,) = ax.plot(days, average, color=AVERAGE, linewidth=1.6)
    legend.setdefault(texts.CHART_AVERAGE, line)


def _total(
    ax: Axes,
    item: Series,
    corrected: set[tuple[str, date]],
    documented: Sequence[Documented],
    legend: dict[str, Artist],
) -> None:
    """The running total, broken where days have no bulletin; Oryx's documented count beside
    it; corrected figures marked."""
    from matplotlib.dates import date2num

    if not item.days:
        return
    days: list[float] = []
    totals: list[float] = []
    for previous, day in zip([None, *item.days], item.days, strict=False):
        if previous is not None and (day.date - previous.date).days > 1:
            days.append(date2num(day.date) - 0.5)
            totals.append(math.nan)  # a gap in the data is drawn as a gap
        days.append(date2num(day.date))
        totals.append(day.total)
    (claimed,) = ax.plot(days, totals, color=CLAIMED, linewidth=2.0)
    if documented:
        legend.setdefault(texts.CHART_CLAIMED, claimed)
        (beside,) = ax.step(
            [date2num(point.as_of) for point in documented],
            [point.total for point in documented],
            where="post",
            color=DOCUMENTED,
            linewidth=2.0,
        )
        legend.setdefault(texts.CHART_DOCUMENTED, beside)
    marks = [d for d in item.days if (item.category, d.date) in corrected]
    if marks:
        dots = ax.scatter(
            [date2num(d.date) for d in marks],
            [d.total for d in marks],
            color=CORRECTED,
            zorder=3,
            s=22,
        )
        legend.setdefault(texts.CHART_CORRECTED, dots)


def _mean(values: Sequence[float]) -> float:
    """The mean of the values that are there (not nan); nan when none is."""
    present = [value for value in values if not math.isnan(value)]
    return sum(present) / len(present) if present else math.nan


def bin_ends(count: int, most: int = MAX_BARS) -> list[int]:
    """The last index of each bar when `count` days are drawn as at most `most` bars: one bar
    per pixel column at most. Over a long span each bar is several days' mean per-day rise,
    and the 7-day average and the total are taken at its last day."""
    step = max(1, -(-count // most))
    ends = list(range(step - 1, count, step))
    if count and ends[-1:] != [count - 1]:
        ends.append(count - 1)
    return ends


class ChartCache:
    """Charts and cards as PNG bytes (an `Upload`: a broadcast uploads each once and sends
    everyone else its file id, bot/telegram/uploads.py), each drawn once per state of the figures
    (`data_version`: a limits.Memo: however many ask at once, one drawing; the least
    recently used dropped past `size`).

    The data is read on the caller's thread (SQLite connections stay on theirs) and the text
    put in the reader's language there; only the drawing goes to the drawing process
    (bot/drawing.py), after a turn of the shared limit.
    """

    def __init__(
        self,
        size: int = CACHE_SIZE,
        limiter: Limiter | None = None,
        drawing: DrawingProcess | None = None,
    ) -> None:
        self.limiter = limiter or Limiter()
        self._memo = Memo(self.limiter, size)
        self.drawing = drawing or DrawingProcess()
        self.drawn = 0  # how many pictures were drawn rather than found

    async def chart(
        self,
        store: Store,
        keys: Sequence[str],
        period: Period,
        *,
        may_refuse: bool = True,
        documented: bool = False,
    ) -> Upload:
        """The chart, from the cache or drawn; a drawing waits for its turn (limits.Busy when
        too many wait, unless `may_refuse` is False). With `documented` (one category), Oryx's
        photo-confirmed count beside the claim. An Upload: with the file id it was sent by, if
        it was (shared by every send of it, a delivery's or a reader's /chart)."""
        language = texts.current_language()

        async def drawn() -> Upload:
            data = data_series(store, keys, period)
            corrected = {
                (c.category, c.date) for c in store.corrections.live(period.start, period.end)
            }
            beside: list[Documented] = []
            if documented and data and data[0].days:
                types = categories.get(keys[0]).oryx_types
                first, last = data[0].days[0].date, data[0].days[-1].date
                beside = oryx.counts_for(store).series(types, first, last)
            png = await self.drawing.run(draw_in, language, data, period, corrected, beside)
            self.drawn += 1
            return Upload(png)

        key: tuple[object, ...] = ("chart", tuple(keys), period, language, documented)
        version = store.reports.data_version()
        await self.drawing.start()  # before the turn, which is then the drawing's alone
        return await self._memo.get_awaited(version, key, drawn, heavy=True, may_refuse=may_refuse)

    async def card(self, store: Store, day: date, keys: Sequence[str]) -> Upload | None:
        """The daily card of `day` for these categories (all when none), in the reader's
        language: drawn once per bulletin, language and set of categories, with the file id it
        was sent by, if it was. None when there is no accepted report of that day (any more)."""

        async def drawn() -> Upload | None:
            view = bulletin_on(store, day)
            if view is None or view.report.date != day:
                return None
            png = await self.drawing.run(cards.draw, render.card(view, keys))
            self.drawn += 1
            return Upload(png)

        key = ("card", tuple(keys), day, texts.current_language())
        version = store.reports.data_version()
        await self.drawing.start()
        return await self._memo.get_awaited(version, key, drawn, heavy=True, may_refuse=False)

    async def close(self) -> None:
        """Stop the drawing process (without holding the event loop while it ends)."""
        await asyncio.to_thread(self.drawing.close)
