"""A long synthetic history for benchmarks: the real war's days, then more of the same.

`synthesise(store, years)` seeds a database with the bundled history (2022-02-24 on) and goes
on, day after day, repeating the real daily rises in order, until the history spans `years`
years. The reports are stored directly (no validation): what is measured is reading them.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from bot.ingest import seed_if_empty
from bot.report import Report
from bot.store import ReportStatus, Store


def synthesise(store: Store, years: int) -> int:
    """Seed, then add days until the history covers `years` years; how many days it has."""
    now = datetime.now(UTC)
    seed_if_empty(store, now=now, today=now.date())
    totals = store.reports.effective_totals()
    days = sorted(totals)
    rises = [
        {key: totals[day][key] - totals[before].get(key, 0) for key in totals[day]}
        for before, day in itertools.pairwise(days)
    ]
    last = days[-1]
    current = dict(totals[last])
    war_day = (last - days[0]).days + 1
    with store.transaction():
        for index in range((days[0] + timedelta(days=round(365.25 * years)) - last).days):
            last += timedelta(days=1)
            war_day += 1
            for key, rise in rises[index % len(rises)].items():
                current[key] = current.get(key, 0) + max(rise, 0)
            report = Report(last, "synthetic", dict(current), raw="{}", day=war_day)
            store.reports.add(report, ReportStatus.ACCEPTED, [], now)
    return len(store.reports.effective_totals())
