"""Benchmark: reads that should not grow with the length of the history.

    python -m bench.reads [--years 4,10,20] [--runs 5] [--quick]

For each length, a database with that many years of history (bench/history.py) and the
medians of `runs` runs of what readers ask. `/history tanks 7`, `/week`, `/month` in this
process, and a cold full-history chart (the drawing process running, nothing cached).

`/records` and exports as the bot reads them: in its drawing process (bot/drawing.py
`in_store`), which keeps them between calls (bot/kept.py). Each is timed cold (nothing kept:
the first call after the bot starts) and in the steady state: the first call after a new day's
bulletin landed (a day added to the database, then the call), and after a correction of a day
a year back. "export brought up to date" is an export of the newest day alone after a new day
landed: the kept whole history patched with that day, without the copy of the whole file
back. The baseline, measured in the same run, is `/history tanks 7` asked of the drawing
process the same way (its way there and back, and a connection of its own, are in every
figure of this kind); each such figure is given as a multiple of it too.

Goals: /history, /week and /month the same at 20 years as at 4; /records and the exports
brought up to date for a new day within 1.3 times from 4 years to 20 (issue 29); the cold full
chart < 400 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench.history import synthesise
from bot import export, figures, kept, trends
from bot.charts import ChartCache, parse_period
from bot.drawing import DrawingProcess, in_store
from bot.report import Report
from bot.store import ReportStatus, Store

# What the kept reads are measured against: a read that does not grow, asked the same way.
BASELINE = "/history tanks 7 (drawing process): the baseline"
# The drawing process's peak memory, all of the above kept in it.
PEAK = "drawing process, peak memory"
NOW = datetime.now(UTC)


def median_ms(
    action: Callable[[], Any], runs: int, before: Callable[[], Any] = lambda: None
) -> float:
    """The median time of `action`, each run after `before` (untimed)."""
    times = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def new_day(store: Store) -> date:
    """The next day's bulletin, stored as accepted: the day before's totals, each a little up."""
    latest = store.reports.latest_date()
    assert latest is not None
    totals = store.reports.effective_totals(latest, latest)[latest]
    day = latest + timedelta(days=1)
    report = Report(day, "synthetic", {k: v + 3 for k, v in totals.items()}, raw="{}")
    store.reports.add(report, ReportStatus.ACCEPTED, [], NOW)
    return day


def correction(store: Store) -> None:
    """An admin's correction of artillery a year back (a day further back each time)."""
    latest = store.reports.latest_date()
    assert latest is not None
    day = latest - timedelta(days=365 + len(store.corrections.log(limit=1000)))
    total = store.reports.effective_totals(day, day)[day]["artillery"]
    store.corrections.add(day, "artillery", total, total + 1, reason="bench", author="b", now=NOW)


def measure(store: Store, runs: int) -> dict[str, float]:
    path = str(store.path)
    latest = store.reports.latest_date()
    assert latest is not None
    drawing = DrawingProcess()  # one, as in the bot, started (matplotlib loaded) before timing
    asyncio.run(ChartCache(drawing=drawing).chart(store, ["mlrs"], parse_period("30d", latest)))

    def asked(work: Callable[[Store], Any]) -> Callable[[], Any]:
        """`work` asked of the drawing process, as the bot asks it (bot/telegram/services.py
        `off_the_loop`)."""
        return lambda: asyncio.run(drawing.run(in_store, path, "en", work))

    def everything(fmt: str) -> Callable[[Store], export.Export]:
        """An export of the whole history, however many days have been added."""
        return partial(export.export, fmt=fmt, first=date(2022, 1, 1), last=date(2099, 12, 31))

    def forget() -> None:
        asyncio.run(drawing.run(kept.forget))

    def chart() -> None:
        cache = ChartCache(drawing=drawing)
        asyncio.run(cache.chart(store, ["tanks"], parse_period("all", latest)))

    def run(work: Callable[[Store], Any]) -> None:
        asked(work)()

    try:
        found = {
            "/history tanks 7": median_ms(lambda: figures.series(store, "tanks", 7), runs),
            "/week": median_ms(lambda: trends.compare(store, 7), runs),
            "/month": median_ms(lambda: trends.compare(store, 30), runs),
            BASELINE: median_ms(asked(partial(figures.series, key="tanks", days=7)), runs),
            "/records, cold": median_ms(asked(trends.all_records), runs, forget),
            "export, everything (CSV), cold": median_ms(asked(everything("csv")), runs, forget),
        }
        run(trends.all_records)  # kept from here on
        run(everything("csv"))
        run(everything("json"))
        found["/records, a new day landed"] = median_ms(
            asked(trends.all_records), runs, lambda: new_day(store)
        )
        added: list[date] = []
        found["export brought up to date, a new day landed"] = median_ms(
            lambda: asked(partial(export.export, fmt="csv", first=added[-1], last=added[-1]))(),
            runs,
            lambda: added.append(new_day(store)),
        )
        for fmt in ("csv", "json"):
            found[f"export, everything ({fmt.upper()}), a new day landed"] = median_ms(
                asked(everything(fmt)), runs, lambda: new_day(store)
            )
        found["/records, a correction a year back landed"] = median_ms(
            asked(trends.all_records), runs, lambda: correction(store)
        )
        found["export, everything (CSV), a correction a year back landed"] = median_ms(
            asked(everything("csv")), runs, lambda: correction(store)
        )
        found["chart, tanks, all (cold)"] = median_ms(chart, runs)
        usage = asyncio.run(drawing.run(resource.getrusage, resource.RUSAGE_SELF))
        found[PEAK] = usage.ru_maxrss / 1024
        return found
    finally:
        drawing.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", default="4,10,20")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes, a few seconds: does it still run (CI runs this)",
    )
    args = parser.parse_args()
    if args.quick:
        args.years, args.runs = "4", 1
    lengths = [int(y) for y in args.years.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for years in lengths:
            store = Store(Path(folder) / f"{years}.db")
            days = synthesise(store, years)
            results[years] = (days, measure(store, args.runs))
            store.close()
    first, last = lengths[0], lengths[-1]
    heads = [f"{y} years ({results[y][0]:,} days)" for y in lengths]
    print(f"| read | {' | '.join(heads)} | {last} / {first} years |")
    print("| --- |" + " ---: |" * (len(lengths) + 1))
    for name in results[first][1]:
        cells = []
        for years in lengths:
            figure = results[years][1][name]
            if name == PEAK:
                cells.append(f"{figure:,.0f} MB")
                continue
            times = "" if name in LOCAL else f" ({figure / results[years][1][BASELINE]:.1f}×)"
            cells.append(f"{figure:,.1f} ms{times}")
        ratio = results[last][1][name] / results[first][1][name]
        print(f"| {name} | {' | '.join(cells)} | {ratio:.2f} |")


# Figures measured in this process, not the drawing process: no multiple of the baseline.
LOCAL = ("/history tanks 7", "/week", "/month", "chart, tanks, all (cold)")


if __name__ == "__main__":
    main()
