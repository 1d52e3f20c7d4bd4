"""The General Staff's text bulletin, and news rewrites of it, turned into a Report, or refused.

    The total combat losses of the enemy from 24.02.2022 to 25.06.2022 were approximately:
    personnel - about 34700 (+170) persons were liquidated, tanks - 1511 (+4), ...

    Загальні бойові втрати противника з 24.02.22 по 25.06.22 орієнтовно склали:
    особового складу ‒ близько 34 700 (+170) осіб ліквідовано, танків ‒ 1 511 (+4), ...

Admins paste what they have, often a news site's rewrite rather than the official text, in
English, Ukrainian or Russian. The wording varies (one paragraph or a line per item, emoji
bullets, four kinds of dash, the number before or after its label, "(+4 за минулу добу)",
"units" between figure and change, thousands grouped by spaces or written "646 тис. 400"), so
the text is cut into items and each item is read on its own: exactly one total, at most one
change in brackets, and a label that names exactly one category (the registry's terms, longest
match first). An item that fails any of that makes the whole text refused with the item quoted:
a paste is stored whole and exactly as understood, or not at all. Never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot import categories
from bot.dates import WAR_START
from bot.errors import UserError
from bot.report import Report

SOURCE = "text"
# A heading without its year ("з 24.02 по 31.03", as in early 2022) is read only this close to
# today; further back the year is anybody's guess, so the admin is asked to write it.
YEARLESS_DAYS = 7

_SPACES = "\u00a0\u202f\u2009 "
_NUMBER = rf"\d{{1,3}}(?:[{_SPACES},']\d{{3}})+(?!\d)|\d+"
_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2}))?(?![\d])")
# "646 тис. 400" is 646,400; "646 тис." alone is a rounded figure, and refused.
_THOUSANDS = re.compile(
    rf"(?<![\d.,])(\d{{1,3}})[{_SPACES}]*(?:тис|тыс)\.?[{_SPACES}]*(\d{{3}})(?!\d)", re.IGNORECASE
)
_ROUNDED = re.compile(r"\d\s*(?:тис|тыс|thousand|млн|million)", re.IGNORECASE)
_TOTAL = re.compile(rf"(?<![\d.,])(?:{_NUMBER})")
_CHANGE = re.compile(rf"^\s*([+\-−–‒]?)\s*({_NUMBER})(?![\d.,]\d)(?:\D[^()]*)?$")
_BRACKETS = re.compile(r"\(([^()]*)\)")
# Links, hashtags and mentions carry digits that are no figures (and so do dates).
_NOISE = re.compile(r"https?://\S+|t\.me/\S+|[#@]\w+")
# A line that carries a number but no figure: the day of the war ("day 1627", "1627-й день").
_DAY_COUNT = re.compile(r"(?<!\w)(?:day|день|дня|доба|сутки)(?!\w)", re.IGNORECASE)
_EXAMPLE = "'tanks ‒ 1511 (+4)' or 'танків ‒ 1 511 (+4)'"


class BulletinParseError(UserError):
    """Text that is not a bulletin we understand; the message says what was not understood."""


@dataclass(frozen=True)
class _Figure:
    key: str
    total: int
    change: int | None
    text: str


def parse_bulletin(text: str, *, today: date, link: str | None = None) -> Report:
    """The Report in a bulletin's text; BulletinParseError names what could not be read.

    `today` places a date written without its year, and refuses a date in the future.
    """
    day, body = _split_header(text, today)
    totals: dict[str, int] = {}
    increases: dict[str, int] = {}
    problems: list[str] = []
    for item in _items(body):
        try:
            figure = _read(item, day)
        except BulletinParseError as problem:
            problems.append(str(problem))
            continue
        if figure is None:
            continue
        if figure.key in totals:
            problems.append(f"{categories.get(figure.key).name_en} appears twice ('{figure.text}')")
            continue
        totals[figure.key] = figure.total
        if figure.change is not None:
            increases[figure.key] = figure.change
    if not totals and not problems:
        problems.append(f"found no figures like {_EXAMPLE}")
    if problems:
        raise BulletinParseError("; ".join(problems))
    try:
        return Report(
            date=day, source=SOURCE, totals=totals, increases=increases, raw=text, link=link
        )
    except ValueError as error:
        raise BulletinParseError(str(error)) from None


def _split_header(text: str, today: date) -> tuple[date, str]:
    """The date the bulletin covers, and the text after it where the figures are."""
    for match in _DATE.finditer(text[:400]):
        day, month, year = match.groups()
        if (int(day), int(month)) == (WAR_START.day, WAR_START.month):
            continue  # the start of "from 24.02.2022 to 25.06.2022"
        found = _date(day, month, year, today=today)
        if found is not None:
            return found, text[match.end() :]
    raise BulletinParseError(
        "found no date: a date line is needed, such as 'from 24.02.2022 to 25.06.2022' "
        "or 'з 24.02.22 по 25.06.22'"
    )


def _date(day: str, month: str, year: str | None, *, today: date) -> date | None:
    """A heading's date (None if it is no date at all); refused if it cannot be the day."""
    try:
        if year is not None:
            found = date(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
        else:
            found = date(today.year, int(month), int(day))
            if found > today:
                found = found.replace(year=today.year - 1)
    except ValueError:
        return None
    written = f"{int(day):02d}.{int(month):02d}" + (f".{year}" if year else "")
    if found > today:
        raise BulletinParseError(
            f"the bulletin is dated {written}, after today ({today:%d.%m.%Y}): "
            "a bulletin covers the day it is published"
        )
    if found < WAR_START:
        return None
    if year is None and (today - found).days > YEARLESS_DAYS:
        raise BulletinParseError(
            f"the date {written} has no year, and it is not within the last {YEARLESS_DAYS} "
            f"days: write it with its year, such as {written}.{found.year}"
        )
    return found


def _items(body: str) -> list[str]:
    """The body cut into items: at line breaks, at commas and semicolons between items (not
    inside a number or brackets), and at a full stop that ends a sentence."""
    colon = body.find(":")
    if 0 <= colon < 80:  # after the heading's "... were approximately:"
        body = body[colon + 1 :]
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for index, char in enumerate(body):
        following = body[index + 1 : index + 3]
        depth += {"(": 1, ")": -1}.get(char, 0)
        ends = char == "\n" or (
            depth == 0
            and (
                (char in ",;" and not following[:1].isdigit())
                or (char == "." and following[:1].isspace() and following[1:2].isupper())
            )
        )
        if ends:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _read(item: str, day: date) -> _Figure | None:
    """One item as a figure; None for prose with no figure in it; BulletinParseError, quoting
    the item, when it cannot be tied to exactly one category with exactly one total."""
    quoted = re.sub(r"^[^\w(+\-−–‒]+", "", item).strip()
    text = _DATE.sub(" ", _NOISE.sub(" ", item))  # a second heading, in another language
    changes: list[int] = []
    for bracket in _BRACKETS.finditer(text):
        if change := _CHANGE.match(bracket[1]):
            value = _number(change[2])
            changes.append(-value if change[1] not in ("", "+") else value)
        elif re.search(r"\d", bracket[1]):
            raise BulletinParseError(
                f"not understood: '{quoted}' (a number in brackets that is not a change)"
            )
    text = _BRACKETS.sub(" ", text)
    if _ROUNDED.search(_THOUSANDS.sub(" ", text)):
        raise BulletinParseError(f"not understood: '{quoted}' (a rounded figure, not the total)")
    totals = [int(m[1]) * 1000 + int(m[2]) for m in _THOUSANDS.finditer(text)]
    text = _THOUSANDS.sub(" ", text)
    totals += [_number(m[0]) for m in _TOTAL.finditer(text)]
    label = _TOTAL.sub(" ", text)
    if not totals and not changes:
        return None
    keys = categories.bulletin_categories(label, day)
    if not keys and not changes and _DAY_COUNT.search(label):
        return None
    if not keys:
        raise BulletinParseError(f"not understood: '{quoted}' (names no category we know)")
    if len(keys) > 1:
        names = ", ".join(categories.get(k).name_en for k in keys)
        raise BulletinParseError(
            f"not understood: '{quoted}' names {len(keys)} categories ({names}): "
            "one figure per item, please"
        )
    if len(totals) != 1 or len(changes) > 1:
        raise BulletinParseError(
            f"not understood: '{quoted}' has {len(totals)} totals and {len(changes)} changes "
            "in brackets, not one total and at most one change"
        )
    return _Figure(keys[0], totals[0], changes[0] if changes else None, quoted)


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))
