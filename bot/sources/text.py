"""The General Staff's text bulletin, as posted in English or Ukrainian, turned into a Report.

    The total combat losses of the enemy from 24.02.2022 to 25.06.2022 were approximately:
    personnel - about 34700 (+170) persons were liquidated, tanks - 1511 (+4), ...

    Загальні бойові втрати противника з 24.02.22 по 25.06.22 орієнтовно склали:
    особового складу ‒ близько 34 700 (+170) осіб ліквідовано, танків ‒ 1 511 (+4), ...

The wording has changed over the years (one paragraph or a line per item, emoji bullets, four
kinds of dash, thousands grouped by spaces), so the parser looks for "label, number, (change)"
items rather than fixed phrases, and asks the category registry what each label means. A figure
with a change whose label nobody knows is an error naming it: a pasted text is stored only when
every figure in it was understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot import categories
from bot.dates import WAR_START
from bot.report import Report

SOURCE = "text"

_SPACES = "\u00a0\u202f\u2009 "
_NUMBER = rf"\d{{1,3}}(?:[{_SPACES},']\d{{3}})+(?!\d)|\d+"
# Early 2022 bulletins left the year out: "з 24.02 по 31.03".
_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2}))?(?![\d])")
_ITEM = re.compile(
    rf"(?P<label>[^\d\n]*?)(?P<total>{_NUMBER})"
    rf"(?:[{_SPACES}]*\((?P<sign>[+\-−–‒]?)[{_SPACES}]*(?P<change>{_NUMBER})[{_SPACES}]*\))?"
)
# Words that sit between a label and its number.
_QUALIFIERS = re.compile(
    r"(?:\b(?:about|approximately|over|more than|almost)|близько|понад|більше|приблизно"
    r"|орієнтовно|майже)\s*$",
    re.IGNORECASE,
)
_EXAMPLE = "'tanks ‒ 1511 (+4)' or 'танків ‒ 1 511 (+4)'"


class BulletinParseError(ValueError):
    """Text that is not a bulletin we understand; the message says what was not understood."""


@dataclass(frozen=True)
class _Item:
    label: str
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
        key = categories.from_bulletin_label(item.label) if item.label else None
        if key is None:
            if item.change is not None:  # a figure nobody knows: refuse rather than guess
                problems.append(f"not understood: '{item.text}'")
            continue  # a stray number (a link, a hashtag) with no change beside it
        if key in totals:
            problems.append(f"{categories.get(key).name_en} appears twice ('{item.text}')")
            continue
        totals[key] = item.total
        if item.change is not None:
            increases[key] = item.change
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
        "found no date: expected a heading like 'from 24.02.2022 to 25.06.2022' "
        "or 'з 24.02.22 по 25.06.22'"
    )


def _date(day: str, month: str, year: str | None, *, today: date) -> date | None:
    """A heading's date; without a year, the latest year that does not put it in the future."""
    try:
        if year is not None:
            found = date(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
        else:
            found = date(today.year, int(month), int(day))
            if found > today:
                found = found.replace(year=today.year - 1)
    except ValueError:
        return None
    if not WAR_START <= found <= today + timedelta(days=1):
        return None
    return found


def _items(body: str) -> list[_Item]:
    # After the heading's colon, if there is one ("... were approximately:").
    colon = body.find(":")
    if 0 <= colon < 80:
        body = body[colon + 1 :]
    items = []
    for match in _ITEM.finditer(body):
        change = None
        if match["change"] is not None:
            negative = match["sign"] not in ("", "+")
            change = -_number(match["change"]) if negative else _number(match["change"])
        written = _last_piece(match["label"]) + match.group(0)[len(match["label"]) :]
        items.append(
            _Item(_clean_label(match["label"]), _number(match["total"]), change, written.strip())
        )
    return items


def _last_piece(label: str) -> str:
    """The label's own text: after the previous item's tail, without bullets or emoji."""
    return re.sub(r"^[^\w]+", "", re.split(r"[,;\n]", label)[-1])


def _clean_label(label: str) -> str:
    """'persons were liquidated,\\n🔹 tanks ‒ ' -> 'tanks'."""
    label = _last_piece(label)
    label = re.sub(r"[\s\-‒–—:=]+$", "", label)
    label = _QUALIFIERS.sub("", label)
    return re.sub(r"[\s\-‒–—:=]+$", "", label).strip()


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))
