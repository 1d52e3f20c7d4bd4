"""Export of the effective figures (corrections applied) as CSV or JSON. No Telegram here.

CSV has one row per date and category: date, day, category, name (in the reader's language),
total, change, span_days (the days the change covers: more than 1 after days with no bulletin),
corrected, fetched_total (the figure as fetched, where a correction replaced it), link. JSON has
one object per date with the same facts nested under "figures".

A Ukrainian reader's CSV is made for Excel as it is set up in Ukraine: fields separated by `;`
(Excel splits a CSV on the system's list separator, which is `;` wherever `,` is the decimal
mark, as in uk-UA: a comma-separated file opens as one column), and a UTF-8 byte order mark
(without it Excel reads the file in the Windows code page, and the Cyrillic names come out
garbled). An English reader's CSV stays the plain comma-separated UTF-8 that scripts expect.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from bot import categories, texts
from bot.dates import WAR_START, DateError, parse_user_date
from bot.errors import UserError
from bot.figures import changes_by_day
from bot.kept import KEPT
from bot.store import Store

FORMATS = ("csv", "json")
# How a CSV is written for a reader of each language: (field separator, byte order mark).
_CSV_FOR_EXCEL = {"uk": (";", "\ufeff")}
_CSV_PLAIN = (",", "")
COLUMNS = (
    "date",
    "day",
    "category",
    "name",
    "total",
    "change",
    "span_days",
    "corrected",
    "fetched_total",
    "link",
    "source",
)


class ExportError(UserError):
    """Arguments that name no export; the message says what to write instead."""


@dataclass(frozen=True)
class Export:
    format: str
    first: date
    last: date
    data: bytes

    @property
    def file_name(self) -> str:
        return f"russian-losses-claimed-{self.first}-to-{self.last}.{self.format}"


def parse_arguments(
    words: list[str], today: date, latest: date, *, prefix: str
) -> tuple[str, date, date]:
    """[CSV|JSON] [FROM] [TO], in any order of format and dates; a refusal names the command as
    typed where it was asked (`prefix`: '/' in a chat, 'bulletin-bot ' in a shell)."""
    fmt = "csv"
    dates = []
    for word in words:
        if word.casefold() in FORMATS:
            fmt = word.casefold()
            continue
        try:
            dates.append(parse_user_date(word, today))
        except DateError as error:
            if word.isalpha():  # a word, not a mistyped date: a format we do not make
                raise ExportError(
                    texts.EXPORT_BAD_FORMAT.format(word=texts.shown(word), prefix=prefix)
                ) from None
            raise ExportError(f"{error} {texts.USAGE_EXPORT.format(prefix=prefix)}") from None
    if len(dates) > 2:
        raise ExportError(texts.USAGE_EXPORT.format(prefix=prefix))
    first = dates[0] if dates else WAR_START
    last = dates[1] if len(dates) == 2 else latest
    if len(dates) == 1 and first > latest:
        raise ExportError(
            texts.EXPORT_NOTHING_AFTER.format(
                first=texts.format_date(first), latest=texts.format_date(latest)
            )
        )
    if first > last:
        raise ExportError(
            texts.EXPORT_BACKWARDS.format(
                first=texts.format_date(first), last=texts.format_date(last)
            )
        )
    return fmt, first, last


def export(store: Store, fmt: str, first: date, last: date, *, keep_whole: bool = False) -> Export:
    """The figures from `first` to `last`, names and CSV layout in the language spoken.

    Cut from the whole history's rows kept in this process (bot/kept.py: made once, then a new
    day adds its rows, a revision or a correction replaces its day's and the next day's), made
    and kept when the whole history is asked for, or when `keep_whole` says more will be asked
    (the bot's drawing process: a crowd's exports of a thousand different periods are then a
    thousand cuts of one text). Otherwise, with none kept, read for those days alone: the
    command line's export of a week reads a week. The same bytes whichever way: each day's
    rows are counted from the day stored before it, however far back."""
    layout = _layout(fmt, texts.current_language())
    name = ("export", layout.key)
    days = KEPT.get_if_kept(store, name, layout.build, layout.patch)
    if days is None:
        since, until = store.changes.first_date(), store.reports.latest_date()
        whole = since is None or until is None or (first <= since and last >= until)
        if whole or keep_whole:
            days = KEPT.get(store, name, layout.build, layout.patch)
        else:
            days = layout.read(store, first, last)
    return Export(fmt, first, last, layout.document(days.between(first, last)))


@dataclass(frozen=True)
class _Row:
    """One date and category: the facts a CSV row and a JSON figure give, in any language."""

    date: str
    day: int
    category: str
    total: int
    change: int | None
    span_days: int | None
    corrected: bool
    fetched_total: int | None
    link: str | None
    source: str


@dataclass
class _Days:
    """One layout's text of each stored day (its rows, encoded), in date order."""

    dates: list[date]
    chunks: list[bytes]

    def between(self, first: date, last: date) -> list[bytes]:
        return self.chunks[
            bisect.bisect_left(self.dates, first) : bisect.bisect_right(self.dates, last)
        ]

    def put(self, day: date, chunk: bytes | None) -> None:
        """A day's text replaced, added in its place, or (None: no longer stored) removed."""
        index = bisect.bisect_left(self.dates, day)
        there = index < len(self.dates) and self.dates[index] == day
        if chunk is None:
            if there:
                del self.dates[index], self.chunks[index]
        elif there:
            self.chunks[index] = chunk
        else:
            self.dates.insert(index, day)
            self.chunks.insert(index, chunk)


