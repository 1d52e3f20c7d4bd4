"""The one way in for reports: validate against the stored days, then store as a revision.

Live reports (the poll, a pasted bulletin) that look wrong are *held*: stored, with the reasons,
but not shown or sent until an admin decides. History (the bundled snapshot, dataset imports, API
backfill) is the record of bulletins published long ago, so it is accepted, with anything
validation noticed stored beside it as a note (the source's genuine downward revisions are in
there, and people should see them as such).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot import categories
from bot.figures import JUMP_WINDOW_DAYS, History, cross_check, validate
from bot.report import Finding, FindingKind, Report
from bot.sources import Source
from bot.sources.dataset import load_snapshot
from bot.store import ReportStatus, Store, StoredReport

log = logging.getLogger(__name__)


class Arrival(StrEnum):
    """What a report was to the store: a new date, a new version of a stored one, or one it
    had already."""

    NEW = "new"
    REVISED = "revised"
    UNCHANGED = "unchanged"


# Findings that hold a report on any path, history included: no route puts them in front of
# readers without an admin.
MUST_HOLD = frozenset(
    {FindingKind.FUTURE, FindingKind.DISAGREE, FindingKind.UNCHECKED, FindingKind.SPAN}
)


@dataclass(frozen=True)
class Outcome:
    """What became of one report: new, a revision of a stored date, or already stored."""

    date: date
    change: Arrival
    status: str | None = None  # accepted or held; None when nothing was stored
    findings: tuple[Finding, ...] = ()
    report_id: int | None = None
    # The accepted revision this one replaces (what readers saw of that date until now).
    replaced_id: int | None = None


def ingest(
    store: Store,
    reports: Iterable[Report],
    *,
    now: datetime,
    today: date,
    hold_suspicious: bool,
    witnesses: Mapping[date, Report] | None = None,
    by_hand: bool = False,
) -> list[Outcome]:
    """Store every report that is new, in date order, in one transaction.

    Each is validated against the calendar, the accepted days on both sides and the version of
    its date it replaces. A suspicious new day is held when `hold_suspicious` (live reports) and
    accepted with notes otherwise (history). A suspicious *revision* of a stored date is held
    whatever the path, and so is a date after `today`: no route puts those in front of readers
    without an admin.

    Each is also cross-checked against what other sources give for its date: `witnesses` (the
    other sources' versions from the same poll) and the stored versions that came from another
    source. Different figures hold it, whatever the path. A version with the same figures as a
    stored one from another source, and no link it lacked, adds nothing and is not stored.

    A report typed or pasted `by_hand` is a person's reading, who can mistype: besides all of
    the above, it is held when it would change a figure readers already see (each such figure
    a finding, with both values), when it has no change in brackets to check a total against
    the day before, or when that day is not stored; over a day readers see it revises only the
    figures it gives; one that repeats what readers see adds nothing and is not stored.
    """
    reports = sorted(reports, key=lambda r: r.date)
    if not reports:
        return []
    earliest = reports[0].date
    known = store.reports.known_hashes(since=earliest)
    known_dates = {day for day, _ in known}
    before = store.reports.latest_date(before=earliest) or earliest
    since = min(before, earliest - timedelta(days=JUMP_WINDOW_DAYS + 1))
    history = History(store.reports.effective_totals(since=since))
    corrections: dict[date, dict[str, int]] = {}
    for correction in store.corrections.live(since, None):
        corrections.setdefault(correction.date, {})[correction.category] = correction.new_value

    def effective(report: Report) -> dict[str, int]:
        """A newly accepted version as readers will see it: the corrections of its date win."""
        return {**report.totals, **corrections.get(report.date, {})}

    outcomes = []
    with store.transaction():
        for report in reports:
            shown = store.reports.on(report.date) if by_hand else None
            if shown is not None:
                report = _over(shown, report)
            fingerprint = (report.date, report.content_hash())
            if fingerprint in known:
                stored_id, stored_status = known[fingerprint]
                released = _release_if_due(store, stored_id, stored_status, history, today)
                outcomes.append(released or Outcome(report.date, Arrival.UNCHANGED))
                if released:
                    history.add(report.date, effective(report))
                continue
            replaced = store.reports.newest_revision(report.date, ReportStatus.ACCEPTED)
            rivals = _rivals(store, report, None if shown else replaced, witnesses or {})
            if any(_adds_nothing(report, rival) for rival in [*rivals, shown] if rival is not None):
                outcomes.append(Outcome(report.date, Arrival.UNCHANGED))
                continue
            findings = validate(
                report.date,
                report.totals,
                history,
                report.increases,
                today=today,
                replaced=replaced.totals if replaced else None,
            )
            findings += _disagreements(report, rivals)
            if by_hand:
                findings += _unchecked(report) + (_changes_shown(report, shown) if shown else [])
                findings += _unchecked_span(report, history)
            status = ReportStatus.ACCEPTED
            if findings and not _same_figures(report, replaced):
                must_hold = replaced is not None or any(f.kind in MUST_HOLD for f in findings)
                status = (
                    ReportStatus.HELD if hold_suspicious or must_hold else ReportStatus.ACCEPTED
                )
            report_id = store.reports.add(report, status, findings, now)
            outcomes.append(
                Outcome(
                    report.date,
                    Arrival.REVISED if report.date in known_dates else Arrival.NEW,
                    status,
                    tuple(findings),
                    report_id,
                    replaced.id if replaced else None,
                )
            )
            known[fingerprint] = (report_id, status)
            known_dates.add(report.date)
            if status == ReportStatus.ACCEPTED:
                history.add(report.date, effective(report))
    for outcome in outcomes:
        if outcome.status == ReportStatus.HELD:
            log.warning(
                "report held date=%s reasons=%r",
                outcome.date,
                "; ".join(f.detail for f in outcome.findings),
            )
    return outcomes


def _rivals(
    store: Store, report: Report, replaced: StoredReport | None, witnesses: Mapping[date, Report]
) -> list[StoredReport | Report | None]:
    """Other sources' versions of the report's date: the one readers see, the one waiting for
    an admin, and the one another source gave in this poll (None where there is none)."""
    held = store.reports.newest_revision(report.date, ReportStatus.HELD)
    found: list[StoredReport | Report | None] = [replaced, held, witnesses.get(report.date)]
    return [r if r is not None and r.source != report.source else None for r in found]


def _adds_nothing(report: Report, stored: StoredReport | Report) -> bool:
    """Another source's stored version already has every figure of this one, and its link."""
    return (
        isinstance(stored, StoredReport)
        and all(stored.totals.get(key) == value for key, value in report.totals.items())
        and report.link in (None, stored.link)
    )


def _disagreements(report: Report, rivals: list[StoredReport | Report | None]) -> list[Finding]:
    """One finding per category another source gives differently (the first rival's word)."""
    found: dict[str | None, Finding] = {}
    for rival in rivals:
        if rival is not None:
            for finding in cross_check(report.source, report.totals, rival.source, rival.totals):
                found.setdefault(finding.category, finding)
    return list(found.values())


def _over(shown: StoredReport, report: Report) -> Report:
    """A report typed by hand over a day readers see, as the revision it is: the figures it
    gives in place of those shown, and the rest as shown. A paste of one line is a correction
    of that line, never the loss of every other figure of the day."""
    kept = {key: total for key, total in shown.totals.items() if key not in report.totals}
    return replace(report, totals={**kept, **report.totals}) if kept else report


def _changes_shown(report: Report, shown: StoredReport) -> list[Finding]:
    """One finding per figure the report would change of those readers see (corrections in
    force applied): never replaced without an admin."""
    return [
        Finding(
            FindingKind.SHOWN,
            key,
            f"{categories.get(key).name('en')}: readers see {shown.totals[key]:,}, "
            f"the text gives {value:,}",
            (("shown", shown.totals[key]), ("value", value)),
        )
        for key, value in report.totals.items()
        if key in shown.totals and shown.totals[key] != value
    ]


def _unchecked(report: Report) -> list[Finding]:
    """A finding when some totals came without their change: nothing in the text says that
    total is the one meant for this day, rather than another day's or a misprint."""
    missing = [key for key in report.totals if key not in report.increases]
    if not missing:
        return []
    return [
        Finding(
            FindingKind.UNCHECKED,
            None,
            f"{len(missing)} of {len(report.totals)} figures have no change in brackets",
            (("count", len(missing)), ("of", len(report.totals))),
        )
    ]


def _unchecked_span(report: Report, history: History) -> list[Finding]:
    """A finding when the day before the report's date is not stored: its changes are one
    day's, so nothing confirms the date it was filed under (a paste dated 06.12 when the store
    ends on 08.08 would otherwise pass, its changes spread over four months)."""
    before = history.previous(report.date)
    if not report.increases or before is None or (report.date - before[0]).days == 1:
        return []
    return [
        Finding(
            FindingKind.SPAN,
            None,
            f"the day before it stored is {before[0]}: its one-day changes do not check its date",
            (("on", before[0].isoformat()), ("days", (report.date - before[0]).days)),
        )
    ]


def _same_figures(report: Report, replaced: StoredReport | None) -> bool:
    """A new version that only adds what readers already had the figures of (a link): whatever
    validation says of it was said, and accepted, of the version it replaces."""
    return replaced is not None and dict(report.totals) == replaced.totals


# What validating a held report again cannot see, and so stays said until an admin settles it:
# another source's figure, a category missing against a day outside the validation window, a
# figure readers see that a text would change, totals without their changes. Correcting the
# category settles the first three; approving or rejecting the report settles all of them.
STICKY = frozenset(
    {
        FindingKind.DISAGREE,
        FindingKind.MISSING,
        FindingKind.DROPPED,
        FindingKind.SHOWN,
        FindingKind.UNCHECKED,
        FindingKind.SPAN,
    }
)


def review(store: Store, report: StoredReport, today: date) -> list[Finding]:
    """What is still wrong with a held revision once the corrections in force for its date are
    laid over it: the same validation a fetched report gets, against the days as they now
    stand, and every finding that held it which validation cannot re-derive and no correction
    has settled. The source's own increases are not checked for corrected categories."""
    corrected = store.reports.corrected(report)
    increases = {k: v for k, v in report.increases.items() if k not in corrected.corrections}
    before = store.reports.latest_date(before=report.date) or report.date
    since = min(before, report.date - timedelta(days=JUMP_WINDOW_DAYS + 1))
    history = History(store.reports.effective_totals(since=since))
    replaced = store.reports.newest_revision(report.date, ReportStatus.ACCEPTED)
    found = validate(
        report.date,
        corrected.totals,
        history,
        increases,
        today=today,
        replaced=replaced.totals if replaced else None,
    )
    said = {(f.kind, f.category) for f in found}
    return found + [
        f
        for f in report.findings
        if f.kind in STICKY
        and (f.kind, f.category) not in said
        and f.category not in corrected.corrections
    ]


def _release_if_due(
    store: Store, report_id: int, status: str, history: History, today: date
) -> Outcome | None:
    """A report held only for being dated after today, fetched again once that day has come:
    validated again, and accepted if nothing else is wrong (else it stays held)."""
    if status != ReportStatus.HELD:
        return None
    report = store.reports.by_id(report_id)
    if report.date > today or any(f.kind != FindingKind.FUTURE for f in report.findings):
        return None
    if validate(report.date, report.totals, history, report.increases, today=today):
        return None
    replaced = store.reports.newest_revision(report.date, ReportStatus.ACCEPTED)
    store.reports.set_status(report_id, ReportStatus.ACCEPTED)
    log.info("report released date=%s reason='its date has come'", report.date)
    return Outcome(
        report.date,
        Arrival.NEW,
        ReportStatus.ACCEPTED,
        (),
        report_id,
        replaced.id if replaced else None,
    )


def seed_if_empty(store: Store, *, now: datetime, today: date) -> int:
    """Give a new, empty database the bundled history; how many days it got."""
    if not store.reports.is_empty():
        return 0
    outcomes = ingest(store, load_snapshot(), now=now, today=today, hold_suspicious=False)
    log.info("seeded the database from the bundled history days=%d", len(outcomes))
    return len(outcomes)


# Each poll re-reads this many days before the latest: the source revises recent days and
# publishes late ones. Two weeks covers every revision seen on the real source after the first
# month of the war (2022-04-14's vehicles were revised within days), in one page of the API
# (50 records) besides the latest: two requests a poll.
RECENT_DAYS = 14


async def fetch_recent(store: Store, source: Source) -> list[Report]:
    """What one poll reads from a source: the latest report, and every day from the last one
    stored (or the last RECENT_DAYS, whichever is longer) re-read, so late days and revisions
    are seen. SourceError when the source fails."""
    latest = await source.latest()
    last_stored = store.reports.latest_date()
    start = latest.date - timedelta(days=RECENT_DAYS)
    if last_stored:
        start = min(start, last_stored + timedelta(days=1))
    recent = await source.history(start, latest.date - timedelta(days=1))
    return [*(r for r in recent if r.date != latest.date), latest]


def tally(outcomes: Iterable[Outcome]) -> tuple[dict[str, int], int]:
    """({change: how many}, how many held): the new, revised and unchanged days that came in,
    in that order and only those that did, and how many of them wait for an admin."""
    outcomes = list(outcomes)
    counts = {
        kind: sum(o.change == kind for o in outcomes)
        for kind in (Arrival.NEW, Arrival.REVISED, Arrival.UNCHANGED)
    }
    held = sum(o.status == ReportStatus.HELD for o in outcomes)
    return {kind: count for kind, count in counts.items() if count}, held


def tally_line(outcomes: Iterable[Outcome]) -> str:
    """'2 new, 1 unchanged (1 held)': the tally as one line for logs, the fetch log and the CLI
    (a reader's is render.tally_line, in their language)."""
    counts, held = tally(outcomes)
    text = ", ".join(f"{count} {kind}" for kind, count in counts.items()) or "nothing"
    return f"{text} ({held} held)" if held else text
