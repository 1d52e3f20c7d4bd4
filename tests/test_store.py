"""The SQLite store itself: schema versions, WAL, and what it refuses."""

from __future__ import annotations

import sqlite3

import pytest

from bot.store import MIGRATIONS, Store, StoreError


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
    assert again.latest_date() is not None
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


def test_fetched_figures_cannot_go_negative_even_by_hand(history_store):
    report = history_store.report_on(history_store.latest_date())
    with pytest.raises(sqlite3.IntegrityError):
        history_store.db.execute(
            "INSERT INTO figures (report_id, category, total) VALUES (?, 'x', -1)", [report.id]
        )
