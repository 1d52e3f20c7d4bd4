"""Charts of the figures as PNG: cumulative totals and daily changes. No Telegram here.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no global state), so
a chart can be drawn in a worker thread while the bot keeps answering. A chart depends only on
the categories, the period and the data, so `ChartCache` keeps each one until the stored figures
change (a new report accepted, a correction made or withdrawn).
"""

from __future__ import annotations

import asyncio
import io
import re
import textwrap
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from babel import dates as babel_dates

from bot import cards, categories, oryx, render, texts
from bot.dates import WAR_START
from bot.errors import UserError
from bot.figures import Series, bulletin_on, daily_changes
from bot.limits import Limiter
from bot.oryx import Documented
from bot.store import Store

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
    for: `count` of a `unit` (days, months, years), one calendar year, or all."""

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


# Characters of the small print on one line of a 10-inch-wide chart.
SMALL_PRINT_WIDTH = 165


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
    end = period.end or store.latest_date()
    if end is None:
        return [Series(key, []) for key in keys]
    changes = daily_changes(store, since=period.start or WAR_START, until=end, keys=keys)
    return [Series(key, changes.get(key, [])) for key in keys]


def draw(
    data: list[Series],
    period: Period,
    corrected: set[tuple[str, date]],
    documented: Sequence[Documented] = (),
) -> bytes:
    """A PNG: for one category, the total above and daily changes below; for several, one
    panel of daily changes each, with the total in the panel's title. `documented`, for one
    category: Oryx's photo-confirmed count, drawn beside the claimed total."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, date2num, num2date
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    single = len(data) == 1
    rows = 2 if single else len(data)
    figure = Figure(figsize=(10, 3.0 + 2.2 * rows), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    for index, item in enumerate(data):
        name = categories.get(item.category).name(texts.current_language())
        days = [d.date for d in item.days]
        deltas = [max(d.delta, 0) / d.span_days if d.delta is not None else 0 for d in item.days]
        average = _moving_average(deltas, 7)
        ends = bin_ends(len(days))
        if single:
            total_axes = axes[0]
            total_axes.plot(
                [days[end] for end in ends],
                [item.days[end].total for end in ends],
                color="#1f4e79",
                linewidth=1.8,
                label=texts.CHART_CLAIMED if documented else None,
            )
            if documented:
                total_axes.step(
                    [point.as_of for point in documented],
                    [point.total for point in documented],
                    where="post",
                    color="#548235",
                    linewidth=1.8,
                    label=texts.CHART_DOCUMENTED,
                )
                total_axes.legend(loc="upper left", fontsize=8)
            total_axes.set_ylabel(texts.CHART_TOTAL)
            total_axes.set_title(texts.CHART_TITLE.format(name=name), loc="left", fontsize=13)
            marks = [d for d in item.days if (item.category, d.date) in corrected]
            if marks:
                total_axes.scatter(
                    [d.date for d in marks],
                    [d.total for d in marks],
                    color="#c00000",
                    zorder=3,
                    s=24,
                    label=texts.CHART_CORRECTED,
                )
                total_axes.legend(loc="upper left", fontsize=8)
            change_axes = axes[1]
        else:
            change_axes = axes[index]
            total = texts.number(item.days[-1].total) if item.days else "-"
            change_axes.set_title(
                texts.CHART_PANEL.format(name=name, total=total), loc="left", fontsize=11
            )
        if days:
            # One artist for all the bars (a bar each is 1,600 patches for the whole war); a
            # bin runs from the previous stored day, so a skipped day shows its per-day rate.
            starts = [0] + [end + 1 for end in ends[:-1]]
            edges = [date2num(days[0]) - 0.5] + [date2num(days[end]) + 0.5 for end in ends]
            heights = [
                sum(deltas[start : end + 1]) / (end + 1 - start)
                for start, end in zip(starts, ends, strict=True)
            ]
            change_axes.xaxis_date()
            change_axes.stairs(heights, edges, fill=True, color="#9dc3e6", label=texts.CHART_DAILY)
        change_axes.plot(
            [days[end] for end in ends],
            [average[end] for end in ends],
            color="#c55a11",
            linewidth=1.5,
            label=texts.CHART_AVERAGE,
        )
        change_axes.set_ylabel(texts.CHART_PER_DAY)
        change_axes.legend(loc="upper left", fontsize=8)
        for axis in (change_axes, axes[0]):
            axis.grid(axis="y", alpha=0.3)
            axis.spines[["top", "right"]].set_visible(False)
            axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: texts.number(value)))
    first = min((s.days[0].date for s in data if s.days), default=None)
    last = max((s.days[-1].date for s in data if s.days), default=None)
    span = (last - first).days if first and last else 0
    axes[-1].xaxis.set_major_locator(AutoDateLocator())
    axes[-1].xaxis.set_major_formatter(
        FuncFormatter(lambda value, _: tick_label(num2date(value).date(), span))
    )
    figure.suptitle(
        texts.CHART_SUBTITLE.format(
            dates=texts.format_range(first, last) if first and last else "-",
            period=period.label(),
        ),
        x=0.01,
        ha="left",
        fontsize=9,
        color="#555555",
    )
    small_print = texts.CHART_SMALL_PRINT
    if documented:
        small_print += " " + texts.CHART_ORYX_CREDIT.format(attribution=texts.ORYX_ATTRIBUTION)
    # Wrapped to the width of the picture, with room kept below the axes for each line.
    lines = textwrap.wrap(small_print, SMALL_PRINT_WIDTH)
    figure.text(0.01, 0.005, "\n".join(lines), fontsize=7.5, color="#555555")
    bottom = (0.08 + 0.14 * len(lines)) / figure.get_figheight()
    figure.tight_layout(rect=(0, bottom, 1, 0.97))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def bin_ends(count: int, most: int = MAX_BARS) -> list[int]:
    """The last index of each bar when `count` days are drawn as at most `most` bars: one bar
    per pixel column at most. Over a long span each bar is several days' mean per-day rise,
    and the 7-day average and the total are taken at its last day."""
    step = max(1, -(-count // most))
    ends = list(range(step - 1, count, step))
    if count and ends[-1:] != [count - 1]:
        ends.append(count - 1)
    return ends


def _moving_average(values: list[float], window: int) -> list[float]:
    result, running = [], 0.0
    for index, value in enumerate(values):
        running += value
        if index >= window:
            running -= values[index - window]
        result.append(running / min(index + 1, window))
    return result


class ChartCache:
    """PNG bytes by (categories, period, state of the data); least recently used go first.

    The data is read on the caller's thread (SQLite connections stay on theirs); only the
    drawing goes to a worker thread. Concurrent requests for the same chart share one drawing.
    """

    def __init__(self, size: int = CACHE_SIZE, limiter: Limiter | None = None) -> None:
        self._size = size
        self.limiter = limiter or Limiter()
        self._items: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._drawing: dict[tuple[object, ...], asyncio.Future[bytes]] = {}
        self.drawn = 0  # how many charts were drawn rather than found

    async def chart(
        self,
        store: Store,
        keys: Sequence[str],
        period: Period,
        *,
        may_refuse: bool = True,
        documented: bool = False,
    ) -> bytes:
        """The chart, from the cache or drawn; a drawing waits for its turn (limits.Busy when
        too many wait, unless `may_refuse` is False). With `documented` (one category), Oryx's
        photo-confirmed count beside the claim."""
        key = (tuple(keys), period, texts.current_language(), store.data_version(), documented)

        async def drawn() -> bytes:
            data = data_series(store, keys, period)
            corrected = {
                (c.category, c.date) for c in store.live_corrections(period.start, period.end)
            }
            beside: list[Documented] = []
            if documented and data and data[0].days:
                types = categories.get(keys[0]).oryx_types
                first, last = data[0].days[0].date, data[0].days[-1].date
                beside = oryx.counts_for(store).series(types, first, last)
            return await asyncio.to_thread(draw, data, period, corrected, beside)

        return await self._kept(key, drawn, may_refuse)

    async def card(self, store: Store, day: date, keys: Sequence[str]) -> bytes | None:
        """The daily card of `day` for these categories (all when none), in the reader's
        language: drawn once per bulletin, language and set of categories. None when there is
        no accepted report of that day (any more)."""
        key = ("card", tuple(keys), day, texts.current_language(), store.data_version())
        if (kept := self._cached(key)) is not None:  # still true: the key has the data's state
            return kept
        view = bulletin_on(store, day)
        if view is None or view.report.date != day:
            return None
        text = render.card(view, keys)
        return await self._kept(key, lambda: asyncio.to_thread(cards.draw, text), False)

    def _cached(self, key: tuple[object, ...]) -> bytes | None:
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        return None

    async def _kept(
        self, key: tuple[object, ...], drawn: Callable[[], Awaitable[bytes]], may_refuse: bool
    ) -> bytes:
        """The picture under `key`, from the cache, or drawn once however many ask at once."""
        if (kept := self._cached(key)) is not None:
            return kept
        if key in self._drawing:
            return await asyncio.shield(self._drawing[key])
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._drawing[key] = future
        try:
            # The turn first: a crowd refused costs no reading of the data either.
            async with self.limiter.turn(may_refuse=may_refuse):
                png = await drawn()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            del self._drawing[key]
        future.set_result(png)
        self.drawn += 1
        self._items[key] = png
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return png
