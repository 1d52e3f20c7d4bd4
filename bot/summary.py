"""The daily summary: what a subscriber gets when a morning's bulletin comes in.

A subscriber chooses digests (`Digest`): the day's bulletin, with or without a chart of
CHART_KEYS over CHART_PERIOD, a weekly digest on Mondays, a monthly one on the 1st.
`kinds_for` turns those choices into the outbox messages one bulletin brings them; when each
is due is bot/subscriptions.py's, the text of each bot/notices.py's, and the buttons under the
bulletin bot/telegram/app.py's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from bot.store import OutboxKind, Shape, Subscriber, SummaryFormat

# The chart that can come with the daily summary.
CHART_KEYS = ("personnel", "tanks", "artillery", "uav")
CHART_PERIOD = "30d"


# Every message a bulletin may bring a subscriber, its subject the bulletin's date.
DAILY_KINDS = (
    OutboxKind.BULLETIN,
    OutboxKind.CARD,
    OutboxKind.CHART,
    OutboxKind.WEEKLY,
    OutboxKind.MONTHLY,
)


class Digest(StrEnum):
    """What a subscriber may ask for (several at once): the daily bulletin, a weekly digest on
    Mondays, a monthly one on the 1st, and an alert when a total passes a round figure."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    MILESTONES = "milestones"


def kinds_for(
    subscriber: Subscriber, day: date, changes: Mapping[str, int] | None = None
) -> list[str]:
    """What the bulletin of `day` brings this subscriber: the daily summary (and its chart)
    unless the day is quiet for them, the weekly digest on Mondays, the monthly one on the
    1st. `changes` are the day's changes by category, for a subscriber with thresholds."""
    kinds: list[str] = []
    if Digest.DAILY in subscriber.digests and not is_quiet(subscriber.shape, day, changes or {}):
        as_card = subscriber.shape.format == SummaryFormat.CARD
        kinds.append(OutboxKind.CARD if as_card else OutboxKind.BULLETIN)
        if subscriber.with_chart:
            kinds.append(OutboxKind.CHART)
    if Digest.WEEKLY in subscriber.digests and day.weekday() == 0:
        kinds.append(OutboxKind.WEEKLY)
    if Digest.MONTHLY in subscriber.digests and day.day == 1:
        kinds.append(OutboxKind.MONTHLY)
    return kinds


SATURDAY = 5


def is_quiet(shape: Shape, day: date, changes: Mapping[str, int]) -> bool:
    """A day the subscriber asked not to hear about: a weekend, when they skip weekends, or a
    day no category they set a threshold for changed by more than it."""
    if shape.skip_weekends and day.weekday() >= SATURDAY:
        return True
    return bool(shape.thresholds) and not any(
        abs(changes.get(key, 0)) > limit for key, limit in shape.thresholds
    )
