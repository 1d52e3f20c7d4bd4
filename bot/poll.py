"""One poll of the source, as the bot's job, /fetch and `bulletin-bot fetch` all do it.

Fetch (and fill any gap), store, queue a fresh bulletin for subscribers, and tell the admins
about what needs them: a report put on hold, or a source failing poll after poll.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import httpx

from bot import metrics, render, texts
from bot.config import Config
from bot.ingest import Outcome, fetch_latest, summarise
from bot.notices import alert_admins
from bot.publish import publish_outcomes
from bot.sources.api import StatisticsApi
from bot.sources.http import SourceError
from bot.store import ReportStatus, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollResult:
    outcomes: list[Outcome] = field(default_factory=list)
    queued: int = 0
    error: str | None = None

    @property
    def summary(self) -> str:
        return summarise(self.outcomes)


async def poll_once(
    store: Store, config: Config, http: httpx.AsyncClient, *, now: datetime, today: date
) -> PollResult:
    api = StatisticsApi(config.source.url, http, today=today)
    try:
        outcomes = await fetch_latest(store, api, now=now, today=today)
    except SourceError as error:
        metrics.FETCHES.labels("failed").inc()
        alert_if_source_down(store, config, now=now)
        return PollResult(error=str(error))
    metrics.FETCHES.labels("ok").inc()
    alert_held(store, config, outcomes, now=now)
    queued = publish_outcomes(
        store, outcomes, now=now, today=today, home_zone=config.schedule.timezone
    )
    log.info("poll result=%s queued=%d", summarise(outcomes), queued)
    return PollResult(outcomes, queued)


def alert_held(store: Store, config: Config, outcomes: list[Outcome], *, now: datetime) -> None:
    for outcome in outcomes:
        if outcome.status == ReportStatus.HELD:
            metrics.HELD.inc()
            reasons = "; ".join(render.finding_detail(f) for f in outcome.findings)
            text = texts.ALERT_HELD.format(
                date=texts.format_date(outcome.date), day=outcome.date.isoformat(), reasons=reasons
            )
            alert_admins(store, config.telegram.admins, f"held:{outcome.report_id}", text, now=now)


def alert_if_source_down(store: Store, config: Config, *, now: datetime) -> None:
    count, first = store.consecutive_failed_fetches()
    if count >= config.alerts.source_failures:
        last = store.last_fetch()
        text = texts.ngettext("ALERT_SOURCE_DOWN", count).format(
            count=count, error=last.detail if last else "-"
        )
        alert_admins(store, config.telegram.admins, f"source-down:{first}", text, now=now)
