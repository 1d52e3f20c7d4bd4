"""The russianwarship.rip v2 statistics API, which republishes the General Staff's bulletin.

    GET {url}/statistics/latest
    GET {url}/statistics/YYYY-MM-DD
    GET {url}/statistics?date_from=&date_to=&offset=&limit=   (pages of 50, data.paging.next_url)

A record is {"date", "day", "resource" (link to the original post), "stats": {field: total},
"increase": {field: change}}. Every record is checked for shape before it becomes a Report, so a
broken or hostile payload fails the fetch instead of reaching the store. Fields the registry does
not know become categories of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from urllib.parse import urljoin

from bot import categories
from bot.dates import WAR_START
from bot.report import Report, raw_json
from bot.sources.http import HttpSource, SourceError, get_json

SOURCE = "api"
PAGE_SIZE = 50
MAX_PAGES = 200  # 10,000 days: a guard against a next_url that never ends


class StatisticsApi(HttpSource):
    """The API's records, checked for shape (a `Source`)."""

    name = SOURCE

    async def latest(self) -> Report:
        return await self._one(f"{self.url}/statistics/latest")

    async def history(self, date_from: date, date_to: date) -> list[Report]:
        """Every record from `date_from` to `date_to`, following the API's pages."""
        url: str | None = f"{self.url}/statistics"
        params: dict[str, Any] | None = {
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
            "offset": 0,
            "limit": PAGE_SIZE,
        }
        reports: list[Report] = []
        seen: set[str] = set()
        while url:
            if len(seen) >= MAX_PAGES or url in seen:
                raise SourceError(f"{url}: paging does not end (page {len(seen) + 1})")
            seen.add(url)
            payload, _ = await get_json(self.client, url, params, sleep=self.sleep)
            data = _field(payload, "data", dict, url)
            records = _field(data, "records", list, url)
            reports.extend(self._parse(record, raw_json(record), url) for record in records)
            paging = data.get("paging") or {}
            next_url = paging.get("next_url") if isinstance(paging, dict) else None
            url = urljoin(url, next_url) if isinstance(next_url, str) and next_url else None
            params = None  # next_url carries its own query
        return reports

    async def _one(self, url: str) -> Report:
        payload, body = await get_json(self.client, url, sleep=self.sleep)
        return self._parse(_field(payload, "data", dict, url), body, url)

    def _parse(self, record: Any, raw: str, url: str) -> Report:
        try:
            return parse_record(record, raw, latest_allowed=self.today + timedelta(days=1))
        except ValueError as error:
            raise SourceError(f"{url}: unexpected content: {error}") from None


def parse_record(record: Any, raw: str, *, latest_allowed: date) -> Report:
    """Check one API record's shape and turn it into a Report; ValueError says what is wrong."""
    if not isinstance(record, dict):
        raise ValueError(f"a record is {type(record).__name__}, not an object")
    day = _date(record.get("date"))
    if not WAR_START <= day <= latest_allowed:
        raise ValueError(f"date {day} is outside {WAR_START}..{latest_allowed}")
    war_day = record.get("day")
    if war_day is not None and not _is_count(war_day):
        raise ValueError(f"day is {war_day!r}, not a whole number")
    link = record.get("resource")
    if link is not None and not (
        isinstance(link, str) and link.startswith(("https://", "http://"))
    ):
        raise ValueError(f"resource is {link!r}, not a web link")
    totals = _counts(record.get("stats"), "stats")
    increases = _counts(record.get("increase") or {}, "increase")
    return Report(
        date=day,
        source=SOURCE,
        totals=totals,
        raw=raw,
        day=war_day,
        link=link,
        increases={key: value for key, value in increases.items() if key in totals},
    )


def _date(value: Any) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"date is {value!r}, not YYYY-MM-DD") from None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _counts(values: Any, name: str) -> dict[str, int]:
    """{field: value} mapped to category keys; null means 'not reported' and is skipped.

    The values themselves are checked by Report.
    """
    if not isinstance(values, Mapping):
        raise ValueError(f"{name} is {type(values).__name__}, not an object")
    return {
        categories.from_source_key(str(field)): value
        for field, value in values.items()
        if value is not None
    }


def _field(payload: Any, name: str, kind: type, url: str) -> Any:
    value = payload.get(name) if isinstance(payload, dict) else None
    if not isinstance(value, kind):
        raise SourceError(f"{url}: unexpected content: no '{name}' {kind.__name__} in the reply")
    return value
