"""Every sentence bulletin-bot shows people, from message catalogues in gettext's format.

The catalogues are bot/locales/<language>.po, read with Babel; each msgid is the name the code
uses (CAVEAT, DAY_LINE, ...), each msgstr the sentence, with str.format fields. Both languages
have every message (tests/test_texts.py checks names and fields).

    texts.of("uk").CAVEAT   the Ukrainian caveat
    texts.CAVEAT            in the language being spoken: the reader's, set for each update
                            and each delivery with `set_language`; English otherwise
    texts.ngettext("QUEUED", n)
                            a message with plural forms (msgid_plural in the catalogue): the
                            form for n, by the catalogue's Plural-Forms rule (Ukrainian has
                            three: 1 підписник, 2 підписники, 5 підписників), as Babel's
                            Translations applies it

Numbers and dates in running text are written the reader's way too: `number`, `format_date`
and `format_range` ("5 000", "8 серпня 2026 р.", "з 2 до 8 серпня 2026 р.").

The language being spoken is a context variable, as in Django's translation.activate: asyncio
gives each update and each delivery its own copy, and worker threads inherit it.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from importlib import resources

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("en", "uk")
DEFAULT_LANGUAGE = "en"


@cache
def _read(language: str) -> Catalog:
    with resources.files("bot").joinpath("locales", f"{language}.po").open("rb") as file:
        return read_po(file)


@cache
def catalogue(language: str) -> dict[str, str | tuple[str, ...]]:
    """{message name: sentence, or its plural forms} of one language."""
    messages: dict[str, str | tuple[str, ...]] = {}
    for message in _read(language):
        if isinstance(message.id, tuple):  # msgid, msgid_plural: both are the name
            messages[message.id[0]] = tuple(message.string or ())
        elif message.id:
            messages[str(message.id)] = str(message.string)
    return messages


@cache
def translations(language: str) -> Translations:
    """One language's catalogue as Babel's Translations, for the messages with plural forms:
    they pick the form for a count by the catalogue's Plural-Forms rule. Translations reads
    the compiled (MO) form, written here in memory from the same catalogue, so the .po file
    stays the one source. (babel.plural's CLDR rules would be a second source of the same
    fact, one the translator does not see.)"""
    compiled = io.BytesIO()
    write_mo(compiled, _read(language))
    compiled.seek(0)
    return Translations(compiled)


class Texts:
    """The messages of one language, as attributes; those with plural forms by `ngettext`."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._messages = catalogue(language)

    def __getattr__(self, name: str) -> str:
        message = self._message(name)
        if isinstance(message, tuple):
            raise AttributeError(f"{name} has plural forms: texts.ngettext({name!r}, n)")
        return message

    def ngettext(self, name: str, n: int) -> str:
        """The form of message `name` for the count n."""
        if not isinstance(self._message(name), tuple):
            raise TypeError(f"{name} has no plural forms")
        # The name is both msgid and msgid_plural: the catalogue's forms are all there is.
        return translations(self.language).ngettext(name, name, n)

    def _message(self, name: str) -> str | tuple[str, ...]:
        try:
            return self._messages[name]
        except KeyError:
            raise AttributeError(f"no message {name} in the {self.language} catalogue") from None


