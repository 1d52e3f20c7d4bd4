"""Where reports come from. A source is anything with a name that gives the latest report and
the reports of a span of days; the config lists them in order of preference.

Readers of a source check every record's shape and raise `SourceError` (never anything else)
when a fetch fails, so the poll can treat every source alike.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Protocol

import httpx

from bot.config import SourceConfig
from bot.report import Report
from bot.sources.api import StatisticsApi
from bot.sources.dataset import PublicDataset
from bot.sources.http import Downloads, Sleep


class Source(Protocol):
    """A source of the daily bulletin."""

    name: str  # as stored with each report and fetch: "api", "dataset"
    url: str

    async def latest(self) -> Report:
        """The newest report the source has."""
        ...

    async def history(self, date_from: date, date_to: date) -> list[Report]:
        """Every report it has from `date_from` to `date_to`, both included."""
        ...


def connect(
    config: SourceConfig,
    client: httpx.AsyncClient,
    *,
    today: date,
    sleep: Sleep = asyncio.sleep,
    downloads: Downloads | None = None,
) -> Source:
    """The reader for one configured source (its kind is checked when the config is loaded);
    `downloads` keeps what it downloaded, to ask next time whether it changed."""
    readers: dict[str, type[StatisticsApi] | type[PublicDataset]] = {
        "api": StatisticsApi,
        "dataset": PublicDataset,
    }
    return readers[config.kind](config.url, client, today=today, sleep=sleep, downloads=downloads)
