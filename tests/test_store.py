"""The SQLite store itself: schema versions, WAL, and what it refuses."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot import render
from bot.store import ReportStatus, Shape, Store, StoreError, SubscriberStatus
from bot.store.database import DatabaseFailed, StoreMethods
from bot.store.logs import Fetch
from bot.store.schema import MIGRATIONS
from tests.conftest import damage_table


def test_a_new_database_is_migrated_and_in_wal_mode(tmp_path):
    store = Store(tmp_path / "new.db")
    assert store.schema_version == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"reports", "figures", "findings", "fetches"} <= set(store.db.table_names())
    store.close()


def test_opening_again_migrates_nothing_and_keeps_the_data(history_store, tmp_path):
    path = history_store.path
    history_store.close()
    again = Store(path)
    assert again.reports.latest_date() is not None
    assert again.schema_version == len(MIGRATIONS)
    again.close()


def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "future.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    with pytest.raises(StoreError, match="schema version 99, newer than this bulletin-bot"):
        Store(path)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 99
    connection.close()


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are not the tables you are looking for " * 100)
    with pytest.raises(StoreError, match="cannot open the database"):
        Store(path)


def test_sqlite_errors_leave_the_store_as_its_own(history_store):
    """A caller catches StoreError alone (the command line, the bot, the console): a damaged
    file, a full disk or a lock held too long reach it as DatabaseFailed, SQLite's words kept."""
    path, day = history_store.path, history_store.reports.latest_date()
    history_store.close()
    damage_table(path, "figures")
    damaged = Store(path)  # the schema is whole: it opens
    with pytest.raises(DatabaseFailed, match="malformed") as raised:
        damaged.reports.on(day)
    assert isinstance(raised.value.__cause__, sqlite3.DatabaseError)
    # Inside a write transaction, as it ends: the same.
    with pytest.raises(DatabaseFailed, match="malformed"), damaged.transaction():
        damaged.db.execute("DELETE FROM figures")
    damaged.close()


def test_a_store_method_may_not_hand_out_rows_lazily():
    """Rows a generator yields after its method returned would fail as raw sqlite3 errors."""
    with pytest.raises(TypeError, match=r"Lazy\.rows: a store method may not be a generator"):

        class Lazy(StoreMethods):
            def rows(self) -> Iterator[int]:
                yield 1


def test_fetched_figures_cannot_go_negative_even_by_hand(history_store):
    report = history_store.reports.on(history_store.reports.latest_date())
    with pytest.raises(sqlite3.IntegrityError):
        history_store.db.execute(
            "INSERT INTO figures (report_id, category, total) VALUES (?, 'x', -1)", [report.id]
        )


@pytest.mark.parametrize("version", range(1, len(MIGRATIONS)))
def test_a_database_of_every_earlier_schema_is_migrated_with_its_data(tmp_path, version):
    """A database as each earlier release left it, with a held report and its finding (and a
    subscriber, once there were any), opens at the current schema with nothing lost."""
    path = tmp_path / f"v{version}.db"
    connection = sqlite3.connect(path)
    for statements in MIGRATIONS[:version]:
        for statement in statements:
            connection.execute(statement)
    connection.execute(
        "INSERT INTO reports (date, day, source, link, fetched_at, content_hash, revision, "
        "status, raw) VALUES ('2026-08-08', 1627, 'api', NULL, '2026-08-08T06:30:00+00:00', "
        "'hash', 1, 'held', '{}')"
    )
    connection.execute("INSERT INTO figures (report_id, category, total) VALUES (1, 'tanks', 90)")
    connection.execute(
        "INSERT INTO findings (report_id, kind, category, detail) "
        "VALUES (1, 'decrease', 'tanks', 'Tanks went down: 100 -> 90')"
    )
    if version >= 2:
        connection.execute(
            "INSERT INTO subscribers (chat_id, chat_type, status, timezone, created_at, "
            "updated_at) VALUES (7, 'private', 'active', 'Europe/Kyiv', ?, ?)",
            ["2026-08-01T08:00:00+00:00"] * 2,
        )
    connection.execute(f"PRAGMA user_version = {version}")
    connection.commit()
    connection.close()

    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    (held,) = store.reports.with_status(ReportStatus.HELD)
    assert held.totals == {"tanks": 90}
    (finding,) = held.findings
    assert (finding.kind, finding.facts) == ("decrease", ())  # kept before findings had facts
    assert render.finding_detail(finding) == "Tanks went down: 100 -> 90"  # said as stored
    if version >= 2:
        subscriber = store.subscribers.get(7)
        assert subscriber.status == SubscriberStatus.ACTIVE and subscriber.digests == ("daily",)
        # What a subscriber shapes came later: one from before gets what they always had.
        assert subscriber.shape == Shape()
        assert (subscriber.shape.categories, subscriber.shape.format) == ((), "full")
        assert store.subscribers.counts() == {SubscriberStatus.ACTIVE: 1}  # counted as migrated
    store.close()


def test_a_poll_fails_only_when_no_source_answered(tmp_path):
    store = Store(tmp_path / "bulletin.db")
    assert store.logs.failed_polls_in_a_row(3) == 0  # never polled: nothing failed
    start = datetime(2026, 8, 8, 6, 0, tzinfo=UTC)
    # (api, dataset) of each poll, oldest first: failed, then one answered, then both failed.
    for minutes, answers in enumerate([(False, False), (False, True), (False, False)] * 2):
        at = start + timedelta(minutes=20 * minutes)
        for source, ok in zip(("api", "dataset"), answers, strict=True):
            store.logs.record_fetch(Fetch(at, source, ok, "" if ok else "down"))
    assert store.logs.failed_polls_in_a_row(3) == 1
    store.logs.record_fetch(Fetch(start + timedelta(hours=3), "api", False, "down"))
    assert store.logs.failed_polls_in_a_row(3) == 2
    store.logs.record_fetch(Fetch(start + timedelta(hours=4), "api", False, "down"))
    assert store.logs.failed_polls_in_a_row(3) == 3
    assert store.logs.failed_polls_in_a_row(2) == 2  # counted up to what was asked


def test_a_transaction_over_several_parts_lands_whole_or_not_at_all(tmp_path):
    """The parts share one connection: a correction (sqlite-utils' insert), its audit entry
    and its notice queued (SQL) in one `transaction()` are all undone when it fails, and
    nobody else (the command line, another connection) sees any of it before it commits."""
    store = Store(tmp_path / "bulletin.db")
    now = datetime(2026, 8, 8, 6, 30, tzinfo=UTC)
    day = now.date()

    def correct_and_tell() -> None:
        store.corrections.add(day, "tanks", 1, 2, reason="typo", author="cli:test", now=now)
        store.logs.audit("cli:test", "correct", allowed=True, detail="tanks 2", now=now)
        store.outbox.enqueue([(500, "correction", "1", now)])

    with pytest.raises(RuntimeError), store.transaction():
        correct_and_tell()
        raise RuntimeError("the notice could not be written")
    assert store.corrections.log() == [] and store.logs.audit_log() == []
    assert store.outbox.pending_count() == 0
    with store.transaction():
        correct_and_tell()
        other = Store(tmp_path / "bulletin.db", busy_timeout=0.1)
        assert other.corrections.log() == [] and other.outbox.pending_count() == 0
    assert [c.new_value for c in other.corrections.log()] == [2]
    assert [e.action for e in other.logs.audit_log()] == ["correct"]
    assert other.outbox.pending_count() == 1
    other.close()
    store.close()