@cache
def of(language: str | None) -> Texts:
    """The messages of `language`, or English for a language bulletin-bot does not speak."""
    return Texts(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def language_for(code: str | None) -> str:
    """The bot's language for a Telegram language_code ('uk', 'uk-UA', 'en-GB', None...)."""
    code = (code or "").casefold()
    return "uk" if code.startswith("uk") else DEFAULT_LANGUAGE


_speaking: ContextVar[str] = ContextVar("speaking", default=DEFAULT_LANGUAGE)


def current_language() -> str:
    return _speaking.get()


def set_language(language: str | None) -> None:
    """Speak `language` for the rest of this task (one update, in the bot)."""
    _speaking.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def ngettext(name: str, n: int) -> str:
    """The form of message `name` for the count n, in the language being spoken."""
    return of(_speaking.get()).ngettext(name, n)


def number(value: float, pattern: str | None = None) -> str:
    """'1,511', '1 511' (with a no-break space, as Ukrainian typography has it).

    A whole number in the default pattern (nearly every number shown: a table of sixty days
    has 120) is grouped here with the locale's own marks, taken once from Babel, exactly as
    Babel would write it (tests/test_texts.py compares), at a tenth of the cost: Babel parses
    its pattern and goes through Decimal for each number (8 µs). Anything else goes to Babel."""
    language = _speaking.get()
    if pattern is None and (marks := _whole_number_marks(language)) is not None:
        whole = _whole(value)
        if whole is not None:
            group, minus = marks
            grouped = f"{abs(whole):,}".replace(",", group)
            return minus + grouped if whole < 0 else grouped
    return babel_numbers.format_decimal(value, format=pattern, locale=language)


# Floats below this are whole numbers whose digits Babel (which reads str(value)) writes out.
_EXACT_FLOAT = 2**53


def _whole(value: float) -> int | None:
    """`value` as an int when Babel would write it as one with the default pattern: an int, or
    a float with nothing after the point (not -0.0, which Babel writes as '-0'); else None."""
    if type(value) is int:  # not a bool, which Babel refuses
        return value
    if type(value) is float and value.is_integer() and abs(value) < _EXACT_FLOAT:
        return int(value) if value or str(value)[0] != "-" else None
    return None


@cache
def _whole_number_marks(language: str) -> tuple[str, str] | None:
    """The group separator and minus sign Babel puts in a whole number in `language`, read off
    Babel's own output; None unless that is groups of three, from four digits on ("1,234"),
    which is all `number` knows how to write."""
    group = babel_numbers.get_group_symbol(language)
    minus = babel_numbers.get_minus_sign_symbol(language)
    for sample in (1_234, -1_234_567, 12, 0):
        written = f"{abs(sample):,}".replace(",", group)
        expected = minus + written if sample < 0 else written
        if babel_numbers.format_decimal(sample, locale=language) != expected:
            return None
    return group, minus


# How much of a word someone typed an answer quotes back: enough to recognise it, never a page.
MOST_WORD_SHOWN = 40


def shown(word: str) -> str:
    """A word as typed, for an answer to quote: cut to MOST_WORD_SHOWN characters, with '…'."""
    return word if len(word) <= MOST_WORD_SHOWN else word[:MOST_WORD_SHOWN] + "…"


# How each language marks a year after a date, as its newsrooms write it: «8 серпня 2026 р.».
_YEAR_MARK = {"uk": " р."}


def format_date(day: date) -> str:
    """'25 June 2022', '25 червня 2022 р.' (a sentence ending on it takes no second period:
    the catalogue's sentences that end on a date have none)."""
    language = _speaking.get()
    written = babel_dates.format_date(day, "d MMMM y", locale=language)
    return written + _YEAR_MARK.get(language, "")


def format_month(day: date) -> str:
    """The calendar month of `day`: 'July 2026', 'липень 2026 р.'."""
    language = _speaking.get()
    return babel_dates.format_date(day, "LLLL y", locale=language) + _YEAR_MARK.get(language, "")


def format_short_date(day: date) -> str:
    """'5 August', '5 серпня'."""
    return babel_dates.format_date(day, "d MMMM", locale=_speaking.get())


# A moment as a schedule shows it, weekday first: the day and time a summary comes or a
# pause ends, in the reader's own zone.
_MOMENT = {"en": "EEE d MMM, HH:mm", "uk": "EEE, d MMMM, HH:mm"}
_WEEKDAY_DATE = {"en": "EEE d MMM", "uk": "EEE, d MMMM"}


def format_moment(at: datetime) -> str:
    """'Mon 10 Aug, 08:00', 'пн, 10 серпня, 08:00': a local time (the caller's zone)."""
    language = _speaking.get()
    return babel_dates.format_datetime(at, _MOMENT[language], locale=language)


def format_weekday_date(day: date) -> str:
    """'Mon 10 Aug', 'пн, 10 серпня'."""
    language = _speaking.get()
    return babel_dates.format_date(day, _WEEKDAY_DATE[language], locale=language)


def format_range(first: date, last: date) -> str:
    """'2–8 August 2026', '26 July – 8 August 2026' (an en dash, spaced when either side has
    a space in it); in Ukrainian «з 2 до 8 серпня 2026 р.», «з 26 липня до 8 серпня 2026 р.»,
    «з 26 грудня 2025 р. до 8 січня 2026 р.»."""
    if first == last:
        return format_date(last)
    same_month = (first.year, first.month) == (last.year, last.month)
    if _speaking.get() == "uk":
        if same_month:
            start = str(first.day)
        else:
            start = format_short_date(first) if first.year == last.year else format_date(first)
        return f"з {start} до {format_date(last)}"
    if same_month:
        return f"{first.day}–{format_date(last)}"
    start = format_short_date(first) if first.year == last.year else format_date(first)
    return f"{start} – {format_date(last)}"


def message(name: str) -> str:
    """The message `name` in the language being spoken, for a name kept in a mapping (each
    such mapping is checked against the catalogues by tests/test_texts.py)."""
    found: str = getattr(of(_speaking.get()), name)
    return found


def __getattr__(name: str) -> str:
    """texts.<NAME>: the message in the language being spoken."""
    message: str = getattr(of(_speaking.get()), name)
    return message
