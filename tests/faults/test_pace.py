"""Telegram's 429s against the delivery pace: one burst, one pause during which nothing is sent,
and back to speed; and a ceiling the pace is not told, which it settles under.

The first tests run on the pace's own clock, moved by its sleeps: exact, and no time taken. The
last ones run a real `bulletin-bot run` against the Bot API stand-in.
"""

from __future__ import annotations

import math
import time
from collections import Counter

import pytest

from bot.telegram.delivery import APPROACH, HEADROOM, PROBE, RECOVERY, SLOWDOWN, Pace
from tests.fake_bot_api import LocalBotApi
from tests.faults.test_kill import (
    _eventually,
    _pending,
    bot_config,
    bulletin_bot,
    with_subscribers,
)

RATE = 25.0
MESSAGES = 1_000


def paced(rate: float = RATE) -> tuple[Pace, list[float]]:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    return Pace(rate, sleep, lambda: now[0]), now


@pytest.mark.parametrize("rate", [RATE, 1000.0])  # the free rate, and paid broadcasts'
async def test_a_burst_of_429s_pauses_once_then_the_pace_recovers(rate):
    pace, now = paced(rate)
    for _ in range(int(rate)):  # a second of sending at the rate
        await pace.wait()
    for _ in range(50):  # a whole window of concurrent sends answered 429, retry_after 2 s
        pace.pause(2)
    # Slowed once for the burst, not 50 times, from the rate it left at (HEADROOM under it).
    assert pace.rate == pytest.approx(min(rate, math.ceil(rate * (1 - HEADROOM))) * SLOWDOWN)

    start = now[0]
    messages = round(MESSAGES * rate / RATE)
    for _ in range(messages):
        await pace.wait()

    steady = messages / rate  # 40 s
    climb = (APPROACH - SLOWDOWN) / RECOVERY  # 2.5 s back to 90%
    creep = PROBE.total_seconds() * (1 - APPROACH) / 2  # 30 s at 95% on average
    assert pace.rate == pytest.approx(rate)
    # The burst cost its 2 s pause and a few seconds of climbing: not 25 minutes.
    assert now[0] - start < steady + 2 + climb + creep + 0.5
    assert now[0] - start > steady + 2


async def test_sends_that_left_late_are_counted_by_their_answers():
    """A second's worth of turns, taken on time, whose sends reach Telegram late (connections
    being opened, the loop held up) and are answered together half a second on: Telegram
    counted them then, so the next second's turns wait until they are a second old, rather
    than leaving with them in Telegram's count (a burst of 429s at 1,000 a second)."""
    rate = 1000.0
    pace, now = paced(rate)
    for _ in range(math.ceil(rate * (1 - HEADROOM))):
        await pace.wait()
    answered = now[0] = now[0] + 0.5
    for _ in range(math.ceil(rate * (1 - HEADROOM))):
        pace.answered()
    await pace.wait()
    # Not a second after the first turn was taken (1.0), but after the answers (1.47).
    assert answered + 1.0 <= now[0] < answered + 1.0 + 1 / rate


async def test_separate_bursts_each_slow_the_pace_once_and_never_below_one_a_second():
    pace, now = paced()
    for _ in range(30):
        pace.pause(1)
        now[0] += 1.5  # the next burst comes after this one's pause
    assert pace.rate == 1.0
    for _ in range(200):
        await pace.wait()
    assert 1.0 < pace.rate <= RATE


async def test_under_a_ceiling_it_is_not_told_the_pace_settles_with_few_429s():
    """Paid broadcasts at 60 a second against a bot whose ceiling is 30 (Telegram counting
    every second it sees). Before: 17-19 429s every second for the whole broadcast."""
    pace, now = paced(60.0)
    accepted: list[float] = []
    refused: list[float] = []
    while now[0] < 600:
        await pace.wait()
        recent = [t for t in accepted[-40:] if now[0] - t < 1.0]
        if len(recent) >= 30:
            refused.append(now[0])
            pace.pause(1)
        else:
            accepted.append(now[0])
    settled = [t for t in refused if t >= 60]
    per_minute = len(settled) / 9
    rate = sum(1 for t in accepted if t >= 60) / 540
    assert per_minute <= 3, f"{per_minute:.1f} 429s a minute"
    assert rate >= 26, f"{rate:.1f} a second"
    print(f"ceiling 30/s, pace 60/s: {per_minute:.1f} 429s a minute once settled, {rate:.1f}/s")


def after_first_429(api: LocalBotApi, within: float) -> int:
    """Sends Telegram accepted in the `within` s after the first 429, leaving out the first
    50 ms (sends already on the wire when the bot got the 429)."""
    first = api.refused_at[0]
    return sum(1 for m in api.sent if first + 0.05 < m.at < first + within)


def test_a_429_mid_broadcast_stops_every_send_for_its_retry_after(tmp_path, fake_api):
    database = tmp_path / "bulletin.db"
    with_subscribers(database, 500, queued=True)
    api = LocalBotApi()
    with api.serve() as server:
        process = bulletin_bot(tmp_path, "run", config=bot_config(server, fake_api, rate=25))
        try:
            assert api.wait_for(lambda: len(api.sent) > 100, timeout=60)
            api.faults.retry_after, api.faults.rate_limited = 2, 1
            assert api.wait_for(lambda: api.too_many_requests == 1, timeout=30)
            time.sleep(2.5)
            during = after_first_429(api, 2.0)
        finally:
            process.kill()
            process.wait(timeout=30)
    print(f"a 429 (retry_after 2 s) at 25/s: {during} sends in its pause")
    assert during == 0, f"{during} sends during the 2 s pause"


def test_paid_broadcast_above_an_unknown_ceiling_settles_with_a_few_429s_a_minute(
    tmp_path, fake_api
):
    """A real bot at 60 a second, paid, against a stand-in that refuses more than 30 a second
    (paid or not). Before: 17-19 429s every second for the whole broadcast."""
    database = tmp_path / "bulletin.db"
    subscribers = 3_000
    with_subscribers(database, subscribers, queued=True)
    api = LocalBotApi()
    api.faults.per_second_cap = api.faults.paid_cap = 30
    with api.serve() as server:
        process = bulletin_bot(tmp_path, "run", config=bot_config(server, fake_api, rate=60))
        try:
            assert _eventually(lambda: _pending(database) == 0, 300), "still pending"
        finally:
            process.kill()
            process.wait(timeout=30)
    got = Counter(m.chat_id for m in api.sent if m.method == "sendMessage")
    assert set(got) == set(range(1, subscribers + 1))
    start, end = api.sent[0].at, api.sent[-1].at
    settled = [t for t in api.refused_at if t > start + 30]
    minutes = (end - start - 30) / 60
    per_minute = len(settled) / minutes
    first = sum(1 for t in api.refused_at if t <= start + 30)
    rate = len(api.sent) / (end - start)
    print(
        f"paid 60/s against a 30/s ceiling: {first} 429s in the first 30 s, then "
        f"{per_minute:.1f} a minute; {rate:.1f} messages a second over {end - start:.0f} s"
    )
    assert per_minute <= 10  # a few; the figure is in RELIABILITY.md
