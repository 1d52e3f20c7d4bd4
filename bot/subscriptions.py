"""Daily summaries: who gets which bulletin when. No Telegram here.

A subscriber chooses a local time (or "as soon as it is out") and a time zone. When a fresh
bulletin is accepted, each active subscriber gets one outbox row, due at their time that day, or
at once if their time has already passed (a late bulletin is sent late, not a day late). The
outbox's UNIQUE constraint keeps it to one message per subscriber and bulletin.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot import categories, numbers, texts
from bot.clock import Clock
from bot.config import is_place_zone
from bot.errors import UserError
from bot.figures import bulletin_on
from bot.milestones import Milestone, TargetChange, change_target
from bot.store import (
    Broadcast,
    OutboxKind,
    Shape,
    Store,
    Subscriber,
    SubscriberStatus,
    SummaryFormat,
    Target,
)
from bot.summary import Digest, kinds_for

log = logging.getLogger(__name__)

_DIGEST_WORDS = {
    "daily": Digest.DAILY,
    "щодня": Digest.DAILY,
    "щоденно": Digest.DAILY,
    "weekly": Digest.WEEKLY,
    "щотижня": Digest.WEEKLY,
    "щотижнево": Digest.WEEKLY,
    "monthly": Digest.MONTHLY,
    "щомісяця": Digest.MONTHLY,
    "щомісячно": Digest.MONTHLY,
    "milestones": Digest.MILESTONES,
    "рубежі": Digest.MILESTONES,
}
_CHART_WORDS = {"chart", "графік"}
_ASAP_WORDS = {"asap", "now", "щойно", "одразу", "відразу"}
_FORMAT_WORDS = {
    "full": SummaryFormat.FULL,
    "повний": SummaryFormat.FULL,
    "повністю": SummaryFormat.FULL,
    "short": SummaryFormat.SHORT,
    "коротко": SummaryFormat.SHORT,
    "короткий": SummaryFormat.SHORT,
    "card": SummaryFormat.CARD,
    "картка": SummaryFormat.CARD,
    "карткою": SummaryFormat.CARD,
}
# A fresh start: what the chat chose before is dropped, not brought back.
_FRESH_WORDS = {"fresh", "наново", "заново"}
# Weekdays only, or every day again.
_WEEKEND_WORDS = {"weekdays": True, "будні": True, "weekends": False, "вихідні": False}
_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])")
# What people write for a time that _TIME does not read: 25:00, 8:5, 0800, 8, 8am, 8:30pm.
_TIME_LIKE = re.compile(r"\d{1,2}([:.]\d{1,2})?(am|pm)?|\d{3,4}")
# "tanks>10": only on days when tanks changed by more than 10 (at most this).
MOST_THRESHOLD = 9_999_999
_THRESHOLD = re.compile(r"([^<>]+)>([^<>]*)")
# Where the bulletin is published: its day is this zone's (the default of [schedule] timezone).
HOME_ZONE = "Europe/Kyiv"
# A bulletin older than this (days before today) is history, not news: it is never broadcast.
FRESH_DAYS = 1
# Subscribers queued in one step of a broadcast: one transaction of a few tens of milliseconds.
CHUNK = 1_000


# Cities as Ukrainian readers write them, where most of them live or have family.
UKRAINIAN_CITY_NAMES = {
    "київ": "Europe/Kyiv",
    "львів": "Europe/Kyiv",
    "харків": "Europe/Kyiv",
    "одеса": "Europe/Kyiv",
    "дніпро": "Europe/Kyiv",
    "лондон": "Europe/London",
    "варшава": "Europe/Warsaw",
    "берлін": "Europe/Berlin",
    "париж": "Europe/Paris",
    "прага": "Europe/Prague",
    "рим": "Europe/Rome",
    "мадрид": "Europe/Madrid",
    "лісабон": "Europe/Lisbon",
    "дублін": "Europe/Dublin",
    "відень": "Europe/Vienna",
    "нью-йорк": "America/New_York",
    "торонто": "America/Toronto",
    "чикаго": "America/Chicago",
    "лос-анджелес": "America/Los_Angeles",
    "токіо": "Asia/Tokyo",
    "сідней": "Australia/Sydney",
}


def zone_name(zone: str, language: str) -> str:
    """A time zone as shown to a reader: 'Europe/Kyiv', or in Ukrainian its city ('Київ',
    'Нью-Йорк') when it has one."""
    if language == "uk":
        for city, name in UKRAINIAN_CITY_NAMES.items():  # the first city named is the capital
            if name == zone:
                return city.title()
    return zone


class SubscriptionError(UserError):
    """Arguments that name no time or zone; the message says what to type instead."""


def _refused(message: str, **words: str) -> SubscriptionError:
    """The refusal of /subscribe words: the message, with the words it quotes cut to a
    readable length, and an example of what to type."""
    quoted = {name: texts.shown(word) for name, word in words.items()}
    return SubscriptionError(f"{message.format(**quoted)} {texts.SUBSCRIBE_EXAMPLE}")


@dataclass(frozen=True)
class Options:
    send_at: str | None  # "HH:MM", or None: as soon as the bulletin is out
    zone: str
    digests: tuple[str, ...] = (Digest.DAILY,)
    with_chart: bool = False
    shape: Shape = field(default_factory=Shape)
    # A chat that had unsubscribed or blocked the bot, back with the choices it made before.
    resumed: bool = False


def parse_options(
    words: Sequence[str], default_zone: str, previous: Subscriber | None = None
) -> Options:
    """'/subscribe 08:30 Europe/London weekly chart tanks artillery short weekdays tanks>10':
    any of them may be left out, and what is left out stays as the chat chose it before, even
    if it unsubscribed or blocked the bot since: a returning reader gets their subscription
    back as it was ('asap' goes back to "as soon as the bulletin is out", 'all' to every
    category, 'fresh' to the defaults for everything). Digests named replace those before (the
    chart too: it comes only when asked with them)."""
    fresh = any(word.casefold() in _FRESH_WORDS for word in words)
    kept = None if fresh else previous
    send_at = kept.send_at if kept else None
    zone = kept.timezone if kept else default_zone
    shape = kept.shape if kept else Shape()
    digests: list[str] = []
    with_chart = False
    category_words: list[str] = []
    thresholds: dict[str, int] = {}
    daily_words: list[str] = []  # words that shape only the daily summary
    picked = _Picked()
    for word in words:
        folded = word.casefold()
        if folded in _FRESH_WORDS:
            continue
        if folded in _DIGEST_WORDS:
            digests.append(_DIGEST_WORDS[folded])
        elif folded in _CHART_WORDS:
            with_chart = True
            daily_words.append(word)
        elif folded in _ASAP_WORDS:
            send_at = picked.one("time", word, None)
        elif folded in _FORMAT_WORDS:
            shape = replace(shape, format=picked.one("format", word, _FORMAT_WORDS[folded]))
            daily_words.append(word)
        elif folded in _WEEKEND_WORDS:
            daily_words.append(word)
            skip = picked.one("weekends", word, _WEEKEND_WORDS[folded])
            shape = replace(shape, skip_weekends=skip)
        elif folded in categories.ALL_WORDS:
            picked.one("categories", word, "all")
            shape = replace(shape, categories=(), thresholds=())
        elif match := _TIME.fullmatch(word):
            send_at = picked.one("time", word, f"{int(match[1]):02d}:{match[2]}")
        elif found := find_zone(word):
            zone = picked.one("zone", word, found)
        elif is_refused_zone(word):
            raise _refused(texts.SUBSCRIBE_BAD_ZONE, word=word)
        elif _TIME_LIKE.fullmatch(folded):
            raise _refused(texts.SUBSCRIBE_BAD_TIME, word=word)
        elif match := _THRESHOLD.fullmatch(word):
            try:
                limit = numbers.whole(match[2], MOST_THRESHOLD)
            except numbers.NumberError:
                raise _refused(texts.SUBSCRIBE_BAD_THRESHOLD, word=word) from None
            category = _one_category(match[1])
            thresholds[category] = picked.one(f"threshold {category}", word, limit)
            daily_words.append(word)
        else:
            picked.one("categories", word, "named")
            category_words.append(word)
    if category_words:
        shape = replace(shape, categories=tuple(_categories(category_words)))
    if thresholds:
        shape = replace(shape, thresholds=tuple(thresholds.items()))
    resumed = kept is not None and kept.status != SubscriberStatus.ACTIVE
    return Options(send_at, zone, *_digests(digests, with_chart, kept, daily_words), shape, resumed)


_T = TypeVar("_T")


class _Picked:
    """What each word of one /subscribe chose, so that two words choosing one thing two ways
    ('short full', '08:00 09:00', 'all tanks') are refused rather than the last one winning."""

    def __init__(self) -> None:
        self._by_choice: dict[str, tuple[str, object]] = {}

    def one(self, choice: str, word: str, value: _T) -> _T:
        """`value`, the `choice` that `word` makes; SubscriptionError naming both words if an
        earlier word made it otherwise."""
        earlier, was = self._by_choice.setdefault(choice, (word, value))
        if was != value:
            raise _refused(texts.SUBSCRIBE_CONFLICT, first=earlier, second=word)
        return value


def _digests(
    named: Sequence[str], chart: bool, kept: Subscriber | None, daily_words: Sequence[str]
) -> tuple[tuple[str, ...], bool]:
    """The digests and chart a subscription ends up with. Summaries named (daily, weekly,
    monthly) replace those before; none named keeps them (daily for a new one, unless only
    milestones were asked for: a format, quiet days, a threshold or a chart ask for it too).
    Milestones named are added; else kept as they were. Words that shape the daily summary
    (`daily_words`) on a subscription left without one are refused, naming the first: taken
    silently, they would shape nothing."""
    summaries = [d for d in named if d != Digest.MILESTONES]
    milestones = Digest.MILESTONES in named or (kept and Digest.MILESTONES in kept.digests)
    if not summaries:
        if kept:
            summaries = [d for d in kept.digests if d != Digest.MILESTONES]
            chart = chart or kept.with_chart
        elif not milestones or daily_words:
            summaries = [Digest.DAILY]
    chosen = with_milestones(summaries, bool(milestones)) or (Digest.DAILY,)
    if daily_words and Digest.DAILY not in chosen:
        raise _refused(texts.SUBSCRIBE_NEEDS_DAILY, word=daily_words[0])
    return chosen, chart


def _categories(words: Sequence[str]) -> list[str]:
    """The categories the words name; SubscriptionError naming the first word that names
    nothing else either, with the categories it is closest to."""
    keys, unknown = categories.resolve(words)
    if unknown:
        first = unknown[0]
        message = texts.SUBSCRIBE_BAD_WORD
        if first.suggestions:
            names = ", ".join(
                categories.get(k).word(texts.current_language()) for k in first.suggestions
            )
            message += " " + texts.DID_YOU_MEAN.format(suggestions=names).strip()
        raise _refused(message, word=first.word)
    return keys


def _one_category(word: str) -> str:
    return _categories([word])[0]


class Milestones(StrEnum):
    """What toggling milestone alerts did."""

    ON = "on"
    OFF = "off"
    OFF_NOTHING_LEFT = "off, and the chat had nothing else"  # so it is unsubscribed


@dataclass(frozen=True)
class Subscriptions:
    """Every change a chat makes to its subscription, whether by a command, a settings button
    or the command line: one call each, so each change is made, and logged, one way."""

    store: Store
    clock: Clock
    zone: str  # [schedule] timezone: a new subscription's, unless it names another

    def active(self, chat_id: int) -> Subscriber | None:
        """The chat's subscription, if it has one in force."""
        subscriber = self.store.subscribers.get(chat_id)
        return subscriber if subscriber and subscriber.status == SubscriberStatus.ACTIVE else None

    def subscribe(
        self,
        chat_id: int,
        chat_type: str,
        words: Sequence[str],
        *,
        topic: int | None = None,
        topic_name: str | None = None,
    ) -> tuple[Subscriber, bool]:
        """/subscribe WORDS: start, change or resume the subscription (what is not said again
        stays as it was, even after /unsubscribe or a block); `topic` is the forum topic it was
        asked in, `topic_name` its name if Telegram said it (else the name known before for the
        same topic is kept). The subscription, and whether it was one the chat had left and got
        back as it was. SubscriptionError for words it cannot read."""
        previous = self.store.subscribers.get(chat_id)
        options = parse_options(words, self.zone, previous)
        if topic_name is None and previous and previous.shape.thread_id == topic:
            topic_name = previous.shape.topic_name
        subscriber = self.store.subscribers.subscribe(
            chat_id,
            chat_type,
            send_at=options.send_at,
            timezone=options.zone,
            now=self.clock.now(),
            digests=options.digests,
            with_chart=options.with_chart,
            shape=replace(
                options.shape, thread_id=topic, topic_name=topic_name if topic is not None else None
            ),
        )
        log.info("subscribed chat=%d options=%s", chat_id, options)
        return subscriber, options.resumed

    def toggle_milestones(self, chat_id: int, chat_type: str) -> tuple[Milestones, Subscriber]:
        """Milestone alerts on, added to the chat's summaries (or a subscription of their own),
        or off again (which ends a subscription that had nothing else). A chat that had
        unsubscribed or blocked the bot keeps what it chose before (time, zone, categories,
        format, quiet days, thresholds, topic, chart): the alerts follow its categories and
        topic, and `/subscribe daily` brings its summary back as it was."""
        now = self.clock.now()
        subscriber = self.active(chat_id)
        if subscriber is None:
            before = self.store.subscribers.get(chat_id)
            alone = self.store.subscribers.subscribe(
                chat_id,
                chat_type,
                send_at=before.send_at if before else None,
                timezone=before.timezone if before else self.zone,
                now=now,
                digests=(Digest.MILESTONES,),
                with_chart=before.with_chart if before else False,
                shape=before.shape if before else Shape(),
            )
            return Milestones.ON, alone
        wanted = Digest.MILESTONES not in subscriber.digests
        digests = with_milestones(subscriber.digests, wanted)
        if not digests:
            self.store.subscribers.set_status(chat_id, SubscriberStatus.UNSUBSCRIBED, now=now)
            log.info("unsubscribed chat=%d (milestones were all it had)", chat_id)
            return Milestones.OFF_NOTHING_LEFT, subscriber
        self.store.subscribers.set_digests(chat_id, digests, now=now)
        changed = self.store.subscribers.get(chat_id) or subscriber
        return (Milestones.ON if wanted else Milestones.OFF), changed

    def targets(self, chat_id: int) -> list[Target]:
        """The chat's own milestones, in the bulletin's order of categories, smallest first."""
        return sorted(
            self.store.targets.of_chat(chat_id),
            key=lambda t: (categories.ORDER.get(t.category, len(categories.ORDER)), t),
        )

    def change_target(self, chat_id: int, words: Sequence[str]) -> TargetChange:
        """/milestones CATEGORY FIGURE|off: one of the chat's own milestones set or removed
        (bot/milestones.py change_target; a subscription is not needed)."""
        changed = change_target(self.store, chat_id, words, now=self.clock.now())
        log.info("own milestone chat=%d %s", chat_id, changed)
        return changed

    def remove_target(self, chat_id: int, target: Target) -> bool:
        """One of the chat's own milestones removed by its button; False if it was gone."""
        removed = self.store.targets.remove(chat_id, target.category, target.value)
        log.info("own milestone removed chat=%d %s", chat_id, removed)
        return bool(removed)

    def change(self, subscriber: Subscriber, setting: str, value: str) -> Subscriber:
        """A settings button's one change (none for a button that only switches keyboards);
        SubscriptionError for a button no version of the keyboard has."""
        chat_id, now = subscriber.chat_id, self.clock.now()
        if setting == "milestones":
            digests = with_milestones(subscriber.digests, value == "1")
            if digests:  # never none: Unsubscribe is the button for that
                self.store.subscribers.set_digests(chat_id, digests, now=now)
        elif setting == "time":
            self.store.subscribers.set_send_at(chat_id, send_time(value), now=now)
        elif setting not in ("categories", "times", "done"):
            shape = changed(subscriber.shape, setting, value)
            self.store.subscribers.set_shape(chat_id, shape, now=now)
        return self.store.subscribers.get(chat_id) or subscriber

    def unsubscribe(self, chat_id: int) -> Subscriber | None:
        """End the chat's subscription; the one that ended (None: it had none in force)."""
        subscriber = self.active(chat_id)
        if subscriber is not None:
            self.store.subscribers.set_status(
                chat_id, SubscriberStatus.UNSUBSCRIBED, now=self.clock.now()
            )
            log.info("unsubscribed chat=%d", chat_id)
        return subscriber


