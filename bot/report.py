"""A Report: one day's bulletin as a source gave it, before anything judged it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.dates import day_of_war

# No category comes near this (personnel passed 1.4 million in 2026); larger is garbage.
MAX_FIGURE = 100_000_000


@dataclass(frozen=True)
class Report:
    """One day's cumulative totals from one source, with the payload exactly as received.

    `increases` are the source's own day-over-day changes. They are kept only to cross-check
    ours: changes shown to people are always computed from stored totals.
    """

    date: date
    source: str
    totals: Mapping[str, int]
    raw: str
    day: int | None = None
    link: str | None = None
    increases: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse figures no bulletin could hold, whichever source produced them."""
        if not self.totals:
            raise ValueError("no figures")
        for name, figures in (("total", self.totals), ("change", self.increases)):
            for key, value in figures.items():
                if not isinstance(value, int) or isinstance(value, bool):
                    raise ValueError(f"{key} {name} is {value!r}, not a whole number")
                if abs(value) > MAX_FIGURE or (name == "total" and value < 0):
                    raise ValueError(f"{key} {name} {value:,} is out of range")

    @property
    def war_day(self) -> int:
        return self.day if self.day is not None else day_of_war(self.date)

    def content_hash(self) -> str:
        """What makes two fetches the same report: date, link and totals, not the source.

        The same figures reaching us from the API and from the dataset are one report; a changed
        figure or a newly known link is a new revision.
        """
        content = {
            "date": self.date.isoformat(),
            "link": self.link,
            "totals": dict(sorted(self.totals.items())),
        }
        encoded = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(encoded.encode()).hexdigest()


class FindingKind(StrEnum):
    """What validation can find about a report (each has a DETAIL_ message saying it, and a
    FINDING_ footnote for a figure accepted despite it: tests/test_texts.py checks both)."""

    DECREASE = "decrease"  # a total below the day before's
    JUMP = "jump"  # a rise far above the recent largest (bot.figures: JUMP_FACTOR)
    MISSING = "missing"  # a category the day before had
    INCREASE_MISMATCH = "increase_mismatch"  # the source's own change disagrees with the totals
    FUTURE = "future"  # dated after today
    ABOVE_NEXT = "above_next"  # a total above the next stored day's
    DROPPED = "dropped"  # a category the version it replaces had
    DISAGREE = "disagree"  # another source gives the date other totals
    SHOWN = "shown"  # a text typed by hand would change a figure readers see
    UNCHECKED = "unchecked"  # totals typed by hand without their changes
    SPAN = "span"  # typed by hand with one day's changes, the day before it not stored


@dataclass(frozen=True)
class Finding:
    """Something validation noticed about a report: why it was held, or noted on acceptance.

    `kind` is a FindingKind (stored as its value).
    `detail` says it in English, for logs; `facts` are its figures and ISO dates by name, from
    which `render.finding_detail` says it in the reader's language.
    """

    kind: str
    category: str | None
    detail: str
    facts: tuple[tuple[str, int | str], ...] = ()


def raw_json(payload: object) -> str:
    """A payload as stored raw: compact JSON that keeps non-ASCII text readable."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
