"""The records and the exports kept between calls (bot/kept.py) and patched by the days that
changed: after any sequence of new days, revisions, held reports released or rejected, days
filled in, and corrections made or withdrawn, they are what a reading of the whole history
gives, through the real Store on a file."""

from __future__ import annotations

import itertools
import json
import random
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import kept, texts
from bot.export import export
from bot.report import Report
from bot.store import ReportStatus, Store
from bot.trends import all_records
from tests.conftest import NOW

# Around the day two early categories were merged into one (30 April 2022): the merged
# categories' sum is what the next day's change counts from.
FIRST, LAST = date(2022, 4, 1), date(2022, 5, 31)


@pytest.fixture(scope="module")
def short_history(tmp_path_factory, dataset_reports) -> Path:
    """Two months of the real history, stored as fetched and accepted."""
    path = tmp_path_factory.mktemp("kept") / "short.db"
    store = Store(path)
    with store.transaction():
        for report in dataset_reports:
            if FIRST <= report.date <= LAST:
                store.reports.add(report, ReportStatus.ACCEPTED, [], NOW)
    store.close()
    return path


@pytest.fixture
def speaking_again() -> Iterator[None]:
    yield
    texts.set_language(None)


def in_memory(store: Store) -> Store:
    """The same data in a database in memory, which nothing keeps anything of: every reading
    of it reads the whole history (or the range asked)."""
    copy = Store(":memory:")
    store.db.conn.backup(copy.db.conn)
    return copy


def assert_as_read_whole(store: Store, rng: random.Random) -> None:
    """The kept records and exports (patched since they were last asked for) against those of
    the whole history read afresh; each export whole, and a part cut from it."""
    fresh = in_memory(store)
    try:
        assert all_records(store) == all_records(fresh)
        first, last = fresh.changes.first_date(), fresh.reports.latest_date()
        assert first is not None and last is not None
        since = first + timedelta(days=rng.randrange((last - first).days + 1))
        until = since + timedelta(days=rng.randrange(20))
        for language in ("en", "uk"):
            texts.set_language(language)
            for fmt in ("csv", "json"):
                whole = export(store, fmt, first, last).data
                assert whole == export(fresh, fmt, first, last).data, (language, fmt)
                assert export(store, fmt, since, until) == export(fresh, fmt, since, until)
            # The JSON written a day at a time is what one json.dumps of it gives.
            assert whole == json.dumps(json.loads(whole), ensure_ascii=False, indent=1).encode()
    finally:
        texts.set_language(None)
        fresh.close()


