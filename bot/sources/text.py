"""The General Staff's text bulletin, and news rewrites of it, turned into a Report, or refused.

    The total combat losses of the enemy from 24.02.2022 to 25.06.2022 were approximately:
    personnel - about 34700 (+170) persons were liquidated, tanks - 1511 (+4), ...

    Загальні бойові втрати противника з 24.02.22 по 25.06.22 орієнтовно склали:
    особового складу ‒ близько 34 700 (+170) осіб ліквідовано, танків ‒ 1 511 (+4), ...

Admins paste what they have, often a news site's rewrite rather than the official text, in
English, Ukrainian or Russian: the official list, a news agency's paragraph ("Також Сили оборони
знищили 9 419 (+20) танків, ..."), a wire story ("Russia has lost 729,720 troops ..., the
General Staff reported on Nov. 23"), a channel's post with emoji. The wording varies (one
paragraph or a line per item, emoji bullets, four kinds of dash, the number before or after its
label, "(+4 за минулу добу)", "units" between figure and change, thousands grouped by spaces,
commas, dots or apostrophes, or written "646 тис. 400"), so the whole text is cut into
sentences (line breaks, full stops) and sentences into items (commas, semicolons, an "and"
before a figure: "9,419 tanks and 19,192 armoured vehicles"), and each item is read: at most one
total, at most one change, and a label that names exactly one category (the registry's terms,
longest match first). The change is in brackets ("(+20)"), or the total is, after the day's
figure ("2 танки (загалом 11 261)", "2 tanks (for a total of 11,261)", "9 ББМ (23 384)": an
unsigned number in brackets bigger than the one outside is the total, since a day's losses are
never more than the total), or a "+" marks the day's figure ("танки: +2 (всього 11 261)").

The rest of a sentence says what a number in it is, and a number is read as a total only when
nothing says it is something else:

    the day's losses ("за добу", "over the past day", "in the past 24 hours") anywhere in the
    sentence make its bracketless numbers changes, not totals ("за добу ще 1 420 окупантів і
    55 крилатих ракет"); after "з них", "including", "из них" only that item is ("близько 729
    720 осіб, з них 1 420 – за минулу добу"); a change alone is no figure, only checked
    against the category's total elsewhere;
    an item without a category takes the one named before it in its sentence when it says it
    is its total ("а загалом — 409 010", "bringing the total to"), its day's losses, or a count
    right after the category's name ("As for air defence, 1,031 (+1) systems");
    "Нагадаємо", "вчора", "напередодні", "overnight", "earlier", "накануне" make the
    sentence about another day or story: its numbers are not read (nor its dates);
    a period's losses ("за тиждень", "over the past month", "у 2025 році") are no bulletin's:
    the text is refused;
    a total in prose is read only in a sentence about losses ("lost", "втрати", "знищено",
    "потери"), or as a list's item ("label – N", or a number and a category's bare name, "2 266
    крилатих ракет"): "поранено 5 осіб" is no figure of personnel.

A number that nothing ties to a category (a year, a count of clashes, the day of the war, a
time) is ignored in a sentence that names no category; in a sentence that does, or shaped like
a list's item ("laser weapons – 5", "(+1)"), it could be the total of a category we do not know,
so it refuses the text, quoted. A category given two totals is refused, but for one given
again as its own change ("1 080 окупантів" in the headline, "1 127 300 (+1 080)" in the list),
or again the same. Whatever fails makes the whole text refused with the item quoted: a paste is
stored whole and exactly as understood, or not at all. Never a guess.

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
    hundreds, "близько 17500 осіб"), not a round hundred either; or when the text gives its
    change in words ("близько 1 127 300 осіб, з них 1 080 – за минулу добу"). Anything else,
    such as "about 632,000 personnel", is somebody's rounding, and refused.

The heading's "were approximately:" / "орієнтовно склали:" qualifies the whole list, as the
General Staff means it, and is no qualifier of any one figure.

The bulletin's date, not the date a text happens to name. The store files a bulletin under the
morning it was published (the official "з 24.02.2022 по 25.06.2022" is the 25.06 bulletin, with
the losses of 24.06). Rewrites name a date, in digits or in words ("23.11.2024", "23 листопада
2024 року", "November 23, 2024", "Nov. 23", "23 ноября"), by conventions of their own, each
mapped to that:

    "з 24.02.2022 по D", "from 24.02.2022 to D"      D (the official heading)
    "станом на ранок D", "as of the morning of D"    D
    "reported on D", "said on Thursday",             D (the day the General Staff reported is
    "оприлюднив у п'ятницю", "D, повідомив"           the morning it published)
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
never guessed; so are two conventions naming different bulletins. A date without its year is
read only within YEARLESS_DAYS of today. A weekday names the last such day up to the text's own
date, a publication stamp ("23.11.2024, 10:15", "Sat 23 Nov 2024 09.12 GMT", "KYIV, Nov 23
(Reuters)") or a day it says the General Staff reported, and no weekday is read without one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

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
# Where the bulletin's date is looked for: the heading, or a news item's headline and lead. A
# date further on is some other day's ("Нагадаємо, 22 листопада ...").
HEAD = 400

# The stored effective totals of a day (None for a day with nothing stored): what an ambiguous
# date is checked against.
TotalsOn = Callable[[date], Mapping[str, int] | None]

_SPACES = "\u00a0\u202f\u2009 "
# One number: plain digits, or groups of three after the first with one kind of separator
# throughout ("12 256", "12,256", "12.256", "12'256"; never "1,456.610" or "12 56").
_SEPARATORS = (f"[{_SPACES}]", ",", r"\.", "['’]")
_NUMBER = "|".join(rf"\d{{1,3}}(?:{sep}\d{{3}})+(?!\d)" for sep in _SEPARATORS) + r"|\d+"
# A time of day ("09:12", "09.12 GMT") is no date and no figure.
_ZONE = r"\s*(?:GMT|UTC|EES?T|CES?T|BST|[ap]\.?m\.?(?!\w))"
_TIME = re.compile(rf"(?<![\d.:])\d{{1,2}}(?::\d\d(?![\d:])(?:{_ZONE})?|\.\d\d{_ZONE})", re.I)
_DATE = re.compile(
    rf"(?<![\d.])(\d{{1,2}})\.(\d{{1,2}})(?:\.(\d{{4}}|\d{{2}}))?(?![\d])(?!{_ZONE})"
)
# Dates in words: "4 грудня 2025 року", "4 декабря", "4 Dec 2025", "December 4, 2025", "Nov. 23".
_MONTHS_UK = (
    "січня",
    "лютого",
    "березня",
    "квітня",
    "травня",
    "червня",
    "липня",
    "серпня",
    "вересня",
    "жовтня",
    "листопада",
    "грудня",
)
_MONTHS_RU = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_MONTHS_EN = (
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
)
# English months only capitalised: "May 4" is a date, "may 4" is not.
_EN_MONTH = "(?-i:" + "|".join([*_MONTHS_EN, "Sept", *(m[:3] for m in _MONTHS_EN)]) + r")\.?"
_MONTH = rf"(?:{'|'.join(_MONTHS_UK + _MONTHS_RU)}|{_EN_MONTH})(?!\w)"
_YEAR_WORD = r"(?:\s*(?:(?:року|році|рік|года|году|год)(?!\w)|р\.|г\.))"
_WORD_DATE = re.compile(
    rf"(?<![\d.,'’])(?P<d1>\d{{1,2}})(?:-?(?:го|е|th|st|nd|rd))?\s+(?P<m1>{_MONTH})"
    rf"(?:,?\s+(?P<y1>20\d\d)(?!\d){_YEAR_WORD}?)?"
    rf"|(?<!\w)(?P<m2>{_EN_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?!\w)"
    rf"(?:,?\s+(?P<y2>20\d\d)(?!\d))?",
    re.IGNORECASE,
)
# A year alone is no figure either: "in February 2022", "у 2023 році", "since 2022".
_YEAR = re.compile(
    rf"(?<!\w){_MONTH}\s+20\d\d(?!\d)|(?<![\d.,'’])20\d\d{_YEAR_WORD}"
    r"|(?<!\w)(?:in|since|during|у|в|з|с|за)\s+20\d\d(?!\d|[.,'’]\d)",
    re.IGNORECASE,
)
# Weekdays as news write them ("said on Thursday", "у суботу", "в пятницу"), Monday first.
_WEEKDAYS = (
    "(?-i:Monday)|понеділок|понедельник",
    "(?-i:Tuesday)|вівторок|вторник",
    "(?-i:Wednesday)|середу|среду",
    "(?-i:Thursday)|четвер|четверг",
    "(?-i:Friday)|п['’ʼ]?ятницю|пятницу",
    "(?-i:Saturday)|суботу|субботу",
    "(?-i:Sunday)|неділю|воскресенье",
)
_WEEKDAY = re.compile(
    "(?<!\\w)(?:"
    + "|".join(f"(?P<w{i}>{names})" for i, names in enumerate(_WEEKDAYS))
    + ")(?!\\w)",
    re.IGNORECASE,
)
# "646 тис. 400" is 646,400; "646 тис." alone is a rounded figure, and refused.
_THOUSANDS = re.compile(
    rf"(?<![\d.,])(\d{{1,3}})[{_SPACES}]*(?:тис|тыс)\.?[{_SPACES}]*(\d{{3}})(?!\d)", re.IGNORECASE
)
_ROUNDED = re.compile(
    r"\d\s*(?:тис|тыс|thousand|млн|million|мільйон|миллион|k(?!\w))", re.IGNORECASE
)
# A total is never part of a decimal ("1,457.5") or of a longer number.
_TOTAL = re.compile(rf"(?<![\d.,'’])(?:{_NUMBER})(?![.,'’]?\d)")
# Digits other than 0-9 ("৪" is 4, and looks like 8; "１２"): Python reads them, people cannot
# check them, and no bulletin writes them.
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
# A day's change is a whole number: "(+4.5)" would otherwise be masked as a date, 4 May.
# ("+1,190" groups thousands: three digits after the mark.)
_FRACTION_CHANGE = re.compile(r"\(\s*[+\-−–‒]\s*[0-9]+[.,](?:[0-9]{1,2}|[0-9]{4,})\s*\)")
_CHANGE = re.compile(rf"^\s*([+\-−–‒]?)\s*({_NUMBER})(?![.,'’]?\d)[^\d()+]*$")
_BARE = re.compile(rf"\s*(?:{_NUMBER})\s*")
_BRACKETS = re.compile(r"\(([^()]*)\)")
# The total in brackets after the day's losses: "2 танки (загалом 11 261)", "(for a total of N)".
_BRACKET_TOTAL = re.compile(
    r"^\s*(?:for\s+a\s+|in\s+)?(?:total|overall|загалом|всього|усього|всего|итого|в\s+целом)"
    r"(?:\s+of)?(?!\w)[\s:=–—-]*(?P<rest>.*)$",
    re.IGNORECASE,
)
# Links, hashtags and mentions carry digits that are no figures (and so do dates).
_NOISE = re.compile(r"https?://\S+|t\.me/\S+|[#@]\w+")
# A line that carries a number but no figure: the day of the war ("day 1627", "1627-й день").
_DAY_COUNT = re.compile(r"(?<!\w)(?:day|день|дня|доба|сутки)(?!\w)", re.IGNORECASE)
_WAR_START_WRITTEN = {(WAR_START.day, WAR_START.month, year) for year in (None, "22", "2022")}
_EXAMPLE = "'tanks ‒ 1511 (+4)' or 'танків ‒ 1 511 (+4)'"

# Prose around the figures. Its words say what a number in it is:
# the day's losses, not the running total ("за добу ще 1 420 окупантів", "including 1,540 over
# the past day");
_DAY = re.compile(
    r"(?<!\w)(?:(?:за|протягом|упродовж|впродовж)\s+(?:(?:минул|останн|попередн)\w*\s+)?"
    r"(?:доб[уиі]|день)|(?:за|в\s+течение)\s+(?:(?:прошедш|минувш|последн|истекш)\w*\s+)?"
    r"(?:сут(?:ки|ок)|день)|(?:over|in|during|for|within)\s+(?:the\s+)?(?:past|last|previous"
    r"|preceding)\s+(?:day|24\s*(?:hours|h))|per\s+day|a\s+day|daily\s+(?:loss|losses|toll)"
    r"|щоденн\w*\s+втрат\w*|ежедневн\w*\s+потер\w*)(?!\w)",
    re.IGNORECASE,
)
# of which, the day's ("з них 1 420 – за минулу добу"): a part of the figure before it;
_INCLUDING = re.compile(
    r"^\W*(?:(?:з|із|из)\s+них|(?:у|в)\s+тому\s+числі|в\s+том\s+числе|including|of\s+"
    r"(?:which|them|these)|this\s+(?:number|figure|total)\s+includes)(?!\w)",
    re.IGNORECASE,
)
# the running total of the category named before it in the sentence ("а загалом — 409 010");
_TOTAL_WORD = re.compile(
    r"(?<!\w)(?:загалом|всього|усього|загальн\w*|сягну\w*|сягає|сягають|досягл\w*|досягну\w*"
    r"|всего|общ(?:ее|ая|ий|ие|их)|в\s+целом|итого|достигл\w*|total\w*|overall|in\s+all"
    r"|altogether|bringing|brings|reached|reaching|to\s+date|so\s+far|з\s+початку|від\s+початку"
    r"|с\s+начала|since\s+the\s+(?:start|beginning))(?!\w)",
    re.IGNORECASE,
)
# a count of the category named just before it ("As for air defence, 1,031 (+1) systems");
_UNIT = re.compile(
    r"(?<!\w)(?:systems?|units?|pieces|од\.?|одиниц\w*|ед\.?|единиц\w*|шт\.?)(?!\w)", re.I
)
# another day's figures, or another story ("Нагадаємо, ...", "вчора", "overnight"), never
# the bulletin's;
_OTHER_TIME = re.compile(
    r"(?<!\w)(?:вчора|учора|позавчора|напередодні|вночі|уночі|(?:у|в)\s+ніч|за\s+ніч"
    r"|минулої\s+ночі|нагадаємо|раніше|як\s+повідомлялося|вчера|позавчера|накануне|ночью"
    r"|в\s+ночь|за\s+ночь|напомним|ранее|как\s+сообщалось|yesterday|overnight|last\s+night"
    r"|earlier|previously|recall)(?!\w)",
    re.IGNORECASE,
)
# and a period's losses, which are no bulletin's ("за тиждень", "over the past month").
_PERIOD = re.compile(
    r"(?<!\w)(?:(?:за|протягом|упродовж|в\s+течение)\s+(?:(?:минул|останн|прошл|последн|цей"
    r"|этот)\w*\s+)?(?:тиждень|місяць|неделю|месяц|рік|год)|за\s+\d+\s+(?:дн|доб|діб|сут)\w*"
    r"|(?:over|in|during|for)\s+(?:the\s+)?(?:past|last|previous)\s+(?:week|month|year"
    r"|\d+\s+days)|this\s+(?:week|month))(?!\w)",
    re.IGNORECASE,
)
# ("weekly", "щотижневий" only beside a loss's figure: "weekly updates" is no figure.)
_PERIODIC = re.compile(
    r"(?<!\w)(?:weekly|monthly|тижнев\w*|щотижнев\w*|місячн\w*|щомісячн\w*|еженедельн\w*"
    r"|недельн\w*|месячн\w*)(?!\w)",
    re.IGNORECASE,
)
# and a year's ("у 2025 році", "in 2025"), which are no bulletin's either, unless the year is
# when the war began ("since it invaded in 2022", "з початку вторгнення у 2022 році");
_YEAR_PERIOD = re.compile(r"(?<!\w)(?:у|в|in|during|throughout|за)\s+20\d\d(?!\d)", re.I)
_SINCE = re.compile(
    r"(?<!\w)(?:since|began|begun|start\w*|beginning|invade\w*|invasion|з\s+початку|від\s+початку"
    r"|почал\w*|розпоча\w*|вторгн\w*|с\s+начала|начал\w*|вторжени\w*)(?!\w)",
    re.IGNORECASE,
)
# A total in prose is read only in a sentence about losses: "Russia has lost 9,419 tanks", not
# "поранено 5 осіб" (unless the item is a list's: "label – N", or has its change in brackets).
_LOSS = re.compile(
    r"(?<!\w)(?:втрат\w*|знищ\w*|ліквід\w*|збит\w*|збил\w*|уражен\w*|потер\w*|уничтож\w*"
    r"|ликвид\w*|сбит\w*|сбил\w*|lost|loss(?:es)?|destroy\w*|eliminat\w*|killed|downed"
    r"|shot\s+down|casualt\w*)(?!\w)",
    re.IGNORECASE,
)
# "X and Y" with a figure after "and" is two items: "9,419 tanks and 19,192 armoured vehicles",
# "... and one submarine".
# (Possessive, from the start of a run of spaces: a long run is scanned once, not once a space.)
_AND = re.compile(
    r"(?<!\s)\s++(?:and|та|і|й|и|as\s+well\s+as|plus|а\s+також)\s++(?=\+?\d|(?:one|two|three|один|одна"
    r"|одне|одну|два|дві|две|три)(?!\w))",
    re.IGNORECASE,
)
# A keyless item shaped like a list's ("laser weapons – 5"): a figure whose label we do not
# know, never prose. (A list's item with a label we know may have its qualifier and its unit:
# "особового складу - близько 17700 осіб".)
_LISTED = re.compile(r"[:=‒–—-]\s*$")
_LISTED_AFTER = re.compile(r"^\s*(?:units?|pcs\.?|од\.?|ед\.?|шт\.?)?[\s.;,!]*$", re.I)


# Words that make the figure right after them a bound or a guess, in English, Ukrainian, Russian.
_BOUNDS = (
    r"over|more\s+than|nearly|almost|at\s+least|up\s+to|some|roughly|around|circa|ca\."
    r"|approaching|close\s+to|upwards\s+of|in\s+excess\s+of|as\s+many\s+as"
    r"|no\s+(?:less|fewer)\s+than|not\s+less\s+than|(?:less|fewer)\s+than|under|below"
    r"|(?:an\s+)?estimated|est\.|above|exceeding|upwards?\s+of|just\s+(?:shy|short)\s+of"
    r"|in\s+the\s+region\s+of|(?:a\s+)?minimum\s+of|more\s+then|north\s+of|beyond"
    r"|перевищи\w*|понад|більше(?:\s+(?:ніж|як))?|більш\s+(?:ніж|як)|майже|щонайменше|принаймні|до|під"
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
_LABELLED = re.compile(rf"[:=‒–—-]\s*(?:(?:{_ABOUTS})\s+)?$", re.IGNORECASE)
# "до" after a verb of rising is "to", not "up to": "зросла до 8 035".
_ROSE = re.compile(r"(?:зрос|збільши|вирос|выросл|возрос|увеличил|дійшл|досяг)\w*\s+$", re.I)
# After it: a "+" or "-odd" right after the number, or "or more" anywhere after it in the item
# ("1,500 tanks or more").
_AFTER = re.compile(
    r"^\s*(?:\+(?!\s*\d)|-?odd(?!\w)|-?plus(?!\w))|(?<!\w)(?:(?:or|and)\s+(?:more|over|above)|or\s+so"
    r"|(?:або|чи|і|й|та)\s+більше|з\s+(?:гаком|лишком|лишнім)|(?:и|или)\s+(?:более|больше)"
    r"|с\s+(?:лишним|гаком|лишком))(?!\w)",
    re.IGNORECASE,
)


# Date conventions: the words right before a date, and which bulletin the date then means.
_TO = r"[\s,]*(?:по|до|to|till|until|through|[-–—])\s*"  # "February 24, 2022, to"
_START = (
    r"(?:з|із|зі|с|from|since)\s+(?:24\.0?2(?:\.(?:20)?22)?"
    r"|24\s+(?:лютого|февраля|february|feb\.?)(?:,?\s+(?:20)?22)?(?:\s*(?:р\.|року|года|г\.))?"
    r"|(?:february|feb\.?)\s+24(?:,?\s+(?:20)?22)?)"
)
_LOSSES_OF = (
    r"(?:за|протягом|упродовж|впродовж)\s+(?:(?:минул|останн|попередн)\w*\s+)?доб[уиі]"
    r"|(?:за|в\s+течение)\s+(?:(?:прошедш|минувш|последн|истекш)\w*\s+)?сут(?:ки|ок)"
    r"|(?:over|in|during|for|within)\s+(?:the\s+)?(?:past|last|previous|preceding)\s+"
    r"(?:day|24\s*(?:hours|h))"
)
# (a time of the morning too: "as of 8:00 a.m. January 1", "станом на 08:00 1 січня")
_MORNING = (
    r"(?:as\s+(?:of|at)|станом\s+на|по\s+состоянию\s+на)\s+(?:\d{1,2}(?:[:.]\d\d)?\s*a\.?m\.?"
    r"|(?:0?\d|1[01])[:.]\d\d(?:\s*(?:ранку|утра))?)(?:\s+(?:on|of))?"
    r"|(?:станом\s+)?на\s+ранок|(?:as\s+(?:of|at)|on|in)\s+the\s+morning\s+of"
    r"|as\s+(?:of|at)\s+(?:the\s+)?morning(?:\s+of)?|(?:по\s+состоянию\s+)?на\s+утро"
    r"|зранку|вранці|уранці|утром"
)
# The day the General Staff reported on is the morning it published the bulletin: "reported
# on Nov. 23", "said on Thursday", "its update on Aug. 8", "оприлюднив у п'ятницю".
_VERBS = (
    r"reported|said|stated|announced|published|released|updated|posted|повідоми\w*"
    r"|оприлюдни\w*|оновив|оновил\w*|сообщил\w*|обнародовал\w*|опубликовал\w*|обновил\w*"
)
_REPORTED = (
    rf"(?:{_VERBS}|update|report|statement|bulletin)(?:\s+(?:its|their|the|new|latest|updated|daily|figures|data|numbers|report"
    r"|losses|estimates?|дані|данные|втрати|потери)){0,3}\s+(?:on|у|в|во)"
)
_REPORTED_AFTER = re.compile(
    rf"^[ \t,]*(?:[^\W\d_][\w'’-]*[ \t]+){{0,3}}?(?:{_VERBS})(?!\w)", re.IGNORECASE
)
_EITHER = r"as\s+(?:of|at)|станом\s+на|по\s+состоянию\s+на|на|on|за|of|for|від|от"
_GAP = r"[\s,:(\[–—-]*$"
_CONVENTIONS: tuple[tuple[re.Pattern[str], tuple[int, ...]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), offsets)
    for pattern, offsets in (
        (rf"(?<!\w){_START}{_TO}$", (0,)),
        (rf"(?<!\w)(?:{_MORNING}){_GAP}", (0,)),
        (rf"(?<!\w)(?:{_LOSSES_OF}){_GAP}", (1,)),
        (rf"(?<!\w)(?:{_REPORTED}){_GAP}", (0,)),
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


class _AboutRounded(BulletinParseError):
    """ "About" a rounded figure: somebody's rounding, unless the text gives its change."""


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
    start: int  # where the words that say so start: they are no label (end if none)
    end: int

    def bulletins(self) -> list[date]:
        return [self.named + timedelta(days=offset) for offset in self.offsets]


