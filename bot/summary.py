"""The daily summary: what a subscriber gets when a morning's bulletin comes in.

A subscriber chooses digests (`Digest`): the day's bulletin, with or without a chart of
CHART_KEYS over CHART_PERIOD, a weekly digest on Mondays, a monthly one on the 1st.
`kinds_for` turns those choices into the outbox messages one bulletin brings them; when each
is due is bot/subscriptions.py's, the text of each bot/notices.py's, and the buttons under the
bulletin bot/telegram/app.py's.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from bot.store import OutboxKind, Subscriber

# The chart that can come with the daily summary.
CHART_KEYS = ("personnel", "tanks", "artillery", "uav")
CHART_PERIOD = "30d"


class Digest(StrEnum):
    """What a subscriber may ask for (several at once): the daily bulletin, a weekly digest on
    Mondays, a monthly one on the 1st."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


def kinds_for(subscriber: Subscriber, day: date) -> list[str]:
    """What the bulletin of `day` brings this subscriber: the daily summary (and its chart),
    the weekly digest on Mondays, the monthly one on the 1st."""
    kinds: list[str] = []
    if Digest.DAILY in subscriber.digests:
        kinds.append(OutboxKind.BULLETIN)
        if subscriber.with_chart:
            kinds.append(OutboxKind.CHART)
    if Digest.WEEKLY in subscriber.digests and day.weekday() == 0:
        kinds.append(OutboxKind.WEEKLY)
    if Digest.MONTHLY in subscriber.digests and day.day == 1:
        kinds.append(OutboxKind.MONTHLY)
    return kinds
