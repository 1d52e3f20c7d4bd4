"""Everything the outbox carries besides bulletins, and the text of every outbox message.

- Correction notices go to the chats that received the corrected bulletin, batched: all the
  corrections to one bulletin made on one day share the subject "DATE@DAY", so the UNIQUE outbox
  key makes them one notice, sent CORRECTION_BATCH after the first.
- Errata notices go to the chats that received a bulletin the source later revised: one per
  replaced version, naming each figure that changed, CORRECTION_BATCH after the revision.
- Announcements go to every active subscriber.
- Alerts go to each admin once per key (a held report, an outage, a bad broadcast), however
  often the condition is seen again.
- A group whose forum topic was deleted is told once, in General, where its summaries go now.

Texts are rendered when sent, so a withdrawn correction is not announced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot import categories, render, summary
from bot.charts import MOST_CATEGORIES, Period, data_series, parse_period
from bot.corrections import CORRECTION_BATCH, Notified
from bot.digests import Periodic, periodic
from bot.figures import bulletin_on
from bot.milestones import Milestone
from bot.store import Correction, Delivery, OutboxKind, ReportStatus, Store, SummaryFormat
from bot.subscriptions import broadcast, is_fresh, next_delivery, notice, pause_over


@dataclass(frozen=True)
class Shown:
    """What of one day's figures a chat was sent: the categories of its bulletin or card (None:
    all of them), and the milestones it was told of."""

    categories: frozenset[str] | None
    milestones: tuple[Milestone, ...]

    def has(self, key: str) -> bool:
        return (
            self.categories is None
            or key in self.categories
            or any(m.category == key for m in self.milestones)
        )


def shown_to(store: Store, chat_id: int | None, day: date, followed: Sequence[str]) -> Shown:
    """What a chat following `followed` (none: every category) was sent of `day`; without a
    chat, what anyone was (every figure, every milestone told): a notice as an admin previews
    it."""
    told = store.outbox.milestones_told(chat_id, day)
    if chat_id is None:
        return Shown(None, tuple(Milestone.from_subject(subject) for subject in told))
    got_bulletin = store.outbox.was_shown(chat_id, day)
    categories = (None if not followed else frozenset(followed)) if got_bulletin else frozenset()
    return Shown(categories, tuple(Milestone.from_subject(subject) for subject in told))


def withdrawn(store: Store, shown: Shown, day: date) -> list[tuple[str, int, int | None]]:
    """(category, round figure, its figure now) for each milestone a chat was told of that the
    day's figures, as they now stand, no longer pass."""
    report = store.reports.on(day)
    found = []
    for milestone in shown.milestones:
        total = report.totals.get(milestone.category) if report else None
        if total is None or total < milestone.value:
            found.append((milestone.category, milestone.value, total))
    return found


def correction_subject(store: Store, day: date, now: datetime) -> str:
    """The outbox subject of the correction notice to the bulletin of `day`: 'DATE@START', one
    notice for every change made from START until it goes (CORRECTION_BATCH after the first).
    A notice still waiting (or still being queued) takes in a new change; once it went, a
    change starts a new one."""
    waiting = store.outbox.pending_subjects(OutboxKind.CORRECTION, f"{day.isoformat()}@%")
    waiting += [
        b.subject
        for b in store.broadcasts.unfinished()
        if b.kind == OutboxKind.CORRECTION and b.subject.startswith(f"{day.isoformat()}@")
    ]
    return min(waiting) if waiting else f"{day.isoformat()}@{now.isoformat(timespec='seconds')}"


def notify_correction(store: Store, correction: Correction, *, now: datetime) -> Notified:
    """Queue a notice, due when its batch ends, for every chat shown the figure a correction
    made (or withdrew) changes."""
    return Notified(
        *notice(
            store,
            OutboxKind.CORRECTION,
            correction_subject(store, correction.date, now),
            due=now + CORRECTION_BATCH,
            categories=[correction.category],
        )
    )


