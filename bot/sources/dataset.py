"""The public "2022-Ukraine-Russia-War-Dataset" files: a source to poll, import, and the bundled
snapshot.

The dataset keeps equipment and personnel in two files, one row per day. Rows are merged by date
into one Report each, keeping every column the day had, including the early-2022 categories the
bulletin later merged or dropped (military vehicles and fuel tanks, mobile SRBM systems, POWs).
The package ships a gzip snapshot of both files (see scripts/build_snapshot.py), so a fresh
install with no network starts with the whole history. The files are updated daily, so
`PublicDataset` also serves as a second source of the bulletin; it has no links to the posts.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from datetime import date, timedelta
from importlib import resources
from typing import Any, ClassVar

from bot import categories
from bot.config import SOURCE_URLS
from bot.dates import WAR_START
from bot.report import Report, raw_json
from bot.sources.http import Document, HttpSource, SourceError, decode_json, get_document

SOURCE = "dataset"
SNAPSHOT = "history.json.gz"
FILES = ("russia_losses_equipment.json", "russia_losses_personnel.json")
PUBLIC_URLS = tuple(f"{SOURCE_URLS[SOURCE]}/{file}" for file in FILES)
# Columns that are not figures: bookkeeping, or text ("greatest losses direction"), or the
# qualifier of the personnel figure ("about", "more"). They stay in the raw payload.
_NOT_FIGURES = {"date", "day", "personnel*", "greatest losses direction"}


class DatasetError(SourceError):
    """A file that is not one of the dataset's daily files; the message says which and why."""


class PublicDataset(HttpSource):
    """The dataset's two files under its URL, read once per poll (a `Source`).

    Each poll asks whether a file changed since it was last read (If-None-Match, with the ETag
    GitHub sends): the dataset changes about once a day, so most polls cost two short answers,
    not a megabyte downloaded and parsed. The last download is kept in the database
    (`downloads`), so this holds for a CLI `fetch` too, not only within a running bot."""

    name = SOURCE
    _reports: list[Report] | None = None
    # The files as last read, by URL; the reports read from the last pair of them.
    _files: ClassVar[dict[str, Document]] = {}
    _parsed: ClassVar[dict[tuple[Document, ...], list[Report]]] = {}

    async def latest(self) -> Report:
        return (await self._read())[-1]

    async def history(self, date_from: date, date_to: date) -> list[Report]:
        return [r for r in await self._read() if date_from <= r.date <= date_to]

    async def _read(self) -> list[Report]:
        """Both files, checked: a day dated before the war or after tomorrow, or a file of
        another shape, fails the fetch like any broken payload."""
        if self._reports is None:
            urls = [f"{self.url}/{file}" for file in FILES]
            documents = tuple([await self._document(url) for url in urls])
            reports = self._parsed.get(documents)
            if reports is None:
                reports = reports_from(
                    (url, decode_json(url, d.text)) for url, d in zip(urls, documents, strict=True)
                )
                self._parsed.clear()
                self._parsed[documents] = reports
            self._files.update(zip(urls, documents, strict=True))
            latest_allowed = self.today + timedelta(days=1)
            for report in reports:
                if not WAR_START <= report.date <= latest_allowed:
                    raise SourceError(
                        f"{self.url}: unexpected content: date {report.date} is outside "
                        f"{WAR_START}..{latest_allowed}"
                    )
            if not reports:
                raise SourceError(f"{self.url}: unexpected content: no days in the files")
            self._reports = reports
        return self._reports

    async def _document(self, url: str) -> Document:
        """The file at `url`: downloaded if it changed since last read (by this process, or
        by any process on the same database: the download is kept there), else as read then."""
        known = self._files.get(url)
        if known is None and self.downloads is not None:
            kept = self.downloads.download(url)
            known = Document(kept[1], kept[0]) if kept else None
        document = await get_document(self.client, url, known=known, sleep=self.sleep)
        if document is not known and document.etag and self.downloads is not None:
            self.downloads.keep_download(url, document.etag, document.text)
        return document


def kind_of(rows: Any, name: str) -> str:
    """'equipment' or 'personnel', told from the rows themselves rather than the file name."""
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise DatasetError(f"{name}: expected a JSON list of daily rows")
    first = rows[0]
    if "date" not in first:
        raise DatasetError(f"{name}: rows have no 'date'; is this a daily figures file?")
    if "personnel" in first:
        return "personnel"
    if "tank" in first or "aircraft" in first:
        return "equipment"
    raise DatasetError(
        f"{name}: neither the equipment nor the personnel file (columns: {', '.join(first)})"
    )


def reports_from(files: Iterable[tuple[str, Any]]) -> list[Report]:
    """One Report per date from (name, rows) pairs of equipment and/or personnel files."""
    by_date: dict[str, dict[str, dict[str, Any]]] = {}
    for name, rows in files:
        kind = kind_of(rows, name)
        for row in rows:
            by_date.setdefault(str(row.get("date")), {})[kind] = row
    return [_report(day, parts) for day, parts in sorted(by_date.items())]


def _report(day: str, parts: dict[str, dict[str, Any]]) -> Report:
    try:
        when = date.fromisoformat(day)
        totals = {
            categories.from_source_key(column): value
            for row in parts.values()
            for column, value in row.items()
            if column not in _NOT_FIGURES and value is not None
        }
        war_day = next(iter(parts.values())).get("day")
        return Report(
            date=when,
            source=SOURCE,
            totals=totals,
            raw=raw_json(parts),
            day=war_day if isinstance(war_day, int) else None,
        )
    except ValueError as error:
        raise DatasetError(f"row for {day!r}: {error}") from None


def load_snapshot() -> list[Report]:
    """The history bundled with the package."""
    data = resources.files("bot.data").joinpath(SNAPSHOT).read_bytes()
    files = json.loads(gzip.decompress(data))
    return reports_from(files.items())