class History:
    """Changes made to a store the way the bot makes them (reports stored, statuses set,
    corrections made and withdrawn), with figures drawn from `rng`."""

    def __init__(self, store: Store, rng: random.Random) -> None:
        self.store, self.rng = store, rng
        self.revisions = 0

    def dates(self) -> list[date]:
        return sorted(self.store.reports.effective_totals())

    def some_day(self) -> date:
        """A stored day; half the time the newest, as the one most often revised or corrected
        (and the one whose rise, lowered, moves to no later day: a record lost outright)."""
        dates = self.dates()
        return dates[-1] if self.rng.random() < 0.5 else self.rng.choice(dates)

    def add(self, day: date, totals: dict[str, int], status: str = ReportStatus.ACCEPTED) -> int:
        self.revisions += 1  # a link of its own: every revision is new content
        link = f"https://example.org/{self.revisions}"
        report = Report(day, "api", totals, raw="{}", link=link)
        return self.store.reports.add(report, status, [], NOW)

    def moved(self, totals: dict[str, int], most: int) -> dict[str, int]:
        """Some categories moved by up to `most` either way (a record, or a record lowered);
        now and then one dropped, as a bulletin may drop a category."""
        result = dict(totals)
        for key in self.rng.sample(sorted(result), self.rng.randint(1, 4)):
            result[key] = max(0, result[key] + self.rng.randint(-most, most))
        if self.rng.random() < 0.1 and len(result) > 1:
            del result[self.rng.choice(sorted(result))]
        return result

    def new_day(self) -> None:
        """The next bulletin, a day (or, after a gap, a few days) after the last."""
        dates = self.dates()
        last = self.store.reports.effective_totals(dates[-1], dates[-1])[dates[-1]]
        rises = {key: total + self.rng.choice([0, 1, 5, 40, 300]) for key, total in last.items()}
        self.add(dates[-1] + timedelta(days=self.rng.choice([1, 1, 1, 2, 4])), rises)

    def revision(self, status: str = ReportStatus.ACCEPTED) -> None:
        """A new version of a stored day: accepted at once, or held for an admin."""
        day = self.some_day()
        totals = self.store.reports.effective_totals(day, day, corrected=False)[day]
        self.add(day, self.moved(totals, 200), status)

    def fill_in(self) -> None:
        """A day missing from the history, stored late."""
        dates = self.dates()
        gaps = [
            d + timedelta(days=1) for d, n in itertools.pairwise(dates) if n - d > timedelta(days=1)
        ]
        if gaps:
            day = self.rng.choice(gaps)
            before = self.store.reports.effective_totals(dates[0], day)[
                max(d for d in dates if d < day)
            ]
            self.add(day, self.moved(before, 30))

    def decide(self, status: str) -> None:
        """An admin's /approve or /reject of a held report."""
        held = self.store.reports.with_status(ReportStatus.HELD)
        if held:
            self.store.reports.set_status(self.rng.choice(held).id, status)

    def correct(self) -> None:
        day = self.some_day()
        totals = self.store.reports.effective_totals(day, day)[day]
        key = self.rng.choice(sorted(totals))
        value = max(0, totals[key] + self.rng.choice([-500, -60, -5, 5, 60, 500]))
        self.store.corrections.add(day, key, totals[key], value, reason="t", author="t", now=NOW)

    def withdraw(self) -> None:
        live = self.store.corrections.live(None, None)
        if live:
            self.store.corrections.withdraw(self.rng.choice(live).id, author="t", now=NOW)


STEPS = (
    "new day",
    "revision",
    "held revision",
    "approve",
    "reject",
    "fill in",
    "correct",
    "withdraw",
    "ask",
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(STEPS), min_size=1, max_size=12), seed=st.integers())
def test_kept_records_and_exports_are_the_whole_history_read_again(
    short_history, tmp_path_factory, speaking_again, steps, seed
):
    path = tmp_path_factory.mktemp("changing") / "bulletin.db"
    shutil.copyfile(short_history, path)
    store = Store(path)
    rng = random.Random(seed)
    history = History(store, rng)
    try:
        assert_as_read_whole(store, rng)  # kept from here on
        for step in steps:
            match step:
                case "new day":
                    history.new_day()
                case "revision":
                    history.revision()
                case "held revision":
                    history.revision(ReportStatus.HELD)
                case "approve":
                    history.decide(ReportStatus.ACCEPTED)
                case "reject":
                    history.decide(ReportStatus.REJECTED)
                case "fill in":
                    history.fill_in()
                case "correct":
                    history.correct()
                case "withdraw":
                    history.withdraw()
                case "ask":  # patched now: the steps after are patched on top
                    assert_as_read_whole(store, rng)
        assert_as_read_whole(store, rng)
    finally:
        store.close()


def test_a_new_day_a_revision_and_a_correction_are_patched_not_read_whole(history_store):
    """The whole history is read once; then each change costs its days (a report held for
    an admin none, until it is approved). A correction that lowers one of a category's ten
    largest days below the tenth is read whole again (the eleventh largest is not kept), and
    says so by the count of readings."""
    store = history_store
    history = History(store, random.Random(1))

    def changed_by(day: date, category: str, by: int, status: str = ReportStatus.ACCEPTED) -> int:
        totals = store.reports.effective_totals(day - timedelta(days=1), day)
        figures = totals.get(day) or totals[day - timedelta(days=1)]
        return history.add(day, {**figures, category: figures[category] + by}, status)

    def ask() -> None:
        all_records(store)
        export(store, "csv", date(2022, 1, 1), date(2026, 8, 8))

    ask()
    builds, patches = kept.KEPT.builds, kept.KEPT.patches
    changed_by(date(2026, 8, 8), "tanks", 2)  # a new day
    ask()
    changed_by(date(2024, 3, 10), "tanks", 1)  # a revision of an old one
    ask()
    store.corrections.add(date(2024, 3, 12), "artillery", None, 1, reason="t", author="t", now=NOW)
    ask()
    held = changed_by(date(2025, 1, 5), "mlrs", 1, ReportStatus.HELD)
    ask()
    ask()  # still held
    store.reports.set_status(held, ReportStatus.ACCEPTED)
    ask()
    ask()
    assert (kept.KEPT.builds - builds, kept.KEPT.patches - patches) == (0, 2 * 4)
    # Tanks' largest day, 26 February 2022 (+66 on the 80 of the day before, the first),
    # lowered by a correction of that first day to +16, below the tenth largest (+34).
    store.corrections.add(date(2022, 2, 25), "tanks", 80, 130, reason="t", author="t", now=NOW)
    assert all_records(store).of("tanks")[0][1].date == date(2023, 10, 20)
    assert kept.KEPT.builds - builds == 1
    assert_as_read_whole(store, random.Random(2))


