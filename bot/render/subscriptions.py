"""What a subscriber is told: their summary's settings, unsubscribing, a milestone."""

from __future__ import annotations

from collections.abc import Mapping

from bot import categories, texts
from bot.figures import Bulletin, Change
from bot.render.markup import fill
from bot.render.phrases import caveat, change_text, in_text, link_lines
from bot.store import Shape, Subscriber, SubscriberStatus, SummaryFormat
from bot.subscriptions import zone_name
from bot.summary import Digest
from bot.texts import format_date, number

# Each member's message, checked against the catalogues by tests/test_texts.py.
DIGEST_NAME: Mapping[str, str] = {digest: f"DIGEST_{digest.name}" for digest in Digest}

FORMAT_SHAPE: Mapping[str, str] = {
    SummaryFormat.SHORT: "SHAPE_FORMAT_SHORT",
    SummaryFormat.CARD: "SHAPE_FORMAT_CARD",
}


def milestone(value: int, reached: Change, view: Bulletin) -> str:
    """'Tanks: past 13,000', with the day's figure, its link and the caveat."""
    report = view.report
    lines = [
        fill(
            texts.MILESTONE,
            losses=texts.LOSSES,
            name=in_text(reached.category),
            value=number(value),
            approx=texts.APPROXIMATELY if categories.get(reached.category).approximate else "",
            total=number(reached.total),
            change=change_text(reached),
            date=format_date(report.date),
        ),
        *link_lines(report),
        caveat(),
    ]
    return "\n".join(lines)


def subscription(subscriber: Subscriber | None, *, just_subscribed: bool = False) -> str:
    """A chat's daily summary settings (SETTINGS), or, `just_subscribed`, the subscription made
    (SUBSCRIBED)."""
    if subscriber is None or subscriber.status != SubscriberStatus.ACTIVE:
        return texts.SETTINGS_NONE
    when = fill(texts.WHEN_AT, time=subscriber.send_at) if subscriber.send_at else texts.WHEN_ASAP
    daily = Digest.DAILY in subscriber.digests
    digests = ", ".join(texts.message(DIGEST_NAME[d]) for d in subscriber.digests)
    return fill(
        texts.SUBSCRIBED if just_subscribed else texts.SETTINGS,
        when=when,
        zone=zone_name(subscriber.timezone, texts.current_language()),
        digests=digests,
        # The chart goes with the daily summary (a chat keeps the choice without it).
        chart=texts.WITH_CHART if subscriber.with_chart and daily else "",
        shape="".join(f" {part}" for part in _shape_parts(subscriber.shape, daily)),
    )


def _shape_parts(shape: Shape, daily: bool) -> list[str]:
    """The choices beyond when, each a short sentence; none for what is as it comes, nor for
    what shapes a daily summary the chat does not get (the format, quiet days, thresholds)."""
    parts = []
    if shape.categories:
        names = ", ".join(in_text(k) for k in shape.categories)
        parts.append(fill(texts.SHAPE_CATEGORIES, names=names))
    if daily and shape.format != SummaryFormat.FULL:
        parts.append(texts.message(FORMAT_SHAPE[shape.format]))
    if daily and shape.skip_weekends:
        parts.append(texts.SHAPE_WEEKDAYS)
    if daily and shape.thresholds:
        limits = texts.OR.join(
            fill(texts.THRESHOLD_ITEM, name=in_text(k), value=number(n))
            for k, n in shape.thresholds
        )
        parts.append(fill(texts.SHAPE_THRESHOLDS, limits=limits))
    if shape.thread_id is not None:
        parts.append(texts.SHAPE_TOPIC)
    return parts


def unsubscribe_question(subscriber: Subscriber) -> str:
    """'Stop your summaries (daily, milestones)?', before the buttons that answer it."""
    digests = ", ".join(texts.message(DIGEST_NAME[d]) for d in subscriber.digests)
    return fill(texts.UNSUBSCRIBE_QUESTION, digests=digests)


def unsubscribed(subscriber: Subscriber) -> str:
    """'Unsubscribed: no more summaries (weekly (Mondays)).' naming what stopped."""
    digests = ", ".join(texts.message(DIGEST_NAME[d]) for d in subscriber.digests)
    return fill(texts.UNSUBSCRIBED, digests=digests)
