"""Figures as people see them: day-over-day changes from stored totals, and validation.

Changes are always computed from the totals we stored, never copied from a source: a source's own
`increase` is only cross-checked. Early-2022 categories that the bulletin later merged (military
vehicles + fuel tanks = vehicles and fuel tanks) count towards their successor, so the change on
the day of the merge is a real change, not the whole total.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot import categories
from bot.report import Finding, FindingKind
from bot.store import Store, StoredReport

# An implausible jump: a daily change above JUMP_FACTOR times the largest daily change of the
# previous JUMP_WINDOW_DAYS (and above JUMP_FLOOR a day, so quiet categories may still move).
# Measured on the real 2022-2026 history, this flags 5 of 1,626 days, each a genuine outlier
# (for instance aircraft +41 on 2025-06-03, against a previous 90-day maximum of 2).
JUMP_WINDOW_DAYS = 90
JUMP_FACTOR = 3
JUMP_FLOOR = 20
# Fewer earlier days than this and the recent maximum says nothing yet.
JUMP_MIN_HISTORY = 7

Totals = Mapping[str, int]


@dataclass(frozen=True)
class Change:
    """One category on one day: its total and how it moved since the previous stored day."""

    category: str
    total: int
    delta: int | None  # None: the category has no earlier figure
    span_days: int  # days since the previous stored report (1 on an ordinary day)
    # An admin corrected this day's or the previous day's figure: the change is theirs, not the
    # source's (a fall is then "after a correction", never "revised down by the source").
    after_correction: bool = False


def comparable_previous(current: Totals, previous: Totals) -> dict[str, int]:
    """The previous day's figure for each current category, counting merged predecessors."""
    result = {key: previous[key] for key in current if key in previous}
    for key, total in previous.items():
        successor = categories.get(key).merged_into
        if successor and successor in current and successor not in previous:
            result[successor] = result.get(successor, 0) + total
    return result


def changes(
    current: Totals,
    previous: Totals | None,
    span_days: int = 1,
    corrected: Set[str] = frozenset(),
) -> list[Change]:
    """Each category of `current`, in bulletin order, with its change since `previous`;
    `corrected` names the categories an admin corrected on either day."""
    before = comparable_previous(current, previous or {})
    return [
        Change(
            key,
            current[key],
            current[key] - before[key] if key in before else None,
            span_days,
            key in corrected,
        )
        for key in categories.sort_keys(current)
    ]


