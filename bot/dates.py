"""Dates of the bulletin: the war's day count and the date forms people and sources write."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from bot import texts
from bot.errors import UserError

# Day 1 of the full-scale invasion; the General Staff counts its bulletins from it.
WAR_START = date(2022, 2, 24)

# ASCII digits only ("٢٠٢٦" is a number Python reads, and people cannot check); dots only:
# "08/05/2026" is 8 May to some and 5 August to others, and is refused rather than guessed.
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DOTTED = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4}|[0-9]{2})")
# Days before today; tomorrow is read, to be told it is still to come.
_RELATIVE = {
    "today": 0,
    "сьогодні": 0,
    "yesterday": 1,
    "вчора": 1,
    "учора": 1,
    "tomorrow": -1,
    "завтра": -1,
}


class DateError(UserError):
    """A date a person typed that names no day of the bulletin; the message says why."""


def day_of_war(day: date) -> int:
    """The General Staff's day number: 24 February 2022 is day 1."""
    return (day - WAR_START).days + 1


def looks_like_date(text: str) -> bool:
    """Whether a word is written as a date (a category never is): '2022-06-25', '25.06.22',
    'yesterday'. Whether it is a valid one is `parse_user_date`'s to say."""
    word = text.strip().casefold()
    return word in _RELATIVE or bool(_ISO.fullmatch(word) or _DOTTED.fullmatch(word))


def date_among(words: Sequence[str], today: date) -> tuple[date | None, list[str]]:
    """The date written among other words ('tanks 2025-07-19') and the other words; (None,
    words) when none is written as a date. Two dates are refused with both named: which one
    was meant is not ours to guess."""
    dates = [w for w in words if looks_like_date(w)]
    rest = [w for w in words if w not in dates]
    if len(dates) > 1:
        raise DateError(
            texts.DATE_TWO.format(first=texts.shown(dates[0]), second=texts.shown(dates[1]))
        )
    return (parse_user_date(dates[0], today) if dates else None), rest


def parse_user_date(text: str, today: date) -> date:
    """Read '2022-06-25', '25.06.2022', '25.06.22', 'today' or 'yesterday' as a bulletin date."""
    word = text.strip().casefold()
    if word in _RELATIVE:
        return within_war(today - timedelta(days=_RELATIVE[word]), today)
    if match := _ISO.fullmatch(word):
        year, month, day = match.groups()
    elif match := _DOTTED.fullmatch(word):
        day, month, year = match.groups()
        if len(year) == 2:
            year = "20" + year
    else:
        raise DateError(
            texts.DATE_NOT_A_DATE.format(text=texts.shown(text), forms=texts.DATE_FORMS)
        )
    try:
        result = date(int(year), int(month), int(day))
    except ValueError:
        raise DateError(texts.DATE_NOT_REAL.format(text=texts.shown(text))) from None
    return within_war(result, today)


def within_war(day: date, today: date) -> date:
    """The day, if a bulletin could cover it; DateError saying why not (before the war, or
    still to come)."""
    if day < WAR_START:
        raise DateError(texts.DATE_BEFORE_WAR.format(date=texts.format_date(day)))
    if day > today:
        raise DateError(texts.DATE_IN_FUTURE.format(date=texts.format_date(day)))
    return day
