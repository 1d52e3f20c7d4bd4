"""Figures over time, for readers: a category's last days (/history), a period against
the one before (/week, /month), the record days (/records), a chart's and an export's
captions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from babel import dates as babel_dates

from bot import categories, texts
from bot.figures import DayChange, Series
from bot.render.markup import escaped, fill
from bot.render.phrases import caveat, in_text, link_lines, signed, title
from bot.store import StoredReport
from bot.texts import format_date, format_range, format_short_date, number
from bot.trends import Comparison


def history(data: Series, newest: StoredReport | None = None) -> str:
    """A compact table of a category's last days: totals, changes, average and largest day,
    with the link to the newest day's original post."""
    name = categories.get(data.category).name(texts.current_language())
    if not data.days:
        return fill(texts.HISTORY_NONE, name=in_text(data.category))
    rows = [_history_row(*texts.HISTORY_HEADER.split("|"))]
    # Days as a reader writes them, short: '7 Aug', «7 серп.» (with the year, when the days
    # run into another one), never an ISO date.
    pattern = "d MMM" if data.days[0].date.year == data.days[-1].date.year else "d MMM y"
    for day in data.days:
        change = texts.TABLE_NEW if day.delta is None else signed(day.delta)
        if day.delta is not None and day.span_days > 1:
            change += texts.TABLE_OVER_DAYS.format(days=day.span_days)
        written = babel_dates.format_date(day.date, pattern, locale=texts.current_language())
        rows.append(_history_row(written, number(day.total), change))
    lines = [
        fill(texts.ngettext("HISTORY_TITLE", len(data.days)), name=name, days=len(data.days)),
        "<pre>" + escaped("\n".join(rows)) + "</pre>",
    ]
    if (found := data.average()) is not None:
        average, covered = found
        lines.append(
            fill(
                texts.ngettext("HISTORY_AVERAGE", covered),
                days=covered,
                average=("+" if average >= 0 else "−") + number(abs(average), "#,##0.0"),
            )
        )
    if (largest := data.largest()) is not None:
        lines.append(
            fill(
                texts.HISTORY_LARGEST,
                change=signed(largest.delta or 0),
                date=format_date(largest.date),
            )
        )
    lines += ["", *link_lines(newest), caveat()]
    return "\n".join(lines)


def _history_row(day: str, total: str, change: str) -> str:
    """One line of the /history table: the header and every row share these widths."""
    return f"{day:<13}  {total:>9}  {change:>9}"


def comparison(data: Comparison, newest: StoredReport | None) -> str:
    """/week and /month: each category's rise against the period before, and its record day."""
    lines = [
        fill(
            texts.ngettext("TREND_TITLE", data.days),
            days=data.days,
            dates=format_range(data.first, data.last),
        ),
        "",
        *trend_lines(data, texts.TREND_LARGEST),
    ]
    lines += ["", *link_lines(newest), caveat()]
    return "\n".join(lines)


def trend_lines(data: Comparison, largest_day: str | None) -> list[str]:
    """A line per category: its rise against the period before and, with `largest_day` (a
    template of `rise` and `date`), its largest single day; then the categories asked for
    that have no figures in the period, named."""
    lines = []
    for trend in data.trends:
        if trend.previous_rise is None:
            versus = texts.TREND_NOTHING_BEFORE
        else:
            percent = trend.change_percent
            previous = signed(trend.previous_rise)
            versus = (
                texts.TREND_VERSUS_ONLY.format(previous=previous)
                if percent is None  # nothing the period before: no percentage of it
                else texts.TREND_VERSUS.format(
                    previous=previous, percent=f"{percent:+.0f}%".replace("-", "−")
                )
            )
        values = {
            "name": categories.get(trend.category).name(texts.current_language()),
            "rise": ("≈" if trend.estimated else "") + signed(trend.rise),
            "comparison": versus,
        }
        if largest_day is not None and trend.largest is not None and trend.largest.delta:
            largest = largest_day.format(
                rise=signed(trend.largest.delta), date=format_short_date(trend.largest.date)
            )
            lines.append(fill(texts.TREND_LINE, largest=largest, **values))
        else:
            lines.append(fill(texts.TREND_LINE_NO_RECORD, **values))
    if data.missing:
        names = ", ".join(in_text(k) for k in data.missing)
        lines.append(fill(texts.TREND_MISSING, names=names))
    return lines


def records(found: Sequence[tuple[str, DayChange]], key: str | None) -> str:
    if not found:
        return texts.RECORDS_NONE
    if key is None:
        lines = [texts.RECORDS_TITLE]
        lines += [
            fill(
                texts.RECORD_LINE,
                name=categories.get(k).name(texts.current_language()),
                rise=signed(d.delta or 0),
                date=format_date(d.date),
            )
            for k, d in found
        ]
    else:
        lines = [
            fill(texts.RECORDS_TITLE_ONE, name=categories.get(key).name(texts.current_language()))
        ]
        lines += [
            fill(
                texts.RECORD_LINE_ONE,
                rank=rank,
                rise=signed(d.delta or 0),
                date=format_date(d.date),
            )
            for rank, (_, d) in enumerate(found, 1)
        ]
    lines += ["", caveat()]
    return "\n".join(lines)


def chart_caption(data: Sequence[Series], period: str, newest: StoredReport | None) -> str:
    """Under a chart: whose losses, and each category's figures as text — its total on the
    chart's last day and its rise over the period — for a phone's notification, a screen
    reader and search, which see no picture; then the caveat and the link."""
    lines = [f"<b>{title()}</b>"]
    for item in data:
        if not item.days:
            continue
        last = item.days[-1]
        category = categories.get(item.category)
        lines.append(
            fill(
                texts.CHART_FIGURE,
                name=category.name(texts.current_language()),
                approx=texts.APPROXIMATELY if category.approximate else "",
                total=number(last.total),
                date=format_date(last.date),
                period=period,
                # A first figure (the war's first bulletin, a category's first) is all new.
                rise=signed(sum(d.total if d.delta is None else d.delta for d in item.days)),
            )
        )
    lines.append(caveat())
    if newest is not None:
        lines += link_lines(newest)
    return "\n".join(lines)


def export_caption(first: date, last: date) -> str:
    """Under an exported file: the dates it covers and the caveat."""
    return texts.EXPORT_CAPTION.format(dates=escaped(format_range(first, last)), caveat=caveat())
