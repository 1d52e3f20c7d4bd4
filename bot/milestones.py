"""Milestones: when a category's total passes a round figure, subscribers who asked hear of it;
and when it reaches a figure a chat chose itself (`/milestones tanks 13000`), that chat does.

What is round depends on the size of the figure: a step of one unit of its second digit, and
never less than 10. Tanks at 12,251 next pass 13,000; personnel at 1,456,610 next pass
1,500,000; UAVs at 449,606 pass 450,000; warships at 35 pass 40. Over the last year of the real
history (2025-08-09 to 2026-08-08) the rule gives 194 alerts across all categories, 84 of them
UAVs and 46 vehicles, whose totals grow fastest, but one for tanks and one for warships: a
subscriber hears of the categories they follow (all, if they chose none).

A chat's own milestone (a target) waits until a bulletin's total reaches it, is announced once
to that chat, and is then removed; one the total has already reached is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot import categories, numbers, texts
from bot.errors import UserError
from bot.figures import Bulletin, bulletin_on
from bot.store import OutboxKind, Store, Target

SMALLEST_STEP = 10


@dataclass(frozen=True)
class Milestone:
    """A category's total passing a round figure on a day."""

    category: str
    value: int
    day: date

    @property
    def subject(self) -> str:
        """The outbox subject: 'tanks:13000@2026-08-08' (each crossing alerts once). The
        schema's trigger milestone_target_announced reads it too."""
        return f"{self.category}:{self.value}@{self.day.isoformat()}"

    @classmethod
    def from_subject(cls, subject: str) -> Milestone:
        named, _, day = subject.partition("@")
        category, _, value = named.rpartition(":")
        return cls(category, int(value), date.fromisoformat(day))


def step(total: int) -> int:
    """The round figures of a total this size are multiples of this."""
    return max(SMALLEST_STEP, int(10 ** (len(str(abs(total))) - 2)))


def passed(before: int, after: int) -> int | None:
    """The largest round figure a rise from `before` to `after` passed (or reached), if any."""
    if after <= before:
        return None
    unit = step(after)
    value = after // unit * unit
    return value if value > before else None


def milestones(view: Bulletin) -> list[Milestone]:
    """The round figures the day's totals passed, since the day before."""
    found = []
    for change in view.changes:
        if change.delta is None:
            continue
        value = passed(change.total - change.delta, change.total)
        if value is not None:
            found.append(Milestone(change.category, value, view.report.date))
    return found


# A chat's own milestones ------------------------------------------------------------------------

# Targets a chat may wait for at once: each is a line of /settings and a button under it.
MOST_TARGETS = 10
# The largest figure a target may be: far above any total the bulletin has given.
MOST_TARGET = 99_999_999
# The last word of '/milestones tanks off': remove the category's targets.
OFF_WORDS = frozenset({"off", "remove", "delete", "вимкнути", "прибрати", "видалити"})


class TargetError(UserError):
    """A /milestones CATEGORY FIGURE that cannot be set as asked; the message says what to type."""


@dataclass(frozen=True)
class TargetRequest:
    """What '/milestones WORDS' asks: a target of a category (`value`), or to remove the
    category's targets (`off`: all of them, or only the one of `value`)."""

    category: str
    value: int | None
    off: bool = False


