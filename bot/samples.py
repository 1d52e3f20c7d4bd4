"""Samples ("send me today's now"): the latest summary as a chat has shaped it, at once.

No Telegram here.

A reader who has just chosen a format, categories or a chart wants to see what that looks like
without waiting for tomorrow. A sample is queued through the outbox like any message, so it
goes at Telegram's pace, survives a restart and is sent once: each of its messages is an outbox
row of kind SAMPLE whose subject names the message it stands for, the bulletin's day and the
whole shape it was asked in. Pressing the button twice is then the same rows again, which the
outbox's unique key ignores; a shape changed since is new rows, a new sample.

At send time a sample row goes out as the message it stands for (`as_delivered`), rendered by
the same code as the daily delivery, in the shape named in its subject (not the shape the chat
has by then). It is sent even while the chat is paused (it was asked for), and whatever the
bulletin's age: it shows the latest there is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.store import Delivery, OutboxKind, Subscriber
from bot.summary import Digest, kinds_for

# Between the parts of a sample's subject; none of them can contain it.
_SEPARATOR = "|"
_CHART = "chart"


@dataclass(frozen=True)
class Sample:
    """One message of a sample: the message it stands for (`kind`: bulletin, card, chart,
    weekly, monthly) of the bulletin of `day`, in this format and these categories."""

    kind: str
    day: date
    format: str
    categories: tuple[str, ...]


def kinds(subscriber: Subscriber, day: date) -> list[str]:
    """The messages a sample of the bulletin of `day` brings: what that day brings the chat
    (its daily summary as a card or text, its chart) on any day, quiet or not, and each digest
    it gets as if today were that digest's day. None for milestone alerts alone: they have no
    summary to show."""
    shape = replace(subscriber.shape, skip_weekends=False, thresholds=())
    every_day = replace(subscriber, shape=shape)
    brought = kinds_for(every_day, day)
    for digest, kind in ((Digest.WEEKLY, OutboxKind.WEEKLY), (Digest.MONTHLY, OutboxKind.MONTHLY)):
        if digest in subscriber.digests and kind not in brought:
            brought.append(kind)
    return brought


def subjects(subscriber: Subscriber, day: date) -> list[str]:
    """The outbox subjects of a sample of the bulletin of `day` for this subscriber: one per
    message, each naming the whole shape (format, categories, chart, summaries), so that one
    shape is sent once a day and another shape again."""
    shape = subscriber.shape
    common = [
        day.isoformat(),
        shape.format,
        ",".join(shape.categories),
        _CHART if subscriber.with_chart else "",
        ",".join(subscriber.digests),
    ]
    return [_SEPARATOR.join([kind, *common]) for kind in kinds(subscriber, day)]


def from_subject(subject: str) -> Sample:
    """The message a sample row stands for; ValueError for a subject of another shape."""
    kind, day, summary_format, chosen, _chart, _digests = subject.split(_SEPARATOR)
    return Sample(
        kind, date.fromisoformat(day), summary_format, tuple(filter(None, chosen.split(",")))
    )


def as_delivered(delivery: Delivery) -> Delivery:
    """A sample row as the message it stands for, in the shape it was asked in (other rows
    as they are)."""
    if delivery.kind != OutboxKind.SAMPLE:
        return delivery
    sample = from_subject(delivery.subject)
    return replace(
        delivery,
        kind=sample.kind,
        subject=digest_day(sample.kind, sample.day).isoformat(),
        format=sample.format,
        categories=sample.categories,
    )


def digest_day(kind: str, day: date) -> date:
    """The bulletin a sample's message is of: the day's own, but for a digest the last that
    brought one (the Monday's, the 1st's), so that a sample shows a whole week or month
    against the one before, as the digest will come, never the days so far against a whole."""
    if kind == OutboxKind.WEEKLY:
        return day - timedelta(days=day.weekday())
    if kind == OutboxKind.MONTHLY:
        return day.replace(day=1)
    return day
