"""Benchmark: reads that should not grow with the length of the history.

    python -m bench.reads [--years 4,10,20] [--runs 5] [--quick]

For each length, a database with that many years of history (bench/history.py) and the
medians of `runs` runs of what readers ask: `/history tanks 7`, `/week`, `/month`, `/records`,
an export of everything, and a cold full-history chart (the drawing process running, nothing
cached). Goals: /history, /week and /month the same at 20 years as at 4; the cold full chart
< 400 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.history import synthesise
from bot import export, figures, trends
from bot.charts import ChartCache, parse_period
from bot.drawing import DrawingProcess
from bot.store import Store


def median_ms(action: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(store: Store, runs: int) -> dict[str, float]:
    latest = store.reports.latest_date()
    assert latest is not None
    first, _, _ = store.reports.date_range()
    assert first is not None
    drawing = DrawingProcess()  # one, as in the bot, started (matplotlib loaded) before timing
    asyncio.run(ChartCache(drawing=drawing).chart(store, ["mlrs"], parse_period("30d", latest)))

    def chart() -> None:
        cache = ChartCache(drawing=drawing)
        asyncio.run(cache.chart(store, ["tanks"], parse_period("all", latest)))

    try:
        return {
            "/history tanks 7": median_ms(lambda: figures.series(store, "tanks", 7), runs),
            "/week": median_ms(lambda: trends.compare(store, 7), runs),
            "/month": median_ms(lambda: trends.compare(store, 30), runs),
            "/records": median_ms(lambda: trends.records(store), runs),
            "export, everything (CSV)": median_ms(
                lambda: export.export(store, "csv", first, latest), runs
            ),
            "chart, tanks, all (cold)": median_ms(chart, runs),
        }
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
    print("| read | " + " | ".join(f"{y} years ({results[y][0]:,} days)" for y in lengths) + " |")
    print("| --- |" + " ---: |" * len(lengths))
    for name in results[lengths[0]][1]:
        cells = " | ".join(f"{results[y][1][name]:.1f} ms" for y in lengths)
        print(f"| {name} | {cells} |")


if __name__ == "__main__":
    main()