def parse_target(words: Sequence[str]) -> TargetRequest:
    """'/milestones tanks 13000' (the figure may come first: '13000 tanks'), 'air defence
    500', 'tanks off', 'tanks 13000 off'. The figure is read by bot/numbers.py, grouped in
    thousands the ways the bulletin writes them ('13,000', or '13 000' as two words, as
    /correct reads them). TargetError for anything else, saying what to type; UnknownCategories
    for words that name no category."""
    words = list(words)
    off = bool(words) and words[-1].casefold() in OFF_WORDS
    if off:
        words.pop()
    start = next((i for i, word in enumerate(words) if numbers.looks_numeric(word)), None)
    end = start
    if start is not None:
        end = start + 1
        while end < len(words) and numbers.GROUP.fullmatch(words[end]):
            end += 1
        if end == start + 1 < len(words) and _opens_a_group(words[start], words[end]):
            end += 1  # "12 56": one figure badly grouped, refused whole
    named = words[:start] + words[end:] if start is not None else words
    if not named or (start is None and not off):
        raise TargetError(texts.OWN_MILESTONE_USAGE)
    if any(numbers.looks_numeric(word) for word in named):
        raise TargetError(texts.OWN_MILESTONE_ONE_FIGURE)
    keys, unknown = categories.resolve(named)
    if unknown:
        raise categories.UnknownCategories(unknown, "milestones")
    if len(keys) != 1:
        raise TargetError(texts.OWN_MILESTONE_ONE_CATEGORY)
    if start is None:
        return TargetRequest(keys[0], None, off=True)
    figure = " ".join(words[start:end])
    try:
        value = numbers.whole(figure, MOST_TARGET)
    except numbers.NumberError:
        shown = texts.shown(figure)
        raise TargetError(
            texts.OWN_MILESTONE_BAD_FIGURE.format(word=shown, most=texts.number(MOST_TARGET))
        ) from None
    return TargetRequest(keys[0], value, off=off)


def _opens_a_group(first: str, then: str) -> bool:
    """Whether two words look like one figure written in groups ("12 56"), not two ("13000
    14000"): a first group is at most three digits."""
    return first.isascii() and first.isdigit() and len(first) <= 3 and numbers.looks_numeric(then)


def next_round(total: int) -> int:
    """The next round figure above `total` (the rule above): 12,251 tanks -> 13,000."""
    unit = step(total)
    return (total // unit + 1) * unit


def queue_reached_targets(store: Store, view: Bulletin, *, now: datetime) -> list[str]:
    """Queue the alert of every chat's own milestone the bulletin's totals reach, as an
    ordinary milestone of its day (one row per chat and figure: a round figure the chat hears
    of anyway is one message, not two); the subjects queued. The target goes when its alert is
    sent (bot/store/targets.py), so one corrected away before it goes keeps waiting."""
    totals = {change.category: change.total for change in view.changes}
    rows = [
        (chat_id, OutboxKind.MILESTONE, Milestone(t.category, t.value, view.report.date).subject)
        for chat_id, t in store.targets.reached(totals)
    ]
    store.outbox.enqueue((chat_id, kind, subject, now) for chat_id, kind, subject in rows)
    return sorted({subject for _, _, subject in rows})


@dataclass(frozen=True)
class TargetChange:
    """What '/milestones CATEGORY FIGURE|off' did: the target set, with the category's total
    now (`total`), or the targets removed (none: the chat had none of that category)."""

    category: str
    added: Target | None = None
    total: int = 0
    removed: tuple[Target, ...] = ()


def change_target(
    store: Store, chat_id: int, words: Sequence[str], *, now: datetime
) -> TargetChange:
    """Set or remove one of a chat's own milestones, as '/milestones WORDS' asks (parse_target).
    A figure the total has already reached is refused naming the total, as is one of a category
    the latest bulletin lacks, and an eleventh target (MOST_TARGETS)."""
    asked = parse_target(words)
    if asked.off:
        removed = store.targets.remove(chat_id, asked.category, asked.value)
        return TargetChange(asked.category, removed=tuple(removed))
    assert asked.value is not None  # a figure, when not removing
    view = bulletin_on(store)
    if view is None:
        raise TargetError(texts.NO_DATA)
    name = categories.get(asked.category).name(texts.current_language())
    total = next((c.total for c in view.changes if c.category == asked.category), None)
    if total is None:
        raise TargetError(texts.OWN_MILESTONE_NOT_REPORTED.format(name=name))
    if asked.value <= total:
        raise TargetError(
            texts.OWN_MILESTONE_PASSED.format(
                name=name,
                total=texts.number(total),
                date=texts.format_date(view.report.date),
                value=texts.number(asked.value),
                word=categories.get(asked.category).word(texts.current_language()),
                next=next_round(total),
            )
        )
    target = Target(asked.category, asked.value)
    with store.transaction():
        had = store.targets.of_chat(chat_id)
        if target not in had and len(had) >= MOST_TARGETS:
            raise TargetError(texts.OWN_MILESTONES_TOO_MANY.format(count=MOST_TARGETS))
        store.targets.add(chat_id, target, now=now)
    return TargetChange(asked.category, added=target, total=total)
