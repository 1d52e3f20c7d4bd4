"""Independent counts beside the claim: Russian equipment losses documented with photos or video.

The Oryx blog lists every Russian loss it can show with a photo or a video; scarnecchia/oryx_data
scrapes that list into daily counts per equipment type (CC BY 4.0, bot/data/oryx_LICENSE). A row
appears only on a date when a type's count changed, so the count "as of" a date is the type's last
row on or before it. Which Oryx types stand beside which category of the bulletin is the category
registry's (`Category.oryx_types`).

A photo-confirmed count is a lower bound: what nobody filmed is not in it. The General Staff's
figures are claims nobody can check. The two measure different things, and the ratio between
them says as much about what gets filmed as about what was lost.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from bot import categories
from bot.errors import UserError
from bot.store import Store

BUNDLED = "oryx_russia.csv"
SOURCE_URL = "https://github.com/scarnecchia/oryx_data"
_COLUMNS = {"country", "equipment_type", "type_total", "date_recorded"}


class OryxDataError(UserError):
    """A file that is not Oryx's daily counts; the message says what is wrong with it."""


@dataclass(frozen=True)
class Documented:
    """Oryx's count of some types as of a date: their total, and the date of its newest row."""

    total: int
    as_of: date


class OryxCounts:
    """Each equipment type's count over time, for Russia."""

    def __init__(self, rows: Iterable[tuple[str, date, int]]) -> None:
        by_type: defaultdict[str, list[tuple[date, int]]] = defaultdict(list)
        for kind, day, total in rows:
            by_type[kind].append((day, total))
        self._rows = {kind: sorted(counts) for kind, counts in by_type.items()}

    @classmethod
    def from_csv(cls, text: str, name: str = BUNDLED) -> OryxCounts:
        """Parse scarnecchia/oryx_data's daily_count CSV (Russia's rows); a file of another
        shape is refused with what is missing, never read as far as it happens to fit."""
        reader = csv.DictReader(io.StringIO(text))
        missing = _COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise OryxDataError(
                f"{name}: not Oryx's daily counts (missing columns: {', '.join(sorted(missing))})"
            )
        rows = []
        for line, row in enumerate(reader, start=2):
            if row["country"] != "Russia":
                continue
            try:
                day = date.fromisoformat(row["date_recorded"])
                total = int(row["type_total"])
            except (TypeError, ValueError):
                raise OryxDataError(f"{name}, line {line}: cannot read {row}") from None
            rows.append((row["equipment_type"], day, total))
        if not rows:
            raise OryxDataError(f"{name}: no rows for Russia")
        return cls(rows)

    def rows(self) -> list[tuple[str, date, int]]:
        """(type, date, total) of every row, as stored."""
        return [(kind, d, total) for kind, counts in self._rows.items() for d, total in counts]

    def series(self, types: Sequence[str], first: date, last: date) -> list[Documented]:
        """The types' total at each date from `first` to `last` when one of them changed
        (and as it stood on `first`), for a chart: a step line. It runs on to the end of the
        counts (or `last`), and no further: after that, nobody has counted."""
        days = {d for kind in types for d, _ in self._rows.get(kind, []) if first < d <= last}
        days |= {first, min(last, self.last_date())}
        points = ((day, self.as_of(types, day)) for day in sorted(days) if day >= first)
        return [Documented(count.total, day) for day, count in points if count is not None]

    def types(self) -> set[str]:
        return set(self._rows)

    def last_date(self) -> date:
        return max(counts[-1][0] for counts in self._rows.values())

    def first_date(self, types: Sequence[str]) -> date | None:
        """The first day every one of these types has a row (None if one never has)."""
        firsts = [self._rows[kind][0][0] for kind in types if kind in self._rows]
        return max(firsts) if firsts and len(firsts) == len(types) else None

    def as_of(self, types: Sequence[str], day: date) -> Documented | None:
        """The types' total as of `day` (each type's last row on or before it), dated by the
        newest of those rows; None unless every type has a row by then. The scraped file
        starts types on different dates (SAM systems half a year after anti-aircraft guns):
        a type without a row is not yet counted, not zero, and a sum without it would be
        a figure too low."""
        total, newest = 0, None
        for kind in types:
            known = [(d, count) for d, count in self._rows.get(kind, []) if d <= day]
            if not known:
                return None
            total += known[-1][1]
            newest = max(newest or known[-1][0], known[-1][0])
        return Documented(total, newest) if newest else None


def documents(store: Store, key: str, day: date) -> bool:
    """Whether Oryx has a count of this category as of `day` to set beside the claim."""
    types = categories.get(key).oryx_types
    return bool(types) and counts_for(store).as_of(types, day) is not None


def counts_for(store: Store) -> OryxCounts:
    """The counts last imported into this database, or the bundled ones."""
    imported = store.documented.counts()
    return OryxCounts(imported) if imported else bundled()


@cache
def bundled() -> OryxCounts:
    """The counts shipped with the package, read once."""
    text = resources.files("bot.data").joinpath(BUNDLED).read_text(encoding="utf-8")
    return OryxCounts.from_csv(text)


@dataclass(frozen=True)
class Comparison:
    """One category on one date: the General Staff's claim and Oryx's count as of that date."""

    category: str
    on: date
    documented: int | None  # None: Oryx had not counted this yet, or cannot
    claimed: int | None  # None: no accepted bulletin of that day (or nothing documented)
    counted_from: date | None = None  # when not counted yet: the first day it is

    @property
    def ratio(self) -> float | None:
        if not self.claimed or not self.documented:
            return None
        return self.claimed / self.documented


def compare(store: Store, keys: Sequence[str], day: date) -> list[Comparison]:
    """For each category (every mapped one, if `keys` is empty) Oryx's count and the General
    Staff's claim on one date: `day`, or the last day of the counts when they end before it.
    A count holds until its type's next row, so up to the file's last day it is the count of
    that day, not of the day of its row; the claim beside it is of the same day. Where the
    registry adds other categories to the claim (warships with submarines, as Oryx counts
    them), their claims are added."""
    counts = counts_for(store)
    on = min(day, counts.last_date())
    chosen = keys or [c.key for c in categories.CATEGORIES if c.oryx_types or c.oryx_note]
    result = []
    for key in chosen:
        category = categories.get(key)
        types = category.oryx_types
        documented = counts.as_of(types, on) if types else None
        if documented is None:
            result.append(Comparison(key, on, None, None, counts.first_date(types)))
            continue
        claims = [key, *category.oryx_claimed_with]
        totals = store.reports.effective_totals(on, on, only=claims).get(on, {})
        claimed = totals[key] + sum(totals.get(k, 0) for k in claims[1:]) if key in totals else None
        result.append(Comparison(key, on, documented.total, claimed))
    return result
