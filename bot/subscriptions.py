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

from bot import categories, numbers, samples, texts
from bot.clock import Clock
from bot.config import is_place_zone
from bot.digests import periodic
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
from bot.summary import DAILY_KINDS, Digest, due_digests, kinds_for

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
# Broadcasts to those shown a day's figures rather than to every subscriber.
NOTICE_KINDS = frozenset({OutboxKind.CORRECTION, OutboxKind.ERRATA})


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


class PauseError(UserError):
    """A pause that cannot be made as asked: no subscription, or not a number of days from 1
    to MOST_PAUSE_DAYS; the message says what to type instead."""


# The pauses offered as buttons (/pause alone, the Pause button of /settings), in days.
PAUSE_CHOICES = (1, 3, 7, 14, 30)
# The longest pause: past it, /unsubscribe (which keeps every choice for /subscribe) says it.
MOST_PAUSE_DAYS = 90
# "7", "7d", "7 days", "7 днів", "7 діб": a number of days, ASCII digits only.
_PAUSE_DAYS = re.compile(r"([0-9]+)\s*(d|days?|д|день|дн[іяв]|днів|доб[аи]|діб)?")


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
    kept = None if says_fresh(words) else previous
    send_at = kept.send_at if kept else None
    zone = kept.timezone if kept else default_zone
    shape = kept.shape if kept else Shape()
    digests: list[str] = []
    with_chart = False
    category_words: list[str] = []
    thresholds: dict[str, int] = {}
    shaping_words: list[str] = []  # words that shape the summaries (so ask for one)
    daily_words: list[str] = []  # those that shape the daily one only: quiet days, a card
    picked = _Picked()
    for word in words:
        folded = word.casefold()
        if folded in _FRESH_WORDS:
            continue
        if folded in _DIGEST_WORDS:
            digests.append(_DIGEST_WORDS[folded])
        elif folded in _CHART_WORDS:
            with_chart = True
            shaping_words.append(word)
        elif folded in _ASAP_WORDS:
            send_at = picked.one("time", word, None)
        elif folded in _FORMAT_WORDS:
            shape = replace(shape, format=picked.one("format", word, _FORMAT_WORDS[folded]))
            shaping_words.append(word)
            if shape.format == SummaryFormat.CARD:
                daily_words.append(word)
        elif folded in _WEEKEND_WORDS:
            shaping_words.append(word)
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
            shaping_words.append(word)
        else:
            picked.one("categories", word, "named")
            category_words.append(word)
    if category_words:
        shape = replace(shape, categories=tuple(_categories(category_words)))
    if thresholds:
        shape = replace(shape, thresholds=tuple(thresholds.items()))
    resumed = kept is not None and kept.status != SubscriberStatus.ACTIVE
    chosen, with_chart = _digests(digests, with_chart, kept, shaping_words, daily_words)
    return Options(send_at, zone, chosen, with_chart, shape, resumed)