class _Layout:
    """How one format (and for CSV, one language) writes a day's rows and a whole document,
    and so which of the kept texts (`key`) it uses."""

    key: tuple[str, ...]

    def chunk(self, rows: list[_Row]) -> bytes:
        raise NotImplementedError

    def document(self, chunks: list[bytes]) -> bytes:
        raise NotImplementedError

    def read(self, store: Store, first: date | None, last: date | None) -> _Days:
        """The text of each stored day from `first` to `last` (None: from the first, to the
        last), read for those days alone."""
        days = _Days([], [])
        for day, rows in _rows(store, first, last):
            days.dates.append(day)
            days.chunks.append(self.chunk(rows))
        return days

    def build(self, store: Store) -> _Days:
        return self.read(store, None, None)

    def patch(self, store: Store, kept: _Days, changed: set[date]) -> _Days:
        """The kept text with each of the days `changed` read again."""
        for day in sorted(changed):
            found = dict(_rows(store, day, day))
            kept.put(day, self.chunk(found[day]) if day in found else None)
        return kept


class _Csv(_Layout):
    """A row per date and category, fields separated (and the file marked) for the reader's
    language: see the module's docstring."""

    def __init__(self, language: str) -> None:
        self.key = ("csv", language)
        self.separator, self.mark = _CSV_FOR_EXCEL.get(language, _CSV_PLAIN)
        self.names: dict[str, str] = {}
        self.language = language

    def chunk(self, rows: list[_Row]) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self.separator, lineterminator="\n")
        writer.writerows(
            (
                r.date,
                r.day,
                r.category,
                self._name(r.category),
                r.total,
                r.change,
                r.span_days,
                "yes" if r.corrected else "",
                r.fetched_total,
                r.link,
                r.source,
            )
            for r in rows
        )
        return buffer.getvalue().encode()

    def document(self, chunks: list[bytes]) -> bytes:
        buffer = io.StringIO()
        buffer.write(self.mark)
        csv.writer(buffer, delimiter=self.separator, lineterminator="\n").writerow(COLUMNS)
        return b"".join([buffer.getvalue().encode(), *chunks])  # one copy of the days

    def _name(self, key: str) -> str:
        if key not in self.names:
            self.names[key] = categories.get(key).name(self.language)
        return self.names[key]


class _Json(_Layout):
    """An object per date, its figures by category: the same bytes `json.dumps(document,
    indent=1)` gives, written a day at a time. No names, so one text serves every language;
    the document's opening (the source, the caveat) is in the reader's."""

    key = ("json",)

    def chunk(self, rows: list[_Row]) -> bytes:
        first = rows[0]
        day = {
            "date": first.date,
            "day": first.day,
            "link": first.link,
            "source": first.source,
            "figures": {
                r.category: {
                    "total": r.total,
                    "change": r.change,
                    "span_days": r.span_days,
                    "corrected": r.corrected,
                    **({"fetched_total": r.fetched_total} if r.corrected else {}),
                }
                for r in rows
            },
        }
        # As an item of the document's list of days: two levels in (`indent=1`), after the
        # comma that follows the day before (`document` drops the first day's).
        text = json.dumps(day, ensure_ascii=False, indent=1)
        return (",\n  " + text.replace("\n", "\n  ")).encode()

    def document(self, chunks: list[bytes]) -> bytes:
        payload: dict[str, object] = {
            "source": texts.EXPORT_SOURCE,
            "caveat": texts.CAVEAT_LONG,
            "days": [0] if chunks else [],
        }
        text = json.dumps(payload, ensure_ascii=False, indent=1)
        if not chunks:
            return text.encode()
        opening, _, closing = text.rpartition("\n  0")  # where the days go
        # One copy of the days, the first without the comma before it.
        return b"".join([opening.encode(), chunks[0][1:], *chunks[1:], closing.encode()])


def _layout(fmt: str, language: str) -> _Layout:
    return _Csv(language) if fmt == "csv" else _Json()


def _rows(store: Store, first: date | None, last: date | None) -> Iterator[tuple[date, list[_Row]]]:
    """Each stored day from `first` to `last` with its rows, categories in bulletin order."""
    meta = store.reports.effective_meta(first, last)
    fetched = store.reports.effective_totals(first, last, corrected=False)
    corrected = {(c.date, c.category) for c in store.corrections.live(first, last)}
    for day, found in changes_by_day(store, first, last).items():
        number, link, source = meta[day]
        text = day.isoformat()
        rows = []
        for key in categories.sort_keys(found):
            change = found[key]
            is_corrected = (day, key) in corrected
            rows.append(
                _Row(
                    text,
                    number,
                    key,
                    change.total,
                    change.delta,
                    change.span_days if change.delta is not None else None,
                    is_corrected,
                    fetched.get(day, {}).get(key) if is_corrected else None,
                    link,
                    # Which source gave the report in force (a correction is marked apart).
                    source,
                )
            )
        yield day, rows
