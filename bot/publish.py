"""What a newly accepted report sends, however it was accepted: a poll, a pasted bulletin, an
admin's approval, or a correction that released a held report. One rule for all of them:

- the bulletin of the date people are waiting for (the newest date, up to today, with a report
  accepted or held, and fresh) goes to every active subscriber, once: the outbox's unique key
  makes queueing it again harmless, and texts are rendered when sent, so whoever is still
  waiting gets the version in force then;
- a new version of a date some subscribers already received brings exactly those one errata
  notice naming each figure that changed (batched like correction notices);
- a total of that bulletin passing a round figure alerts those who asked for milestones, once;
  one reaching a figure a chat chose itself (`/milestones tanks 13000`) alerts that chat, once;
- anything else (history, a revision of an old day nobody was sent) goes to no one.

What it tells an admin is how many chats it reaches, not how many messages: one subscriber may
get a bulletin, its chart and a milestone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from bot.figures import bulletin_on
from bot.ingest import Outcome
from bot.milestones import milestones, queue_reached_targets
from bot.notices import errata_subject, notify_revision, revised_figures
from bot.store import OutboxKind, ReportStatus, Store
from bot.subscriptions import HOME_ZONE, NOTICE_KINDS, broadcast, is_fresh
from bot.summary import DAILY_KINDS


def is_news(store: Store, day: date, today: date) -> bool:
    """Whether the bulletin of `day` is the one subscribers are waiting for today. While a newer
    report is held, an older day is not: it must not go out as the morning's bulletin."""
    return day == store.reports.newest_live_date(today) and is_fresh(day, today)


def publish(
    store: Store,
    day: date,
    replaced_id: int | None,
    *,
    now: datetime,
    today: date,
    home_zone: str = HOME_ZONE,
    news: bool = True,
) -> int:
    """Queue what the newly accepted report of `day` brings; how many chats it goes to.
    Without `news` (history: a backfill, an import) only errata: a day read back from the
    past is never sent as the morning's bulletin, even when it is yesterday's."""
    queued = _queue(store, day, replaced_id, now=now, today=today, home_zone=home_zone, news=news)
    return reach(store, queued)


def publish_outcomes(
    store: Store,
    outcomes: Iterable[Outcome],
    *,
    now: datetime,
    today: date,
    home_zone: str = HOME_ZONE,
    news: bool = True,
) -> int:
    """Publish every newly accepted report of a poll or an import; how many chats they go to
    (a chat that gets two of them counted once)."""
    queued = [
        message
        for o in outcomes
        if o.status == ReportStatus.ACCEPTED and o.report_id is not None
        for message in _queue(
            store, o.date, o.replaced_id, now=now, today=today, home_zone=home_zone, news=news
        )
    ]
    return reach(store, queued)


def _queue(
    store: Store,
    day: date,
    replaced_id: int | None,
    *,
    now: datetime,
    today: date,
    home_zone: str,
    news: bool,
) -> list[tuple[str, str]]:
    """Queue what a newly accepted report brings; the (kind, subject) of each message."""
    queued: list[tuple[str, str]] = []
    if replaced_id is not None and revised_figures(store, day, replaced_id):
        notify_revision(store, day, replaced_id, now=now)
        queued.append((OutboxKind.ERRATA, errata_subject(day, replaced_id)))
    if news and is_news(store, day, today):
        broadcast(store, OutboxKind.BULLETIN, day.isoformat(), now=now, home_zone=home_zone)
        queued += [(kind, day.isoformat()) for kind in DAILY_KINDS]
        view = bulletin_on(store, day)
        for milestone in milestones(view) if view else []:
            broadcast(store, OutboxKind.MILESTONE, milestone.subject, now=now, home_zone=home_zone)
            queued.append((OutboxKind.MILESTONE, milestone.subject))
        for subject in queue_reached_targets(store, view, now=now) if view else []:
            queued.append((OutboxKind.MILESTONE, subject))
    return queued


def reach(store: Store, queued: Iterable[tuple[str, str]]) -> int:
    """How many chats the messages (kind, subject) go to: those queued, and the subscribers a
    broadcast of them has still to queue (a million-subscriber broadcast queues in chunks).
    Errata still being queued count as far as they are: they go only to those shown the day,
    whom each chunk finds."""
    queued = set(queued)
    later = [
        store.broadcasts.active_after(b.after)
        for b in store.broadcasts.unfinished()
        if (b.kind, b.subject) in queued and b.after is not None and b.kind not in NOTICE_KINDS
    ]
    return store.outbox.chats_with(queued) + max(later, default=0)