def corrected_figures(store: Store, subject: str) -> list[tuple[str, int | None, int | None]]:
    """(category, the figure in force when the batch began, the figure now) for each figure of
    the day a correction made or withdrew since then changed: what its notice says. A subject of
    the older form 'DATE@DAY' is the corrections made that day."""
    day_text, _, start_text = subject.partition("@")
    day, start = date.fromisoformat(day_text), datetime.fromisoformat(start_text)
    if start.tzinfo is None:  # 'DATE@DAY': that whole day
        start = start.replace(tzinfo=UTC)
    corrections = sorted(store.corrections.log(day, limit=1000), key=lambda c: c.id)
    touched = {
        c.category
        for c in corrections
        if c.created_at >= start or (c.withdrawn_at is not None and c.withdrawn_at >= start)
    }
    fetched = store.reports.newest_revision(day, ReportStatus.ACCEPTED)
    now = store.reports.on(day)
    if fetched is None or now is None:
        return []
    found = []
    for key in categories.sort_keys(touched):
        before = fetched.totals.get(key)
        for c in corrections:  # the newest in force at the start wins
            in_force = c.withdrawn_at is None or c.withdrawn_at >= start
            if c.category == key and c.created_at < start and in_force:
                before = c.new_value
        if before != now.totals.get(key):
            found.append((key, before, now.totals.get(key)))
    return found


def notify_revision(store: Store, day: date, replaced_id: int, *, now: datetime) -> Notified:
    """Queue an errata notice for every chat that was shown a figure of `day` the source then
    revised (`replaced_id` is the version they got)."""
    changed = [key for key, _, _ in revised_figures(store, day, replaced_id)]
    if not changed:
        return Notified(0)
    subject = errata_subject(day, replaced_id)
    return Notified(
        *notice(store, OutboxKind.ERRATA, subject, due=now + CORRECTION_BATCH, categories=changed)
    )


def errata_subject(day: date, replaced_id: int) -> str:
    """'DATE#ID': the errata of the bulletin of `day` whose version `replaced_id` people got."""
    return f"{day.isoformat()}#{replaced_id}"


def revised_figures(store: Store, day: date, replaced_id: int) -> list[tuple[str, int | None, int]]:
    """(category, figure in the replaced version, figure now) for each figure of `day` that
    differs from what readers of the replaced version saw (corrections in force applied to both)."""
    now = store.reports.on(day)
    if now is None:
        return []
    before = store.reports.corrected(store.reports.by_id(replaced_id)).totals
    return [
        (key, before.get(key), total)
        for key, total in now.totals.items()
        if before.get(key) != total
    ]


# What a new bulletin brings: news on its day, not weeks later (see `expired`).
NEWS_KINDS = frozenset(
    {OutboxKind.BULLETIN, OutboxKind.CARD, OutboxKind.CHART, OutboxKind.MILESTONE}
)


def expired(store: Store, kind: str, subject: str, today: date) -> str | None:
    """Why a daily summary (or its card, chart or milestone) is no longer worth sending, if it
    is not: a newer bulletin is out, or its day is no longer the news (FRESH_DAYS; a bot that
    was down for three weeks does not send the bulletin it had queued then). A summary
    overtaken by the next one would put two days in front of a reader at once, the old first."""
    if kind not in NEWS_KINDS:
        return None
    day = Milestone.from_subject(subject).day if kind == OutboxKind.MILESTONE else None
    day = day or date.fromisoformat(subject)
    newest = store.reports.latest_date()
    if newest is not None and newest > day:
        return f"the bulletin of {newest} is out"
    if not is_fresh(day, today):
        return f"the bulletin of {day} is no longer news on {today}"
    return None


def announce(store: Store, text: str, *, author: str, now: datetime) -> int:
    announcement = store.messages.add_announcement(text, author=author, now=now)
    return broadcast(store, OutboxKind.ANNOUNCEMENT, str(announcement), now=now)


def alert_admins(
    store: Store, admins: tuple[int, ...], key: str, text: str, *, now: datetime
) -> int:
    """Tell each admin, once per `key`; 0 when this alert was raised before."""
    if not store.messages.add_alert(key, text, now=now):
        return 0
    return store.outbox.enqueue((admin, OutboxKind.ALERT, key, now) for admin in admins)


