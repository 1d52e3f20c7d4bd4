"""When to poll the source next. No Telegram here.

The General Staff posts its bulletin in the morning, Kyiv time. Until today's bulletin is in, the
bot polls every few minutes in that window, so subscribers hear within minutes; the rest of the
day it polls at the configured, gentler pace.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MORNING_START, MORNING_END = time(6, 0), time(12, 0)
MORNING_POLL_MINUTES = 5


def next_poll_in(
    now: datetime, zone: ZoneInfo, latest: date | None, poll_every_minutes: int
) -> timedelta:
    local = now.astimezone(zone)
    waiting_for_today = latest is None or latest < local.date()
    if waiting_for_today and MORNING_START <= local.time() < MORNING_END:
        return timedelta(minutes=min(MORNING_POLL_MINUTES, poll_every_minutes))
    return timedelta(minutes=poll_every_minutes)
