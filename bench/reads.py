"""Benchmark: reads that should not grow with the length of the history.

    python -m bench.reads [--years 4,10,20] [--runs 9] [--quick]

For each length, a database with that many years of history (bench/history.py), each read by
a drawing process of its own as a bot would; the medians of `runs` runs of what readers ask,
the lengths measured in turns (a run of each length, then the next run), so that the machine's
load falls on every length alike. `/history tanks 7`, `/week`, `/month` in this process, and a
cold full-history chart (the drawing process running, nothing cached).

`/records` and exports as the bot reads them: in its drawing process (bot/drawing.py
`in_store`), which keeps them between calls (bot/kept.py). Each is timed cold (nothing kept:
the first call after the bot starts) and in the steady state: the first call after a new day's
bulletin landed (a day added to the database, then the call), and after a correction of a day
a year back. "export brought up to date" is an export of the newest day alone after a new day
landed: the kept whole history patched with that day, without the copy of the whole file
back. The baseline, measured in the same run, is `/history tanks 7` asked of the drawing
process the same way (its way there and back, and a connection of its own, are in every
figure of this kind); each such figure is given as a multiple of it too. Those marked "inside
the drawing process" are the time the work took there, without the way there and back and the
copy of its result (a multiple of the baseline's time there). Last, each drawing process's peak
memory, everything above kept in it.

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

from bench.arguments import parse
from bench.history import synthesise
from bot import export, figures, kept, trends
from bot.charts import ChartCache, parse_period
from bot.drawing import DrawingProcess, in_store
from bot.report import Report
from bot.store import ReportStatus, Store

NOW = datetime.now(UTC)
# What the kept reads are measured against: a read that does not grow, asked the same way;
# and the time of that read inside the drawing process, for the times taken there (`inside`).
HISTORY = partial(figures.series, key="tanks", days=7)
BASELINE = "/history tanks 7 (drawing process): the baseline"
INSIDE = ", inside the drawing process"
BASELINE_INSIDE = "/history tanks 7" + INSIDE
# Figures measured in this process, not the drawing process: no multiple of the baseline.
LOCAL = ("/history tanks 7", "/week", "/month", "chart, tanks, all (cold)")
PEAK = "drawing process, peak memory"
# An export of the whole history, however many days have been added.
EVERYTHING = (date(2022, 1, 1), date(2099, 12, 31))


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


def everything(fmt: str) -> Callable[[Store], export.Export]:
    return partial(export.export, fmt=fmt, first=EVERYTHING[0], last=EVERYTHING[1])


def inside(store: Store, work: Callable[[Store], Any]) -> float:
    """In the drawing process: how long `work` took there, in ms (its way there and back, and
    the copy of its result, left out)."""
    start = time.perf_counter()
    work(store)
    return (time.perf_counter() - start) * 1000


class Reader:
    """One length of history: its database, and a drawing process that reads it (and keeps
    what it read) as the bot's does."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.drawing = DrawingProcess()  # started (matplotlib loaded) before any timing
        self.added: list[date] = []
        latest = store.reports.latest_date()
        assert latest is not None
        self.latest = latest
        asyncio.run(ChartCache(drawing=self.drawing).chart(store, ["mlrs"], self.period("30d")))

    def period(self, words: str) -> Any:
        return parse_period(words, self.latest)

    def asked(self, work: Callable[[Store], Any]) -> Callable[[], Any]:
        """`work` asked of the drawing process as the bot asks it (bot/telegram/services.py
        `off_the_loop`)."""
        path = str(self.store.path)
        return lambda: asyncio.run(self.drawing.run(in_store, path, "en", work))

    def inside(self, work: Callable[[Store], Any]) -> float:
        """`work`'s time inside the drawing process (`inside`), in ms."""
        return float(self.asked(partial(inside, work=work))())

    def forget(self) -> None:
        asyncio.run(self.drawing.run(kept.forget))

    def new_day(self) -> None:
        self.added.append(new_day(self.store))

    def newest_day(self) -> Callable[[Store], export.Export]:
        """An export of the day added last alone: the kept whole patched, a day copied back."""
        day = self.added[-1]
        return partial(export.export, fmt="csv", first=day, last=day)

    def chart(self) -> None:
        cache = ChartCache(drawing=self.drawing)
        asyncio.run(cache.chart(self.store, ["tanks"], self.period("all")))

    def peak_mb(self) -> float:
        usage = asyncio.run(self.drawing.run(resource.getrusage, resource.RUSAGE_SELF))
        return float(usage.ru_maxrss) / 1024


