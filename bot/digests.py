"""Weekly and monthly digests over calendar periods. No Telegram here.

A bulletin dated D gives the losses of the day before: the 24 hours to the morning of D ("за
минулу добу"; bot/sources/text.py files a text by the same rule). So the losses of a calendar
week, Monday to Sunday, are the changes in the bulletins of the Tuesday to the next Monday, and
those of a calendar month the changes in the bulletins of its 2nd to the next month's 1st. A
digest comes with the bulletin that completes its period: the weekly with Monday's, the monthly
with the 1st's, each against the period before it (the week before; the month before, however
long). A bulletin missing in either period is named with the one that gives its losses, so a
period with a gap is never silently shorter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.figures import daily_changes
from bot.store import Store
from bot.summary import Digest
from bot.trends import Comparison, compare_spans

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Span:
    """Days of losses, `first` to `last` (calendar days, not bulletin dates)."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def bulletins(self) -> tuple[date, date]:
        """The dates of the first and the last bulletin that give these days' losses."""
        return self.first + ONE_DAY, self.last + ONE_DAY


def span(digest: str, day: date) -> Span:
    """The period whose last losses the bulletin of `day` gives: the week (Monday to Sunday) or
    the calendar month that ended the day before."""
    last = day - ONE_DAY
    if digest == Digest.WEEKLY:
        return Span(last - timedelta(days=last.weekday()), last)
    return Span(last.replace(day=1), last)


def before(digest: str, period: Span) -> Span:
    """The period before `period`: the week before, or the calendar month before."""
    if digest == Digest.WEEKLY:
        return Span(period.first - timedelta(days=7), period.first - ONE_DAY)
    last = period.first - ONE_DAY
    return Span(last.replace(day=1), last)


@dataclass(frozen=True)
class Gap:
    """Bulletins missing (`missing`, first and last date), and the bulletin after them whose
    change gives their days' losses with its own (None: none is in yet)."""

    missing: tuple[date, date]
    reporter: date | None
    # The days of losses that bulletin gives together (those of the missing ones, and its own).
    losses: Span
    # Whether those days run over a period's edge: their losses are shared out by day (≈).
    shared: bool


@dataclass(frozen=True)
class Periodic:
    """One digest as it goes out: the period, the one before, each category's rise in both,
    and the bulletins missing in either."""

    digest: str
    period: Span
    previous: Span
    comparison: Comparison  # every category's: `only` narrows it to a subscriber's
    gaps: tuple[Gap, ...]

    def rises(self) -> dict[str, int]:
        """Each category's rise over the period: what a threshold is set against (any
        category's, whichever the subscriber reads)."""
        return {trend.category: trend.rise for trend in self.comparison.trends}


# Digests worked out, by (database, state of its data, digest, day): a morning's broadcast
# queues and renders the same digest for every set of choices, each working-out reading two
# months of figures.
_WORKED_OUT: dict[tuple[object, ...], Periodic | None] = {}
_KEPT = 16


def periodic(store: Store, digest: str, day: date) -> Periodic | None:
    """The digest the bulletin of `day` brings; None when its period has no figures. Worked
    out once per state of the data."""
    key = (str(store.path), store.reports.data_version(), digest, day)
    if key not in _WORKED_OUT:
        if len(_WORKED_OUT) >= _KEPT:
            _WORKED_OUT.clear()
        _WORKED_OUT[key] = _work_out(store, digest, day)
    return _WORKED_OUT[key]


def _work_out(store: Store, digest: str, day: date) -> Periodic | None:
    period = span(digest, day)
    previous = before(digest, period)
    first, last = period.bulletins
    comparison = compare_spans(store, first, last, previous.bulletins[0])
    if not comparison.trends:
        return None
    return Periodic(digest, period, previous, comparison, _gaps(store, previous, period))


def _gaps(store: Store, previous: Span, period: Span) -> tuple[Gap, ...]:
    """The bulletins missing from `previous.bulletins[0]` to `period.bulletins[1]`, each run
    with the bulletin that gives their losses."""
    start, end = previous.bulletins[0], period.bulletins[1]
    changes = daily_changes(store, since=start, until=end)
    spans = {d.date: d.span_days for days in changes.values() for d in days}
    gaps = []
    edges = {period.first}  # a change over days on both sides of it is shared out
    for reporter, days in sorted(spans.items()):
        if days <= 1:
            continue
        missing_first = max(reporter - timedelta(days=days - 1), start)
        if missing_first >= reporter:
            continue
        losses = Span(reporter - timedelta(days=days), reporter - ONE_DAY)
        shared = any(losses.first < edge <= losses.last for edge in edges) or (
            losses.first < previous.first
        )
        gaps.append(Gap((missing_first, reporter - ONE_DAY), reporter, losses, shared))
    latest = max(spans, default=start - ONE_DAY)
    if latest < end:  # the last bulletins are not in (yet)
        missing = (max(latest + ONE_DAY, start), end)
        gaps.append(Gap(missing, None, Span(missing[0] - ONE_DAY, end - ONE_DAY), False))
    return tuple(gaps)
