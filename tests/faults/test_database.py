"""The database under stress: locked by another writer, and full."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import date

import pytest

from bot import texts
from bot.ingest import ingest
from bot.store.database import DatabaseFailed
from tests.conftest import NOW, TODAY

NEW_DAY = date(2026, 8, 8)


def hold_write_lock(path, seconds: float) -> threading.Thread:
    """Another process's writer holding the database for a while."""
    locked = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        locked.set()
        threading.Event().wait(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait()
    return thread


def test_a_write_waits_for_another_writer_then_lands(history_store, dataset_reports):
    holder = hold_write_lock(history_store.path, 1.5)
    outcomes = ingest(
        history_store,
        [r for r in dataset_reports if r.date == NEW_DAY],
        now=NOW,
        today=TODAY,
        hold_suspicious=True,
    )
    holder.join()
    assert [o.change for o in outcomes] == ["new"]
    assert history_store.reports.latest_date() == NEW_DAY


def fill_up(store) -> None:
    """No more pages may be added: the disk is 'full' for this connection."""
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_database_refuses_cleanly_and_recovers(history_store, dataset_reports):
    fill_up(history_store)
    many = [r for r in dataset_reports if r.date == NEW_DAY] * 1
    reports_before = history_store.db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    with pytest.raises(DatabaseFailed, match="full"):  # SQLite's error, as the store's
        for _ in range(50):  # until a page is needed
            history_store.outbox.enqueue((chat, "bulletin", f"x{_}", NOW) for chat in range(2000))
    ingest_error = None
    try:
        ingest(history_store, many, now=NOW, today=TODAY, hold_suspicious=True)
    except DatabaseFailed as error:
        ingest_error = error
    assert history_store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after = history_store.db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    half_stored = history_store.db.execute(
        "SELECT COUNT(*) FROM reports r WHERE NOT EXISTS "
        "(SELECT 1 FROM figures f WHERE f.report_id = r.id)"
    ).fetchone()[0]
    assert half_stored == 0
    assert after in (reports_before, reports_before + 1)
    assert ingest_error is None or after == reports_before

    history_store.db.execute("PRAGMA max_page_count = 1073741823")  # space is back
    ingest(history_store, many, now=NOW, today=TODAY, hold_suspicious=True)
    assert history_store.reports.latest_date() == NEW_DAY


async def test_the_bot_apologises_when_the_database_is_full_and_recovers(bot):
    fill_up(bot.store)
    for chat in range(9000, 9100):  # fill what room is left
        try:
            bot.store.subscribers.subscribe(chat, "private", send_at=None, timezone="UTC", now=NOW)
        except DatabaseFailed:
            break
    reply = await bot.ask("/subscribe 08:30", chat_id=9999)
    assert reply.text == texts.INTERNAL_ERROR
    assert bot.store.subscribers.get(9999) is None
    assert "Tanks" in (await bot.ask("/latest tanks", chat_id=9998)).text  # reading still works
    bot.store.db.execute("PRAGMA max_page_count = 1073741823")
    reply = await bot.ask("/subscribe 08:30", chat_id=9999)
    assert "Subscribed" in reply.text
    await asyncio.sleep(0)