def test_another_file_in_the_same_place_is_read_whole(tmp_path, short_history):
    """A backup restored into the file (same path, same inode, other rows): nothing kept of
    the file before is patched onto it, though its newest row has the same id."""
    path = tmp_path / "bulletin.db"
    shutil.copyfile(short_history, path)
    store = Store(path)
    history = History(store, random.Random(3))
    last = store.reports.effective_totals(LAST, LAST)[LAST]
    history.add(LAST + timedelta(days=1), {key: total + 1 for key, total in last.items()})
    assert all_records(store).of("tanks")[0][1].date != LAST + timedelta(days=1)
    backup = sqlite3.connect(short_history)
    backup.backup(store.db.conn)
    backup.close()
    history.add(LAST + timedelta(days=1), {**last, "tanks": last["tanks"] + 999})
    assert all_records(store).of("tanks")[0][1].delta == 999
    assert_as_read_whole(store, random.Random(5))
    store.close()


def test_the_latest_of_more_equal_largest_days_than_are_kept(tmp_path, short_history):
    """Twelve days tie for warships' largest rise: the top ten are the earliest, /records
    names the latest. Corrected away, the latest is the eleventh, which is not kept: read
    whole again, and right."""
    path = tmp_path / "bulletin.db"
    shutil.copyfile(short_history, path)
    store = Store(path)
    history = History(store, random.Random(6))
    totals = store.reports.effective_totals(LAST, LAST)[LAST]
    days = [LAST + timedelta(days=n) for n in range(1, 13)]
    for day in days:
        totals = {key: total + (5 if key == "warships" else 1) for key, total in totals.items()}
        history.add(day, totals)
    found = all_records(store)
    assert [d.date for _, d in found.of("warships")] == days[:10]
    assert dict(found.best)["warships"].date == days[-1]
    builds = kept.KEPT.builds
    was = totals["warships"]
    store.corrections.add(days[-1], "warships", was, was - 5, reason="t", author="t", now=NOW)
    assert dict(all_records(store).best)["warships"].date == days[-2]
    assert kept.KEPT.builds - builds == 1
    assert_as_read_whole(store, random.Random(7))
    store.close()


def test_a_part_after_a_long_gap_counts_its_first_change_from_the_day_before_the_gap(store):
    """An export of a part is cut from the whole history's text when one is kept and read for
    its days alone when none is: the same bytes, so its first day's change is counted from the
    day stored before it however long ago (a reading of a part once looked 30 days back)."""
    history = History(store, random.Random(8))
    history.add(date(2026, 1, 1), {"tanks": 100})
    history.add(date(2026, 3, 1), {"tanks": 160})
    history.add(date(2026, 3, 2), {"tanks": 161})
    part = export(store, "csv", date(2026, 3, 1), date(2026, 3, 2))  # none kept: read alone
    rows = part.data.decode().splitlines()
    assert rows[1].startswith("2026-03-01,") and ",160,60,59," in rows[1]
    export(store, "csv", date(2026, 1, 1), date(2026, 3, 2))  # the whole, kept
    assert export(store, "csv", date(2026, 3, 1), date(2026, 3, 2)) == part
