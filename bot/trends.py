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
from bot.figures import DayChange, changes_by_day, daily_changes
from bot.kept import KEPT
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
    """Every category's largest single-day rises over the whole history: the costliest read a
    reader can ask for, so kept, and brought up to date by the days changed (`_Tops`)."""

    # Each category's top days, largest first (of equal ones the earlier first); a category
    # without a single day's rise has none.
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
    """The records as of the data now: kept in this process (bot/kept.py), patched by the
    days changed since they were last asked for, read from the whole history the first time
    (and when a patch cannot tell them: `_patched`)."""
    if limit > RECORDS_KEPT:
        return _tops(store, limit).records(limit)  # more than is kept: read whole, not kept
    return KEPT.get(store, "records", _tops, _patched).records(limit)


def records(
    store: Store, key: str | None = None, limit: int = RECORDS_KEPT
) -> list[tuple[str, DayChange]]:
    """The largest single-day rises ever: of one category (its top `limit`), or of each."""
    return all_records(store, limit).of(key)


@dataclass
class _Tops:
    """What the records are made of, kept and patched in place: each category's top days
    (at most `limit`) and, apart, its largest day. Apart because they differ when more days
    than `limit` tie for the largest rise: the top shows the earliest of them, the best is the
    latest (the most recent time the record was equalled)."""

    top: dict[str, list[DayChange]]
    best: dict[str, DayChange]
    limit: int = RECORDS_KEPT

    def records(self, limit: int) -> Records:
        return Records(
            {key: days[:limit] for key, days in self.top.items()},
            [
                (key, self.best[key])
                for key in categories.sort_keys(self.best)
                if not categories.get(key).merged_into
            ],
        )


def _tops(store: Store, limit: int = RECORDS_KEPT) -> _Tops:
    """The records read from the whole history."""
    top, best = {}, {}
    for name, found in daily_changes(store).items():
        days = [d for d in found if _counts(d)]
        if days:
            top[name] = sorted(days, key=_rank)[:limit]
            best[name] = max(days, key=_size)
    return _Tops(top, best, limit)


def _patched(store: Store, tops: _Tops, days: set[date]) -> _Tops | None:
    """The records with `days` worked out again (each from the stored day before it); None
    when that cannot tell them, and they are read whole again.

    Only the top `limit` days of a category are kept, so a day of them lowered, or no longer
    a single day's rise, leaves a place the kept days cannot fill: the next one is somewhere
    in the whole history. That is the case read whole again, and a rare one: a correction or
    revision of one of a category's ten largest days that brings it below the tenth (lowering
    a day's total moves its rise to the next day, which then often takes the place), or of
    the latest of more than ten days that tie for its largest rise. A new day only ever adds
    a candidate."""
    found: dict[str, list[DayChange]] = {}
    for day in sorted(days):
        for key, change in changes_by_day(store, day, day).get(day, {}).items():
            if _counts(change):
                found.setdefault(key, []).append(change)
    for key in set(tops.top) | set(found):
        new, old, was = found.get(key, []), tops.top.get(key, []), tops.best.get(key)
        touched = (was is not None and was.date in days) or any(d.date in days for d in old)
        if not new and not touched:
            continue  # none of its days changed
        # Fewer than `limit` kept: every day of the category is among them, and so is its best.
        whole = len(old) < tops.limit
        ranked = sorted([d for d in old if d.date not in days] + new, key=_rank)
        if not whole and (
            len(ranked) < tops.limit or _rank(ranked[tops.limit - 1]) > _rank(old[-1])
        ):
            return None  # a place among the top days that only a day not kept may fill
        top = ranked[: tops.limit]
        best: DayChange | None
        if was is not None and was.date not in days:
            best = max((was, *new), key=_size)  # it was the largest of all: any other is known
        elif whole:
            best = max(ranked, key=_size, default=None)
        elif top[-1].delta != top[0].delta:
            best = max(top, key=_size)  # every day of the largest rise is among the top
        else:
            return None  # more days than are kept tie for the largest rise: the latest is unknown
        if best is None:
            tops.top.pop(key, None)
            tops.best.pop(key, None)
        else:
            tops.top[key] = top
            tops.best[key] = best
    return tops


def _counts(day: DayChange) -> bool:
    """A day that may be a record: a rise, over one day (a rise over several days after a gap
    is no day's)."""
    return day.delta is not None and day.delta > 0 and day.span_days == 1


def _rank(day: DayChange) -> tuple[int, date]:
    """The order of a category's top days: the largest first, of equal ones the earlier."""
    return -(day.delta or 0), day.date


def _size(day: DayChange) -> tuple[int, date]:
    """The order that picks a category's largest day: of equal ones, the later."""
    return day.delta or 0, day.date
