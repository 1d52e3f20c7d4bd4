"""Charts: periods, the PNG itself, the cache, and /chart end to end."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from bot.charts import (
    MAX_BARS,
    ChartCache,
    Period,
    PeriodError,
    bin_ends,
    parse_period,
    tick_label,
)
from bot.drawing import NICENESS, DrawingProcess
from bot.ingest import seed_if_empty
from bot.limits import Busy, Limiter
from tests.conftest import NOW, TODAY

LATEST = date(2026, 8, 8)


@pytest.mark.parametrize(
    "word, start, end",
    [
        ("30d", date(2026, 7, 10), LATEST),
        ("90 days", date(2026, 5, 11), LATEST),
        ("6m", date(2026, 2, 6), LATEST),
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2026", date(2026, 1, 1), LATEST),
        ("all", None, None),
    ],
)
def test_periods(word, start, end):
    period = parse_period(word, LATEST)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("word", ["1d", "99999d", "2021", "2031", "soon", "0m", "-5d"])
def test_periods_nobody_can_draw(word):
    with pytest.raises(PeriodError, match=f"“{word}” is not a period: write 30d"):
        parse_period(word, LATEST)


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@pytest.fixture
def seeded(store):
    seed_if_empty(store, now=NOW, today=TODAY)
    return store


@pytest.fixture
async def cache():
    """A chart cache whose drawing process is ended after the test."""
    charts = ChartCache()
    yield charts
    await charts.close()


@pytest.mark.parametrize(
    "keys, period, height",
    [(["tanks"], "all", 1360), (["tanks", "artillery", "uav"], "2024", 1571)],
)
async def test_a_chart_is_a_png_of_the_expected_size_and_cached(
    seeded, cache, keys, period, height
):
    picture = await cache.chart(seeded, keys, parse_period(period, LATEST))
    png = picture.data
    image = decode(png)
    assert image.format == "PNG"
    assert image.size == (1000, height)
    assert 30_000 < len(png) < 400_000
    assert await cache.chart(seeded, keys, parse_period(period, LATEST)) is picture
    assert cache.drawn == 1


async def test_the_cache_is_dropped_when_the_data_changes(seeded, cache):
    period = Period("all")
    first = await cache.chart(seeded, ["tanks"], period)
    seeded.corrections.add(LATEST, "tanks", 12251, 12300, reason="test", author="cli:test", now=NOW)
    second = await cache.chart(seeded, ["tanks"], period)
    assert cache.drawn == 2
    assert first.data != second.data


async def test_many_asking_at_once_for_a_chart_share_one_drawing(seeded, cache):
    period = parse_period("90d", LATEST)
    pictures = await asyncio.gather(*(cache.chart(seeded, ["mlrs"], period) for _ in range(5)))
    assert cache.drawn == 1
    assert all(picture is pictures[0] for picture in pictures)


async def test_a_subscribers_chart_is_drawn_when_a_crowd_would_be_told_to_wait(seeded):
    cache = ChartCache(limiter=Limiter(waiting=0))  # every turn taken: a reader is refused
    try:
        with pytest.raises(Busy):
            await cache.chart(seeded, ["tanks"], parse_period("30d", LATEST))
        picture = await cache.chart(
            seeded, ["tanks"], parse_period("30d", LATEST), may_refuse=False
        )
        assert decode(picture.data).format == "PNG"
        assert cache.drawn == 1
    finally:
        await cache.close()


# Draws a chart and a card through the cache, then the same in this process, and tells whether
# matplotlib was loaded before the second drawing and whether the pictures are the same bytes.
IN_A_PROCESS_OF_ITS_OWN = textwrap.dedent(
    """
    import asyncio, json, sys
    from datetime import date
    from pathlib import Path

    from bot import cards, charts, render, texts
    from bot.figures import bulletin_on
    from bot.ingest import seed_if_empty
    from bot.limits import Limiter
    from bot.store import Store
    from tests.conftest import NOW, TODAY

    async def main():
        store = Store(Path(sys.argv[1]))
        seed_if_empty(store, now=NOW, today=TODAY)
        texts.set_language("uk")
        cache = charts.ChartCache(limiter=Limiter(rest=0))
        period = charts.parse_period("2024", date(2026, 8, 8))
        chart = (await cache.chart(store, ["tanks", "uav"], period)).data
        card = (await cache.card(store, date(2026, 8, 8), ["tanks"])).data
        await cache.close()
        loaded = "matplotlib" in sys.modules
        data = charts.data_series(store, ["tanks", "uav"], period)
        corrected = {(c.category, c.date) for c in store.corrections.live(period.start, period.end)}
        here = charts.draw(data, period, corrected)
        here_card = cards.draw(render.card(bulletin_on(store, date(2026, 8, 8)), ["tanks"]))
        print(json.dumps([loaded, chart == here, card == here_card, cache.drawing.pids()]))

    if __name__ == "__main__":
        asyncio.run(main())
    """
)


def test_charts_and_cards_are_drawn_in_a_process_of_their_own(tmp_path):
    """matplotlib (60 MB) stays out of the bot, and its interpreter lock with it; the pictures
    are the same bytes as drawn in the bot's own process."""
    script = tmp_path / "draw.py"
    script.write_text(IN_A_PROCESS_OF_ITS_OWN)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "bulletin.db")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert done.returncode == 0, done.stderr
    loaded, same_chart, same_card, workers_left = json.loads(done.stdout)
    assert not loaded, "matplotlib was imported by the bot's own process"
    assert same_chart and same_card
    assert workers_left == []


