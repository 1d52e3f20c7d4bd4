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

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

from bot import categories, texts
from bot.dates import WAR_START, DateError, parse_user_date
from bot.errors import UserError
from bot.figures import daily_changes
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


def export(store: Store, fmt: str, first: date, last: date) -> Export:
    """The figures from `first` to `last`, names and CSV layout in the language spoken."""
    language = texts.current_language()
    meta = store.reports.effective_meta(first, last)
    changes = daily_changes(store, since=first, until=last)
    fetched = store.reports.effective_totals(first, last, corrected=False)
    corrected = {(c.date, c.category) for c in store.corrections.live(first, last)}
    rows = []
    for key in categories.sort_keys(changes):
        for day in changes[key]:
            is_corrected = (day.date, key) in corrected
            rows.append(
                {
                    "date": day.date.isoformat(),
                    "day": meta[day.date][0],
                    "category": key,
                    "name": categories.get(key).name(language),
                    "total": day.total,
                    "change": day.delta,
                    "span_days": day.span_days if day.delta is not None else None,
                    "corrected": is_corrected,
                    "fetched_total": fetched.get(day.date, {}).get(key) if is_corrected else None,
                    "link": meta[day.date][1],
                    # Which source gave the report in force (a correction is marked apart).
                    "source": meta[day.date][2],
                }
            )
    rows.sort(key=lambda row: str(row["date"]))  # stable: categories stay in bulletin order
    data = _csv(rows, *_CSV_FOR_EXCEL.get(language, _CSV_PLAIN)) if fmt == "csv" else _json(rows)
    return Export(fmt, first, last, data)


def _csv(rows: list[dict[str, object]], separator: str, mark: str) -> bytes:
    buffer = io.StringIO()
    buffer.write(mark)
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=separator, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "corrected": "yes" if row["corrected"] else ""})
    return buffer.getvalue().encode()


def _json(rows: list[dict[str, object]]) -> bytes:
    days: dict[object, dict[str, object]] = {}
    figures: dict[object, dict[object, object]] = {}
    for row in rows:
        days.setdefault(
            row["date"],
            {
                "date": row["date"],
                "day": row["day"],
                "link": row["link"],
                "source": row["source"],
                "figures": figures.setdefault(row["date"], {}),
            },
        )
        figures[row["date"]][row["category"]] = {
            "total": row["total"],
            "change": row["change"],
            "span_days": row["span_days"],
            "corrected": row["corrected"],
            **({"fetched_total": row["fetched_total"]} if row["corrected"] else {}),
        }
    payload = {
        "source": texts.EXPORT_SOURCE,
        "caveat": texts.CAVEAT_LONG,
        "days": list(days.values()),
    }
    return json.dumps(payload, ensure_ascii=False, indent=1).encode()
