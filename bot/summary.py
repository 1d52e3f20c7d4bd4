"""The daily summary: what a subscriber gets when a morning's bulletin comes in.

A subscriber chooses digests (`Digest`): the day's bulletin, a weekly digest on Mondays, a
monthly one on the 1st (bot/digests.py: of which days), and with them a chart (of CHART_PERIOD
with the daily summary alone, else of the longest digest's period). Every summary of one
morning comes as one message. `kinds_for` turns those choices into the outbox messages one
bulletin brings them; when each is due is bot/subscriptions.py's, the text of each
bot/notices.py's, and the buttons under the bulletin bot/telegram/app.py's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum

from bot.store import OutboxKind, Shape, Subscriber, SummaryFormat

# A chart's categories, for a subscriber who chose none; the daily summary's chart's period.
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


def is_due(digest: str, day: date) -> bool:
    """Whether the bulletin of `day` brings a `digest`: Monday's the weekly (the week to the
    Sunday before), the 1st's the monthly (the month before; bot/digests.py says which days)."""
    if digest == Digest.WEEKLY:
        return day.weekday() == 0
    return digest == Digest.MONTHLY and day.day == 1


def due_digests(digests: Sequence[str], day: date) -> list[str]:
    """Of a subscriber's digests, the weekly and monthly ones the bulletin of `day` brings,
    in the order one message has them."""
    return [d for d in (Digest.WEEKLY, Digest.MONTHLY) if d in digests and is_due(d, day)]


# The outbox row of a digest that comes without a daily summary to carry it.
DIGEST_KIND: Mapping[str, str] = {
    Digest.WEEKLY: OutboxKind.WEEKLY,
    Digest.MONTHLY: OutboxKind.MONTHLY,
}


def kinds_for(
    subscriber: Subscriber,
    day: date,
    changes: Mapping[str, int] | None = None,
    rises: Mapping[str, Mapping[str, int]] | None = None,
) -> list[str]:
    """What the bulletin of `day` brings this subscriber: every summary due that morning in
    one message of text, and the chart if they asked for one. The summaries: the daily one
    unless the day is quiet for them, the weekly on Mondays, the monthly on the 1st, each
    unless quiet over its own period. The daily summary's row (BULLETIN) carries the digests
    (`carried`); without one (a card, a quiet day, no daily summary) the first digest's row
    carries the other. `changes` are the day's changes by category, `rises` each digest's
    rises over its period, for a subscriber with thresholds."""
    kinds: list[str] = []
    shape = subscriber.shape
    as_card = shape.format == SummaryFormat.CARD
    daily = Digest.DAILY in subscriber.digests and not is_quiet(shape, day, changes or {})
    if daily:
        kinds.append(OutboxKind.CARD if as_card else OutboxKind.BULLETIN)
    digests = [
        d
        for d in due_digests(subscriber.digests, day)
        if not below_thresholds(shape.thresholds, (rises or {}).get(d, {}))
    ]
    carried_by_daily = daily and not as_card  # a card is a picture: digests go beside it
    if digests and not carried_by_daily:
        kinds.append(DIGEST_KIND[digests[0]])
    if subscriber.with_chart and (daily or digests):
        kinds.append(OutboxKind.CHART)
    return kinds


def carried(kind: str, due: Sequence[str]) -> list[str]:
    """The digests a morning's row of `kind` has in its text, of those `due` that morning (and
    not quiet): the daily summary carries them all, a weekly digest the monthly one too."""
    if kind == OutboxKind.BULLETIN:
        return list(due)
    if kind == OutboxKind.WEEKLY:
        return [Digest.WEEKLY, *(d for d in due if d == Digest.MONTHLY)]
    if kind == OutboxKind.MONTHLY:
        return [Digest.MONTHLY]
    return []


SATURDAY = 5


def is_quiet(shape: Shape, day: date, changes: Mapping[str, int]) -> bool:
    """A day the subscriber asked not to hear about: a weekend, when they skip weekends, or a
    day no category they set a threshold for changed by more than it."""
    if shape.skip_weekends and day.weekday() >= SATURDAY:
        return True
    return below_thresholds(shape.thresholds, changes)


def below_thresholds(thresholds: Sequence[tuple[str, int]], changes: Mapping[str, int]) -> bool:
    """Whether no category a subscriber set a threshold for changed by more than it over a
    summary's period (a day's change for the daily summary, a week's or a month's rise for a
    digest); False without thresholds."""
    return bool(thresholds) and not any(
        abs(changes.get(key, 0)) > limit for key, limit in thresholds
    )