def changed(shape: Shape, setting: str, value: str) -> Shape:
    """A shape with one choice changed, as the settings buttons change them: 'format' to a
    format, 'weekends' on ('1') or off, 'category' ticked or unticked (empty: all of them).
    SubscriptionError for anything else (a button from an older version)."""
    if setting == "format" and value in set(SummaryFormat):
        return replace(shape, format=value)
    if setting == "weekends" and value in ("0", "1"):
        return replace(shape, skip_weekends=value == "0")
    if setting == "category" and (not value or value in categories.BY_KEY):
        chosen = [] if not value else list(shape.categories)
        if value in chosen:
            chosen.remove(value)
        elif value:
            chosen.append(value)
        return replace(shape, categories=tuple(categories.sort_keys(chosen)))
    raise SubscriptionError(texts.SETTINGS_BUTTON_EXPIRED)


def send_time(value: str) -> str | None:
    """The time a settings button sets: 'HH:MM', or '' for as soon as the bulletin is out
    (None); SubscriptionError for anything else (a forged or outdated button)."""
    if not value:
        return None
    if match := _TIME.fullmatch(value):
        return f"{int(match[1]):02d}:{match[2]}"
    raise SubscriptionError(texts.SETTINGS_BUTTON_EXPIRED)


def with_milestones(digests: Sequence[str], wanted: bool) -> tuple[str, ...]:
    """The digests with milestone alerts added or taken away, in Digest order."""
    chosen = (set(digests) | {Digest.MILESTONES}) if wanted else set(digests) - {Digest.MILESTONES}
    return tuple(d for d in Digest if d in chosen)