@dataclass
class _Piece:
    """One item as read on its own; what it is (a figure, the day's losses, prose) is settled
    with the rest of its sentence."""

    quoted: str
    keys: list[str] = field(default_factory=list)
    total: int | None = None
    change: int | None = None
    numbers: bool = False  # anything in it that could be a figure
    bracketed: bool = False  # a number in brackets
    problem: str | None = None  # why it cannot be a figure, if it has to be one
    malformed: bool = False  # the problem is in how it is written (rounded, not a number)
    day: bool = False  # "за добу", "over the past day"
    including: bool = False  # "з них", "including"
    total_word: bool = False  # "загалом", "total"
    unit: bool = False  # "systems", "units", "од."
    listed: bool = False  # "label – N": a list's item
    labelled: bool = False  # "label – about N persons", "2 266 крилатих ракет": a list's item
    loss: bool = False  # "lost", "втрати", "знищено": it speaks of losses
    other_time: bool = False  # "Нагадаємо", "вчора", "overnight"
    period: str | None = None  # "за тиждень"
    unconfirmed: str | None = None  # "about" a rounded total: refused unless its change is given


@dataclass(frozen=True)
class _Record:
    total: int | None
    change: int | None
    text: str
    unconfirmed: str | None = None


def parse_bulletin(
    text: str, *, today: date, link: str | None = None, totals_on: TotalsOn | None = None
) -> Report:
    """The Report in a bulletin's text; BulletinParseError names what could not be read.

    `today` places a date written without its year, and refuses a bulletin from the future.
    `totals_on` gives the stored totals of a day, which settle a date written ambiguously
    ("as of D"); without it such a date is refused.
    """
    if digit := _OTHER_DIGIT.search(text):
        raise BulletinParseError(texts.PARSE_OTHER_DIGIT.format(digit=digit[0]))
    if fraction := _FRACTION_CHANGE.search(text):
        raise BulletinParseError(texts.PARSE_FRACTION_CHANGE.format(change=fraction[0]))
    # What is masked is blanked, not cut, so that positions stay those of the text. (A time
    # stays in the heading: "23.11.2024, 10:15" is when it was published, no dateline.)
    masked = _blank(text, _NOISE)
    mentions = _mentions(masked[:HEAD], today)
    if not mentions:
        raise BulletinParseError(texts.PARSE_NO_DATE)
    day, problems = _bulletin_date(mentions, today)
    body = _blank(masked, _TIME, _WORD_DATE, _YEAR)
    for mention in mentions:
        body = body[: mention.start] + " " * (mention.end - mention.start) + body[mention.end :]
    sentences = _sentences(body, _heading_ends(body, mentions))
    read_on = day or mentions[0].named
    figures, item_problems = _figures(body, text, sentences, read_on)
    if day is None and not problems:
        day, problems = _settle(mentions, figures, today, totals_on)
    if day is not None and day != read_on:
        figures, item_problems = _figures(body, text, sentences, day)
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