def says_fresh(words: Sequence[str]) -> bool:
    """Whether /subscribe words ask for a fresh start (the defaults, not the choices before)."""
    return any(word.casefold() in _FRESH_WORDS for word in words)


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
    named: Sequence[str],
    chart: bool,
    kept: Subscriber | None,
    shaping_words: Sequence[str],
    daily_words: Sequence[str],
) -> tuple[tuple[str, ...], bool]:
    """The digests and chart a subscription ends up with. Summaries named (daily, weekly,
    monthly) replace those before; none named keeps them (daily for a new one, unless only
    milestones were asked for: a format, quiet days, a threshold or a chart ask for it too).
    Milestones named are added; else kept as they were. Words that shape the summaries
    (`shaping_words`) on a subscription left without any, and words that shape the daily one
    only (`daily_words`: quiet days, a card) on one left without it, are refused, naming the
    first: taken silently, they would shape nothing."""
    summaries = [d for d in named if d != Digest.MILESTONES]
    milestones = Digest.MILESTONES in named or (kept and Digest.MILESTONES in kept.digests)
    if not summaries:
        if kept:
            summaries = [d for d in kept.digests if d != Digest.MILESTONES]
            chart = chart or kept.with_chart
        elif not milestones or shaping_words:
            summaries = [Digest.DAILY]
    chosen = with_milestones(summaries, bool(milestones)) or (Digest.DAILY,)
    if daily_words and Digest.DAILY not in chosen:
        word = daily_words[0]
        if _FORMAT_WORDS.get(word.casefold()) == SummaryFormat.CARD:
            raise _refused(texts.SUBSCRIBE_CARD_NEEDS_DAILY, word=word)
        raise _refused(texts.SUBSCRIBE_NEEDS_DAILY, word=word)
    if shaping_words and chosen == (Digest.MILESTONES,):
        raise _refused(texts.SUBSCRIBE_NEEDS_DAILY, word=shaping_words[0])
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
        if previous and previous.paused_until and previous.status != SubscriberStatus.ACTIVE:
            # Back after /unsubscribe or a block: a pause made before is not brought back.
            self.store.subscribers.set_pause(chat_id, None, now=self.clock.now())
            subscriber = self.store.subscribers.get(chat_id) or subscriber
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
            if alone.paused_until:  # a pause made before it was left is not brought back
                self.store.subscribers.set_pause(chat_id, None, now=now)
                alone = self.store.subscribers.get(chat_id) or alone
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
        elif setting == "digest":
            self.store.subscribers.set_digests(chat_id, toggled(subscriber.digests, value), now=now)
        elif setting == "chart" and value in ("0", "1"):
            self.store.subscribers.set_chart(chat_id, value == "1", now=now)
        elif setting == "zone":
            self.store.subscribers.set_timezone(chat_id, button_zone(value), now=now)
        elif setting not in KEYBOARD_SWITCHES:
            if (
                setting == "format"
                and value == SummaryFormat.CARD
                and Digest.DAILY not in subscriber.digests
            ):
                # A Card button left under an older answer: a card is the daily summary's.
                raise SubscriptionError(texts.SETTINGS_BUTTON_EXPIRED)
            shape = changed(subscriber.shape, setting, value)
            self.store.subscribers.set_shape(chat_id, shape, now=now)
        return self.store.subscribers.get(chat_id) or subscriber

    def pause(self, chat_id: int, days: int) -> Subscriber:
        """Nothing goes to the chat for `days` days, to the minute on its own clock (a pause
        made at 21:00 ends at 21:00 there, summer time or not); then its summaries come back
        by themselves, and a notice says so: an outbox row due at the end, so it is sent once,
        a restart or not. A new pause replaces the one in force. `days` as `pause_days` reads
        them; PauseError for a chat with no subscription."""
        subscriber = self.to_pause(chat_id)
        now = self.clock.now()
        local = now.astimezone(_zone_or_utc(subscriber.timezone))
        until = (local + timedelta(days=days)).astimezone(UTC)
        with self.store.transaction():
            self.store.subscribers.set_pause(chat_id, until, now=now)
            self.store.outbox.enqueue([(chat_id, OutboxKind.RESUMED, until.isoformat(), until)])
        log.info("paused chat=%d days=%d until=%s", chat_id, days, until.isoformat())
        return self.store.subscribers.get(chat_id) or subscriber

    def resume(self, chat_id: int) -> tuple[Subscriber, bool]:
        """End the chat's pause now; the subscription, and whether it was paused. The notice
        queued for the pause's end is then not sent (`pause_over` finds the pause gone)."""
        subscriber = self.to_pause(chat_id)
        if not subscriber.paused_at(self.clock.now()):
            return subscriber, False
        self.store.subscribers.set_pause(chat_id, None, now=self.clock.now())
        log.info("resumed chat=%d (the pause was to end %s)", chat_id, subscriber.paused_until)
        return self.store.subscribers.get(chat_id) or subscriber, True

    def to_pause(self, chat_id: int) -> Subscriber:
        """The chat's subscription, to pause or resume; PauseError if it has none in force."""
        subscriber = self.active(chat_id)
        if subscriber is None:
            raise PauseError(texts.PAUSE_NOTHING)
        return subscriber

    def send_sample(self, subscriber: Subscriber) -> tuple[date | None, int]:
        """Send me today's now: queue the latest bulletin's summary in the chat's shape, due
        at once (bot/samples.py). The bulletin's day (None: there is none yet) and how many
        messages were queued: none when this day and shape were sent before."""
        day = self.store.reports.latest_date()
        if day is None:
            return None, 0
        now = self.clock.now()
        rows = [
            (subscriber.chat_id, OutboxKind.SAMPLE, s, now)
            for s in samples.subjects(subscriber, day)
        ]
        queued = self.store.outbox.enqueue(rows)
        log.info("sample chat=%d day=%s queued=%d", subscriber.chat_id, day, queued)
        return day, queued

    def upcoming(self, subscriber: Subscriber) -> Upcoming | None:
        """When the chat's next summary comes (None: it has only milestone alerts)."""
        return next_delivery(
            subscriber,
            self.clock.now(),
            latest=self.store.reports.latest_date(),
            waiting=self.store.outbox.waiting_for(subscriber.chat_id),
            home_zone=self.zone,
        )

    def unsubscribe(self, chat_id: int) -> Subscriber | None:
        """End the chat's subscription; the one that ended (None: it had none in force)."""
        subscriber = self.active(chat_id)
        if subscriber is not None:
            self.store.subscribers.set_status(
                chat_id, SubscriberStatus.UNSUBSCRIBED, now=self.clock.now()
            )
            log.info("unsubscribed chat=%d", chat_id)
        return subscriber


