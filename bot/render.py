"""Text for people: a bulletin, a few categories, the held list. No Telegram here.

Functions return Telegram-flavoured HTML (only <b> and escaped text), so the bot sends them as
they are and the command line turns them into plain text with `to_plain`. Everything that came
from outside (category names from a source, links, reasons) is escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date, datetime

from bot import categories, texts
from bot.categories import Unknown
from bot.figures import Bulletin, Change
from bot.store import StoredReport

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def format_date(day: date) -> str:
    """'25 June 2022'."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def number(value: int) -> str:
    """'1,511'."""
    return f"{value:,}"


def signed(value: int) -> str:
    """'+4', '0', '−14' (a real minus sign)."""
    if value == 0:
        return "0"
    return f"+{value:,}" if value > 0 else f"−{-value:,}"


def change_text(change: Change) -> str:
    if change.delta is None:
        return texts.CHANGE_NEW
    if change.delta < 0:
        return texts.CHANGE_DOWN.format(delta=signed(change.delta))
    if change.span_days > 1:
        return texts.CHANGE_OVER_DAYS.format(delta=signed(change.delta), days=change.span_days)
    return texts.CHANGE.format(delta=signed(change.delta))


def bulletin(view: Bulletin, keys: Sequence[str] = ()) -> str:
    """A day's bulletin, or just the categories in `keys`, with the link and the caveat."""
    report = view.report
    shown = view.only(keys) if keys else view
    noted = {f.category for f in report.findings if f.category}
    lines = [
        f"<b>{texts.TITLE}</b>",
        _escape(texts.DAY_LINE.format(date=format_date(report.date), day=report.day)),
        "",
    ]
    for change in shown.changes:
        category = categories.get(change.category)
        lines.append(
            _escape(
                texts.FIGURE_LINE.format(
                    name=category.name_en,
                    approx=texts.APPROXIMATELY if category.approximate else "",
                    total=number(change.total),
                    change=change_text(change),
                    marker=texts.FOOTNOTE_MARKER if change.category in noted else "",
                )
            )
        )
    if keys and (missing := view.missing(keys)):
        names = ", ".join(categories.get(k).name_en for k in missing)
        lines.append(
            _escape(texts.NO_FIGURES_FOR.format(date=format_date(report.date), names=names))
        )
    shown_keys = {c.category for c in shown.changes}
    footnotes = [
        texts.FOOTNOTE.format(detail=f.detail) for f in report.findings if f.category in shown_keys
    ]
    if footnotes:
        lines += ["", *map(_escape, footnotes)]
    lines += ["", _escape(_link_line(report)), _escape(texts.CAVEAT)]
    return "\n".join(lines)


def _link_line(report: StoredReport) -> str:
    return texts.ORIGINAL_POST.format(link=report.link) if report.link else texts.NO_LINK


def unknown_categories(unknown: Sequence[Unknown], example: str) -> str:
    """'Unknown category 'tankz'. Did you mean: tanks?' for each word, then an example."""
    lines = []
    for item in unknown:
        line = texts.UNKNOWN_CATEGORY.format(word=item.word)
        if item.suggestions:
            line += texts.DID_YOU_MEAN.format(suggestions=", ".join(item.suggestions))
        lines.append(line)
    lines.append(texts.CATEGORY_EXAMPLE.format(example=example))
    return _escape("\n".join(lines))


def no_report_on(day: date, nearest: date | None) -> str:
    if nearest is None:
        return _escape(texts.NO_REPORT_BEFORE.format(date=format_date(day)))
    return _escape(texts.NO_REPORT_ON.format(date=format_date(day), nearest=nearest.isoformat()))


def held(reports: Sequence[StoredReport]) -> str:
    if not reports:
        return _escape(texts.HELD_NONE)
    lines = [texts.HELD_HEADER.format(count=len(reports))]
    for report in reports:
        lines.append(
            texts.HELD_ITEM.format(
                date=report.date.isoformat(),
                revision=report.revision,
                source=report.source,
                fetched=_timestamp(report.fetched_at),
            )
        )
        lines += [texts.HELD_REASON.format(detail=f.detail) for f in report.findings]
    return _escape("\n".join(lines))


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def to_plain(text: str) -> str:
    """Telegram HTML as terminal text: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"</?[a-z][^>]*>", "", text))