def topic_gone(store: Store, chat_id: int, thread_id: int, *, now: datetime) -> bool:
    """A group's forum topic was deleted (Telegram said "message thread not found"): its
    summaries go to General from now on, and it is told so once, there: which topic went, and
    how to choose another. False when it was known already (another message to the same topic
    found it gone first, or the group has chosen another topic since)."""
    with store.transaction():
        subscriber = store.subscribers.get(chat_id)
        if subscriber is None or subscriber.shape.thread_id != thread_id:
            return False
        store.subscribers.set_topic(chat_id, None, now=now)
        subject = f"{thread_id}:{subscriber.shape.topic_name or ''}"
        store.outbox.enqueue([(chat_id, OutboxKind.TOPIC_GONE, subject, now)])
    return True


def text_for(
    store: Store,
    kind: str,
    subject: str,
    categories: Sequence[str] = (),
    summary_format: str = SummaryFormat.FULL,
    chat_id: int | None = None,
    digests: Sequence[str] = (),
    thresholds: Sequence[tuple[str, int]] = (),
) -> str | None:
    """The message for an outbox row, or None when there is nothing (left) to say. A daily
    summary or a digest has the subscriber's categories (none: all) in their format, and
    carries the other summaries of their `digests` that come that morning (the daily one all
    of them, a weekly digest the monthly one: `summary.carried`), unless quiet by their
    `thresholds`: one message a morning. A chart is of their categories, over the longest
    period that morning brings (`chart_of`). A correction or errata notice to `chat_id` names
    only the figures that chat was shown, and withdraws any milestone it was told of that no
    longer holds (without a chat: every figure, as the admin sees it)."""
    if kind == OutboxKind.BULLETIN:
        day = date.fromisoformat(subject)
        view = bulletin_on(store, day)
        if view is None:
            return None
        sections = _sections(store, kind, day, categories, summary_format, digests, thresholds)
        short = summary_format == SummaryFormat.SHORT
        return render.bulletin(view, categories, short=short, then=sections)
    if kind == OutboxKind.MILESTONE:
        milestone = Milestone.from_subject(subject)
        view = bulletin_on(store, milestone.day)
        if view is None or view.report.date != milestone.day:
            return None  # held or rejected since
        reached = next((c for c in view.changes if c.category == milestone.category), None)
        if reached is None or reached.total < milestone.value:
            return None  # corrected away before it went out
        return render.milestone(milestone.value, reached, view)
    if kind == OutboxKind.CARD:
        view = bulletin_on(store, date.fromisoformat(subject))
        return render.card_caption(view, categories) if view else None
    if kind == OutboxKind.CORRECTION:
        day = date.fromisoformat(subject.partition("@")[0])
        changed = corrected_figures(store, subject)
        shown = shown_to(store, chat_id, day, categories)
        changed = [figure for figure in changed if shown.has(figure[0])]
        if not changed:
            return None
        return render.correction_notice(day, changed, withdrawn(store, shown, day))
    if kind == OutboxKind.ERRATA:
        day_text, _, replaced = subject.partition("#")
        day = date.fromisoformat(day_text)
        shown = shown_to(store, chat_id, day, categories)
        changed = [f for f in revised_figures(store, day, int(replaced)) if shown.has(f[0])]
        return render.errata_notice(day, changed, withdrawn(store, shown, day)) if changed else None
    if kind in (OutboxKind.WEEKLY, OutboxKind.MONTHLY):
        day = date.fromisoformat(subject)
        sections = _sections(store, kind, day, categories, summary_format, digests, thresholds)
        return render.digests(sections, store.reports.on(day)) if sections else None
    if kind == OutboxKind.CHART:
        day = date.fromisoformat(subject)
        keys, period = chart_of(store, day, categories, digests, thresholds)
        drawn = data_series(store, keys, period)
        return render.chart_caption(drawn, period.label(), store.reports.on(day))
    if kind == OutboxKind.ANNOUNCEMENT:
        text = store.messages.announcement(int(subject))
        return render.announcement(text) if text else None
    if kind == OutboxKind.ALERT:
        text = store.messages.alert(subject)
        return render.alert(text) if text else None
    if kind == OutboxKind.RESUMED and chat_id is not None:
        return resumed_text(store, chat_id, subject)
    if kind == OutboxKind.TOPIC_GONE:
        return render.topic_gone(subject.partition(":")[2] or None)
    return None