Step = Callable[[Reader], Any]
NOTHING: Step = lambda reader: None  # noqa: E731
# Each read: what comes first (untimed), what is timed.
READS: list[tuple[str, Step, Step]] = [
    ("/history tanks 7", NOTHING, lambda r: figures.series(r.store, "tanks", 7)),
    ("/week", NOTHING, lambda r: trends.compare(r.store, 7)),
    ("/month", NOTHING, lambda r: trends.compare(r.store, 30)),
    (BASELINE, NOTHING, lambda r: r.asked(HISTORY)()),
    (BASELINE_INSIDE, NOTHING, lambda r: r.inside(HISTORY)),
    ("/records, cold", Reader.forget, lambda r: r.asked(trends.all_records)()),
    ("export, everything (CSV), cold", Reader.forget, lambda r: r.asked(everything("csv"))()),
    ("/records, a new day landed", Reader.new_day, lambda r: r.asked(trends.all_records)()),
    (
        "/records, a new day landed" + INSIDE,
        Reader.new_day,
        lambda r: r.inside(trends.all_records),
    ),
    (
        "export brought up to date, a new day landed",
        Reader.new_day,
        lambda r: r.asked(r.newest_day())(),
    ),
    (
        "export brought up to date, a new day landed" + INSIDE,
        Reader.new_day,
        lambda r: r.inside(r.newest_day()),
    ),
    (
        "export, everything (CSV), a new day landed",
        Reader.new_day,
        lambda r: r.asked(everything("csv"))(),
    ),
    (
        "export, everything (CSV), a new day landed" + INSIDE,
        Reader.new_day,
        lambda r: r.inside(everything("csv")),
    ),
    (
        "export, everything (JSON), a new day landed",
        Reader.new_day,
        lambda r: r.asked(everything("json"))(),
    ),
    (
        "/records, a correction a year back landed",
        lambda r: correction(r.store),
        lambda r: r.asked(trends.all_records)(),
    ),
    (
        "export, everything (CSV), a correction a year back landed",
        lambda r: correction(r.store),
        lambda r: r.asked(everything("csv"))(),
    ),
    ("chart, tanks, all (cold)", NOTHING, Reader.chart),
]


def measure(readers: dict[int, Reader], runs: int) -> dict[str, dict[int, float]]:
    """Each read's median time in ms at each length, the lengths in turns run after run."""
    found: dict[str, dict[int, float]] = {}
    for name, before, action in READS:
        if before is not Reader.forget:
            for reader in readers.values():  # all kept, and up to date, before the runs
                for work in (trends.all_records, everything("csv"), everything("json")):
                    reader.asked(work)()
        times: dict[int, list[float]] = {years: [] for years in readers}
        for _ in range(runs):
            for years, reader in readers.items():
                before(reader)
                start = time.perf_counter()
                taken = action(reader)  # a time taken inside the drawing process, or None
                ms = (time.perf_counter() - start) * 1000 if name.find(INSIDE) < 0 else taken
                times[years].append(ms)
        found[name] = {years: statistics.median(t) for years, t in times.items()}
    found[PEAK] = {years: reader.peak_mb() for years, reader in readers.items()}
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", default="4,10,20")
    parser.add_argument("--runs", type=int, default=9)
    args = parse(parser, years="4", runs=1)
    lengths = [int(y) for y in args.years.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        stores = {years: Store(Path(folder) / f"{years}.db") for years in lengths}
        days = {years: synthesise(store, years) for years, store in stores.items()}
        readers = {years: Reader(store) for years, store in stores.items()}
        try:
            found = measure(readers, args.runs)
        finally:
            for reader in readers.values():
                reader.drawing.close()
                reader.store.close()
    first, last = lengths[0], lengths[-1]
    heads = [f"{y} years ({days[y]:,} days)" for y in lengths]
    print(f"| read | {' | '.join(heads)} | {last} / {first} years |")
    print("| --- |" + " ---: |" * (len(lengths) + 1))
    for name, figures_ms in found.items():
        cells = []
        for years in lengths:
            figure = figures_ms[years]
            if name == PEAK:
                cells.append(f"{figure:,.0f} MB")
            elif name in LOCAL:
                cells.append(f"{figure:,.1f} ms")
            else:
                baseline = found[BASELINE_INSIDE if INSIDE in name else BASELINE][years]
                cells.append(f"{figure:,.1f} ms ({figure / baseline:.1f}×)")
        print(f"| {name} | {' | '.join(cells)} | {figures_ms[last] / figures_ms[first]:.2f} |")


if __name__ == "__main__":
    main()
