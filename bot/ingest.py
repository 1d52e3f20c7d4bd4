"""The one way in for reports: validate against the stored days, then store as a revision.

Live reports (the poll, a pasted bulletin) that look wrong are *held*: stored, with the reasons,
but not shown or sent until an admin decides. History (the bundled snapshot, dataset imports, API
backfill) is the record of bulletins published long ago, so it is accepted, with anything
validation noticed stored beside it as a note (the source's genuine downward revisions are in
there, and people should see them as such).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.figures import JUMP_WINDOW_DAYS, History, validate
from bot.report import Finding, Report
from bot.sources import api as api_source
from bot.sources.api import StatisticsApi
from bot.sources.dataset import load_snapshot
from bot.sources.http import SourceError
from bot.store import ACCEPTED, HELD, Fetch, Store

log = logging.getLogger(__name__)

NEW, REVISED, UNCHANGED = "new", "revised", "unchanged"


@dataclass(frozen=True)
class Outcome:
    """What became of one report: new, a revision of a stored date, or already stored."""

    date: date
    change: str
    status: str | None = None  # accepted or held; None when nothing was stored
    findings: tuple[Finding, ...] = ()
    report_id: int | None = None


def ingest(
    store: Store, reports: Iterable[Report], *, now: datetime, hold_suspicious: bool
) -> list[Outcome]:
    """Store every report that is new, in date order, in one transaction."""
    reports = sorted(reports, key=lambda r: r.date)
    if not reports:
        return []
    earliest = reports[0].date
    known = store.known_hashes(since=earliest)
    known_dates = {day for day, _ in known}
    before = store.latest_date(before=earliest) or earliest
    since = min(before, earliest - timedelta(days=JUMP_WINDOW_DAYS + 1))
    history = History(store.effective_totals(since=since))
    outcomes = []
    with store.transaction():
        for report in reports:
            fingerprint = (report.date, report.content_hash())
            if fingerprint in known:
                outcomes.append(Outcome(report.date, UNCHANGED))
                continue
            findings = validate(report.date, report.totals, history, report.increases)
            status = HELD if findings and hold_suspicious else ACCEPTED
            report_id = store.add_report(report, status, findings, now)
            change = REVISED if report.date in known_dates else NEW
            outcomes.append(Outcome(report.date, change, status, tuple(findings), report_id))
            known.add(fingerprint)
            known_dates.add(report.date)
            if status == ACCEPTED:
                history.add(report.date, report.totals)
    for outcome in outcomes:
        if outcome.status == HELD:
            log.warning(
                "report held date=%s reasons=%r",
                outcome.date,
                "; ".join(f.detail for f in outcome.findings),
            )
    return outcomes


def seed_if_empty(store: Store, *, now: datetime) -> int:
    """Give a new, empty database the bundled history; how many days it got."""
    if not store.is_empty():
        return 0
    outcomes = ingest(store, load_snapshot(), now=now, hold_suspicious=False)
    log.info("seeded the database from the bundled history days=%d", len(outcomes))
    return len(outcomes)


async def fetch_latest(store: Store, api: StatisticsApi, *, now: datetime) -> list[Outcome]:
    """Poll the source once: the latest report, plus any days missed since the last one stored.

    Every attempt is logged in the store, failed or not; a failure raises SourceError after
    storing nothing.
    """
    try:
        latest = await api.latest()
        reports = [latest]
        last_stored = store.latest_date()
        if last_stored and (latest.date - last_stored).days > 1:
            gap = await api.history(
                last_stored + timedelta(days=1), latest.date - timedelta(days=1)
            )
            reports = [*gap, latest]
    except SourceError as error:
        store.record_fetch(Fetch(now, api_source.SOURCE, False, str(error)))
        log.error("fetch failed source=%s error=%r", api_source.SOURCE, str(error))
        raise
    outcomes = ingest(store, reports, now=now, hold_suspicious=True)
    store.record_fetch(Fetch(now, api_source.SOURCE, True, summarise(outcomes)))
    return outcomes


def summarise(outcomes: Iterable[Outcome]) -> str:
    """'2 new (1 held), 1 unchanged': one line for logs, the fetch log and the CLI."""
    outcomes = list(outcomes)
    counts = {kind: sum(o.change == kind for o in outcomes) for kind in (NEW, REVISED, UNCHANGED)}
    held = sum(o.status == HELD for o in outcomes)
    parts = [f"{count} {kind}" for kind, count in counts.items() if count]
    text = ", ".join(parts) or "nothing"
    return f"{text} ({held} held)" if held else text
