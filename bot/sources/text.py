"""The General Staff's text bulletin, and news rewrites of it, turned into a Report, or refused.

    The total combat losses of the enemy from 24.02.2022 to 25.06.2022 were approximately:
    personnel - about 34700 (+170) persons were liquidated, tanks - 1511 (+4), ...

    Загальні бойові втрати противника з 24.02.22 по 25.06.22 орієнтовно склали:
    особового складу ‒ близько 34 700 (+170) осіб ліквідовано, танків ‒ 1 511 (+4), ...

Admins paste what they have, often a news site's rewrite rather than the official text, in
English, Ukrainian or Russian. The wording varies (one paragraph or a line per item, emoji
bullets, four kinds of dash, the number before or after its label, "(+4 за минулу добу)",
"units" between figure and change, thousands grouped by spaces, commas, dots or apostrophes, or
written "646 тис. 400"), so the text is cut into items and each item is read on its own: exactly
one total, at most one change in brackets, and a label that names exactly one category (the
registry's terms, longest match first). An item that fails any of that makes the whole text
refused with the item quoted: a paste is stored whole and exactly as understood, or not at all.
Never a guess.

Exact figures only. Rewrites round and hedge ("over 632,000", "понад 729 000", "майже", "свыше",
"~", "632,000+"); such a figure is a bound or an estimate, and storing it as the day's total
would be a wrong figure shown as a right one. So a qualifier next to a total (whole words only,
"до" but not "доби", "over" but not "overall") refuses its item, quoted, as two categories in one
item do. "About" (about, approximately, близько, приблизно, орієнтовно, около, примерно...) is
the General Staff's own word for personnel, so it has a rule of its own:

    "about N" is read as exact when the item carries its change in brackets (the official shape
    since spring 2022, "about 1456610 (+1190)", "about 34700 (+170)", even "about 833000
    (+1380)" on 28 January 2025: a rounded N would then disagree with its change and the day
    before, which validation holds), or when N is not rounded: not a round
    thousand and, after ROUND_HUNDREDS_UNTIL (the last day the General Staff itself gave round
    hundreds, "близько 17500 осіб"), not a round hundred either. Anything else, such as "about
    632,000 personnel", is somebody's rounding, and refused.

The heading's "were approximately:" / "орієнтовно склали:" qualifies the whole list, as the
General Staff means it, and is no qualifier of any one figure.

The bulletin's date, not the date a text happens to name. The store files a bulletin under the
morning it was published (the official "з 24.02.2022 по 25.06.2022" is the 25.06 bulletin, with
the losses of 24.06). Rewrites name a date by conventions of their own, each mapped to that:

    "з 24.02.2022 по D", "from 24.02.2022 to D"      D (the official heading)
    "станом на ранок D", "as of the morning of D"    D
    "за минулу добу (D)", "протягом доби D",         D + 1 (the losses of day D are published
    "over the past day, D", "in the past 24 hours     the next morning)
    (D)", "за прошедшие сутки D", "on D Russia lost"
    "as of D", "станом на D", "на D", "on D", "за D", D or D + 1, as real rewrites use them both
    "of D", a dateline ("General Staff, D:")          ("As of 13.09.2024" sat over the bulletin
                                                      of 14 September)

An ambiguous date is settled only by the changes in brackets: the bulletin is the candidate whose
day before, as stored (`totals_on`), equals total - change for every item with a change. Exactly
one candidate fitting settles it; none or both, no changes, or nothing stored to compare with,
and the text is refused with how to write the date. A date in any other convention is refused,
never guessed; so are two conventions naming different bulletins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot import categories, texts
from bot.dates import WAR_START
from bot.errors import UserError
from bot.report import Report

SOURCE = "text"
# A heading without its year ("з 24.02 по 31.03", as in early 2022) is read only this close to
# today; further back the year is anybody's guess, so the admin is asked to write it.
YEARLESS_DAYS = 7
# The last day the General Staff gave personnel in round hundreds ("близько 17500 осіб", with no
# change, in spring 2022): in the dataset every figure to this day is a round hundred but for three
# days in early March, and from the next day on they are counted to the ten (25,650 on 9 May).
# After it, "about" a round hundred without its change is somebody's rounding.
ROUND_HUNDREDS_UNTIL = date(2022, 5, 8)

# The stored effective totals of a day (None for a day with nothing stored): what an ambiguous
# date is checked against.
TotalsOn = Callable[[date], Mapping[str, int] | None]

_SPACES = "\u00a0\u202f\u2009 "
# One number: plain digits, or groups of three after the first with one kind of separator
# throughout ("12 256", "12,256", "12.256", "12'256"; never "1,456.610" or "12 56").
_SEPARATORS = (f"[{_SPACES}]", ",", r"\.", "['’]")
_NUMBER = "|".join(rf"\d{{1,3}}(?:{sep}\d{{3}})+(?!\d)" for sep in _SEPARATORS) + r"|\d+"
_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2}))?(?![\d])")
# "646 тис. 400" is 646,400; "646 тис." alone is a rounded figure, and refused.
_THOUSANDS = re.compile(
    rf"(?<![\d.,])(\d{{1,3}})[{_SPACES}]*(?:тис|тыс)\.?[{_SPACES}]*(\d{{3}})(?!\d)", re.IGNORECASE
)
_ROUNDED = re.compile(
    r"\d\s*(?:тис|тыс|thousand|млн|million|мільйон|миллион|k(?!\w))", re.IGNORECASE
)
# A total is never part of a decimal ("1,457.5") or of a longer number.
_TOTAL = re.compile(rf"(?<![\d.,'’])(?:{_NUMBER})(?![.,'’]?\d)")
_CHANGE = re.compile(rf"^\s*([+\-−–‒]?)\s*({_NUMBER})(?![.,'’]?\d)[^\d()+]*$")
_BRACKETS = re.compile(r"\(([^()]*)\)")
# Links, hashtags and mentions carry digits that are no figures (and so do dates).
_NOISE = re.compile(r"https?://\S+|t\.me/\S+|[#@]\w+")
# A line that carries a number but no figure: the day of the war ("day 1627", "1627-й день").
_DAY_COUNT = re.compile(r"(?<!\w)(?:day|день|дня|доба|сутки)(?!\w)", re.IGNORECASE)
_WAR_START_WRITTEN = {(WAR_START.day, WAR_START.month, year) for year in (None, "22", "2022")}
_EXAMPLE = "'tanks ‒ 1511 (+4)' or 'танків ‒ 1 511 (+4)'"


# Words that make the figure right after them a bound or a guess, in English, Ukrainian, Russian.
_BOUNDS = (
    r"over|more\s+than|nearly|almost|at\s+least|up\s+to|some|roughly|around|circa|ca\."
    r"|approaching|close\s+to|upwards\s+of|in\s+excess\s+of|as\s+many\s+as"
    r"|no\s+(?:less|fewer)\s+than|not\s+less\s+than|(?:less|fewer)\s+than|under|below"
    r"|(?:an\s+)?estimated"
    r"|понад|більше(?:\s+(?:ніж|як))?|більш\s+(?:ніж|як)|майже|щонайменше|принаймні|до|під"
    r"|ледь\s+не|мало\s+не|не\s+менше(?:\s+(?:ніж|як))?|не\s+менш\s+(?:ніж|як)"
    r"|менше(?:\s+(?:ніж|як))?|менш\s+(?:ніж|як)|(?:як\s+)?мінімум"
    r"|свыше|более(?:\s+чем)?|больше(?:\s+чем)?|почти|не\s+менее|не\s+меньше"
    r"|по\s+меньшей\s+мере|по\s+крайней\s+мере|(?:как\s+)?минимум|менее|меньше(?:\s+чем)?"
    r"|порядка|(?:чуть|едва)(?:\s+ли)?\s+не|под"
)
# The General Staff's own "about": exact only as the module docstring says.
_ABOUTS = (
    r"about|approximately|approx\.?|близько|приблизно|орієнтовно"
    r"|около|примерно|приблизительно|ориентировочно"
)
_BEFORE = re.compile(
    rf"(?:(?<!\w)(?:(?P<about>{_ABOUTS})|(?P<bound>{_BOUNDS}))|(?P<sign>[~≈∼≃>≥<≤±]))\s*$",
    re.IGNORECASE,
)
# "до" after a verb of rising is "to", not "up to": "зросла до 8 035".
_ROSE = re.compile(r"(?:зрос|збільши|вирос|выросл|возрос|увеличил|дійшл|досяг)\w*\s+$", re.I)
# After it: a "+" or "-odd" right after the number, or "or more" anywhere after it in the item
# ("1,500 tanks or more").
_AFTER = re.compile(
    r"^\s*(?:\+(?!\s*\d)|-?odd(?!\w))|(?<!\w)(?:(?:or|and)\s+(?:more|over|above)|or\s+so"
    r"|(?:або|чи|і|й|та)\s+більше|з\s+(?:гаком|лишком|лишнім)|(?:и|или)\s+(?:более|больше)"
    r"|с\s+(?:лишним|гаком|лишком))(?!\w)",
    re.IGNORECASE,
)


# Date conventions: the words right before a date, and which bulletin the date then means.
_TO = r"\s*(?:по|до|to|till|until|through|[-–—])\s*"
_START = (
    r"(?:з|із|зі|с|from|since)\s+(?:24\.0?2(?:\.(?:20)?22)?"
    r"|24\s+(?:лютого|февраля|february|feb\.?)(?:\s+(?:20)?22)?(?:\s*(?:р\.|року|года|г\.))?)"
)
_LOSSES_OF = (
    r"(?:за|протягом|упродовж|впродовж)\s+(?:(?:минул|останн|попередн)\w*\s+)?доб[уиі]"
    r"|(?:за|в\s+течение)\s+(?:(?:прошедш|минувш|последн|истекш)\w*\s+)?сут(?:ки|ок)"
    r"|(?:over|in|during|for|within)\s+(?:the\s+)?(?:past|last|previous|preceding)\s+"
    r"(?:day|24\s*(?:hours|h))"
)
_MORNING = (
    r"(?:станом\s+)?на\s+ранок|(?:as\s+(?:of|at)|on|in)\s+the\s+morning\s+of"
    r"|as\s+(?:of|at)\s+(?:the\s+)?morning(?:\s+of)?|(?:по\s+состоянию\s+)?на\s+утро"
    r"|зранку|вранці|уранці|утром"
)
_EITHER = r"as\s+(?:of|at)|станом\s+на|по\s+состоянию\s+на|на|on|за|of|for|від|от"
_GAP = r"[\s,:(\[–—-]*$"
_CONVENTIONS: tuple[tuple[re.Pattern[str], tuple[int, ...]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), offsets)
    for pattern, offsets in (
        (rf"(?<!\w){_START}{_TO}$", (0,)),
        (rf"(?<!\w)(?:{_MORNING}){_GAP}", (0,)),
        (rf"(?<!\w)(?:{_LOSSES_OF}){_GAP}", (1,)),
        (rf"(?<!\w)(?:{_EITHER}){_GAP}", (0, 1)),
    )
)
# A dateline: a date that ends its line or a colon, alone or after a source's name and a comma
# or colon ("General Staff, 25.06.2024:"), matched against the line before and after it.
_DATELINE = re.compile(r"^[^\w]*(?:[^\W\d_][^\d]{0,40}?[,:–—-])?[^\w]*$")
_DATELINE_END = re.compile(r"^[^\w\n]*?(?::|$)", re.MULTILINE)
# "On 22.11.2024 Russia lost ...": the losses of that day.
_ON = re.compile(r"(?<!\w)(?:on|у|в)\s+$", re.IGNORECASE)
_LOST = re.compile(
    r"^[\s,)]*(?:[\w-]+\s+){0,3}?(?:lost|втрати(?:ла|в|ли)|потерял[аи]?)(?!\w)", re.IGNORECASE
)


class BulletinParseError(UserError):
    """Text that is not a bulletin we understand; the message says what was not understood."""


@dataclass(frozen=True)
class _Figure:
    key: str
    total: int
    change: int | None
    text: str


@dataclass(frozen=True)
class _Mention:
    """A date the text names, with the words around it that say which bulletin it means."""

    phrase: str  # as written, to quote back: 'за минулу добу (22.11.2024)'
    named: date
    yearless: bool
    # The bulletin is `named` plus one of these days; () when the convention is unknown.
    offsets: tuple[int, ...]
    end: int

    def bulletins(self) -> list[date]:
        return [self.named + timedelta(days=offset) for offset in self.offsets]


def parse_bulletin(
    text: str, *, today: date, link: str | None = None, totals_on: TotalsOn | None = None
) -> Report:
    """The Report in a bulletin's text; BulletinParseError names what could not be read.

    `today` places a date written without its year, and refuses a bulletin from the future.
    `totals_on` gives the stored totals of a day, which settle a date written ambiguously
    ("as of D"); without it such a date is refused.
    """
    # Links are masked, not cut, so that positions in the heading stay those of the text.
    mentions = _mentions(_NOISE.sub(lambda m: " " * len(m[0]), text[:400]), today)
    if not mentions:
        raise BulletinParseError(texts.PARSE_NO_DATE)
    day, problems = _bulletin_date(mentions, today)
    body = text[mentions[0].end :]
    read_on = day or mentions[0].named
    figures, item_problems = _figures(body, read_on)
    if day is None and not problems:
        day, problems = _settle(mentions, figures, today, totals_on)
    if day is not None and day != read_on:
        figures, item_problems = _figures(body, day)
    problems += item_problems
    if not figures and not problems:
        problems.append(texts.PARSE_NO_FIGURES.format(example=_EXAMPLE))
    if problems or day is None:
        raise BulletinParseError("; ".join(problems))
    try:
        return Report(
            date=day,
            source=SOURCE,
            totals={f.key: f.total for f in figures},
            increases={f.key: f.change for f in figures if f.change is not None},
            raw=text,
            link=link,
        )
    except ValueError as error:
        raise BulletinParseError(str(error)) from None


# The date ------------------------------------------------------------------------------------


def _mentions(head: str, today: date) -> list[_Mention]:
    """Every date the heading names (the war's start aside), with its convention."""
    found: list[_Mention] = []
    for match in _DATE.finditer(head):
        day, month, year = match.groups()
        if (int(day), int(month), year) in _WAR_START_WRITTEN:
            continue  # the start of "from 24.02.2022 to 25.06.2022"; not 24.02.2025's bulletin
        named = _named(int(day), int(month), year, today)
        if named is None:
            continue
        before = head[max(0, match.start() - 80) : match.start()]
        line = head[head.rfind("\n", 0, match.start()) + 1 : match.start()]
        offsets, start = _convention(before, line, head[match.end() :])
        if offsets == (0, 1) and _ON.search(before) and _LOST.match(head[match.end() :]):
            offsets = (1,)
        start = match.start() - start
        end = match.end() + (head[match.end() : match.end() + 1] == ")")
        phrase = " ".join(head[start:end].split()).lstrip(",:;–—- \n")
        found.append(_Mention(phrase, named, year is None, offsets, end))
    return found


def _convention(before: str, line: str, after: str) -> tuple[tuple[int, ...], int]:
    """Which bulletins a date between `before` and `after` (its `line` up to it) may mean, as
    offsets from it, and how far back the words that say so start; () and the last few words
    for a convention we do not know."""
    for pattern, offsets in _CONVENTIONS:
        if convention := pattern.search(before):
            return offsets, len(before) - convention.start()
    if _DATELINE.match(line) and _DATELINE_END.match(after):
        return (0, 1), len(line)
    words = re.search(r"(?:\S+\s+){0,3}$", line)
    return (), len(words[0]) if words else 0


def _named(day: int, month: int, year: str | None, today: date) -> date | None:
    """The day a date names (None if it names none of the war's); a date without its year is
    the latest such day up to today."""
    try:
        if year is not None:
            named = date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        else:
            named = date(today.year, month, day)
            if named > today:
                named = named.replace(year=today.year - 1)
    except ValueError:
        return None
    return named if named > WAR_START else None


def _bulletin_date(mentions: Sequence[_Mention], today: date) -> tuple[date | None, list[str]]:
    """The bulletin's date where the conventions settle it, or None with nothing wrong yet when
    only the figures can (an ambiguous date); or the problems with the date."""
    definite = [m for m in mentions if len(m.offsets) == 1]
    either = [m for m in mentions if len(m.offsets) > 1]
    deciding = definite or either
    if not deciding:
        first = mentions[0]
        return None, [
            texts.PARSE_DATE_UNKNOWN.format(phrase=first.phrase, example=_official(first.named))
        ]
    for mention in deciding:
        if mention.yearless and (today - mention.named).days > YEARLESS_DAYS:
            written = f"{mention.named:%d.%m}"
            return None, [
                texts.PARSE_NO_YEAR.format(
                    written=written, days=YEARLESS_DAYS, example=f"{mention.named:%d.%m.%Y}"
                )
            ]
    candidates = [
        day
        for day in deciding[0].bulletins()
        if all(day in m.bulletins() for m in (*definite, *either))
    ]
    if not candidates:
        other = next(m for m in (*definite, *either) if m.bulletins() != deciding[0].bulletins())
        return None, [
            texts.PARSE_DATE_CONFLICT.format(
                first=deciding[0].phrase,
                first_date=_dates(deciding[0].bulletins()),
                second=other.phrase,
                second_date=_dates(other.bulletins()),
            )
        ]
    future = [day for day in candidates if day > today]
    if future and len(future) == len(candidates):
        return None, [
            texts.PARSE_FUTURE.format(
                phrase=deciding[0].phrase, date=_dates(candidates), today=f"{today:%d.%m.%Y}"
            )
        ]
    if len(candidates) == 1:
        return candidates[0], []
    return None, []


def _settle(
    mentions: Sequence[_Mention],
    figures: Sequence[_Figure],
    today: date,
    totals_on: TotalsOn | None,
) -> tuple[date | None, list[str]]:
    """An ambiguous date settled by the changes in brackets: the candidate whose stored day
    before is total - change for every item with a change, if exactly one is."""
    mention = next(m for m in mentions if len(m.offsets) > 1)
    candidates = [day for day in mention.bulletins() if day <= today]
    changed = [f for f in figures if f.change is not None]
    if totals_on is None:
        why = texts.PARSE_WHY_NOTHING_STORED
    elif not changed:
        why = texts.PARSE_WHY_NO_CHANGES
    else:
        fitting = [day for day in candidates if _fits(day, changed, totals_on)]
        if len(fitting) == 1:
            return fitting[0], []
        why = texts.PARSE_WHY_BOTH if fitting else texts.PARSE_WHY_NEITHER
    later = candidates[-1] if candidates else mention.named
    return None, [
        texts.PARSE_DATE_AMBIGUOUS.format(
            phrase=mention.phrase,
            dates=_dates(mention.bulletins()),
            why=why,
            example=_official(later),
            date=f"{later:%d.%m.%Y}",
        )
    ]


def _fits(day: date, changed: Sequence[_Figure], totals_on: TotalsOn) -> bool:
    before = totals_on(day - timedelta(days=1))
    if not before:
        return False
    checked = [f for f in changed if f.key in before]
    return bool(checked) and all(before[f.key] == f.total - (f.change or 0) for f in checked)


def _dates(days: Sequence[date]) -> str:
    return texts.PARSE_OR.join(f"{day:%d.%m.%Y}" for day in days)


def _official(day: date) -> str:
    return f"з 24.02.2022 по {day:%d.%m.%Y}"


# The figures ---------------------------------------------------------------------------------


def _figures(body: str, day: date) -> tuple[list[_Figure], list[str]]:
    figures: dict[str, _Figure] = {}
    problems: list[str] = []
    for item in _items(body):
        try:
            figure = _read(item, day)
        except BulletinParseError as problem:
            problems.append(str(problem))
            continue
        if figure is None:
            continue
        if figure.key in figures:
            name = categories.get(figure.key).name(texts.current_language())
            problems.append(texts.PARSE_TWICE.format(category=name, item=figure.text))
            continue
        figures[figure.key] = figure
    return list(figures.values()), problems


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
        # A bracket closed that the body did not open (the heading's "(22.11.2024)") is no
        # reason to stop cutting.
        depth = max(0, depth + {"(": 1, ")": -1}.get(char, 0))
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
    the item, when it cannot be tied to exactly one category with exactly one exact total."""
    quoted = re.sub(r"^[^\w(+\-−–‒~≈]+", "", item).strip()
    if _ROUNDED.search(_THOUSANDS.sub(" ", _NOISE.sub(" ", item))):
        raise BulletinParseError(texts.PARSE_ROUNDED.format(item=quoted))
    without_noise = _NOISE.sub(" ", item)
    text = _DATE.sub(" ", without_noise)  # a second heading, in another language
    changes: list[int] = []
    for bracket in _BRACKETS.finditer(text):
        if change := _CHANGE.match(bracket[1]):
            value = _number(change[2])
            changes.append(-value if change[1] not in ("", "+") else value)
        elif re.search(r"\d", bracket[1]):
            raise BulletinParseError(texts.PARSE_BRACKETS.format(item=quoted))
    text = _BRACKETS.sub(lambda m: " " * len(m[0]), text)
    spans = [(m.start(), m.end(), int(m[1]) * 1000 + int(m[2])) for m in _THOUSANDS.finditer(text)]
    rest = _THOUSANDS.sub(lambda m: " " * len(m[0]), text)
    spans += [(m.start(), m.end(), _number(m[0])) for m in _TOTAL.finditer(rest)]
    label = _TOTAL.sub(" ", rest)
    if re.search(r"\d", label):
        raise BulletinParseError(texts.PARSE_NOT_A_NUMBER.format(item=quoted))
    totals = [total for _, _, total in sorted(spans)]
    keys = categories.bulletin_categories(label, day)
    if keys and not totals and _DATE.search(_BRACKETS.sub(" ", without_noise)):
        # "tanks ‒ 12.25": no date belongs where a category's figure is
        raise BulletinParseError(texts.PARSE_NOT_A_NUMBER.format(item=quoted))
    if not totals and not changes:
        return None
    if not keys and not changes and _DAY_COUNT.search(label):
        return None
    if not keys:
        raise BulletinParseError(texts.PARSE_NO_CATEGORY.format(item=quoted))
    if len(keys) > 1:
        language = texts.current_language()
        names = ", ".join(categories.get(k).name(language) for k in keys)
        raise BulletinParseError(
            texts.ngettext("PARSE_CATEGORIES", len(keys)).format(
                item=quoted, count=len(keys), names=names
            )
        )
    if len(totals) != 1 or len(changes) > 1:
        raise BulletinParseError(
            texts.PARSE_TOTALS.format(item=quoted, totals=len(totals), changes=len(changes))
        )
    start, end, total = next(iter(spans))
    _check_exact(text, start, end, total, bool(changes), day, quoted)
    return _Figure(keys[0], total, changes[0] if changes else None, quoted)


def _check_exact(
    text: str, start: int, end: int, total: int, changed: bool, day: date, quoted: str
) -> None:
    """Refuse a total with a qualifier next to it (see the module docstring for "about")."""
    before = _BEFORE.search(text[:start])
    if before and before["bound"] and before["bound"].casefold() == "до":
        before = None if _ROSE.search(text[: before.start()]) else before
    after = _AFTER.search(text[end:])
    if before is None and after is None:
        return
    first = before.start() if before else start
    shown = " ".join(text[first : end + after.end() if after else end].split())
    if before and before["about"] and after is None:
        hundreds = day > ROUND_HUNDREDS_UNTIL and total % 100 == 0
        if changed or not (total % 1000 == 0 or hundreds):
            return
        raise BulletinParseError(texts.PARSE_ABOUT_ROUNDED.format(item=quoted, figure=shown))
    raise BulletinParseError(texts.PARSE_QUALIFIED.format(item=quoted, figure=shown))


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))
