"""A day's figures, for readers: the bulletin (or some of its categories), its card and
the card's caption, a button's pop-up, inline answers, a link to share it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from zoneinfo import ZoneInfo

from bot import categories, texts
from bot.cards import CardText
from bot.figures import Bulletin, Change, Series
from bot.render.markup import fill, to_plain
from bot.render.phrases import (
    caveat,
    change_text,
    in_text,
    link_lines,
    maybe_number,
    short_name,
    signed,
    title,
    via,
)
from bot.report import FindingKind
from bot.subscriptions import HOME_ZONE
from bot.texts import format_date, format_range, number

# Where the bulletin is published: the day a correction was made is that day there.
HOME = ZoneInfo(HOME_ZONE)

# Each member's message, checked against the catalogues by tests/test_texts.py.
FINDING_FOOTNOTE: Mapping[str, str] = {kind: f"FINDING_{kind.name}" for kind in FindingKind}


def bulletin(
    view: Bulletin, keys: Sequence[str] = (), *, short: bool = False, then: Sequence[str] = ()
) -> str:
    """A day's bulletin, or just the categories in `keys`, with the link and the caveat.
    `short` (a subscriber's short summary): the date line, a line per category, what qualifies
    them and the caveat, with nothing between. `then`: sections that come in the same message
    (a subscriber's digests on a Monday or the 1st), each after a blank line, before the link
    and the caveat, which the message has once."""
    report = view.report
    shown = view.only(keys) if keys else view
    noted, footnotes = _qualified(view, shown)
    day_line = fill(texts.DAY_LINE, date=format_date(report.date), day=report.day)
    lines = [f"<b>{title()}</b>", day_line] + ([] if short else [""])
    for change in shown.changes:
        category = categories.get(change.category)
        lines.append(
            fill(
                texts.FIGURE_LINE,
                name=category.name(texts.current_language()),
                approx=texts.APPROXIMATELY if category.approximate else "",
                total=number(change.total),
                change=change_text(change),
                marker=texts.FOOTNOTE_MARKER if change.category in noted else "",
            )
        )
    if missing := view.missing(keys):
        names = ", ".join(in_text(k) for k in missing)
        lines.append(fill(texts.NO_FIGURES_FOR, date=format_date(report.date), names=names))
    sections = [line for section in then for line in ("", section)]
    if short:
        if sections:
            sections.append("")
        return "\n".join([*lines, *footnotes, *sections, *link_lines(report), caveat()])
    if footnotes:
        lines += ["", *footnotes]
    lines += [*sections, "", *link_lines(report), caveat()]
    return "\n".join(lines)


def card(view: Bulletin, keys: Sequence[str] = ()) -> CardText:
    """What the daily card of a day says (bot/cards.py draws it): the figures of `keys` (all
    when none), marked and footnoted as in the text, and the source and caveat in small print
    (the link to the post is in the caption, where it can be tapped: never a raw URL in a
    picture)."""
    report = view.report
    shown = view.only(keys) if keys else view
    noted, footnotes = _qualified(view, shown)
    language = texts.current_language()
    rows = tuple(
        (
            categories.get(c.category).name(language)
            + (texts.FOOTNOTE_MARKER if c.category in noted else ""),
            (texts.APPROXIMATELY if categories.get(c.category).approximate else "")
            + number(c.total),
            change_text(c),
        )
        for c in shown.changes
    )
    small_print = [
        fill(texts.CARD_SOURCE, via=via(report.source)),
        texts.CARD_CAVEAT,
        *(to_plain(line) for line in footnotes),
    ]
    return CardText(
        title(),
        to_plain(fill(texts.DAY_LINE, date=format_date(report.date), day=report.day)),
        rows,
        tuple(small_print),
    )


def card_caption(view: Bulletin, keys: Sequence[str] = ()) -> str:
    """Under a daily card: whose losses, its date, and its figures as text too (short names,
    a line each) — a phone's notification, a screen reader and search see no picture — then
    the link and the caveat. Within Telegram's 1,024 characters for a caption, even with
    every category."""
    report = view.report
    shown = view.only(keys) if keys else view
    day_line = fill(texts.DAY_LINE, date=format_date(report.date), day=report.day)
    figures = [
        fill(
            texts.FIGURE_LINE,
            name=short_name(c.category),
            approx=texts.APPROXIMATELY if categories.get(c.category).approximate else "",
            total=number(c.total),
            change=change_text(c),
            marker="",
        )
        for c in shown.changes
    ]
    return "\n".join([f"<b>{title()}</b>", day_line, *figures, *link_lines(report), caveat()])


def _qualified(view: Bulletin, shown: Bulletin) -> tuple[set[str], list[str]]:
    """The categories shown that carry a footnote marker, and the footnotes: what validation
    noted and was accepted anyway, corrections of the day, and changes from a corrected day."""
    report = view.report
    notes = shown.notes()
    shown_keys = {c.category for c in shown.changes}
    noted = {f.category for f in notes if f.category} | (
        (set(report.corrections) | view.previous_corrected) & shown_keys
    )
    language = texts.current_language()
    footnotes = [
        fill(
            texts.message(FINDING_FOOTNOTE[f.kind]),
            name=categories.get(f.category).name(language) if f.category else "",
        )
        for f in notes
    ] + [
        fill(
            texts.CORRECTED_FOOTNOTE,
            name=categories.get(c.category).name(language),
            old=maybe_number(c.old_value),
            new=number(c.new_value),
            on=format_date(c.created_at.astimezone(HOME).date()),
            reason=c.reason,
        )
        for key, c in report.corrections.items()
        if key in shown_keys
    ]
    if view.previous_date is not None:
        footnotes += [
            fill(
                texts.CHANGE_FROM_CORRECTED_FOOTNOTE,
                name=categories.get(key).name(language),
                date=format_date(view.previous_date),
            )
            for key in categories.sort_keys(view.previous_corrected)
            if key in shown_keys and key not in report.corrections
        ]
    return noted, footnotes


# Telegram shows at most this much in a button's pop-up answer.
POPUP_LENGTH = 200


def popup(view: Bulletin, key: str | None, history: Series | None = None) -> str:
    """A button's answer for the tapping person alone (plain text): one category's figure on
    the bulletin's day, or its last days' changes, with the short caveat."""
    key = key or "personnel"
    name = categories.get(key).name(texts.current_language())
    if history is not None and history.days:
        changes = ", ".join(
            texts.TABLE_NEW if d.delta is None else signed(d.delta) for d in history.days
        )
        text = texts.POPUP_HISTORY.format(
            name=name,
            dates=format_range(history.days[0].date, history.days[-1].date),
            changes=changes,
            caveat=texts.POPUP_CAVEAT,
        )
    elif (change := next((c for c in view.changes if c.category == key), None)) is not None:
        text = texts.POPUP.format(
            name=name,
            date=format_date(view.report.date),
            approx=texts.APPROXIMATELY if categories.get(key).approximate else "",
            total=number(change.total),
            change=change_text(change),
            caveat=texts.POPUP_CAVEAT,
        )
    else:
        names = in_text(key)
        text = texts.NO_FIGURES_FOR.format(date=format_date(view.report.date), names=names)
    return text[:POPUP_LENGTH]


def share(view: Bulletin, keys: Sequence[str], link: str) -> str:
    """A link to a bulletin, with what it shows: its date and categories."""
    names = ", ".join(in_text(k) for k in keys) or texts.ALL_CATEGORIES
    return fill(texts.SHARE, date=format_date(view.report.date), names=names, link=link)


def no_report_on(day: date, nearest: date | None) -> str:
    if nearest is None:
        return fill(texts.NO_REPORT_BEFORE, date=format_date(day))
    return fill(texts.NO_REPORT_ON, date=format_date(day), nearest=format_date(nearest))


def inline_all_title(view: Bulletin) -> str:
    """Plain text (Telegram shows inline titles as they are)."""
    return texts.INLINE_ALL_TITLE.format(date=format_date(view.report.date))


def inline_title(change: Change) -> str:
    category = categories.get(change.category)
    return texts.INLINE_TITLE.format(
        name=category.name(texts.current_language()),
        approx=texts.APPROXIMATELY if category.approximate else "",
        total=number(change.total),
        change=change_text(change),
    )


def inline_description(view: Bulletin) -> str:
    return texts.INLINE_DESCRIPTION.format(losses=texts.LOSSES, date=format_date(view.report.date))
