"""Telegram's 429 bursts against the delivery pace: one burst, one pause, and back to speed.

Time here is the pace's own clock, moved by its sleeps: the test is exact and takes no time.
"""

from __future__ import annotations

import pytest

from bot.telegram.delivery import RECOVERY, SLOWDOWN, Pace

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
    for _ in range(50):  # a whole window of concurrent sends answered 429, retry_after 2 s
        pace.pause(2)
    assert pace.rate == rate * SLOWDOWN  # slowed once for the burst, not 50 times

    messages = round(MESSAGES * rate / RATE)
    for _ in range(messages):
        await pace.wait()

    steady = messages / rate  # 40 s
    climb = (rate - rate * SLOWDOWN) / (RECOVERY * rate)  # 5 s to get back to speed
    assert pace.rate == pytest.approx(rate)
    # The burst cost its 2 s pause and a part of the climb: a few seconds, not 25 minutes.
    assert now[0] < steady + 2 + climb
    assert now[0] > steady + 2


async def test_separate_bursts_each_slow_the_pace_once_and_never_below_one_a_second():
    pace, now = paced()
    for _ in range(30):
        pace.pause(1)
        now[0] += 1.5  # the next burst comes after this one's pause
    assert pace.rate == 1.0
    for _ in range(200):
        await pace.wait()
    assert 1.0 < pace.rate <= RATE
