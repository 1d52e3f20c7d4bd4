"""One poll of the sources, as the bot's job, /fetch and `bulletin-bot fetch` all do it.

Ask every configured source, take the bulletin from the one that leads (bot/failover.py) with
the others' versions as witnesses, cross-check the days the others give, store, queue a fresh
bulletin for subscribers, and tell the admins about what needs them: a report put on hold, a
source failing poll after poll, another source taking over.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import httpx

from bot import failover, logs, metrics, render, texts
from bot.config import Config
from bot.failover import Lead, SourceState
from bot.ingest import Arrival, Outcome, fetch_recent, ingest, tally_line
from bot.notices import alert_admins
from bot.publish import publish_outcomes
from bot.report import Report
from bot.sources import Source, connect
from bot.sources.http import Sleep, SourceError
from bot.store import Fetch, ReportStatus, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollResult:
    outcomes: list[Outcome] = field(default_factory=list)
    queued: int = 0
    # Each source that failed, by name, with its error.
    failures: dict[str, str] = field(default_factory=dict)
    lead: Lead | None = None
    answered: bool = True  # False: no source answered

    @property
    def error(self) -> str | None:
        """What went wrong when no source answered (else None: the poll did its work)."""
        return None if self.answered else "; ".join(self.failures.values())

    @property
    def tally_line(self) -> str:
        return tally_line(self.outcomes)


@dataclass(frozen=True)
class _Answer:
    source: Source
    reports: list[Report] | None
    error: str | None = None

    @property
    def newest(self) -> date | None:
        return max((r.date for r in self.reports), default=None) if self.reports else None


async def poll_once(
    store: Store,
    config: Config,
    http: httpx.AsyncClient,
    *,
    now: datetime,
    today: date,
    sleep: Sleep = asyncio.sleep,
) -> PollResult:
    sources = [
        connect(source, http, today=today, sleep=sleep, downloads=store.logs)
        for source in config.sources
    ]
    answers = await asyncio.gather(*(_ask(store, source) for source in sources))
    before = failover.states(store, [s.name for s in sources])
    after = [
        state.after(answer.reports is not None, answer.newest)
        for state, answer in zip(before, answers, strict=True)
    ]
    lead = failover.choose(after, config.alerts.source_failures)
    outcomes = _take(store, answers, lead, now=now, today=today)
    for answer in answers:
        _record(store, answer, outcomes.get(answer.source.name, []), now=now)
    failures = {a.source.name: a.error for a in answers if a.error is not None}
    for name in failures:
        alert_if_source_down(store, config, name, now=now)
    # The leader's word on each day, and whatever another source's version left stored.
    taken = [
        o
        for name, found in outcomes.items()
        for o in found
        if name == lead.name or o.report_id is not None
    ]
    if len(failures) == len(answers):
        return PollResult(failures=failures, lead=lead, answered=False)
    if lead.is_failover and any(o.change == Arrival.NEW for o in outcomes.get(lead.name or "", [])):
        alert_failover(store, config, lead, after, now=now)
    alert_held(store, config, taken, now=now)
    queued = publish_outcomes(
        store,
        sorted(taken, key=lambda o: o.date),
        now=now,
        today=today,
        home_zone=config.schedule.timezone,
    )
    log.info("poll lead=%s result=%s queued=%d", lead.name, tally_line(taken), queued)
    return PollResult(taken, queued, failures, lead)


async def _ask(store: Store, source: Source) -> _Answer:
    try:
        return _Answer(source, await fetch_recent(store, source))
    except SourceError as error:
        # The error quotes the URL, which may carry a password or a key: kept and shown (log,
        # fetch log, admins' alerts and /fetch) without them. Readers never see it at all.
        detail = logs.redact_urls(str(error))
        log.error("fetch failed source=%s error=%r", source.name, detail)
        return _Answer(source, None, detail)


def _take(
    store: Store, answers: list[_Answer], lead: Lead, *, now: datetime, today: date
) -> dict[str, list[Outcome]]:
    """Store the leading source's reports, with the others' as witnesses; then the others'
    reports of the days the leader gave nothing new of, to be cross-checked against what is
    stored (days no source has stored yet are taken from them only when the leader answered
    and lacks them: a gap, never a leader's brief outage)."""
    by_name = {a.source.name: a for a in answers}
    leader = by_name.get(lead.name or "")
    witnesses: dict[date, Report] = {}
    for answer in answers:
        if answer is not leader:
            for report in answer.reports or []:
                witnesses.setdefault(report.date, report)
    outcomes: dict[str, list[Outcome]] = {}
    given: set[date] = set()
    if leader is not None and leader.reports is not None:
        found = ingest(
            store, leader.reports, now=now, today=today, hold_suspicious=True, witnesses=witnesses
        )
        outcomes[leader.source.name] = found
        given = {o.date for o in found if o.change in (Arrival.NEW, Arrival.REVISED)}
    stored = {day for day, _ in store.reports.known_hashes(since=min(witnesses, default=today))}
    for answer in answers:
        if answer is leader or answer.reports is None:
            continue
        checked = [
            r
            for r in answer.reports
            if r.date not in given
            and (r.date in stored or (leader is not None and leader.reports is not None))
        ]
        outcomes[answer.source.name] = ingest(
            store, checked, now=now, today=today, hold_suspicious=True
        )
        stored |= {o.date for o in outcomes[answer.source.name] if o.report_id is not None}
    return outcomes


def _record(store: Store, answer: _Answer, outcomes: list[Outcome], *, now: datetime) -> None:
    """One fetch of one source, in the fetch log and the metrics."""
    metrics.FETCHES.labels(answer.source.name, "ok" if answer.error is None else "failed").inc()
    if answer.error is not None:
        store.logs.record_fetch(Fetch(now, answer.source.name, False, answer.error))
    else:
        read = f"{len(answer.reports or [])} days read, newest {answer.newest}"
        detail = f"{tally_line(outcomes)}; {read}"
        store.logs.record_fetch(Fetch(now, answer.source.name, True, detail, newest=answer.newest))


def alert_held(store: Store, config: Config, outcomes: list[Outcome], *, now: datetime) -> None:
    for outcome in outcomes:
        if outcome.status == ReportStatus.HELD:
            metrics.HELD.inc()
            reasons = "; ".join(render.finding_detail(f) for f in outcome.findings)
            text = texts.ALERT_HELD.format(
                date=texts.format_date(outcome.date), day=outcome.date.isoformat(), reasons=reasons
            )
            alert_admins(store, config.telegram.admins, f"held:{outcome.report_id}", text, now=now)


def alert_if_source_down(store: Store, config: Config, source: str, *, now: datetime) -> None:
    count, first = store.logs.consecutive_failed_fetches(source)
    if count >= config.alerts.source_failures:
        last = store.logs.last_fetch(source)
        text = texts.ngettext("ALERT_SOURCE_DOWN", count).format(
            source=render.source_name(source), count=count, error=last.detail if last else "-"
        )
        alert_admins(store, config.telegram.admins, f"source-down:{source}:{first}", text, now=now)


def alert_failover(
    store: Store, config: Config, lead: Lead, states: list[SourceState], *, now: datetime
) -> None:
    """Once per stretch: another source gives the bulletin, and why."""
    preferred = states[0]
    text = render.leading(lead, preferred)
    key = f"failover:{lead.name}:{lead.passed_over}:{preferred.newest}"
    alert_admins(store, config.telegram.admins, key, text, now=now)