async def test_the_drawing_process_gives_way_to_the_bot(cache):
    """A drawing or an export wants a processor the bot's answers want too: its process runs at
    a lower priority, so that behind a crowd the answers come first (tests/faults/test_crowds)."""
    assert await cache.drawing.run(os.nice, 0) == os.nice(0) + NICENESS


async def test_a_drawing_process_that_dies_is_replaced(seeded, cache):
    await cache.chart(seeded, ["tanks"], parse_period("30d", LATEST))
    (worker,) = cache.drawing.pids()
    os.kill(worker, signal.SIGKILL)  # the kernel's out-of-memory killer, say
    picture = await cache.chart(seeded, ["tanks"], parse_period("60d", LATEST))
    assert decode(picture.data).format == "PNG"
    assert cache.drawn == 2
    assert cache.drawing.started == 2
    assert cache.drawing.pids() not in ([], [worker])


async def test_a_stop_does_not_wait_for_a_drawing_that_hangs():
    drawing = DrawingProcess()
    hanging = asyncio.ensure_future(drawing.run(time.sleep, 600))
    while not drawing.pids():
        await asyncio.sleep(0.01)
    (worker,) = drawing.pids()
    await asyncio.sleep(0.2)  # the worker has the sleep now
    started = time.monotonic()
    await asyncio.to_thread(drawing.close, 0.5)
    assert time.monotonic() - started < 5  # 0.5 s of grace, then the worker is terminated
    with pytest.raises(BrokenProcessPool):
        await hanging
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)


async def test_chart_end_to_end(bot):
    reply = await bot.ask("/chart tanks 30d")
    assert reply.method == "sendPhoto"
    assert decode(reply.attachment).size == (1000, 1360)
    assert "Tanks: 12,247 on 7 August 2026 (30 days: +" in reply.text
    assert "not independently verified" in reply.text
    assert "sendChatAction" in bot.api.calls
    again = await bot.ask("/chart tank 30d")
    assert again.attachment == reply.attachment
    assert bot.services.charts.drawn == 1


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ("", "Which category? For example: /chart tanks 90d"),
        ("tankz", "Unknown category “tankz”. Did you mean: tanks"),
        ("tanks 3000x", "“3000x” is not a period"),
        ("tanks artillery uav mlrs planes", "At most 4 categories on one chart."),
    ],
)
async def test_chart_with_bad_arguments(bot, arguments, expected):
    reply = await bot.ask(f"/chart {arguments}")
    assert reply.method == "sendMessage"
    assert expected in reply.text


@pytest.mark.parametrize(
    "word, label, days",
    [
        ("90д", "90 днів", 90),
        ("рік", "1 рік", 365),
        ("2 роки", "2 роки", 730),
        ("6міс", "6 місяців", None),
        ("21д", "21 день", 21),
        ("усі", "за весь час", None),
    ],
)
def test_periods_in_ukrainian(word, label, days, speak):
    latest = date(2026, 8, 8)
    period = parse_period(word, latest)
    speak("uk")
    assert period.label() == label
    if days:
        assert (period.end - period.start).days + 1 == days


@pytest.mark.parametrize("count", [0, 1, 90, 800, 801, 1_626, 7_300])
def test_a_long_history_is_drawn_as_at_most_one_bar_per_pixel_column(count):
    ends = bin_ends(count)
    assert len(ends) <= MAX_BARS
    assert ends == sorted(set(ends)) and (ends[-1] == count - 1 if count else ends == [])
    if count <= MAX_BARS:
        assert ends == list(range(count))  # a bar a day while they fit


@pytest.mark.parametrize(
    "day, span, label",
    [
        (date(2026, 6, 15), 90, "15 Jun"),  # mid-month ticks of a 90-day chart: not 'Jun' again
        (date(2026, 7, 1), 90, "Jul"),
        (date(2026, 7, 1), 30, "1 Jul"),
        (date(2026, 1, 1), 400, "2026"),
    ],
)
def test_a_tick_names_its_day_unless_it_starts_a_month(day, span, label):
    assert tick_label(day, span) == label