def find_zone(word: str) -> str | None:
    """An IANA zone of a place from its full name or its city, in any case: 'london' ->
    'Europe/London'. Only zones places keep (config.is_place_zone): 'localtime' or 'Factory'
    name none."""
    key = word.strip().casefold().replace(" ", "_")
    zones = _zones()
    return zones.get(key) or _cities().get(key) or UKRAINIAN_CITY_NAMES.get(key)


def is_refused_zone(word: str) -> bool:
    """Whether `word` is one of the tz database's names that are not a place's zone
    ('localtime', 'Factory', 'EST', 'Etc/GMT+3'): refused as a zone, not taken for a category."""
    return word.strip().casefold() in _refused_zones()


@cache
def _refused_zones() -> frozenset[str]:
    names = {name.casefold() for name in available_timezones()}
    return frozenset(names - set(_zones()))


@cache
def _zones() -> dict[str, str]:
    names = {name.casefold(): name for name in available_timezones() if is_place_zone(name)}
    # Kyiv's zone was long spelt Kiev; accept both whatever the tz database has.
    for spelling in ("europe/kyiv", "europe/kiev"):
        if spelling in names:
            names.setdefault("europe/kyiv", names[spelling])
            names.setdefault("europe/kiev", names[spelling])
    return names


@cache
def _cities() -> dict[str, str]:
    cities: dict[str, str] = {}
    for folded, name in sorted(_zones().items()):
        if "/" in folded and not folded.startswith("etc/"):
            cities.setdefault(folded.rsplit("/", 1)[1], name)
    cities.setdefault("kyiv", _zones().get("europe/kyiv", "Europe/Kyiv"))
    return cities


