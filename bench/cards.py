"""Benchmark: drawing the daily card, cold and from the cache.

    python bench/cards.py [--runs 5]

Goal (issue 15): under 400 ms cold per card. "Cold" is the first request for a card (a
bulletin, a language, a set of categories) in a process where matplotlib is already loaded (the
bot loads it once); the time includes reading the day's figures from SQLite, composing the
text in the reader's language and encoding the PNG.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot import texts
from bot.charts import ChartCache
from bot.ingest import seed_if_empty
from bot.store import Store

CARDS = [
    ("en", ()),
    ("uk", ()),
    ("en", ("tanks",)),
    ("uk", ("tanks", "artillery", "uav")),
]


async def measure(store: Store, runs: int) -> None:
    day = store.latest_date()
    assert day is not None
    start = time.perf_counter()
    await ChartCache().card(store, day, ("mlrs",))  # loads matplotlib, as the bot's first does
    print(f"first card in the process (matplotlib loaded): {(time.perf_counter() - start):.2f} s")
    for language, keys in CARDS:
        texts.set_language(language)
        cold, cached = [], []
        for _ in range(runs):
            cache = ChartCache()
            start = time.perf_counter()
            png = await cache.card(store, day, keys)
            cold.append(time.perf_counter() - start)
            start = time.perf_counter()
            await cache.card(store, day, keys)
            cached.append(time.perf_counter() - start)
        assert png is not None
        print(
            f"{language} {' + '.join(keys) or 'all categories':<28}: cold median "
            f"{statistics.median(cold) * 1000:5.0f} ms (max {max(cold) * 1000:4.0f}), "
            f"cached median {statistics.median(cached) * 1000:5.2f} ms, PNG {len(png) // 1024} KB"
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
