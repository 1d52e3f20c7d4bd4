"""Round figures: when a category's total passes one, subscribers who asked hear of it.

What is round depends on the size of the figure: a step of one unit of its second digit, and
never less than 10. Tanks at 12,251 next pass 13,000; personnel at 1,456,610 next pass
1,500,000; UAVs at 449,606 pass 450,000; warships at 35 pass 40. Over the last year of the real
history (2025-08-09 to 2026-08-08) the rule gives 194 alerts across all categories, 84 of them
UAVs and 46 vehicles, whose totals grow fastest, but one for tanks and one for warships: a
subscriber hears of the categories they follow (all, if they chose none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.figures import Bulletin

SMALLEST_STEP = 10


@dataclass(frozen=True)
class Milestone:
    """A category's total passing a round figure on a day."""

    category: str
    value: int
    day: date

    @property
    def subject(self) -> str:
        """The outbox subject: 'tanks:13000@2026-08-08' (each crossing alerts once)."""
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
