"""Trends over the stored figures: a period against the one before it, and record days.

No Telegram here. Record days are single days only: a rise reported over a gap of several days
is not one day's record. A rise reported over several days that straddles a period's edge counts
in each period in proportion to the days it covers there, and the sum is then marked estimated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot import categories
from bot.figures import DayChange, daily_changes
from bot.store import Store


@dataclass(frozen=True)
class Trend:
    """One category over a period: its rise, the rise of the period before, its largest day."""

    category: str
    rise: int
    previous_rise: int | None  # None when the category did not exist for the whole period before
    largest: DayChange | None
    # Part of a rise reported over several days was shared out between periods by day count.
    estimated: bool = False

    @property
    def change_percent(self) -> float | None:
        if not self.previous_rise:
            return None
        return (self.rise - self.previous_rise) / self.previous_rise * 100


@dataclass(frozen=True)
class Comparison:
    first: date
    last: date
    days: int
    trends: list[Trend]
    # Categories asked for (`only`) that have no figures in the period: named, not left out.
    missing: tuple[str, ...] = ()

    def only(self, keys: Sequence[str]) -> Comparison:
        """The same comparison narrowed to some categories (none: all of them), in the order
        asked: a subscriber's digest has the categories their daily summary has."""
        if not keys:
            return self
        by_key = {t.category: t for t in self.trends}
        return replace(
            self,
            trends=[by_key[k] for k in keys if k in by_key],
            missing=tuple(k for k in keys if k not in by_key),
        )


def compare(store: Store, days: int, until: date | None = None) -> Comparison | None:
    """The last `days` days up to `until` (default: the latest) against the `days` before."""
    last = until or store.reports.latest_date()
    if last is None:
        return None
    first = last - timedelta(days=days - 1)
    return compare_spans(store, first, last, first - timedelta(days=days))


def compare_spans(store: Store, first: date, last: date, earlier: date) -> Comparison:
    """The bulletins of `first` to `last` against those of `earlier` to the day before
    `first`: two spans that need not be as long (a calendar month against the one before)."""
    changes = daily_changes(store, since=earlier, until=last)
    trends = []
    for key in categories.sort_keys(changes):
        if categories.get(key).merged_into:
            continue
        known = [d for d in changes[key] if d.delta is not None]
        now = [d for d in known if d.date >= first]
        if not now:
            continue
        rise, shared_now = _rise_within(known, first, last)
        previous, shared_before = _rise_within(known, earlier, first - timedelta(days=1))
        before = [d for d in known if d.date < first]
        covered = before and before[0].date - timedelta(days=before[0].span_days - 1) <= earlier
        singles = [d for d in now if d.span_days == 1]
        trends.append(
            Trend(
                key,
                rise,
                previous if covered else None,
                max(singles, key=lambda d: (d.delta, d.date)) if singles else None,
                shared_now or (bool(covered) and shared_before),
            )
        )
    return Comparison(first, last, (last - first).days + 1, trends)


def _rise_within(days: list[DayChange], first: date, last: date) -> tuple[int, bool]:
    """The rise from `first` to `last`, and whether a change reported over several days had to
    be shared out (in proportion to its days inside) because it straddles an edge."""
    total, shared = 0.0, False
    for day in days:
        start = day.date - timedelta(days=day.span_days - 1)
        inside = (min(day.date, last) - max(start, first)).days + 1
        if inside <= 0:
            continue
        if inside < day.span_days:
            shared = True
        total += day.delta * inside / day.span_days  # type: ignore[operator]
    return round(total), shared


# Record days kept per category: /records CATEGORY shows this many.
RECORDS_KEPT = 10


@dataclass(frozen=True)
class Records:
    """Every category's largest single-day rises, from one reading of the whole history (the
    costliest read a reader can ask for, so worked out once per state of the data)."""

    # Each category's top days, largest first (of equal ones the earlier first).
    top: dict[str, list[DayChange]]
    # Each category's largest day (of equal ones the later), in bulletin order, merged
    # categories left out: /records with no category.
    best: list[tuple[str, DayChange]]

    def of(self, key: str | None) -> list[tuple[str, DayChange]]:
        """One category's top days; or, with no category, each category's largest day."""
        if key is None:
            return self.best
        return [(key, day) for day in self.top.get(key, [])]


def all_records(store: Store, limit: int = RECORDS_KEPT) -> Records:
    changes = daily_changes(store)
    top, best = {}, []
    for name in categories.sort_keys(changes):
        days = _single_days(changes[name])
        top[name] = sorted(days, key=lambda d: (-d.delta, d.date))[:limit]  # type: ignore[operator]
        if days and not categories.get(name).merged_into:
            best.append((name, max(days, key=lambda d: (d.delta, d.date))))
    return Records(top, best)


def records(
    store: Store, key: str | None = None, limit: int = RECORDS_KEPT
) -> list[tuple[str, DayChange]]:
    """The largest single-day rises ever: of one category (its top `limit`), or of each."""
    return all_records(store, limit).of(key)


def _single_days(days: list[DayChange]) -> list[DayChange]:
    return [d for d in days if d.delta is not None and d.delta > 0 and d.span_days == 1]