# Settings buttons that only show another keyboard (bot/telegram/settings.py): they change nothing.
KEYBOARD_SWITCHES = frozenset({"categories", "times", "zones", "thresholds", "pauses", "done"})


def pause_days(words: Sequence[str]) -> int:
    """The days `/pause 7` asks for ('7', '7d', '7 days', '7 днів'); PauseError quoting the
    words if they are not a number of days from 1 to MOST_PAUSE_DAYS."""
    typed = " ".join(words).strip()
    match = _PAUSE_DAYS.fullmatch(typed.casefold())
    if match is None:
        raise PauseError(texts.PAUSE_BAD.format(word=texts.shown(typed), most=MOST_PAUSE_DAYS))
    digits = match[1].lstrip("0") or "0"
    if len(digits) > len(str(MOST_PAUSE_DAYS)) or not 1 <= int(digits) <= MOST_PAUSE_DAYS:
        raise PauseError(texts.PAUSE_RANGE.format(days=texts.shown(digits), most=MOST_PAUSE_DAYS))
    return int(digits)


def toggled(digests: Sequence[str], value: str) -> tuple[str, ...]:
    """The digests with one summary turned on or off, as a settings button says it
    ('weekly:1', 'daily:0'). SubscriptionError when that would leave none (Unsubscribe is the
    button for that), or for a button from another version."""
    name, _, wanted = value.partition(":")
    if name not in (Digest.DAILY, Digest.WEEKLY, Digest.MONTHLY) or wanted not in ("0", "1"):
        raise SubscriptionError(texts.SETTINGS_BUTTON_EXPIRED)
    chosen = (set(digests) | {name}) if wanted == "1" else set(digests) - {name}
    if not chosen:
        raise SubscriptionError(texts.SETTINGS_KEEP_ONE)
    return tuple(d for d in Digest if d in chosen)


def button_zone(value: str) -> str:
    """The zone a settings button sets (an IANA name); SubscriptionError for one no place
    keeps (a forged or outdated button)."""
    found = find_zone(value)
    if found is None:
        raise SubscriptionError(texts.SETTINGS_BUTTON_EXPIRED)
    return found


def changed(shape: Shape, setting: str, value: str) -> Shape:
    """A shape with one choice changed, as the settings buttons change them: 'format' to a
    format, 'weekends' on ('1') or off, 'category' ticked or unticked (empty: all of them),
    'threshold' removed (one already gone: as it is, a second tap of its button).
    SubscriptionError for anything else (a button from an older version)."""
    if setting == "threshold" and value in categories.BY_KEY:
        return replace(shape, thresholds=tuple(t for t in shape.thresholds if t[0] != value))
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