def due_at(subscriber: Subscriber, accepted_at: datetime, home_zone: str = HOME_ZONE) -> datetime:
    """When a bulletin accepted at `accepted_at` goes to this subscriber (UTC).

    At their chosen local time, the first time it comes round while it is still the day the
    bulletin came out where it is published (`home_zone`, Kyiv); at once if no such moment is
    left. A reader far east or west of Kyiv thus gets it the same Kyiv day, never 23 hours late
    together with the next one.
    """
    if subscriber.send_at is None:
        return accepted_at.astimezone(UTC)
    zone = _zone_or_utc(subscriber.timezone)
    home = _zone_or_utc(home_zone)
    published = accepted_at.astimezone(home).date()
    hour, minute = map(int, subscriber.send_at.split(":"))
    for offset in (-1, 0, 1):
        local_day = published + timedelta(days=offset)
        wanted = datetime.combine(local_day, time(hour, minute), tzinfo=zone)
        if wanted >= accepted_at and wanted.astimezone(home).date() == published:
            return wanted.astimezone(UTC)
    return accepted_at.astimezone(UTC)


def _zone_or_utc(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_fresh(day: date, today: date) -> bool:
    """Whether a bulletin is news today (and may be broadcast), rather than history."""
    return day >= today - timedelta(days=FRESH_DAYS)


def enqueue_bulletin(store: Store, day: date, *, now: datetime, home_zone: str = HOME_ZONE) -> int:
    """Queue what the bulletin of `day` brings every active subscriber, all of it now (the
    command line, tests); how many rows were new."""
    store.broadcasts.start(OutboxKind.BULLETIN, day.isoformat(), home_zone=home_zone, now=now)
    return queue_broadcasts(store)


def broadcast(
    store: Store, kind: str, subject: str, *, now: datetime, home_zone: str = HOME_ZONE
) -> int:
    """Start a broadcast (a bulletin, subject its date; an announcement, its id) and queue it
    for the first CHUNK subscribers now: all of them, for most bots. Delivery queues the rest
    as it sends (`queue_broadcasts`), so a million subscribers never hold up the bot. How many
    messages it queued, plus one for each subscriber still to queue."""
    started = store.broadcasts.start(kind, subject, home_zone=home_zone, now=now)
    queued, after = _queue_chunk(store, started)
    return queued + (store.broadcasts.active_after(after) if after is not None else 0)


def queue_broadcasts(store: Store, chunks: int | None = None) -> int:
    """Queue unfinished broadcasts, at most `chunks` chunks of CHUNK subscribers (None: to the
    end), each chunk its own short transaction; how many rows were new."""
    queued = done = 0
    for unfinished in store.broadcasts.unfinished():
        while chunks is None or done < chunks:
            rows, after = _queue_chunk(store, unfinished)
            queued, done = queued + rows, done + 1
            if after is None:
                break
            unfinished = replace(unfinished, after=after)
    return queued


def _queue_chunk(store: Store, unfinished: Broadcast) -> tuple[int, int | None]:
    """Queue a broadcast for its next CHUNK subscribers: (rows queued, the last chat id
    queued, None when that was the last chunk)."""
    with store.transaction():
        until, examples = store.broadcasts.next_chunk(unfinished, CHUNK)
        changes = _changes(store, unfinished) if any(e.shape.thresholds for e in examples) else {}
        plan = [(e, kind, due) for e in examples for kind, due in _messages(unfinished, e, changes)]
        queued = store.broadcasts.queue_chunk(unfinished, until, plan)
        store.broadcasts.advance(unfinished, until)
    return queued, until


def _messages(
    unfinished: Broadcast, subscriber: Subscriber, changes: Mapping[str, int]
) -> list[tuple[str, datetime]]:
    """What a broadcast brings a subscriber with these options, and when."""
    if unfinished.kind == OutboxKind.ANNOUNCEMENT:
        return [(OutboxKind.ANNOUNCEMENT, unfinished.created_at)]
    if unfinished.kind == OutboxKind.MILESTONE:
        followed = subscriber.shape.categories
        category = Milestone.from_subject(unfinished.subject).category
        wanted = Digest.MILESTONES in subscriber.digests and (not followed or category in followed)
        return [(OutboxKind.MILESTONE, unfinished.created_at)] if wanted else []
    due = due_at(subscriber, unfinished.created_at, unfinished.home_zone)
    day = date.fromisoformat(unfinished.subject)
    return [(kind, due) for kind in kinds_for(subscriber, day, changes)]


def _changes(store: Store, unfinished: Broadcast) -> dict[str, int]:
    """The changes of a broadcast bulletin's day, by category (none for anything else)."""
    if unfinished.kind != OutboxKind.BULLETIN:
        return {}
    view = bulletin_on(store, date.fromisoformat(unfinished.subject))
    return {c.category: c.delta for c in view.changes if c.delta is not None} if view else {}