class History:
    """Accepted daily totals in date order, for validating a new day against the days before it.

    Each day's per-day rises are computed once and cached, so validating a long backfill in date
    order costs a window scan per day, not a recomputation of the whole window.
    """

    def __init__(self, totals_by_date: Mapping[date, Totals] | None = None) -> None:
        self._totals: dict[date, Totals] = dict(totals_by_date or {})
        self._dates: list[date] = sorted(self._totals)
        self._rises: dict[date, dict[str, int]] = {}

    def add(self, day: date, totals: Totals) -> None:
        if day not in self._totals:
            bisect.insort(self._dates, day)
        self._totals[day] = totals
        # The rises of this day and of the day after it depend on this day's totals.
        index = bisect.bisect_right(self._dates, day)
        for stale in self._dates[index - 1 : index + 1]:
            self._rises.pop(stale, None)

    def previous(self, day: date) -> tuple[date, Totals] | None:
        """The newest accepted day strictly before `day`."""
        index = bisect.bisect_left(self._dates, day)
        if index == 0:
            return None
        earlier = self._dates[index - 1]
        return earlier, self._totals[earlier]

    def next(self, day: date) -> tuple[date, Totals] | None:
        """The oldest accepted day strictly after `day`."""
        index = bisect.bisect_right(self._dates, day)
        if index == len(self._dates):
            return None
        later = self._dates[index]
        return later, self._totals[later]

    def on(self, day: date) -> Totals | None:
        return self._totals.get(day)

    def recent_daily_maximum(self, day: date) -> dict[str, int]:
        """Per category, the largest per-day rise of the JUMP_WINDOW_DAYS before `day`."""
        start = bisect.bisect_left(self._dates, day - timedelta(days=JUMP_WINDOW_DAYS))
        stop = bisect.bisect_left(self._dates, day)
        maximum: dict[str, int] = {}
        count: dict[str, int] = {}
        for index in range(max(start, 1), stop):
            for key, rise in self._rises_of(index).items():
                count[key] = count.get(key, 0) + 1
                maximum[key] = max(maximum.get(key, 0), rise)
        return {key: value for key, value in maximum.items() if count[key] >= JUMP_MIN_HISTORY}

    def _rises_of(self, index: int) -> dict[str, int]:
        day = self._dates[index]
        if day not in self._rises:
            earlier = self._dates[index - 1]
            span = (day - earlier).days
            totals = self._totals[day]
            before = comparable_previous(totals, self._totals[earlier])
            self._rises[day] = {key: max(totals[key] - before[key], 0) // span for key in before}
        return self._rises[day]


def validate(
    day: date,
    totals: Totals,
    history: History,
    increases: Totals | None = None,
    *,
    today: date | None = None,
    replaced: Totals | None = None,
) -> list[Finding]:
    """What is suspicious about a day's totals, judged against the calendar (`today`), the
    accepted days on both sides of it, and the version of the same day it replaces.

    An empty list means the report can be accepted as it is.
    """
    findings: list[Finding] = []
    if today is not None and day > today:
        findings.append(
            Finding(
                FindingKind.FUTURE,
                None,
                f"dated {day}, after today ({today})",
                (("day", day.isoformat()), ("today", today.isoformat())),
            )
        )
    if replaced:
        findings += [
            Finding(
                FindingKind.DROPPED,
                key,
                f"{_name(key)} missing, though the version it replaces had it",
            )
            for key in replaced
            if key not in totals
        ]
    if (found := history.next(day)) is not None:
        next_day, following = found
        for key, later in comparable_previous(following, totals).items():
            if later > following[key]:
                findings.append(
                    Finding(
                        FindingKind.ABOVE_NEXT,
                        key,
                        f"{_name(key)} {later:,} is above the next day's {following[key]:,} "
                        f"({next_day})",
                        (
                            ("value", later),
                            ("next_value", following[key]),
                            ("next_day", next_day.isoformat()),
                        ),
                    )
                )
    found = history.previous(day)
    if found is None:
        return findings
    previous_day, previous = found
    span = (day - previous_day).days
    before = comparable_previous(totals, previous)

    for key in absent(day, totals, previous):
        earlier = previous[key]
        findings.append(
            Finding(
                FindingKind.MISSING,
                key,
                f"{_name(key)} missing (was {earlier:,} on {previous_day})",
                (("was", earlier), ("on", previous_day.isoformat())),
            )
        )

    recent_max = history.recent_daily_maximum(day)
    for key, total in totals.items():
        if key not in before:
            continue
        delta = total - before[key]
        if delta < 0:
            findings.append(
                Finding(
                    FindingKind.DECREASE,
                    key,
                    f"{_name(key)} went down: {before[key]:,} -> {total:,}",
                    (("before", before[key]), ("after", total)),
                )
            )
        elif key in recent_max:
            limit = max(JUMP_FACTOR * recent_max[key], JUMP_FLOOR) * span
            if delta > limit:
                findings.append(
                    Finding(
                        FindingKind.JUMP,
                        key,
                        f"{_name(key)} rose by {delta:,} in {_days(span)}, above the limit "
                        f"of {limit:,} ({JUMP_FACTOR}x the largest daily rise of the "
                        f"previous {JUMP_WINDOW_DAYS} days, {recent_max[key]:,})",
                        (
                            ("rise", delta),
                            ("days", span),
                            ("limit", limit),
                            ("largest", recent_max[key]),
                        ),
                    )
                )
        if span == 1 and increases and key in increases and increases[key] != delta:
            findings.append(
                Finding(
                    FindingKind.INCREASE_MISMATCH,
                    key,
                    f"{_name(key)}: the source says {increases[key]:+,}, the stored totals "
                    f"give {delta:+,}",
                    (("says", increases[key]), ("gives", delta)),
                )
            )
    return _without_repeats(findings)


def absent(day: date, totals: Totals, previous: Totals) -> list[str]:
    """The categories the previous day's bulletin had that this day's lacks, in bulletin order:
    not those the bulletin had retired by then, nor those merged into one it gives."""
    found = []
    for key in categories.sort_keys(previous):
        category = categories.get(key)
        retired = category.last_reported is not None and day > category.last_reported
        successor = category.merged_into
        if key not in totals and not retired and not (successor and successor in totals):
            found.append(key)
    return found


def cross_check(source: str, totals: Totals, other_source: str, other: Totals) -> list[Finding]:
    """Where two sources give one date different totals: one finding per category both give.

    Every difference is material, and holds the report for an admin: the dataset's own record
    of 86 adjustments over 28 days of the real history (its corrections file) runs from 1 unit
    to 1,650 (personnel), and 20 of them are a single unit, which for aircraft, warships or air
    defence is often the whole day's change. No threshold separates a harmless difference from
    a headline. A category only one source gives is not a disagreement: the two carry different
    columns, and a bulletin that loses one is caught by validation as missing.
    """
    return [
        Finding(
            FindingKind.DISAGREE,
            key,
            f"{_name(key)}: {source} gives {totals[key]:,}, {other_source} gives {other[key]:,}",
            (
                ("source", source),
                ("value", totals[key]),
                ("other_source", other_source),
                ("other_value", other[key]),
            ),
        )
        for key in categories.sort_keys(totals.keys() & other.keys())
        if totals[key] != other[key]
    ]


def _without_repeats(findings: list[Finding]) -> list[Finding]:
    """A category missing against the day before need not also be 'dropped' from the version
    replaced: one reason is enough."""
    missing = {f.category for f in findings if f.kind == FindingKind.MISSING}
    return [f for f in findings if not (f.kind == FindingKind.DROPPED and f.category in missing)]


def _name(key: str) -> str:
    return categories.get(key).name("en")


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


@dataclass(frozen=True)
class Bulletin:
    """Everything a reply about one day needs: the report, its changes, and what was noted."""

    report: StoredReport
    changes: list[Change]
    previous_date: date | None
    # Categories corrected on the previous day: this day's change is from the corrected figure.
    previous_corrected: frozenset[str] = frozenset()
    # Categories the day before had that this bulletin lacks (one approved with them missing).
    absent: tuple[str, ...] = ()

    def only(self, keys: Sequence[str]) -> Bulletin:
        """The same bulletin narrowed to some categories, in the order asked."""
        by_key = {c.category: c for c in self.changes}
        return replace(self, changes=[by_key[k] for k in keys if k in by_key])

    def missing(self, keys: Sequence[str] = ()) -> list[str]:
        """The asked-for categories this day's bulletin has no figure for; without `keys`,
        those the day before had."""
        if not keys:
            return list(self.absent)
        present = {c.category for c in self.changes}
        return [k for k in keys if k not in present]

    def notes(self) -> list[Finding]:
        """What validation noted about the shown figures that is still true of them as they now
        stand. A note on a category corrected on this day or the day before is dropped (the
        correction's own footnote says what happened), and so is a decrease that is no longer
        one."""
        by_key = {c.category: c for c in self.changes}
        return [
            f
            for f in self.report.findings
            if f.category in by_key
            and not by_key[f.category].after_correction
            and (f.kind != FindingKind.DECREASE or (by_key[f.category].delta or 0) < 0)
        ]


def bulletin_on(store: Store, day: date | None = None) -> Bulletin | None:
    """The effective bulletin of a date (default: the latest accepted), with its changes."""
    day = day or store.reports.latest_date()
    report = store.reports.on(day) if day else None
    if report is None:
        return None
    previous_date = store.reports.latest_date(before=report.date)
    previous = store.reports.on(previous_date) if previous_date else None
    span = (report.date - previous_date).days if previous_date else 1
    previous_corrected = frozenset(previous.corrections) if previous else frozenset()
    return Bulletin(
        report,
        changes(
            report.totals,
            previous.totals if previous else None,
            span,
            set(report.corrections) | previous_corrected,
        ),
        previous_date,
        previous_corrected,
        tuple(absent(report.date, report.totals, previous.totals)) if previous else (),
    )


@dataclass(frozen=True)
class DayChange:
    date: date
    total: int
    delta: int | None
    span_days: int


@dataclass(frozen=True)
class Series:
    """One category over its last stored days, newest last."""

    category: str
    days: list[DayChange]

    def average(self, last: int = 7) -> tuple[float, int] | None:
        """Average change per calendar day over the last `last` stored days (fewer if fewer are
        shown), and how many calendar days that covers."""
        recent = [d for d in self.days[-last:] if d.delta is not None]
        span = sum(d.span_days for d in recent)
        return (sum(d.delta for d in recent) / span, span) if span else None  # type: ignore[misc]

    def largest(self) -> DayChange | None:
        """The largest single day's change: a rise reported over several days is no day's."""
        singles = [d for d in self.days if d.delta is not None and d.span_days == 1]
        return max(singles, key=lambda d: (d.delta, d.date)) if singles else None


# How far back to look for the day before the first one asked for (the source has had gaps).
_SERIES_MARGIN_DAYS = 30


def daily_changes(
    store: Store,
    since: date | None = None,
    until: date | None = None,
    keys: Iterable[str] | None = None,
) -> dict[str, list[DayChange]]:
    """Every category's (or those of `keys`) stored days from `since` to `until`, each with
    its change, from one read of the effective totals (the day before `since` is read too,
    for the first change)."""
    totals = store.reports.effective_totals(
        since=since - timedelta(days=_SERIES_MARGIN_DAYS) if since else None,
        until=until,
        only=categories.with_predecessors(keys) if keys is not None else None,
    )
    result: dict[str, list[DayChange]] = {}
    for _, found in _day_by_day(totals, since):
        for key, change in found.items():
            result.setdefault(key, []).append(change)
    return result


def changes_by_day(
    store: Store, since: date | None = None, until: date | None = None
) -> dict[date, dict[str, DayChange]]:
    """Each stored day from `since` to `until`, in order, with every category's change from
    the stored day before it however far back that is (`daily_changes` looks 30 days back at
    most): a day's figures exactly as a reading of the whole history gives them, read for
    that day alone (work kept from the whole history, bot/kept.py, patches a day so)."""
    before = store.reports.latest_date(before=since) if since else None
    totals = store.reports.effective_totals(since=before or since, until=until)
    return dict(_day_by_day(totals, since))


def _day_by_day(
    totals: Mapping[date, Totals], since: date | None
) -> Iterator[tuple[date, dict[str, DayChange]]]:
    """Each day of `totals` from `since`, with its categories' changes from the day before it
    in `totals` (which is read only as that day before, if it comes before `since`)."""
    dates = sorted(totals)
    for index, day in enumerate(dates):
        if since and day < since:
            continue  # read only as the day before the first one
        previous = dates[index - 1] if index else None
        before = comparable_previous(totals[day], totals[previous]) if previous else {}
        span = (day - previous).days if previous else 1
        # Not changes(): its bulletin-order sort and objects cost a third more over the war.
        yield (
            day,
            {
                key: DayChange(day, total, total - before[key] if key in before else None, span)
                for key, total in totals[day].items()
            },
        )


def series(store: Store, key: str, days: int, until: date | None = None) -> Series:
    """The last `days` accepted days of a category up to `until`, each with its change."""
    until = until or store.reports.latest_date()
    if until is None:
        return Series(key, [])
    changes = daily_changes(store, since=until - timedelta(days=days), until=until, keys=[key])
    return Series(key, changes.get(key, [])[-days:])