def notice(
    store: Store, kind: str, subject: str, *, due: datetime, categories: Sequence[str]
) -> tuple[int, bool]:
    """Start a correction or errata notice to everyone shown `categories`' figures of its
    day, queued as a broadcast is: the first CHUNK chats now, the rest by delivery as it
    sends. (Notices queued now, whether more are to come: whom the rest concern is found as
    each chunk is queued.)"""
    started = store.broadcasts.start(
        kind, subject, home_zone=HOME_ZONE, now=due, categories=categories
    )
    queued, after = _queue_chunk(store, started)
    return queued, after is not None


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
    queued, None when that was the last chunk). The broadcast is read again once the write
    lock is held: another connection may have started it again meanwhile (a second correction
    in one notice's batch, with one more category), and a chunk queued as it was read would
    write its old progress over the new start."""
    with store.transaction():
        current = store.broadcasts.get(unfinished.id)
        if current is None:  # finished meanwhile
            return 0, None
        if current.kind in NOTICE_KINDS:
            return _queue_notices(store, current)
        until, examples = store.broadcasts.next_chunk(current, CHUNK)
        thresholds = any(e.shape.thresholds for e in examples)
        changes = _changes(store, current) if thresholds else {}
        rises = _rises(store, current) if thresholds else {}
        plan = [
            (e, kind, due) for e in examples for kind, due in _messages(current, e, changes, rises)
        ]
        queued = store.broadcasts.queue_chunk(current, until, plan)
        store.broadcasts.advance(current, until)
    return queued, until


def _queue_notices(store: Store, unfinished: Broadcast) -> tuple[int, int | None]:
    """Queue a correction or errata notice for those of the next CHUNK chats, from the highest
    id down (`Broadcasts.next_chats`), that were shown a changed figure, all due at the
    broadcast's time. The first chunk reaches up to the highest id of all and the last down to
    the lowest: a chat shown the figure and since forgotten is told too. (In the caller's
    transaction.)"""
    until = store.broadcasts.next_chats(unfinished, CHUNK)
    chats = store.outbox.recipients_of_day(
        date.fromisoformat(unfinished.subject[:10]),  # 'DATE@START' or 'DATE#ID'
        unfinished.categories,
        after=None if until is None else until - 1,
        until=None if unfinished.after is None else unfinished.after - 1,
    )
    queued = store.outbox.enqueue(
        (chat, unfinished.kind, unfinished.subject, unfinished.created_at) for chat in chats
    )
    store.broadcasts.advance(unfinished, until)
    return queued, until


def _messages(
    unfinished: Broadcast,
    subscriber: Subscriber,
    changes: Mapping[str, int],
    rises: Mapping[str, Mapping[str, int]],
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
    return [(kind, due) for kind in kinds_for(subscriber, day, changes, rises)]


def _changes(store: Store, unfinished: Broadcast) -> dict[str, int]:
    """The changes of a broadcast bulletin's day, by category (none for anything else)."""
    if unfinished.kind != OutboxKind.BULLETIN:
        return {}
    view = bulletin_on(store, date.fromisoformat(unfinished.subject))
    return {c.category: c.delta for c in view.changes if c.delta is not None} if view else {}


def _rises(store: Store, unfinished: Broadcast) -> dict[str, dict[str, int]]:
    """The rises by category of each digest a broadcast bulletin brings (its weekly on a
    Monday, its monthly on the 1st), for thresholds; none for anything else."""
    if unfinished.kind != OutboxKind.BULLETIN:
        return {}
    day = date.fromisoformat(unfinished.subject)
    found = {}
    for digest in due_digests(tuple(Digest), day):
        data = periodic(store, digest, day)
        found[digest] = data.rises() if data else {}
    return found


# What a pause lets through: a sample the chat asked for then, the notice that the pause is
# over, and alerts to the bot's admins. Everything else waits out no pause: a summary, digest,
# notice or announcement due while the chat is paused is skipped, not sent late...
PAUSE_LETS_THROUGH = frozenset({OutboxKind.SAMPLE, OutboxKind.RESUMED, OutboxKind.ALERT})
# ...but a milestone (round or the chat's own) is an event, not the day's news: it waits for
# the pause's end rather than being lost (an own milestone is announced once, then removed).
PAUSE_DEFERS = frozenset({OutboxKind.MILESTONE})


def held_by_pause(kind: str, paused_until: datetime | None, now: datetime) -> bool:
    """Whether a message of `kind`, due now, is not to go because its chat is paused."""
    paused = paused_until is not None and now < paused_until
    return paused and kind not in PAUSE_LETS_THROUGH


def pause_over(subscriber: Subscriber | None, subject: str) -> bool:
    """Whether the notice of a pause's end (subject: the end's ISO time) is still true: the
    chat is subscribed and that pause is the one it made. A pause ended early by /resume, or
    replaced by another, or a chat that unsubscribed meanwhile, gets no notice of it."""
    return (
        subscriber is not None
        and subscriber.status == SubscriberStatus.ACTIVE
        and subscriber.paused_until is not None
        and subscriber.paused_until == datetime.fromisoformat(subject)
    )


@dataclass(frozen=True)
class Upcoming:
    """A chat's next summary: of the bulletin of `day`, at `at` (UTC), or (None) as soon as
    that bulletin is out."""

    day: date
    at: datetime | None


# How far ahead the next summary is looked for: a monthly digest alone is a month away at most.
LOOK_AHEAD_DAYS = 62


def next_delivery(
    subscriber: Subscriber,
    now: datetime,
    *,
    latest: date | None,
    waiting: Sequence[tuple[str, str, datetime]],
    home_zone: str = HOME_ZONE,
) -> Upcoming | None:
    """When the chat's next summary (daily, weekly or monthly) comes, after its pause if it is
    paused; None for a chat with milestone alerts alone, which come when they come.

    One already queued (`waiting`: the chat's outbox rows not yet sent) is the answer.
    Otherwise the first day from today whose bulletin is not out yet (`latest` is the newest
    out) that brings the chat something, at the chat's time that day (`due_at`), or as soon as
    it is out for a chat that chose that, or whose time has passed while it is late. A
    threshold's days cannot be told ahead: the next is the next day the rest allows."""
    start = max(now, subscriber.paused_until or now)
    queued = sorted(
        (due, subject) for kind, subject, due in waiting if kind in DAILY_KINDS and due >= start
    )
    if queued:
        due, subject = queued[0]
        return Upcoming(date.fromisoformat(subject), due)
    home = _zone_or_utc(home_zone)
    first = start.astimezone(home).date()
    if latest is not None and latest >= first:
        first = latest + timedelta(days=1)
    every_day = replace(subscriber, shape=replace(subscriber.shape, thresholds=()))
    for offset in range(LOOK_AHEAD_DAYS):
        day = first + timedelta(days=offset)
        if not kinds_for(every_day, day):
            continue
        if subscriber.send_at is None:
            return Upcoming(day, None)
        due = due_at(subscriber, datetime.combine(day, time(), tzinfo=home), home_zone)
        if due >= start:
            return Upcoming(day, due)
        if start == now:  # the bulletin is late, their time passed: it goes when it comes
            return Upcoming(day, None)
    return None


def local_zone(name: str) -> ZoneInfo:
    """A chat's zone by its stored name, for showing it a time (UTC for a name the tz database
    no longer has: a time is shown rather than none)."""
    return _zone_or_utc(name)


def dropped_thresholds(before: Subscriber | None, after: Subscriber) -> tuple[tuple[str, int], ...]:
    """The thresholds a /subscribe took away ('all', 'fresh', or thresholds of other
    categories in their place), to be said: a reader who set one must not lose it silently."""
    if before is None:
        return ()
    kept = dict(after.shape.thresholds)
    return tuple((key, value) for key, value in before.shape.thresholds if key not in kept)
