"""Benchmark: drawing charts and daily cards, cold and from the cache.

    python -m bench.charts [--runs 5] [--quick]

Goals: a full-history chart under 400 ms cold, under 5 ms from the cache (issue 5); a daily
card under 400 ms cold (issue 15). "Cold" is a first request for that picture with the drawing
process already running, as it is in the bot after its first picture (bot/drawing.py); the time
includes reading the figures from SQLite, composing the text in the reader's language, handing
them to the drawing process, drawing and encoding the PNG there, and the PNG's way back.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.arguments import parse
from bot import texts
from bot.charts import ChartCache, parse_period
from bot.drawing import DrawingProcess
from bot.ingest import seed_if_empty
from bot.store import Store
from bot.uploads import Upload

CHARTS = [
    (["tanks"], "all"),
    (["tanks"], "90d"),
    (["tanks", "artillery", "uav"], "2024"),
    (["personnel", "tanks", "uav", "artillery"], "all"),
]
CARDS = [
    ("en", ()),
    ("uk", ()),
    ("en", ("tanks",)),
    ("uk", ("tanks", "artillery", "uav")),
]


async def cold_and_cached(
    name: str,
    draw: Callable[[ChartCache], Awaitable[Upload | None]],
    runs: int,
    drawing: DrawingProcess,
) -> None:
    """Time `draw` on a new cache (cold), then again on the same one (cached), `runs` times;
    every cache draws in the same drawing process, as the bot's one cache does."""
    cold, cached = [], []
    picture: Upload | None = None
    for _ in range(runs):
        cache = ChartCache(drawing=drawing)
        start = time.perf_counter()
        picture = await draw(cache)
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        await draw(cache)
        cached.append(time.perf_counter() - start)
    assert picture is not None and picture.data is not None
    print(
        f"{name:<46}: cold median {statistics.median(cold) * 1000:5.0f} ms "
        f"(max {max(cold) * 1000:4.0f}), cached median "
        f"{statistics.median(cached) * 1000:5.2f} ms, PNG {len(picture.data) // 1024} KB"
    )


async def measure(store: Store, runs: int, *, quick: bool = False) -> None:
    """Each chart and card of the tables (in a quick run, the first of each)."""
    latest = store.reports.latest_date()
    assert latest is not None
    drawing = DrawingProcess()
    start = time.perf_counter()
    await ChartCache(drawing=drawing).chart(store, ["mlrs"], parse_period("30d", latest))
    print(f"first picture (the drawing process started): {time.perf_counter() - start:.2f} s")
    try:
        for keys, period_text in CHARTS[:1] if quick else CHARTS:
            period = parse_period(period_text, latest)
            await cold_and_cached(
                f"chart {' + '.join(keys)} {period_text}",
                lambda cache: cache.chart(store, keys, period),  # noqa: B023 (awaited at once)
                runs,
                drawing,
            )
        for language, card_keys in CARDS[:1] if quick else CARDS:
            texts.set_language(language)
            await cold_and_cached(
                f"card {language} {' + '.join(card_keys) or 'all categories'}",
                lambda cache: cache.card(store, latest, card_keys),  # noqa: B023 (awaited at once)
                runs,
                drawing,
            )
    finally:
        drawing.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parse(parser, runs=1)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        seed_if_empty(store, now=datetime.now(UTC), today=datetime.now(UTC).date())
        asyncio.run(measure(store, args.runs, quick=args.quick))


if __name__ == "__main__":
    main()
