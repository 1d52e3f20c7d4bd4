"""Benchmark: drawing charts, cold and from the cache.

    python bench/charts.py [--runs 5]

Goals (issue 5): a full-history chart under 400 ms cold, under 5 ms from the cache. "Cold" is a
first request for that chart in a process where matplotlib is already loaded (the bot loads it
once); the time includes reading the figures from SQLite and encoding the PNG.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.charts import ChartCache, parse_period
from bot.ingest import seed_if_empty
from bot.store import Store

CHARTS = [
    (["tanks"], "all"),
    (["tanks"], "90d"),
    (["tanks", "artillery", "uav"], "2024"),
    (["personnel", "tanks", "uav", "artillery"], "all"),
]


async def measure(store: Store, runs: int) -> None:
    latest = store.latest_date()
    await ChartCache().chart(store, ["mlrs"], parse_period("30d", latest))  # load matplotlib
    for keys, period_text in CHARTS:
        cold, cached = [], []
        for _ in range(runs):
            cache = ChartCache()
            period = parse_period(period_text, latest)
            start = time.perf_counter()
            png = await cache.chart(store, keys, period)
            cold.append(time.perf_counter() - start)
            start = time.perf_counter()
            await cache.chart(store, keys, period)
            cached.append(time.perf_counter() - start)
        print(
            f"{' + '.join(keys):<36} {period_text:>4}: cold median "
            f"{statistics.median(cold) * 1000:6.0f} ms, cached median "
            f"{statistics.median(cached) * 1000:6.2f} ms, PNG {len(png) // 1024} KB"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        seed_if_empty(store, now=datetime.now(UTC), today=datetime.now(UTC).date())
        asyncio.run(measure(store, runs))


if __name__ == "__main__":
    main()
