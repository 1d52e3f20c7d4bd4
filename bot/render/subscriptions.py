"""What a subscriber is told: their summary's settings, unsubscribing, a milestone, their own
milestones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot import categories, texts
from bot.figures import Bulletin, Change
from bot.render.markup import fill
from bot.render.phrases import caveat, change_text, in_text, link_lines, short_name
from bot.store import Shape, Subscriber, SubscriberStatus, SummaryFormat, Target
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


def own_milestones(targets: Sequence[Target]) -> str:
    """'Your own milestones: tanks at 13,000; UAVs at 500,000.' ('' for none)."""
    return fill(texts.OWN_MILESTONES_LIST, items=_targets(targets)) if targets else ""


def own_milestone_set(target: Target, total: int) -> str:
    """'Tanks: one message when the total reaches 13,000 (now 12,251, 749 to go); ...'."""
    return fill(
        texts.OWN_MILESTONE_SET,
        name=categories.get(target.category).name(texts.current_language()),
        value=number(target.value),
        total=number(total),
        left=number(target.value - total),
    )


def own_milestones_removed(category: str, removed: Sequence[Target]) -> str:
    """'Removed: tanks at 13,000.', or that the category had none to remove."""
    if not removed:
        name = categories.get(category).name(texts.current_language())
        return fill(texts.OWN_MILESTONE_NONE_OF, name=name)
    return fill(texts.OWN_MILESTONE_REMOVED, items=_targets(removed))


def own_milestone_button(target: Target) -> str:
    """'✕ Tanks 13,000': the button that removes it (a category's short name: a phone's line)."""
    # A button's label is plain text, not HTML: nothing to escape.
    return texts.BUTTON_REMOVE_OWN_MILESTONE.format(
        name=short_name(target.category), value=number(target.value)
    )


def _targets(targets: Sequence[Target]) -> str:
    return "; ".join(
        fill(texts.OWN_MILESTONE_ITEM, name=in_text(t.category), value=number(t.value))
        for t in targets
    )
