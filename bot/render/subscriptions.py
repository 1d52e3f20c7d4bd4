"""What a subscriber is told: their summary's settings, the next one and a pause, unsubscribing,
a milestone, their own milestones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot import categories, texts
from bot.figures import Bulletin, Change
from bot.render.markup import fill
from bot.render.phrases import caveat, change_text, in_text, link_lines, short_name
from bot.store import Shape, Subscriber, SubscriberStatus, SummaryFormat, Target
from bot.subscriptions import Upcoming, local_zone, zone_name
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
    # A chart is kept while the chat has no summary it would come with: not said then.
    summaries = bool(set(subscriber.digests) - {Digest.MILESTONES})
    digests = ", ".join(texts.message(DIGEST_NAME[d]) for d in subscriber.digests)
    return fill(
        texts.SUBSCRIBED if just_subscribed else texts.SETTINGS,
        when=when,
        zone=zone_name(subscriber.timezone, texts.current_language()),
        digests=digests,
        chart=texts.WITH_CHART if subscriber.with_chart and summaries else "",
        shape="".join(f" {part}" for part in _shape_parts(subscriber.shape, subscriber.digests)),
    )


def _shape_parts(shape: Shape, digests: Sequence[str]) -> list[str]:
    """The choices beyond when, each a short sentence; none for what is as it comes, nor for
    what shapes a summary the chat does not get (a card and quiet days shape the daily one
    only; the short format and thresholds any summary)."""
    daily = Digest.DAILY in digests
    periodic = Digest.WEEKLY in digests or Digest.MONTHLY in digests
    parts = []
    if shape.categories:
        names = ", ".join(in_text(k) for k in shape.categories)
        parts.append(fill(texts.SHAPE_CATEGORIES, names=names))
    shaped = daily if shape.format == SummaryFormat.CARD else daily or periodic
    if shape.format != SummaryFormat.FULL and shaped:
        parts.append(texts.message(FORMAT_SHAPE[shape.format]))
    if daily and shape.skip_weekends:
        parts.append(texts.SHAPE_WEEKDAYS)
    if (daily or periodic) and shape.thresholds:
        limits = texts.OR.join(
            fill(texts.THRESHOLD_ITEM, name=in_text(k), value=number(n))
            for k, n in shape.thresholds
        )
        message = texts.SHAPE_THRESHOLDS_PERIODS if periodic else texts.SHAPE_THRESHOLDS
        parts.append(fill(message, limits=limits))
    if shape.thread_id is not None:
        parts.append(texts.SHAPE_TOPIC)
    return parts


def unsubscribe_question(subscriber: Subscriber) -> str:
    """'Stop your summaries (daily, milestones)?', before the buttons that answer it."""
    digests = ", ".join(texts.message(DIGEST_NAME[d]) for d in subscriber.digests)
    return fill(texts.UNSUBSCRIBE_QUESTION, digests=digests)


def unsubscribed(subscriber: Subscriber, targets: Sequence[Target] = ()) -> str:
    """'Unsubscribed: no more summaries (weekly (Mondays)).' naming what stopped, and the
    chat's own milestones (`targets`), which do not stop with it: said, not left to surprise."""
    digests = ", ".join(texts.message(DIGEST_NAME[d]) for d in subscriber.digests)
    said = fill(texts.UNSUBSCRIBED, digests=digests)
    if targets:
        said += "\n" + fill(texts.OWN_MILESTONES_STILL_WAIT, items=_targets(targets))
    return said


def settings_view(
    subscriber: Subscriber,
    upcoming: Upcoming | None,
    now: datetime,
    *,
    just_paused: bool = False,
    own: str = "",
) -> str:
    """/settings: the subscription (`subscription`), then, each on a line of its own, the
    pause in force and when the next summary comes, both in the chat's own zone (`own`: the
    chat's own milestones, under the subscription). A pause
    `just_paused` comes first, said in full (`paused`): it is what the reader just did."""
    lines = [f"{subscription(subscriber)}\n{own}" if own else subscription(subscriber)]
    if just_paused:
        lines.insert(0, paused(subscriber))
    elif subscriber.paused_at(now):
        lines.append(pause_line(subscriber))
    if upcoming is not None:
        lines.append(next_line(upcoming, subscriber.timezone))
    return "\n\n".join(lines)


def _moment(at: datetime, zone: str) -> dict[str, str]:
    """A moment's fields as a reader reads them: 'Mon 10 Aug, 08:00' in their zone, and the
    zone as it is shown to them."""
    local = at.astimezone(local_zone(zone))
    return {"when": texts.format_moment(local), "zone": zone_name(zone, texts.current_language())}


def paused(subscriber: Subscriber) -> str:
    """A pause made: until when, in the chat's zone, and that it ends by itself."""
    assert subscriber.paused_until is not None  # the pause just made
    moment = _moment(subscriber.paused_until, subscriber.timezone)
    return fill(texts.PAUSED, until=moment["when"], zone=moment["zone"])


def pause_line(subscriber: Subscriber) -> str:
    """'⏸ Paused until Sat 15 Aug, 06:30 (Europe/Kyiv). /resume ...', under the settings."""
    assert subscriber.paused_until is not None  # shown only while paused
    moment = _moment(subscriber.paused_until, subscriber.timezone)
    return fill(texts.PAUSE_LINE, until=moment["when"], zone=moment["zone"])


def next_line(upcoming: Upcoming, zone: str) -> str:
    """'Next: Mon 10 Aug, 07:15 (Europe/London).', or the bulletin of a day as soon as it is
    out."""
    if upcoming.at is None:
        return fill(texts.NEXT_ASAP, day=texts.format_weekday_date(upcoming.day))
    return fill(texts.NEXT_AT, **_moment(upcoming.at, zone))


def resumed_notice(upcoming: Upcoming | None, zone: str) -> str:
    """The notice at a pause's end: the summaries are back, and when the next one comes."""
    lines = [texts.RESUMED_NOTICE]
    if upcoming is not None:
        lines.append(next_line(upcoming, zone))
    return "\n".join(lines)


def threshold_button(key: str, value: int) -> str:
    """'Tanks > 10': a threshold on its button, by the category's short name."""
    return fill(texts.THRESHOLD_SHORT, name=short_name(key), value=number(value))


def thresholds_dropped(dropped: Sequence[tuple[str, int]]) -> str:
    """'Thresholds dropped: tanks > 10, drones > 100. To set one again: ...'."""
    limits = ", ".join(
        fill(texts.THRESHOLD_SHORT, name=in_text(key), value=number(value))
        for key, value in dropped
    )
    return fill(texts.THRESHOLDS_DROPPED, limits=limits)


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