def _blank(text: str, *patterns: re.Pattern[str]) -> str:
    for pattern in patterns:
        text = pattern.sub(lambda m: " " * len(m[0]), text)
    return text


# The date ------------------------------------------------------------------------------------


def _written_dates(head: str) -> list[tuple[int, int, int, int, str | None]]:
    """(start, end, day, month, year as written) of each date in digits or in words."""
    found = [(m.start(), m.end(), int(m[1]), int(m[2]), m[3]) for m in _DATE.finditer(head)]
    for match in _WORD_DATE.finditer(head):
        month = _month(match["m1"] or match["m2"])
        day = int(match["d1"] or match["d2"])
        found.append((match.start(), match.end(), day, month, match["y1"] or match["y2"]))
    return sorted(found)


def _month(word: str) -> int:
    word = word.rstrip(".").casefold()
    for names in (_MONTHS_UK, _MONTHS_RU):
        if word in names:
            return names.index(word) + 1
    if word == "sept":
        return 9
    return next(
        i for i, name in enumerate(_MONTHS_EN, 1) if word in (name.casefold(), name[:3].casefold())
    )


def _mentions(head: str, today: date) -> list[_Mention]:
    """Every date the heading names (the war's start aside), with its convention; a weekday
    ("said on Thursday") names the last such day up to the text's own date (a publication
    time or dateline, or the day it says the General Staff reported), a week at most before.
    A date in a sentence about another day or story ("Нагадаємо, ...") is not the bulletin's."""
    found: list[_Mention] = []
    for start, end, day, month, year in _written_dates(head):
        if (day, month, year) in _WAR_START_WRITTEN:
            continue  # the start of "from 24.02.2022 to 25.06.2022"; not 24.02.2025's bulletin
        named = _named(day, month, year, today)
        if named is not None and not _about_another_time(head, start):
            found.append(_mention(head, start, end, named, year is None))
    anchors = [m for m in found if m.offsets in ((), (0,))]
    for match in _WEEKDAY.finditer(head):
        if not anchors or _about_another_time(head, match.start()):
            continue
        weekday = next(i for i in range(7) if match[f"w{i}"])
        anchor = min(anchors, key=lambda m: abs(m.end - match.end()))
        named = anchor.named - timedelta(days=(anchor.named.weekday() - weekday) % 7)
        if named > WAR_START:
            found.append(_mention(head, match.start(), match.end(), named, anchor.yearless))
    return sorted(found, key=lambda m: m.end)


