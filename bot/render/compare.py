"""The claim beside Oryx's photo-confirmed count (/compare, /chart ... compare), with what
differs between the two and why a category is not counted alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot import categories, oryx, texts
from bot.render.markup import fill
from bot.render.phrases import in_text
from bot.texts import format_date, number


def compare_hint(key: str, day: date | None) -> str:
    """A line pointing to /compare for one category (of `day`, or the latest), put under its
    claim where Oryx has a count to set beside it: the independent count is a tap away."""
    word = categories.get(key).word(texts.current_language())
    command = f"/compare {word}" + (f" {day.isoformat()}" if day else "")
    return "\n" + fill(texts.COMPARE_HINT, command=command)


def claimed_and_documented(rows: Sequence[oryx.Comparison], day: date) -> str:
    """Each category's claim beside Oryx's photo-confirmed count on one date, with what differs
    between them and the caveat that they measure different things; and, when the counts end
    before the day asked, that both figures are of that earlier day."""
    language = texts.current_language()
    on = rows[0].on if rows else day
    lines = [fill(texts.COMPARE_TITLE, date=format_date(on))]
    for row in rows:
        category = categories.get(row.category)
        name = category.name(language)
        if row.counted_from is not None:
            lines.append(
                fill(texts.COMPARE_NOT_YET, name=name, start=format_date(row.counted_from))
            )
        elif row.documented is None:  # not counted alike: the note is the whole line
            lines.append(_not_counted(category, language))
            continue
        elif row.claimed is None:
            documented = number(row.documented)
            lines.append(fill(texts.COMPARE_NO_CLAIM, name=name, documented=documented))
        elif row.ratio is None:
            claimed = number(row.claimed)
            lines.append(fill(texts.COMPARE_NONE_DOCUMENTED, name=name, claimed=claimed))
        else:
            # As good as equal: "1.0 times fewer" says nothing.
            same = round(row.ratio, 1) == 1
            lines.append(
                fill(
                    texts.COMPARE_LINE_SAME if same else texts.COMPARE_LINE,
                    name=name,
                    claimed=number(row.claimed),
                    documented=number(row.documented),
                    ratio=number(round(row.ratio, 1), "#,##0.0"),
                )
            )
        if note := _oryx_note(category, language):
            lines.append(fill(texts.COMPARE_NOTE, note=note))
    if on < day and any(categories.get(row.category).oryx_types for row in rows):
        lines += ["", fill(texts.COMPARE_ENDS, date=format_date(on), asked=format_date(day))]
    lines.append("")
    lines.append(fill(texts.COMPARE_CAVEAT, attribution=texts.ORYX_ATTRIBUTION))
    return "\n".join(lines)


def _oryx_note(category: categories.Category, language: str) -> str:
    """Where Oryx's types do not match the category one to one, what differs."""
    return category.note(language)


def _not_counted(category: categories.Category, language: str) -> str:
    """The line for a category Oryx does not count alike (or not at all), saying why."""
    note = _oryx_note(category, language) or texts.COMPARE_UNCOUNTED
    return fill(texts.COMPARE_NONE, name=category.name(language), note=note)


def undrawn_beside(
    key: str, first: date | None, last: date | None, counts: oryx.OryxCounts
) -> str | None:
    """Why a chart asked to draw Oryx's count beside the claim of `key` from `first` to `last`
    (None: from the beginning, to the latest) draws none, if it does not: Oryx does not count
    that category alike, or its counts lie outside the period."""
    category = categories.get(key)
    language = texts.current_language()
    name = in_text(key)
    counted_from = counts.first_date(category.oryx_types)
    if counted_from is None:
        return _not_counted(category, language)
    counted_to = counts.last_date()
    if (last is not None and last < counted_from) or (first is not None and first > counted_to):
        return fill(
            texts.CHART_ORYX_OUTSIDE,
            name=name,
            dates=texts.format_range(counted_from, counted_to),
            word=category.word(language),
        )
    return None