def morning_digests(
    store: Store, day: date, digests: Sequence[str], thresholds: Sequence[tuple[str, int]]
) -> list[Periodic]:
    """The weekly and monthly digests among `digests` that the bulletin of `day` brings, less
    those quiet by `thresholds` (no category set rose by more than its threshold over the
    period), in the order one message has them."""
    found = []
    for digest in summary.due_digests(digests, day):
        data = periodic(store, digest, day)
        if data is not None and not summary.below_thresholds(thresholds, data.rises()):
            found.append(data)
    return found


def _sections(
    store: Store,
    kind: str,
    day: date,
    categories: Sequence[str],
    summary_format: str,
    digests: Sequence[str],
    thresholds: Sequence[tuple[str, int]],
) -> list[str]:
    """The digest sections a morning's row of `kind` has: those it carries (`summary.carried`)
    of the ones that come that morning. A digest's own row has its own digest whatever the
    thresholds: they were weighed when it was queued."""
    due = morning_digests(store, day, digests, thresholds)
    wanted = summary.carried(kind, [d.digest for d in due])
    by_digest = {d.digest: d for d in due}
    for digest in wanted:
        if digest not in by_digest and (data := periodic(store, digest, day)) is not None:
            by_digest[digest] = data
    short = summary_format == SummaryFormat.SHORT
    return [render.digest(by_digest[d], categories, short=short) for d in wanted if d in by_digest]


def chart_keys(categories: Sequence[str]) -> tuple[str, ...]:
    """A subscriber's chart's categories: those they chose (the first MOST_CATEGORIES a chart
    draws), or summary.CHART_KEYS when they chose none."""
    return tuple(categories[:MOST_CATEGORIES]) or summary.CHART_KEYS


def chart_of(
    store: Store,
    day: date,
    categories: Sequence[str],
    digests: Sequence[str] = (),
    thresholds: Sequence[tuple[str, int]] = (),
) -> tuple[tuple[str, ...], Period]:
    """The chart a morning brings a subscriber (its categories and period): one a morning,
    over the longest period it brings, the daily changes of the month's days or the week's
    (bulletin by bulletin), or, with the daily summary alone, summary.CHART_PERIOD."""
    due = morning_digests(store, day, digests, thresholds)
    if not due:
        return chart_keys(categories), parse_period(summary.CHART_PERIOD, day)
    longest = due[-1]
    first, last = longest.period.bulletins
    period = Period(longest.digest, longest.period.days, first, last)
    return chart_keys(categories), period


def hand_on_digests(store: Store, delivery: Delivery, *, now: datetime) -> int:
    """A daily summary no longer worth sending (`expired`) does not take the digests it
    carried with it: they are queued on a row of their own (the first one's, which carries
    the other), due now. How many rows were new (none for anything else)."""
    if delivery.kind != OutboxKind.BULLETIN:
        return 0
    due = morning_digests(
        store, date.fromisoformat(delivery.subject), delivery.digests, delivery.thresholds
    )
    if not due:
        return 0
    kind = summary.DIGEST_KIND[due[0].digest]
    return store.outbox.enqueue([(delivery.chat_id, kind, delivery.subject, now)])


def resumed_text(store: Store, chat_id: int, subject: str) -> str | None:
    """The notice that a chat's pause ended (subject: its end), with when the next summary
    comes; None if that pause no longer stands (ended early, replaced, unsubscribed)."""
    subscriber = store.subscribers.get(chat_id)
    if subscriber is None or not pause_over(subscriber, subject):
        return None
    end = datetime.fromisoformat(subject)
    upcoming = next_delivery(
        subscriber,
        end,
        latest=store.reports.latest_date(),
        waiting=store.outbox.waiting_for(chat_id),
    )
    return render.resumed_notice(upcoming, subscriber.timezone)