def _mention(head: str, start: int, end: int, named: date, yearless: bool) -> _Mention:
    before = head[max(0, start - 80) : start]
    line = head[head.rfind("\n", 0, start) + 1 : start]
    offsets, back = _convention(before, line, head[end:])
    if offsets == (0, 1) and _ON.search(before) and _LOST.match(head[end:]):
        offsets = (1,)
    if not offsets and _REPORTED_AFTER.match(head[end:]):
        offsets = (0,)
    first = start - back
    # the bracket closed after "за минулу добу (22.11.2024" is the date's too
    end += head[end : end + 1] == ")" and "(" in head[first:start]
    phrase = " ".join(head[first:end].split()).lstrip(",:;–—- \n")
    # A date in no convention we know is masked where it is read (it may be no date at all).
    return _Mention(phrase, named, yearless, offsets, first if offsets else end, end)


def _about_another_time(head: str, at: int) -> bool:
    """Whether the sentence around `at` is about another day or story ("Нагадаємо, ...")."""
    start = max(head.rfind("\n", 0, at), head.rfind(". ", 0, at))
    ends = [i for i in (head.find("\n", at), head.find(". ", at)) if i >= 0]
    return bool(_OTHER_TIME.search(head[start + 1 : min(ends, default=len(head))]))


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
                # The example names no year: the one the date would fall in is a guess.
                texts.PARSE_NO_YEAR.format(
                    written=written,
                    days=YEARLESS_DAYS,
                    example=f"{written}.{texts.YEAR_PLACEHOLDER}",
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


def _heading_ends(body: str, mentions: Sequence[_Mention]) -> set[int]:
    """The colon that ends a heading on the line of its date ("... were approximately:"), so
    that the heading's words are no item's label."""
    ends = set()
    for mention in mentions:
        line_end = body.find("\n", mention.end)
        colon = body.find(":", mention.end, line_end if line_end >= 0 else len(body))
        between = body[mention.end : colon]
        heading = colon >= 0 and not re.search(r"\d", between)
        if heading and not categories.bulletin_categories(between):
            ends.add(colon)
    return ends


def _sentences(body: str, cuts: set[int]) -> list[list[tuple[int, int]]]:
    """The body cut into sentences (at line breaks and full stops), and each sentence into
    items (spans of `body`): at commas and semicolons between items (not inside a number or
    brackets), at an "and" before a figure, and at the heading's colon."""
    joins = {m.start(): m.end() for m in _AND.finditer(body)}
    sentences: list[list[tuple[int, int]]] = []
    items: list[tuple[int, int]] = []
    start, depth, index = 0, 0, 0

    def close(end: int, sentence: bool) -> None:
        nonlocal items
        text = body[start:end]
        if text.strip():
            first = start + len(text) - len(text.lstrip())
            items.append((first, start + len(text.rstrip())))
        if sentence and items:
            sentences.append(items)
            items = []

    while index < len(body):
        char = body[index]
        following = body[index + 1 : index + 3]
        # A bracket closed that the body did not open is no reason to stop cutting.
        depth = max(0, depth + {"(": 1, ")": -1}.get(char, 0))
        if char == "\n" or (depth == 0 and char in ".!?" and _ends_sentence(body, index)):
            close(index, sentence=True)
            start = index + 1
        elif depth == 0 and index in joins:
            close(index, sentence=False)
            start = index = joins[index]
            continue
        elif index in cuts or (depth == 0 and char in ",;" and not following[:1].isdigit()):
            close(index, sentence=False)
            start = index + 1
        index += 1
    close(len(body), sentence=True)
    return sentences


def _ends_sentence(body: str, index: int) -> bool:
    """Whether the full stop at `index` ends a sentence: a capital or a figure after it, not
    after an abbreviated "about" or "thousand" ("approx. 1,456,610", "536 тис. 840")."""
    following = body[index + 1 : index + 3]
    if not following[:1].isspace():
        return False
    if following[1:2].isdigit():
        return not re.search(r"(?<!\w)(?:approx|ca|c|тис|тыс)$", body[:index], re.IGNORECASE)
    return following[1:2].isupper()


def _figures(
    body: str, text: str, sentences: Sequence[Sequence[tuple[int, int]]], day: date
) -> tuple[list[_Figure], list[str]]:
    """The figures of every sentence, each category's merged: one total (a headline's "20
    танків" beside "танків ‒ 9 419 (+20)" is that change again) and at most one change."""
    records: dict[str, list[_Record]] = {}
    problems: list[str] = []
    said = 0  # where the sentence starts: a year blanked before its first item is its own
    for sentence in sentences:
        pieces = [_read(body[start:end], text[start:end], day) for start, end in sentence]
        end = sentence[-1][1]
        year = _YEAR_PERIOD.search(text, said, end)
        since = year and _SINCE.search(text[said : year.start()] + text[year.end() : end])
        quoted = " ".join(text[said:end].split()).lstrip(".!? ")
        said = end
        if year and not since and not any(p.other_time for p in pieces):
            problems.append(texts.PARSE_PERIOD.format(item=quoted, phrase=year[0]))
            continue
        for key, record in _sentence_figures(pieces, problems):
            records.setdefault(key, []).append(record)
    figures = []
    for key, found in records.items():
        name = categories.get(key).name(texts.current_language())
        changes = list(dict.fromkeys(r.change for r in found if r.change is not None))
        if len(changes) > 1:
            second = next(r for r in found if r.change == changes[1])
            problems.append(texts.PARSE_TWICE.format(category=name, item=second.text))
            continue
        change = changes[0] if changes else None
        totals = [r for r in found if r.total is not None]
        if len({r.total for r in totals}) > 1 and change is not None:
            totals = [r for r in totals if r.change is not None or r.total != change]
        if len({r.total for r in totals}) > 1:
            second = next(r for r in totals if r.total != totals[0].total)
            problems.append(texts.PARSE_TWICE.format(category=name, item=second.text))
            continue
        if not totals:  # the day's losses alone are no figure
            continue
        unconfirmed = next((r.unconfirmed for r in totals if r.unconfirmed), None)
        if unconfirmed and change is None:
            problems.append(unconfirmed)
        elif (total := totals[0].total) is not None:
            figures.append(_Figure(key, total, change, totals[0].text))
    return figures, problems


def _sentence_figures(pieces: Sequence[_Piece], problems: list[str]) -> list[tuple[str, _Record]]:
    """A sentence's figures. An item names its category, or takes the one named before it in
    the sentence when its words say what it is ("загалом", "з них ... за добу", "1,031
    systems"); the day's losses are a change, never a total; and a number that nothing ties
    to a category is prose (a year, a count of clashes) only in a sentence that names none."""
    other = any(p.other_time for p in pieces)
    losses = any(p.loss for p in pieces)
    today_only = any(p.day and not p.including for p in pieces)
    names = any(p.keys for p in pieces)
    found: list[tuple[str, _Record]] = []
    context: str | None = None
    named_alone = False  # the context is a category named with no figure: "As for air defence"
    for piece in pieces:
        if piece.period and not other:
            problems.append(texts.PARSE_PERIOD.format(item=piece.quoted, phrase=piece.period))
            continue
        if not piece.numbers:
            if len(piece.keys) == 1:
                context, named_alone = piece.keys[0], True
            continue
        if other and not piece.bracketed:
            # Another day's or another story's numbers; but beside figures taken from the same
            # sentence (with their changes in brackets), a category's figure left out would be
            # a bulletin read without it: refused instead.
            if piece.keys and any(p.bracketed for p in pieces):
                problems.append(texts.PARSE_OTHER_TIME.format(item=piece.quoted))
            continue
        if piece.malformed and piece.problem and (piece.keys or piece.bracketed or names):
            problems.append(piece.problem)
            continue
        if len(piece.keys) > 1:
            language = texts.current_language()
            listed = ", ".join(categories.get(k).name(language) for k in piece.keys)
            problems.append(
                texts.ngettext("PARSE_CATEGORIES", len(piece.keys)).format(
                    item=piece.quoted, count=len(piece.keys), names=listed
                )
            )
            continue
        key = piece.keys[0] if piece.keys else None
        said = piece.day or piece.including or piece.total_word
        if key is None and (said or (piece.unit and named_alone)):
            key = context
        if key is None:
            if piece.bracketed or piece.listed or (names and not _DAY_COUNT.search(piece.quoted)):
                problems.append(texts.PARSE_NO_CATEGORY.format(item=piece.quoted))
            continue
        if piece.problem:
            problems.append(piece.problem)
            continue
        total, change = piece.total, piece.change
        if total is not None and change is None and not piece.bracketed and not piece.total_word:
            if piece.day or today_only:
                total, change = None, total  # the day's losses, not the running total
            elif not (piece.labelled or losses):
                continue  # prose that names a category, not a loss: "поранено 5 осіб"
        unconfirmed = piece.unconfirmed if total is not None else None
        found.append((key, _Record(total, change, piece.quoted, unconfirmed)))
        context, named_alone = key, False
    return found


def _read(item: str, shown: str, day: date) -> _Piece:
    """One item on its own: its categories, its total and change (or why it has none), and
    what its words say it is."""
    piece = _Piece(re.sub(r"^[^\w(+\-−–‒~≈]+", "", " ".join(shown.split())).strip())
    text = _THOUSANDS.sub(lambda m: m[1] + m[2], item)  # "646 тис. 400": 646400
    rounded = _ROUNDED.search(text)
    dated = _DATE.search(_BRACKETS.sub(" ", text))
    text = _blank(text, _DATE)
    outside = _BRACKETS.sub(lambda m: " " * len(m[0]), text)
    piece.day = bool(_DAY.search(outside))
    piece.including = bool(_INCLUDING.match(outside))
    piece.total_word = bool(_TOTAL_WORD.search(outside))
    piece.other_time = bool(_OTHER_TIME.search(outside))
    piece.loss = bool(_LOSS.search(outside))
    if period := _PERIOD.search(outside):
        piece.period = period[0]
    text = _blank(text, _DAY)
    changes: list[int] = []
    bare: list[int] = []
    in_brackets: list[tuple[str, int, int, int]] = []  # the total in brackets, where it is
    odd_bracket = False
    for bracket in _BRACKETS.finditer(text):
        if change := _CHANGE.match(bracket[1]):
            value = _number(change[2])
            if _BARE.fullmatch(bracket[1]):
                bare.append(value)
            else:
                changes.append(-value if change[1] not in ("", "+") else value)
        elif (total := _BRACKET_TOTAL.match(bracket[1])) and (
            len(numbers := list(_TOTAL.finditer(total["rest"]))) == 1
        ):
            number = numbers[0]
            in_brackets.append((total["rest"], number.start(), number.end(), _number(number[0])))
        elif re.search(r"\d", bracket[1]):
            odd_bracket = True
    outside = _BRACKETS.sub(lambda m: " " * len(m[0]), text)
    spans = [(m.start(), m.end(), _number(m[0])) for m in _TOTAL.finditer(outside)]
    label = _TOTAL.sub(" ", outside)
    piece.keys = categories.bulletin_categories(label, day)
    if spans and (piece.keys or piece.loss) and (periodic := _PERIODIC.search(outside)):
        piece.period = piece.period or periodic[0]
    piece.unit = bool(_UNIT.search(label))
    piece.bracketed = bool(changes or bare or in_brackets)
    digits = bool(re.search(r"\d", label)) or bool(piece.keys and dated)
    piece.numbers = bool(spans or piece.bracketed or odd_bracket or digits)
    if spans:
        piece.labelled = bool(_LABELLED.search(outside[: spans[0][0]])) or _named_only(label)
        piece.listed = bool(
            _LISTED.search(outside[: spans[0][0]]) and _LISTED_AFTER.match(outside[spans[-1][1] :])
        )
    if rounded:
        piece.problem = texts.PARSE_ROUNDED.format(item=piece.quoted)
    elif odd_bracket:
        piece.problem = texts.PARSE_BRACKETS.format(item=piece.quoted)
    elif re.search(r"\d", label) or (piece.keys and not spans and dated):
        # "tanks ‒ 12.25": no date belongs where a category's figure is
        piece.problem = texts.PARSE_NOT_A_NUMBER.format(item=piece.quoted)
    else:
        piece.problem = _total_and_change(
            piece, text, outside, spans, changes, bare, in_brackets, day
        )
        return piece
    piece.malformed = True
    return piece


def _named_only(label: str) -> bool:
    """Whether a label is a category's name and nothing else but a unit or "about":
    "крилатих ракет", "units of special equipment"; not "поранено осіб" (wounded persons)."""
    rest = _category_names().sub(" ", label)
    others = rf"{_UNIT.pattern}|(?<!\w)(?:{_ABOUTS}|of|and|та|і|й|и)(?!\w)|[\W\d_]"
    return not re.sub(others, "", rest, flags=re.IGNORECASE)


@cache
def _category_names() -> re.Pattern[str]:
    """Every category's bulletin terms, longest first."""
    terms = sorted(
        (t for c in categories.CATEGORIES for t in c.bulletin_terms), key=len, reverse=True
    )
    return re.compile("|".join(rf"(?<!\w)(?:{term})(?!\w)" for term in terms), re.IGNORECASE)


def _total_and_change(
    piece: _Piece,
    text: str,
    outside: str,
    spans: Sequence[tuple[int, int, int]],
    changes: list[int],
    bare: Sequence[int],
    in_brackets: Sequence[tuple[str, int, int, int]],
    day: date,
) -> str | None:
    """Set the piece's total and change; or say why it has none. A number signed "+" is a
    change ("танки: +4 (всього 12 251)"); a total in brackets after a number makes that number
    the change ("2 танки (загалом 11 261)"), and so does a bigger unsigned one ("9 ББМ (23
    384)": a day's losses are never more than the total)."""
    signed = [s for s in spans if re.search(r"\+[^\S\n]{0,3}$", outside[max(0, s[0] - 4) : s[0]])]
    counts = {"item": piece.quoted, "totals": len(spans), "changes": len(changes) + len(bare)}
    try:
        if in_brackets or (bare and len(spans) == 1 and bare[0] > spans[0][2]):
            if len(spans) != 1 or len(in_brackets) + len(bare) != 1 or changes:
                return texts.PARSE_TOTALS.format(**counts)
            if in_brackets:
                rest, start, end, total = in_brackets[0]
                _check_exact(rest, start, end, total, True, day, piece.quoted)
            else:
                total = bare[0]
            start, end, change = spans[0]
            _check_exact(text, start, end, change, True, day, piece.quoted)  # "понад 20 танків"
            piece.total, piece.change = total, change
            return None
        changes += bare
        if signed and len(spans) == 1 and not changes:
            piece.change = spans[0][2]  # the day's losses alone
            return None
        if len(spans) != 1 or len(changes) > 1:
            return texts.PARSE_TOTALS.format(**counts)
        start, end, total = spans[0]
        try:
            _check_exact(text, start, end, total, bool(changes), day, piece.quoted)
        except _AboutRounded as problem:
            # exact after all if the text gives its change elsewhere: "близько 1 127 300
            # осіб, з них 1 080 – за минулу добу"
            piece.unconfirmed = str(problem)
    except BulletinParseError as problem:
        return str(problem)
    piece.total, piece.change = total, (changes[0] if changes else None)
    return None


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
        raise _AboutRounded(texts.PARSE_ABOUT_ROUNDED.format(item=quoted, figure=shown))
    raise BulletinParseError(texts.PARSE_QUALIFIED.format(item=quoted, figure=shown))


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))
